"""Every error the engine raises, in one tree.

::

    SocialMissionsError
    ├── InvalidInput                  bad input from a person (exit status 2)
    │   ├── InvalidHashtag            R1: names the offending character, suggests ASCII
    │   ├── InvalidHandle             R3: handle does not fit the platform's rules
    │   └── InvalidDate               an ISO 8601 date that does not parse
    ├── ConfigurationError            a bad configuration file or setting
    │   ├── UnknownPlatform           no plugin declares this platform
    │   └── UnknownBackend            a backend name that no plugin provides
    ├── CassetteMiss                  a replayed check asked for a request the cassette lacks
    └── ExtractionError               a check could not read the account (carries ``status``)
        ├── AccountPrivate            status ``private``
        ├── AccountNotFound           status ``not_found``
        ├── PlatformUnavailable       status ``unavailable``, with a ``cause`` (refusal, rate
        │   │                         limit, network failure, posts held back, ...)
        │   └── BackendNotAvailable   a backend whose library or setting is missing
        │       └── AccountOutOfReach an account this backend cannot see (next backend)
        └── LayoutChanged             status ``layout_changed``: an answer in an unknown shape
            └── MalformedPost         a post with a missing id, bad URL or naive time

Any other exception raised by a backend is a bug in that backend: the director records the
attempt as ``error`` (with its traceback in the log) and tries the next backend.

Backends translate their libraries' exceptions into these at their own boundary; nothing
else escapes into the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .redaction import redact

if TYPE_CHECKING:
    from .models import UnavailableCause


class SocialMissionsError(Exception):
    """Base of every error the engine raises on purpose."""


class InvalidInput(SocialMissionsError, ValueError):
    """Input from a person that the engine refuses; the message names the fix."""


class InvalidHashtag(InvalidInput):
    """A hashtag outside R1's alphabet; ``suggestion`` is its ASCII form when one exists."""

    def __init__(self, message: str, *, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


class InvalidHandle(InvalidInput):
    """A handle that does not fit its platform's rules (R3)."""


class InvalidDate(InvalidInput):
    """A date or time that is not ISO 8601."""


class ConfigurationError(SocialMissionsError):
    """The configuration file or a setting in it is wrong."""


class UnknownPlatform(ConfigurationError):
    """No installed plugin declares this platform."""


class UnknownBackend(ConfigurationError):
    """A backend name that the platform's plugins do not provide."""


class ServerUnavailable(SocialMissionsError):
    """A server the service needs (the PostgreSQL database, the Redis queue) does not answer;
    the message names which, the driver's reason and the setting to check."""


class CassetteMiss(SocialMissionsError):
    """Replay asked for a request that the cassette does not hold."""


class ExtractionError(SocialMissionsError):
    """A check could not produce a snapshot; ``status`` is an account status of rule R5 (docs/rules.md)."""

    status: str = "unavailable"

    def __init__(self, detail: str) -> None:
        # A detail is often built from the platform's own text, which may echo a credential
        # (the Graph API's error 190 can quote the token): secrets never leave the backend.
        detail = redact(detail)
        super().__init__(detail)
        self.detail = detail


class AccountPrivate(ExtractionError):
    """The account exists and is private: its posts cannot be read."""

    status = "private"


class AccountNotFound(ExtractionError):
    """No account has this handle."""

    status = "not_found"


class PlatformUnavailable(ExtractionError):
    """The platform refused, did not answer, or held the posts back.

    ``cause`` is one :class:`~engine.models.UnavailableCause` (``network``, ``rate_limited``,
    ``login_wall``, ``bot_challenge``, ``server_error``, ``held_back``, ``quota``,
    ``backend_error``): the member page and the diagnosis explain the outage from it.
    """

    status = "unavailable"

    def __init__(self, detail: str, *, cause: UnavailableCause | str) -> None:
        from .models import UnavailableCause

        super().__init__(detail)
        self.cause = UnavailableCause(cause)


class BackendNotAvailable(PlatformUnavailable):
    """The backend cannot run here: its library, executable or credential is missing.

    Its cause is always ``backend_error``: the fault is on our side, not the platform's.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail, cause="backend_error")


class AccountOutOfReach(BackendNotAvailable):
    """This backend cannot see this account, which says nothing of the account itself.

    Instagram's Graph API reads professional accounts only: a personal account (or an unknown
    name, which it does not tell apart) is out of its reach. The director records the attempt
    as ``skipped`` and asks the next backend; it is never ``not_found``.
    """


class LayoutChanged(ExtractionError):
    """The platform answered in a shape no parser of this backend understands."""

    status = "layout_changed"


class MalformedPost(LayoutChanged, ValueError):
    """A post built from the answer has a missing id, a URL that is not one, or a naive time.

    Raised by :class:`~engine.models.Post` itself, so every plugin gets the same check.
    """
