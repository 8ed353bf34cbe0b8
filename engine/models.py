"""The engine's items: accounts, posts and what one check saw.

They are frozen, keyword-only dataclasses with few mandatory fields; a ``Post``'s string form is
its canonical URL.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .errors import MalformedPost


class PostKind(enum.StrEnum):
    """What a post is on its platform's grid or uploads list."""

    IMAGE = "image"
    VIDEO = "video"
    CAROUSEL = "carousel"
    REEL = "reel"
    PHOTO = "photo"


class AccountStatus(enum.StrEnum):
    """How a check ended for the account as a whole: rule R5 (docs/rules.md)."""

    OK = "ok"
    PRIVATE = "private"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    LAYOUT_CHANGED = "layout_changed"

    @property
    def completed(self) -> bool:
        """True when the platform gave a definite answer (the check need not be retried)."""
        return self in (AccountStatus.OK, AccountStatus.PRIVATE, AccountStatus.NOT_FOUND)


class UnavailableCause(enum.StrEnum):
    """Why a check ended ``unavailable``: one value of a fixed set, stored and shown.

    - ``network``: DNS failure, refused connection or timeout; the platform was not reached;
    - ``rate_limited``: HTTP 429, Instagram's "Please wait a few minutes", a quota of requests
      per address;
    - ``login_wall``: a redirect to the login page, a 401 ``require_login``, a checkpoint, a
      refused or expired credential;
    - ``bot_challenge``: a captcha, proof-of-work page or empty body served to robots;
    - ``server_error``: HTTP 5xx, or a server-side spell of errors (YouTube's feed 404s);
    - ``held_back``: the answer says the account has posts but carries none, or the account
      object came back emptied;
    - ``quota``: an official API's daily quota or rate quota is spent;
    - ``backend_error``: no backend could read the account because of our side: every attempt
      ended in ``error`` (a bug in a backend) or no backend can run here.
    """

    NETWORK = "network"
    RATE_LIMITED = "rate_limited"
    LOGIN_WALL = "login_wall"
    BOT_CHALLENGE = "bot_challenge"
    SERVER_ERROR = "server_error"
    HELD_BACK = "held_back"
    QUOTA = "quota"
    BACKEND_ERROR = "backend_error"


class AttemptOutcome(enum.StrEnum):
    """How one backend's attempt ended: an account status, or one of the director's own.

    ``skipped``: the backend cannot run here (missing library, credential, not replayable);
    ``error``: the backend raised an exception it should not have (a bug, logged with its
    traceback); ``cassette_miss``: a replayed check asked for a request the cassette lacks.
    """

    OK = "ok"
    PRIVATE = "private"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    LAYOUT_CHANGED = "layout_changed"
    SKIPPED = "skipped"
    ERROR = "error"
    CASSETTE_MISS = "cassette_miss"


@dataclass(frozen=True, kw_only=True)
class Account:
    """A member's public identity on one platform; ``handle`` is already normalised."""

    platform: str
    handle: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"


@dataclass(frozen=True, kw_only=True)
class Post:
    """One post as a backend read it.

    ``hashtags`` are lower-cased, without ``#``, in order of appearance, without repeats; when a
    backend leaves them empty the engine extracts them from ``text``.

    ``likes``, ``comments``, ``views`` and ``shares`` are the engagement numbers the same answer
    carried (issue 17): non-negative counts, or None when the platform did not say (a hidden
    like count is None, never 0). Backends read them with :func:`read_count`.
    """

    platform: str
    id: str
    url: str
    published_at: datetime
    kind: PostKind | None = None
    text: str = ""
    hashtags: tuple[str, ...] = ()
    pinned: bool = False
    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    shares: int | None = None

    def __post_init__(self) -> None:
        # A malformed value comes from the platform's answer (or a plugin reading it wrong):
        # LayoutChanged names the field so that the check says what changed.
        if not isinstance(self.id, str) or not self.id:
            raise MalformedPost(f"{self.platform} post has no id (got {self.id!r})")
        if not isinstance(self.url, str) or not self.url.startswith(("https://", "http://")):
            raise MalformedPost(f"{self.platform} post {self.id}: url {self.url!r} is not a URL")
        if not isinstance(self.published_at, datetime):
            raise MalformedPost(f"{self.platform} post {self.id}: published_at "
                                f"{self.published_at!r} is not a datetime")
        if self.published_at.tzinfo is None or self.published_at.utcoffset() is None:
            raise MalformedPost(f"{self.platform} post {self.id}: published_at "
                                f"{self.published_at.isoformat()} has no time zone (naive)")
        for name in ENGAGEMENT_FIELDS:
            value = getattr(self, name)
            # (the message is built only for a value that is not plainly a count)
            if value is not None and not (type(value) is int and 0 <= value <= MAX_COUNT):
                _check_count(value, f"{self.platform} post {self.id}: {name}")

    def __str__(self) -> str:
        return self.url


