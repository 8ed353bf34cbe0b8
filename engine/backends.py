"""Backends and the per-check session they work in.

A backend is a small class with a stable ``name``, a cheap offline availability check and one
method, :meth:`Backend.read_profile`, that reads an account's public status and newest posts.
Its optional library is imported inside its own module, and the library's exceptions are
translated into :mod:`engine.errors` there.
"""

from __future__ import annotations

import importlib.util
import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from .cache import Cache
from .config import PlatformSettings
from .config_schema import Option
from .errors import LayoutChanged, PlatformUnavailable
from .http import PlatformHttp
from .models import Account, Post, Profile

if TYPE_CHECKING:
    from .ratelimit import PlatformBudget


class Backend(ABC):
    """One way of reading a platform.

    Subclasses set ``name`` (stable, used in configuration), ``requires`` (importable modules
    it needs) and ``vcr_replayable`` (False when its traffic does not go through Python's HTTP
    stack, as a real browser's does not: such a backend is skipped when a check replays a VCR
    cassette) and ``config_options``, the keys its ``[platforms.<platform>.<backend>]`` table
    may hold (besides ``rate_limit`` and ``cool_off``, which every backend accepts), each an
    :class:`~engine.config_schema.Option` with its type and default: any other key, or a value
    that does not fit its type (:meth:`~engine.config_schema.Option.problem`), stops start-up.
    An option of type ``"path"`` names a file ``social-missions doctor`` checks is readable.
    ``needs`` says in a few words what the backend needs to run (a credential, a library, an
    executable; by default the packages of ``requires``, else nothing) and ``cost`` what one
    check costs in requests, both shown by ``social-missions backends`` (empty ``cost``: not
    declared). ``description``, the line that command shows first, is the first paragraph of
    the class docstring (without its final full stop) unless the class sets it.

    ``base_url``, when a class sets it, is the default address its requests go to: the class
    then accepts the option ``base_url`` (a URL, validated at start-up; a mirror or a local
    test server) and :meth:`url` builds addresses on the configured one. ``id_cache_days``,
    when a class sets it, is how many days an account id the backend resolved from a handle
    (a channel id, a ``secUid``) stays in the cache by default: the class then accepts the
    option ``id_cache_days`` and :meth:`id_cache_seconds` gives the configured time.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    needs: ClassVar[str] = "nothing"
    cost: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    vcr_replayable: ClassVar[bool] = True
    config_options: ClassVar[Mapping[str, Option]] = {}
    base_url: ClassVar[str | None] = None
    id_cache_days: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Fill ``description`` from the docstring and ``needs`` from ``requires`` when the
        class sets them not, and add the ``base_url`` and ``id_cache_days`` options of a class
        that sets them (run after the class body, so a subclass's own values count)."""
        super().__init_subclass__(**kwargs)
        if "description" not in cls.__dict__ and cls.__doc__:
            summary = inspect.cleandoc(cls.__doc__).split("\n\n", 1)[0]
            cls.description = " ".join(summary.split()).removesuffix(".")
        if "needs" not in cls.__dict__ and "requires" in cls.__dict__ and cls.requires:
            plural = "s" if len(cls.requires) > 1 else ""
            cls.needs = f"the Python package{plural} " + " and ".join(cls.requires)
        if cls.base_url is not None:
            cls.config_options = {**cls.config_options, "base_url": Option(
                "URL", cls.base_url, summary="the address requests go to")}
        if cls.id_cache_days is not None:
            cls.config_options = {**cls.config_options, "id_cache_days": Option(
                "number (days)", cls.id_cache_days, summary="days a resolved account id is kept")}

    def __init__(self, settings: PlatformSettings) -> None:
        """A backend reading one platform with its ``settings`` (``settings.name`` is the
        platform's name; :attr:`options` its table of the configuration)."""
        self.settings = settings

    @property
    def options(self) -> Mapping[str, Any]:
        """``[platforms.<platform>.<backend>]`` from the configuration."""
        return self.settings.backend_options(self.name)

    def url(self, path: str = "") -> str:
        """The configured ``base_url`` (the class's ``base_url`` by default), without a
        trailing ``/``, followed by ``path`` (``"/api/feed"``). Raises ``TypeError`` for a class
        that sets no ``base_url``."""
        if self.base_url is None:
            raise TypeError(f"{type(self).__name__} sets no base_url")
        return str(self.options.get("base_url", self.base_url)).rstrip("/") + path

    def id_cache_seconds(self) -> float:
        """How long (seconds) an account id resolved from a handle stays in the cache: the
        configured ``id_cache_days`` (the class's by default) × 86,400. Raises ``TypeError``
        for a class that sets no ``id_cache_days``."""
        if self.id_cache_days is None:
            raise TypeError(f"{type(self).__name__} sets no id_cache_days")
        return float(self.options.get("id_cache_days", self.id_cache_days)) * 86_400

    @classmethod
    def unavailable_reason(cls, settings: PlatformSettings) -> str | None:
        """Why this backend cannot run here, or None when it can. Never touches the network."""
        for module in cls.requires:
            if importlib.util.find_spec(module) is None:
                return f"needs the Python package {module!r} (pip install {module})"
        return None

    @abstractmethod
    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        """Read ``account``: whether it is public and the posts one answer carries, in its order
        (the engine orders them newest first and keeps ``session.limit``; ask the platform for
        about that many).

        Raises the errors of :mod:`engine.errors` (``AccountPrivate`` is optional: a backend may
        return ``Profile(public=False)`` instead).
        """


