"""The engine's items: accounts, posts and what one check saw.

They are frozen, keyword-only dataclasses with few mandatory fields; a ``Post``'s string form is
its canonical URL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class PostKind(enum.StrEnum):
    """What a post is on its platform's grid or uploads list."""

    IMAGE = "image"
    VIDEO = "video"
    CAROUSEL = "carousel"
    REEL = "reel"
    PHOTO = "photo"


class AccountStatus(enum.StrEnum):
    """How a check ended for the account as a whole (SPEC R5)."""

    OK = "ok"
    PRIVATE = "private"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    LAYOUT_CHANGED = "layout_changed"

    @property
    def completed(self) -> bool:
        """True when the platform gave a definite answer (the check need not be retried)."""
        return self in (AccountStatus.OK, AccountStatus.PRIVATE, AccountStatus.NOT_FOUND)


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
    """

    platform: str
    id: str
    url: str
    published_at: datetime
    kind: PostKind | None = None
    text: str = ""
    hashtags: tuple[str, ...] = ()
    pinned: bool = False

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:
            raise ValueError(f"post {self.id}: published_at must be timezone-aware")

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What one backend read of an account: whether it is public, and its newest posts."""

    public: bool
    posts: tuple[Post, ...] = ()
    # A platform's own id for the account (a YouTube channel id, a TikTok secUid), if read.
    platform_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One backend's try during a check: its outcome (an account status, or ``skipped``)."""

    backend: str
    outcome: str
    detail: str = ""
    requests: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What a check fetched: the account's status plus its recent posts (SPEC §2)."""

    account: Account
    status: AccountStatus
    posts: tuple[Post, ...] = ()
    public: bool | None = None
    backend: str | None = None
    detail: str = ""
    requests: int = 0
    seconds: float = 0.0
    attempts: tuple[Attempt, ...] = ()
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