ENGAGEMENT_FIELDS = ("likes", "comments", "views", "shares")
"""The engagement numbers a :class:`Post` carries, in the order they are shown."""


MAX_COUNT = 2**63 - 1
"""The largest count the engine takes (a signed 64-bit integer, what the databases store).

A larger number is not a real count (no post has 9.2 × 10^18 likes): it is a malformed answer
(``layout_changed``), never capped, so that a corrupt or hostile answer credits nothing."""


def _check_count(value: object, what: str) -> None:
    """Raise ``MalformedPost`` naming ``what`` unless ``value`` is None or an int in
    0..:data:`MAX_COUNT`."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedPost(f"{what} {value!r} is not a count (a whole number >= 0, or None "
                            "when the platform does not say)")
    if value > MAX_COUNT:
        # (not the number itself: one of over 4300 digits cannot even be printed)
        raise MalformedPost(f"{what} is not a count: the answer gives a number larger than "
                            f"{MAX_COUNT} (2^63 - 1)")


def read_count(value: object, where: str) -> int | None:
    """A count as a platform's answer gives it → an ``int`` >= 0, or None when it does not say.

    Accepted: an int, a string of digits (TikTok's ``statsV2`` gives ``"4001943"``), a float
    with no fraction (some JSON encoders write ``12.0``). None, ``""`` and -1 (how Instagram and
    TikTok mark a hidden count) are None, never 0. Anything else (a bool, a negative number,
    text, a number above :data:`MAX_COUNT`) raises ``MalformedPost`` naming ``where`` (the
    answer's path, e.g.
    ``edges[0].node.edge_liked_by.count``), which the check reports as ``layout_changed``.
    """
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return value  # the common case, told first
    if value is None or value == "" or value == -1:
        return None
    count: object = value
    if isinstance(value, str) and value.strip().isdigit():
        count = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        count = int(value)
    _check_count(count, where)
    assert isinstance(count, int)
    return count


def newest_first(posts: Iterable[Post], limit: int | None = None) -> tuple[Post, ...]:
    """``posts`` ordered by ``published_at``, newest first, then cut at ``limit`` (if given).

    Pinned posts take their place by their own time (``pinned`` stays a field); posts with
    the same time keep the order of the answer. This is the engine's one ordering rule: a
    platform that lists an old pinned post first, or oldest first, loses no newer post.
    """
    ordered = sorted(posts, key=lambda post: post.published_at, reverse=True)
    return tuple(ordered if limit is None else ordered[:limit])


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What one backend read of an account: whether it is public, and its newest posts.

    ``post_count`` is the number of posts the answer itself says the account has (TikTok's
    ``stats.videoCount``, Instagram's ``edge_owner_to_timeline_media.count``), or None when it
    does not say; ``post_count_field`` names where it was read. A public profile with
    ``post_count > 0`` and no posts is an answer that held the posts back: the engine makes
    it ``unavailable`` (cause ``held_back``), never "no posts".
    """

    public: bool
    posts: tuple[Post, ...] = ()
    post_count: int | None = None
    post_count_field: str = ""
    # The account's own description as the answer carried it (Instagram biography, TikTok
    # signature, YouTube channel description); None when this answer did not carry it.
    bio: str | None = None
    # The account's followers as the same answer said (Instagram edge_followed_by.count,
    # TikTok userInfo.stats.followerCount); None when it does not say (YouTube's feed).
    followers: int | None = None

    def __post_init__(self) -> None:
        _check_count(self.followers, "the account's followers")


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One backend's try during a check.

    ``outcome`` is an :class:`AttemptOutcome` value; ``cause`` is set when it is
    ``unavailable`` (and is ``backend_error`` for ``error``); ``seconds`` is wall time.
    """

    backend: str
    outcome: str
    detail: str = ""
    requests: int = 0
    seconds: float = 0.0
    cause: UnavailableCause | None = None


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What a check fetched: the account's status plus its recent posts (docs/rules.md).

    ``posts`` are newest first (by ``published_at``, pinned posts at their own time), at most
    ``limit``. ``cause`` is set exactly when ``status`` is ``unavailable``.
    """

    account: Account
    status: AccountStatus
    posts: tuple[Post, ...] = ()
    public: bool | None = None
    backend: str | None = None
    detail: str = ""
    cause: UnavailableCause | None = None
    # The most posts the check asked for (the platform's or the configured limit).
    limit: int | None = None
    # The account's description when the backend read it (see Profile.bio); members put their
    # ownership code there (R11).
    bio: str | None = None
    # The account's followers at check time (see Profile.followers); None when not read.
    followers: int | None = None
    requests: int = 0
    seconds: float = 0.0
    attempts: tuple[Attempt, ...] = ()
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