class CheckSession:
    """What one backend's attempt at one check works with.

    It counts the HTTP requests made, gives access to the platform's shared HTTP layer and the
    persistent cache, and remembers the profile read so that ``is_public`` and
    ``fetch_recent_posts`` on the same account share one response. With a ``budget``, each
    request first waits for the backend's rate limit, shared by every worker
    (:mod:`engine.ratelimit`); ``retry_after`` keeps the last ``Retry-After`` (seconds) the
    platform gave, for the pause that may follow. ``cache`` is never None (an in-memory one in
    tests and ``--cassette`` runs).
    """

    def __init__(
        self,
        *,
        backend: Backend,
        http: PlatformHttp,
        cache: Cache,
        limit: int,
        replaying: bool = False,
        want_bio: bool = False,
        budget: PlatformBudget | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.limit = limit
        self.replaying = replaying
        # True when the caller needs the account's bio (an ownership code is awaited): a
        # backend that skips the page carrying it on a warm cache reads it then.
        self.want_bio = want_bio
        self.requests = 0
        self.retry_after: float | None = None
        self._http = http
        self._profiles: dict[Account, Profile] = {}
        self._budget = budget
        self._rate_limit = (backend.settings.backend_rate_limit(backend.name)
                            if budget is not None else None)

    @property
    def settings(self) -> PlatformSettings:
        return self.backend.settings

    def count_requests(self, number: int = 1) -> None:
        """Count requests a library made on its own (instaloader, yt-dlp, a browser)."""
        self.requests += number

    def wait_for_budget(self) -> None:
        """Wait until one more request fits in this backend's rate limit (no limit, no
        budget or a replayed check: at once). Called before each request is sent."""
        if self._budget is not None and self._rate_limit is not None:
            self._budget.acquire(self.backend.settings.name, self.backend.name,
                                 self._rate_limit)

    def note_retry_after(self, seconds: float) -> None:
        """Remember the platform's ``Retry-After`` (seconds) of an answer not retried."""
        self.retry_after = seconds

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        follow_redirects: bool = False,
    ) -> httpx.Response:
        """GET through the platform's HTTP layer (rate limit, retries, proxy, counting)."""
        return self._http.request("GET", url, counter=self, params=params, headers=headers,
                                  cookies=cookies, follow_redirects=follow_redirects)

    def profile(self, account: Account) -> Profile:
        """The backend's reading of ``account``, made once per session.

        Raises what :meth:`Backend.read_profile` raises; ``LayoutChanged`` when a post read is
        not a :class:`~engine.models.Post`; ``PlatformUnavailable`` with cause ``held_back``
        when the profile is public, says it has posts and carries none.
        """
        if account not in self._profiles:
            profile = self.backend.read_profile(account, self)
            if not isinstance(profile, Profile):
                raise TypeError(f"{type(self.backend).__name__}.read_profile returned "
                                f"{type(profile).__name__}, not a Profile")
            for index, post in enumerate(profile.posts):
                if not isinstance(post, Post):
                    raise LayoutChanged(
                        f"plugin {type(self.backend).__module__} (backend {self.backend.name}) "
                        f"read {type(post).__name__} as post [{index}], not a Post")
            raise_if_held_back(profile)
            self._profiles[account] = profile
        return self._profiles[account]

    def bio_of(self, account: Account) -> str | None:
        """The bio the backend's reading carried, when it read ``account`` in this session
        (a plugin whose hooks do not go through :meth:`profile` gives None)."""
        profile = self._profiles.get(account)
        return profile.bio if profile is not None else None

    def followers_of(self, account: Account) -> int | None:
        """The followers the backend's reading carried (see :attr:`Profile.followers`), when it
        read ``account`` in this session; None otherwise."""
        profile = self._profiles.get(account)
        return profile.followers if profile is not None else None


def raise_if_held_back(profile: Profile) -> None:
    """Raise ``PlatformUnavailable`` (``held_back``) for a public answer that has a post count
    above 0 and no posts; an account whose count is 0 (or unknown) passes."""
    if profile.public and not profile.posts and profile.post_count:
        where = profile.post_count_field or "the post count"
        raise PlatformUnavailable(
            f"the answer says the account has {profile.post_count} posts ({where}) but carries "
            "none: the platform held them back", cause="held_back")
