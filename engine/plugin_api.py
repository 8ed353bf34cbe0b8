"""The one module a platform plugin imports from: everything a plugin author needs, by name.

A plugin (built-in under ``plugins/`` or a package declaring an entry point in the group
``social_missions.plugins``) should import from ``engine.plugin_api`` only; the names below are
re-exported from where they live, so this module holds no code of its own and the engine's
inner modules can move without breaking plugins. ``docs/plugins.md`` walks through them.

Declaring a platform
    :data:`hookimpl` (the marker for the hooks of :mod:`engine.hookspecs`),
    :class:`PlatformPlugin` (implements the hooks for one :class:`Platform` through its
    backends), :class:`Platform` (its ``post_url_template`` is optional), :class:`HandleRule`
    (a handle of several parts, ``user@host``, is built from a profile URL's named groups by
    its ``handle_format``).

Reading it
    :class:`Backend` (one way of reading a platform: ``read_profile``), :class:`CheckSession`
    (HTTP through the platform's layer, the persistent cache, request counting),
    :func:`counting_requests_library` (counts the requests a ``requests``-based library makes
    against the check), :class:`Option` (a key a backend's configuration table may hold, with
    its type: a value that does not fit stops start-up).

What a backend returns
    :class:`Account`, :class:`Profile`, :class:`Post`, :class:`PostKind`,
    :func:`newest_first`, and the hashtag readers :func:`extract_hashtags` and
    :func:`merge_hashtags` (lower-cased, without ``#``).

What a backend raises
    :class:`AccountPrivate`, :class:`AccountNotFound`, :class:`PlatformUnavailable` (with one
    :class:`UnavailableCause`), :class:`BackendNotAvailable`, :class:`AccountOutOfReach` (this
    backend cannot see this account: the next backend is asked), :class:`LayoutChanged`,
    :class:`MalformedPost` (raised by :class:`Post` itself) and their base
    :class:`ExtractionError`; :class:`InvalidDate` is what :func:`parse_instant` raises and
    :class:`InvalidHandle` what a :class:`HandleRule` raises. Any other exception is a bug in
    the backend: the engine records the attempt as ``error`` and tries the next backend.

Reading an answer's status
    :class:`StatusSignals` declares, as data, what a platform's answers say when they are not
    the data: not-found statuses, refusing statuses and their causes, error codes at paths of a
    JSON body, words of the body, redirects. Its :meth:`~StatusSignals.check` (or
    :meth:`~StatusSignals.check_response` for an ``httpx.Response``) raises the errors above
    for any answer; :meth:`~StatusSignals.check_refusal` raises only a refusal (a browser
    reading on past a status); :meth:`~StatusSignals.error` returns the error instead.
    :func:`status_cause` is its default table for an HTTP status alone (429
    ``rate_limited``, 5xx ``server_error``, 401/403 ``login_wall``; None for any other
    status). A backend driving a library (yt-dlp, instaloader) gives the status
    :func:`http_status` finds behind the library's exception its platform's meaning with
    :meth:`~StatusSignals.outcome`, or the engine's alone with :func:`status_cause`.

Dates
    :func:`parse_instant` (ISO 8601 to an aware UTC datetime; raises :class:`InvalidDate`,
    naming the value by its ``what=``), :func:`parse_feed_date` (an RSS ``pubDate``, RFC
    2822, to an aware UTC datetime; ``-0000`` is UTC), :func:`from_epoch` (epoch seconds to
    an aware UTC datetime), :func:`iso_utc` (an instant as ``2024-06-01T07:30:00Z``).

Trying and testing
    :class:`Exchange` and :func:`write_cassette` (write VCR cassettes from answers in the
    platform's real format), :class:`BackendContract` (the contract suite every backend
    passes, subclassed in a plugin's tests), :data:`CASES` (its case names),
    :func:`replay_snapshot` (one replayed check through one backend), :func:`build_engine` (an
    engine configured with chosen backends and settings), :func:`vcr_settings` and
    :func:`register_matchers` (the engine's VCR settings and the matchers they name, for a
    ``conftest.py`` using pytest-recording), :class:`Engine`, :func:`get_plugin_manager` and
    :class:`MemoryCache` (to run checks with a plugin registered by hand), plus
    :class:`Snapshot`, :class:`AccountStatus`, :class:`AttemptOutcome` to assert on.

The contract suite needs pytest, which only tests need, and the engine loads the plugins: the
names of :data:`_LAZY` are imported on first use, so a plugin imports this module at run time
without pytest installed and without an import cycle with the plugin manager.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .backends import Backend, CheckSession
from .cache import MemoryCache
from .config_schema import Option
from .dates import from_epoch, iso_utc, parse_feed_date, parse_instant
from .errors import (
    AccountNotFound,
    AccountOutOfReach,
    AccountPrivate,
    BackendNotAvailable,
    ExtractionError,
    InvalidDate,
    InvalidHandle,
    LayoutChanged,
    MalformedPost,
    PlatformUnavailable,
)
from .hashtags import extract_hashtags, merge_hashtags
from .hookspecs import hookimpl
from .library_errors import http_status
from .models import (
    Account,
    AccountStatus,
    AttemptOutcome,
    Post,
    PostKind,
    Profile,
    Snapshot,
    UnavailableCause,
    newest_first,
    read_count,
)
from .platforms import HandleRule, Platform
from .plugin_base import PlatformPlugin
from .replay import register_matchers, vcr_settings
from .request_counting import counting_requests_library
from .status_signals import StatusSignals, status_cause
from .testing.cassettes import Exchange, write_cassette

if TYPE_CHECKING:
    from .core import Engine
    from .plugin_manager import get_plugin_manager
    from .testing.contract import CASES, BackendContract, replay_snapshot
    from .testing.engines import build_engine

__all__ = [
    # declaring a platform
    "hookimpl",
    "PlatformPlugin",
    "Platform",
    "HandleRule",
    # reading it
    "Backend",
    "CheckSession",
    "counting_requests_library",
    "Option",
    # what a backend returns
    "Account",
    "Profile",
    "Post",
    "PostKind",
    "newest_first",
    "read_count",
    "extract_hashtags",
    "merge_hashtags",
    # what a backend raises
    "ExtractionError",
    "AccountPrivate",
    "AccountNotFound",
    "PlatformUnavailable",
    "BackendNotAvailable",
    "AccountOutOfReach",
    "LayoutChanged",
    "MalformedPost",
    "UnavailableCause",
    "InvalidDate",
    "InvalidHandle",
    # reading an answer's status
    "StatusSignals",
    "status_cause",
    "http_status",
    # dates
    "parse_instant",
    "parse_feed_date",
    "from_epoch",
    "iso_utc",
    # testing
    "Exchange",
    "write_cassette",
    "BackendContract",
    "CASES",
    "replay_snapshot",
    "build_engine",
    "vcr_settings",
    "register_matchers",
    "Engine",
    "get_plugin_manager",
    "MemoryCache",
    "Snapshot",
    "AccountStatus",
    "AttemptOutcome",
]

# Public names loaded when first asked for → the module (relative to ``engine``) holding them.
_LAZY: dict[str, str] = {
    "BackendContract": ".testing.contract",
    "CASES": ".testing.contract",
    "replay_snapshot": ".testing.contract",
    "build_engine": ".testing.engines",
    "Engine": ".core",
    "get_plugin_manager": ".plugin_manager",
}


def __getattr__(name: str) -> Any:
    """Load a name of :data:`_LAZY` on first use (``from engine.plugin_api import
    BackendContract``); raises ``AttributeError`` for any other unknown name."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __package__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, the lazily loaded ones included."""
    return sorted(set(globals()) | set(__all__))
