"""The extraction engine: configuration, plugins, and the director that runs a check.

The director tries the platform's backends in the configured order. "Cannot run here" (missing
library, no credential, not replayable) skips a backend; ``unavailable`` and ``layout_changed``
move on to the next; ``private`` and ``not_found`` end the check. Every attempt is recorded in the
snapshot, with the backend that answered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx
import pluggy

from .backends import CheckSession
from .cache import Cache, MemoryCache, SQLiteCache, default_cache_path
from .checks import CheckOutcome, judge_snapshot
from .config import Config
from .errors import (
    AccountNotFound,
    AccountPrivate,
    CassetteMiss,
    ConfigurationError,
    ExtractionError,
    InvalidInput,
    UnknownPlatform,
)
from .hashtags import extract_hashtags, merge_hashtags
from .http import PlatformHttp
from .models import Account, AccountStatus, Attempt, Post, Snapshot
from .platforms import Platform
from .plugin_manager import collect_platforms, get_plugin_manager
from .replay import find_cassette_miss
from .verdicts import Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackendStatus:
    """One line of ``social-missions backends``."""

    platform: str
    backend: str
    description: str
    available: bool
    reason: str
    position: int | None  # place in the configured order, None when not used


class Engine:
    """Everything a check needs, built once per process and shared by its checks."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        plugin_manager: pluggy.PluginManager | None = None,
        cache: Cache | None = None,
        replaying: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config or Config()
        self._transport = transport
        self.plugins = plugin_manager or get_plugin_manager(
            autoload=self.config.autoload_plugins, blocked=self.config.blocked_plugins
        )
        self.platforms: dict[str, Platform] = collect_platforms(self.plugins)
        self.replaying = replaying
        self.cache: Cache = cache or _open_cache(self.config)
        self._http: dict[str, PlatformHttp] = {}
        for name, settings in self.config.platforms.items():
            if name not in self.platforms:
                raise UnknownPlatform(
                    f"configuration names platform {name!r}, which no installed plugin provides; "
                    f"known: {', '.join(sorted(self.platforms))}"
                )
            if settings.backends is not None:
                self.platforms[name].check_order(settings.backends)

    # -- platforms and accounts -------------------------------------------------------------

    def platform(self, name: str) -> Platform:
        try:
            return self.platforms[name.lower()]
        except KeyError:
            raise UnknownPlatform(
                f"unknown platform {name!r}; known: {', '.join(sorted(self.platforms))}"
            ) from None

    def account(self, platform: str, handle: str) -> Account:
        """An account with its handle validated and normalised (R3)."""
        found = self.platform(platform)
        return Account(platform=found.name, handle=found.normalise_handle(handle))

    def backend_order(self, platform: str) -> tuple[str, ...]:
        found = self.platform(platform)
        configured = self.config.platform(found.name).backends
        return found.check_order(configured) if configured is not None else found.order

    def limit(self, platform: str) -> int:
        found = self.platform(platform)
        return self.config.platform(found.name).limit or found.default_limit

    def backend_statuses(self) -> list[BackendStatus]:
        rows = []
        for name in sorted(self.platforms):
            platform = self.platforms[name]
            settings = self.config.platform(name)
            order = self.backend_order(name)
            for backend in platform.backends:
                reason = backend.unavailable_reason(settings)
                rows.append(BackendStatus(
                    platform=name, backend=backend.name, description=backend.description,
                    available=reason is None, reason=reason or "",
                    position=order.index(backend.name) + 1 if backend.name in order else None,
                ))
        return rows

    def http(self, platform: str) -> PlatformHttp:
        if platform not in self._http:
            self._http[platform] = PlatformHttp(self.config.platform(platform),
                                                replay=self.replaying, transport=self._transport)
        return self._http[platform]

    def close(self) -> None:
        for client in self._http.values():
            client.close()
        self._http.clear()

    # -- checks -----------------------------------------------------------------------------

    def snapshot(
        self, account: Account, *, backends: Sequence[str] | None = None, limit: int | None = None
    ) -> Snapshot:
        """Read ``account`` through the configured backends, falling back in order."""
        platform = self.platform(account.platform)
        settings = self.config.platform(platform.name)
        order = platform.check_order(backends) if backends else self.backend_order(platform.name)
        limit = limit or self.limit(platform.name)
        if limit < 1:
            raise InvalidInput(f"the post limit must be at least 1, not {limit}")
        attempts: list[Attempt] = []
        started = time.perf_counter()
        for name in order:
            backend_class = platform.backend(name)
            reason = backend_class.unavailable_reason(settings)
            if reason is None and self.replaying and not backend_class.vcr_replayable:
                reason = "its traffic cannot be replayed from a VCR cassette"
            if reason:
                attempts.append(Attempt(backend=name, outcome="skipped", detail=reason))
                continue
            session = CheckSession(backend=backend_class(platform, settings),
                                   http=self.http(platform.name), cache=self.cache,
                                   limit=limit, replaying=self.replaying)
            attempt_started = time.perf_counter()
            try:
                public, posts = self._read(account, limit, session)
            except (AccountPrivate, AccountNotFound) as error:
                attempts.append(self._attempt(name, error.status, error.detail, session,
                                              attempt_started))
                return self._snapshot(account, AccountStatus(error.status), attempts, started,
                                      backend=name, detail=error.detail,
                                      public=False if isinstance(error, AccountPrivate) else None)
            except ExtractionError as error:
                attempts.append(self._attempt(name, error.status, error.detail, session,
                                              attempt_started))
                log.info("%s via %s: %s (%s)", account, name, error.status, error.detail)
                continue
            except (InvalidInput, ConfigurationError):
                raise
            except Exception as error:  # a backend bug must not crash a worker
                miss = find_cassette_miss(error)
                if miss is None:
                    log.exception("backend %s failed on %s", name, account)
                detail = (str(miss) if miss else
                          f"internal error in backend {name}: {type(error).__name__}: {error}")
                attempts.append(self._attempt(name, "cassette_miss" if miss else "unavailable",
                                              detail, session, attempt_started))
                continue
            attempts.append(self._attempt(name, "ok" if public else "private", "", session,
                                          attempt_started))
            status = AccountStatus.OK if public else AccountStatus.PRIVATE
            return self._snapshot(account, status, attempts, started, backend=name,
                                  posts=posts, public=public,
                                  detail="" if public else "the account is private")
        return self._failed(account, attempts, started)

    def check(
        self,
        account: Account,
        hashtag: str,
        window: Window | None = None,
        *,
        backends: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> CheckOutcome:
        """One check: snapshot ``account`` and judge its posts against ``hashtag``."""
        return judge_snapshot(self.snapshot(account, backends=backends, limit=limit), hashtag,
                              window)

    def _read(self, account: Account, limit: int,
              session: CheckSession) -> tuple[bool, tuple[Post, ...]]:
        public = self.plugins.hook.is_public(account=account, session=session)
        if public is None:
            raise ConfigurationError(f"no plugin answered is_public for {account.platform}")
        if not public:
            return False, ()
        posts = self.plugins.hook.fetch_recent_posts(account=account, limit=limit,
                                                     session=session)
        if posts is None:
            raise ConfigurationError(f"no plugin answered fetch_recent_posts for {account.platform}")
        return True, tuple(_with_hashtags(post) for post in list(posts)[:limit])

    @staticmethod
    def _attempt(name: str, outcome: str, detail: str, session: CheckSession,
                 started: float) -> Attempt:
        return Attempt(backend=name, outcome=outcome, detail=detail, requests=session.requests,
                       seconds=time.perf_counter() - started)

    @staticmethod
    def _snapshot(account: Account, status: AccountStatus, attempts: list[Attempt],
                  started: float, *, backend: str | None, detail: str,
                  posts: tuple[Post, ...] = (), public: bool | None = None) -> Snapshot:
        return Snapshot(account=account, status=status, posts=posts, public=public,
                        backend=backend, detail=detail, attempts=tuple(attempts),
                        requests=sum(a.requests for a in attempts),
                        seconds=time.perf_counter() - started)

    def _failed(self, account: Account, attempts: list[Attempt], started: float) -> Snapshot:
        tried = [a for a in attempts if a.outcome in ("unavailable", "layout_changed")]
        summary = "; ".join(f"{a.backend}: {a.detail}" for a in attempts)
        if not tried:
            misses = [a for a in attempts if a.outcome == "cassette_miss"]
            if misses:
                raise CassetteMiss(summary)
            return self._snapshot(account, AccountStatus.UNAVAILABLE, attempts, started,
                                  backend=None, detail=f"no backend can run: {summary}")
        status = (AccountStatus.LAYOUT_CHANGED
                  if any(a.outcome == "layout_changed" for a in tried)
                  else AccountStatus.UNAVAILABLE)
        return self._snapshot(account, status, attempts, started, backend=tried[0].backend,
                              detail=summary)


def _with_hashtags(post: Post) -> Post:
    """Fill a post's hashtags from its text when the backend gave none; normalise them."""
    if post.hashtags:
        return replace(post, hashtags=merge_hashtags(post.hashtags))
    return replace(post, hashtags=extract_hashtags(post.text)) if post.text else post


def _open_cache(config: Config) -> Cache:
    path = config.cache_path or default_cache_path()
    return MemoryCache() if str(path) == ":memory:" else SQLiteCache(path)
