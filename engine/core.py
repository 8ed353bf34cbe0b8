"""The extraction engine: configuration, plugins, and the director that runs a check.

The director tries the platform's backends in the configured order. "Cannot run here" (missing
library, no credential, not replayable) skips a backend; ``unavailable``, ``layout_changed`` and
``error`` (the backend's own bug, kept apart from the platform's refusals as yt-dlp's
``RequestDirector`` keeps "unsupported" apart from "unexpected") move on to the next; ``private``
and ``not_found`` end the check. Every attempt is recorded in the snapshot, with the backend that
answered. Posts are ordered newest first, then cut at the limit, once, here, for every plugin.

The director is also the circuit breaker (:mod:`engine.ratelimit`): a backend refused with a
429, a login wall or a bot challenge is paused for every worker for its cool-off (or the
answer's ``Retry-After``); a paused backend is not sent to, its attempt is ``unavailable`` with
the pause's cause and end (UTC), and the next backend is tried. Replayed checks neither wait
for budgets nor pause: a cassette answers the same whatever came before.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx
import pluggy

from .backends import CheckSession
from .cache import Cache, MemoryCache, SQLiteCache, default_cache_path
from .config import Config
from .config_schema import check_backend_table
from .errors import (
    AccountNotFound,
    AccountOutOfReach,
    AccountPrivate,
    CassetteMiss,
    ConfigurationError,
    InvalidInput,
    LayoutChanged,
    PlatformUnavailable,
    UnknownPlatform,
)
from .hashtags import extract_hashtags, merge_hashtags
from .http import PlatformHttp
from .models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptOutcome,
    Post,
    Snapshot,
    UnavailableCause,
    newest_first,
)
from .platforms import Platform
from .plugin_manager import collect_platforms, get_plugin_manager
from .ratelimit import PAUSING_CAUSES, PlatformBudget, budget_for
from .redaction import backend_secrets, redact, remember
from .replay import find_cassette_miss
from .verdicts import CheckOutcome, Window, judge_snapshot

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
        budget: PlatformBudget | None = None,
    ) -> None:
        """``budget``: the shared rate limits and pauses (default: :func:`budget_for` the
        configuration, opened on first use; a replaying engine has none).

        Raises ``UnknownPlatform`` / ``UnknownBackend`` for a platform or backend order no
        plugin provides, and ``ConfigurationError`` for a ``[platforms.<name>.<backend>]``
        table of no backend or with a key its backend does not declare."""
        self.config = config or Config()
        self._transport = transport
        self._budget = budget
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
            declared = {backend.name: backend.config_options
                        for backend in self.platforms[name].backends}
            for backend_name, table in settings.options.items():
                check_backend_table(name, backend_name, table, declared,
                                    str(self.config.path or "configuration"))

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

    @property
    def budget(self) -> PlatformBudget | None:
        """The budgets and pauses shared by every worker; None for a replaying engine."""
        if self._budget is None and not self.replaying:
            self._budget = budget_for(self.config)
        return self._budget if not self.replaying else None

    def warm_up(self) -> None:
        """Build now what the first checks would otherwise build while members wait: every
        platform's HTTP client (its connection pool and the process's TLS context, tens of
        milliseconds of CPU) and the connection to the shared budgets. A worker calls it
        once at its start (:func:`engine.service.runtime.work`); calling it again does
        nothing more. Raises what opening the budget's storage raises (``ConfigurationError``
        for a bad ``[limits] storage``)."""
        for name in self.platforms:
            _ = self.http(name).client
        if self.budget is not None:
            self.budget.warm_up()

    def close(self) -> None:
        for client in self._http.values():
            client.close()
        self._http.clear()
        if self._budget is not None:
            self._budget.close()

    # -- checks -----------------------------------------------------------------------------

    def snapshot(
        self, account: Account, *, backends: Sequence[str] | None = None, limit: int | None = None,
        want_bio: bool = False,
    ) -> Snapshot:
        """Read ``account`` through the configured backends, falling back in order.

        Each backend's attempt ends in one :class:`~engine.models.AttemptOutcome`.
        ``private`` and ``not_found`` end the check; ``unavailable``, ``layout_changed`` and
        ``error`` (an unexpected exception: a bug in the backend, logged with its traceback)
        move on to the next backend. The posts of an ``ok`` snapshot are newest first, at most
        ``limit``. Raises ``InvalidInput`` for a limit below 1, ``ConfigurationError`` from
        the configuration, and ``CassetteMiss`` when a replayed check lacks a request.
        With ``want_bio``, backends that can read the account's bio on a warm cache only at
        the cost of a request make it (the snapshot's ``bio``; see :class:`Profile`).
        """
        limit = limit or self.limit(account.platform)
        return self._snapshot_of(account, backends, limit, want_bio)

    def _snapshot_of(self, account: Account, backends: Sequence[str] | None,
                     limit: int, want_bio: bool) -> Snapshot:
        """The director's loop; each snapshot it returns carries ``limit``."""
        platform = self.platform(account.platform)
        settings = self.config.platform(platform.name)
        order = platform.check_order(backends) if backends else self.backend_order(platform.name)
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
                attempts.append(Attempt(backend=name, outcome=AttemptOutcome.SKIPPED,
                                        detail=reason))
                continue
            budget = self.budget
            pause = budget.paused(platform.name, name) if budget is not None else None
            if pause is not None:
                attempts.append(Attempt(backend=name, outcome=AttemptOutcome.UNAVAILABLE,
                                        detail=pause.describe(),
                                        cause=UnavailableCause(pause.cause)))
                continue
            # Whatever the backend reports is cleared of the secrets it holds (engine.redaction).
            remember(backend_secrets(settings.backend_options(name), backend_class.config_options,
                                     settings.cookies_file))
            session = CheckSession(backend=backend_class(settings),
                                   http=self.http(platform.name), cache=self.cache,
                                   limit=limit, replaying=self.replaying, want_bio=want_bio,
                                   budget=budget)
            attempt_started = time.perf_counter()
            try:
                public, posts, bio = self._read(account, limit, session)
            except (AccountPrivate, AccountNotFound) as error:
                attempts.append(self._attempt(name, error.status, error.detail, session,
                                              attempt_started))
                return self._snapshot(account, AccountStatus(error.status), attempts, started,
                                      backend=name, detail=error.detail, limit=limit,
                                      public=False if isinstance(error, AccountPrivate) else None)
            except AccountOutOfReach as error:
                # Not the platform's answer about the account: the next backend decides.
                attempts.append(self._attempt(name, AttemptOutcome.SKIPPED, error.detail,
                                              session, attempt_started))
                continue
            except PlatformUnavailable as error:
                attempts.append(self._attempt(name, AttemptOutcome.UNAVAILABLE, error.detail,
                                              session, attempt_started, cause=error.cause))
                log.info("%s via %s: unavailable, %s (%s)", account, name, error.cause,
                         error.detail)
                if budget is not None and str(error.cause) in PAUSING_CAUSES:
                    seconds = (session.retry_after if session.retry_after is not None
                               else settings.backend_cool_off(name))
                    budget.pause(platform.name, name, seconds, str(error.cause), error.detail)
                continue
            except LayoutChanged as error:
                attempts.append(self._attempt(name, AttemptOutcome.LAYOUT_CHANGED, error.detail,
                                              session, attempt_started))
                log.info("%s via %s: layout_changed (%s)", account, name, error.detail)
                continue
            except InvalidInput as error:
                # Raised inside a backend, bad input comes from the platform's answer (a date
                # that does not parse), not from the operator.
                detail = (f"a value in the answer is malformed ({_plugin_of(backend_class)}, "
                          f"backend {name}): {error}")
                attempts.append(self._attempt(name, AttemptOutcome.LAYOUT_CHANGED, detail,
                                              session, attempt_started))
                continue
            except ConfigurationError:
                raise
            except CassetteMiss as error:
                attempts.append(self._attempt(name, AttemptOutcome.CASSETTE_MISS, str(error),
                                              session, attempt_started))
                continue
            except Exception as error:  # a backend bug must not crash a worker
                miss = find_cassette_miss(error)
                if miss is not None:
                    attempts.append(self._attempt(name, AttemptOutcome.CASSETTE_MISS, str(miss),
                                                  session, attempt_started))
                    continue
                log.error("backend %s (%s) failed on %s: %s", name, _plugin_of(backend_class),
                          account, redact("".join(traceback.format_exception(error))))
                detail = (f"bug in backend {name} ({_plugin_of(backend_class)}): "
                          f"{type(error).__name__}: {error}")
                attempts.append(self._attempt(name, AttemptOutcome.ERROR, detail, session,
                                              attempt_started,
                                              cause=UnavailableCause.BACKEND_ERROR))
                continue
            attempts.append(self._attempt(name, "ok" if public else "private", "", session,
                                          attempt_started))
            status = AccountStatus.OK if public else AccountStatus.PRIVATE
            # (built whole, not replaced afterwards: a Snapshot's __init__ is not free)
            return self._snapshot(account, status, attempts, started, backend=name,
                                  posts=posts, public=public, limit=limit,
                                  detail="" if public else "the account is private",
                                  bio=bio, followers=session.followers_of(account))
        return self._failed(account, attempts, started, limit)

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
              session: CheckSession) -> tuple[bool, tuple[Post, ...], str | None]:
        public = self.plugins.hook.is_public(account=account, session=session)
        if public is None:
            raise ConfigurationError(f"no plugin answered is_public for {account.platform}")
        if not isinstance(public, bool):
            raise TypeError(f"is_public answered {public!r}, not True, False or None")
        bio = session.bio_of(account)
        if not public:
            return False, (), bio
        posts = self.plugins.hook.fetch_recent_posts(account=account, limit=limit,
                                                     session=session)
        if posts is None:
            raise ConfigurationError(f"no plugin answered fetch_recent_posts for {account.platform}")
        checked = []
        for index, post in enumerate(posts):
            if not isinstance(post, Post):
                plugin = _plugin_of(type(session.backend))
                raise LayoutChanged(f"{plugin} gave {type(post).__name__} as post [{index}] "
                                    f"of {account}, not a Post")
            if post.platform != account.platform:
                plugin = _plugin_of(type(session.backend))
                raise LayoutChanged(f"{plugin} gave a {post.platform} post ({post.id}) for "
                                    f"the {account.platform} account {account}")
            checked.append(_with_hashtags(post))
        return True, newest_first(checked, limit), bio

    @staticmethod
    def _attempt(name: str, outcome: str, detail: str, session: CheckSession,
                 started: float, cause: UnavailableCause | None = None) -> Attempt:
        return Attempt(backend=name, outcome=outcome, detail=redact(detail),
                       requests=session.requests,
                       seconds=time.perf_counter() - started, cause=cause)

    @staticmethod
    def _snapshot(account: Account, status: AccountStatus, attempts: list[Attempt],
                  started: float, *, backend: str | None, detail: str,
                  posts: tuple[Post, ...] = (), public: bool | None = None,
                  cause: UnavailableCause | None = None, limit: int | None = None,
                  bio: str | None = None, followers: int | None = None) -> Snapshot:
        return Snapshot(account=account, status=status, posts=posts, public=public,
                        backend=backend, detail=detail, attempts=tuple(attempts),
                        requests=sum(a.requests for a in attempts), cause=cause,
                        limit=limit, bio=bio, followers=followers,
                        seconds=time.perf_counter() - started)

    def _failed(self, account: Account, attempts: list[Attempt], started: float,
                limit: int) -> Snapshot:
        """The snapshot of a check that no backend completed.

        ``layout_changed`` when a backend saw an unknown shape; else ``unavailable`` with the
        cause of the first platform refusal; else, when every backend that ran had a bug (or
        none could run), ``unavailable`` with cause ``backend_error``.
        """
        summary = "; ".join(f"{a.backend}: {a.detail}" for a in attempts)
        ran = [a for a in attempts if a.outcome in (AttemptOutcome.UNAVAILABLE,
                                                    AttemptOutcome.LAYOUT_CHANGED,
                                                    AttemptOutcome.ERROR)]
        if not ran:
            if any(a.outcome == AttemptOutcome.CASSETTE_MISS for a in attempts):
                raise CassetteMiss(summary)
            return self._snapshot(account, AccountStatus.UNAVAILABLE, attempts, started,
                                  backend=None, detail=f"no backend can run: {summary}",
                                  cause=UnavailableCause.BACKEND_ERROR, limit=limit)
        changed = [a for a in ran if a.outcome == AttemptOutcome.LAYOUT_CHANGED]
        if changed:
            return self._snapshot(account, AccountStatus.LAYOUT_CHANGED, attempts, started,
                                  backend=changed[0].backend, detail=summary, limit=limit)
        refused = [a for a in ran if a.outcome == AttemptOutcome.UNAVAILABLE]
        first = refused[0] if refused else ran[0]
        return self._snapshot(account, AccountStatus.UNAVAILABLE, attempts, started,
                              backend=first.backend, detail=summary, limit=limit,
                              cause=first.cause or UnavailableCause.BACKEND_ERROR)


def _plugin_of(backend_class: type) -> str:
    """The plugin module a backend class comes from, for messages (``plugins.tiktok``)."""
    module = backend_class.__module__
    return "plugin " + (module.rsplit(".", 1)[0] if "." in module else module)


def _with_hashtags(post: Post) -> Post:
    """Fill a post's hashtags from its text when the backend gave none; normalise them."""
    if post.hashtags:
        merged = merge_hashtags(post.hashtags)
        # Already normalised (a plugin that extracted them): the post as it is, not rebuilt.
        return post if merged == post.hashtags else replace(post, hashtags=merged)
    return replace(post, hashtags=extract_hashtags(post.text)) if post.text else post


def _open_cache(config: Config) -> Cache:
    path = config.cache_path or default_cache_path()
    return MemoryCache() if str(path) == ":memory:" else SQLiteCache(path)
