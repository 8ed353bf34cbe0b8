"""The tables of the missions service (SQLAlchemy 2 declarative models).

Invariants that concurrency must not break are unique constraints, so that they hold on SQLite
and PostgreSQL whatever the number of workers:

- ``credits``: one live row per (mission, platform, post) through ``active_key`` (a revoked
  credit clears it), and one per (platform, post) through ``exclusive_key`` when posts are
  exclusive;
- ``ledger``: one row per ``idempotency_key``; rows are only ever inserted; a correction is a
  compensating row whose ``reverses_id`` is unique (an award is reversed once at most);
- ``linked_accounts``: one handle per platform and member; one verification code per row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ActionRow(Base):
    """An external action: a platform plus a required hashtag (R1)."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))
    hashtag: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MissionRow(Base):
    """A mission (R2): goal, points, window, label and status."""

    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(String(200))
    goal_kind: Mapped[str] = mapped_column(String(20))  # "posts" or "recurring"
    goal_posts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cap_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cap_period: Mapped[str | None] = mapped_column(String(10), nullable=True)  # day, week
    points: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Performance missions (issue 17): the views or likes a post must reach to count (at most
    # one of the two is set; None: no threshold).
    min_views: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_likes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class MissionActionRow(Base):
    """An action of a mission; at most one per platform."""

    __tablename__ = "mission_actions"
    __table_args__ = (UniqueConstraint("mission_id", "platform", name="uq_mission_platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    platform: Mapped[str] = mapped_column(String(40))


class MemberRow(Base):
    """A member, identified by the host platform's own string."""

    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkedAccountRow(Base):
    """A member's handle on one platform (R3) and the proof of its ownership (R11).

    Two members may hold rows for one handle only while it is ``contested`` (the policy
    ``on_conflict``); a verified handle has one row. ``fetch_lease_until`` lets claims share a
    fetch (held on the handle's oldest row). ``verification_code`` is public by design: the
    member shows it in the bio or a caption.
    """

    __tablename__ = "linked_accounts"
    __table_args__ = (
        UniqueConstraint("member_id", "platform", name="uq_account_member_platform"),
        UniqueConstraint("verification_code", name="uq_account_verification_code"),
        Index("ix_account_handle", "platform", "handle"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetch_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The fetched_at of the handle's latest shareable fetch (None: never); see shared_fetch.
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verification_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # "check:<id>" (the code was seen by that check) or "admin: <reason>".
    verified_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    contested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ClaimRow(Base):
    """A press of the button (R4) and the state of its checks (R9).

    ``state``: ``queued`` (a check is due at ``due_at``), ``done`` (finished; more re-checks may
    still be due when ``due_at`` is set), ``unavailable`` (gave up after the retry period).
    A worker owns a claim while ``lease_until`` is in the future.
    """

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_cooldown", "member_id", "mission_id", "platform", "created_at"),
        Index("ix_claims_due", "state", "due_at"),
        Index("ix_claims_mission", "mission_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id"))
    platform: Mapped[str] = mapped_column(String(40))
    post_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    post_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    rechecks_done: Mapped[int] = mapped_column(Integer, default=0)
    counted: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_detail: Mapped[str] = mapped_column(Text, default="")
    # UnavailableCause of the last check when it was unavailable (network, rate_limited, ...).
    last_cause: Mapped[str | None] = mapped_column(String(20), nullable=True)


class CheckRow(Base):
    """One extraction for one claim: the account status, the backend and its cost."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_account", "platform", "handle", "finished_at"),
        Index("ix_checks_claim", "claim_id"),
        Index("ix_checks_finished", "finished_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # first, recheck, retry
    platform: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    backend: Mapped[str | None] = mapped_column(String(40), nullable=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    detail: Mapped[str] = mapped_column(Text, default="")
    # UnavailableCause when status is unavailable: network, rate_limited, login_wall, ...
    cause: Mapped[str | None] = mapped_column(String(20), nullable=True)
    attempts: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    # The posts the fetch returned, so a simultaneous claim can reuse them: caption text only
    # for the posts that matter (engine.service.privacy.stored_posts); NULL once cleared by
    # retention ([privacy] keep_post_text_days) or erasure.
    posts: Mapped[list[dict[str, object]] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True, default=list)
    # A check that reused another check's fetch (simultaneous claims, R9).
    shared_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeenPostRow(Base):
    """A post one check saw, with its verdict for the claim's mission (R6)."""

    __tablename__ = "seen_posts"
    __table_args__ = (
        UniqueConstraint("check_id", "post_id", name="uq_seen_check_post"),
        Index("ix_seen_mission", "mission_id", "member_id"),
        Index("ix_seen_mission_verdict", "mission_id", "verdict"),
        Index("ix_seen_verdict", "verdict"),
        Index("ix_seen_platform", "platform", "mission_id", "verdict"),
        Index("ix_seen_member", "member_id", "mission_id", "verdict"),
        Index("ix_seen_post_measured", "platform", "post_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    platform: Mapped[str] = mapped_column(String(40))
    post_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(default=False)
    verdict: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[list[str]] = mapped_column(JSON, default=list)
    points: Mapped[int] = mapped_column(Integer, default=0)
    # Engagement read from the same answer as the verdict (issue 17); None = not given.
    likes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    comments: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    views: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    shares: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    followers: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # UTC time the numbers were read (the check's time); refreshed by each re-check.
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CreditRow(Base):
    """A post counted for a mission (R7).

    A credit is never deleted: when ownership moves (R11) it is revoked (``revoked_at``) and
    its ``active_key`` cleared, so that the post can count again for the prover; the unique
    ``active_key`` (``"<mission>:<platform>:<post>"``) keeps one live credit per post.
    """

    __tablename__ = "credits"
    __table_args__ = (
        Index("ix_credits_member", "mission_id", "member_id", "published_at"),
        Index("ix_credits_report", "mission_id", "platform", "created_at", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    platform: Mapped[str] = mapped_column(String(40))
    post_id: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"))
    # "platform:post_id" when posts are exclusive, so one post credits one mission only.
    exclusive_key: Mapped[str | None] = mapped_column(String(250), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active_key: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)
    # The handle the post was read from: a transfer of ownership revokes its credits.
    handle: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LedgerRow(Base):
    """One award in the append-only points ledger (R8)."""

    __tablename__ = "ledger"
    __table_args__ = (Index("ix_ledger_mission", "mission_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id"))
    points: Mapped[int] = mapped_column(Integer)
    # mission_completed, recurring_post, ownership_transferred (a compensating row)
    reason: Mapped[str] = mapped_column(String(40))
    posts: Mapped[list[str]] = mapped_column(JSON, default=list)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"))
    idempotency_key: Mapped[str] = mapped_column(String(250), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A compensating row names the award it reverses (one reversal per award at most).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"), nullable=True,
                                                    unique=True)


class WebhookDeliveryRow(Base):
    """One award event to deliver to the host platform, and how its delivery went."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The award behind the event; NULL for an event about no award (``member.erased``).
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"), unique=True,
                                                  nullable=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # The worker's sweep and the console's list: deliveries by state and due time.
    __table_args__ = (Index("ix_deliveries_due", "state", "next_attempt_at"),)


class ErasedMemberRow(Base):
    """A member erased on request (issue 12): never the member's id, only its keyed digest.

    ``digest`` is the HMAC-SHA256 of the member id keyed with the web signing key (see
    :func:`engine.service.keys.keyed_digest`): it lets a second erasure answer "already
    erased" and the member page refuse the member's old links, without the id itself. The
    pseudonym that keeps the erased member's ledger rows is deliberately not recorded here.
    """

    __tablename__ = "erased_members"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookAttemptRow(Base):
    """One HTTP attempt of a webhook delivery (status code or error)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    seconds: Mapped[float] = mapped_column(default=0.0)


class ApiTokenRow(Base):
    """An API bearer token (issue 6): only its SHA-256 is stored; revoked tokens stay listed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # admin, integrator
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SettingRow(Base):
    """A setting changed at run time (the webhook URL and secret, stored encrypted)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The admin token a console session or login link was made for: removed with the token.
AdminTokenId = Annotated[int, mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                            index=True)]


class AdminSessionRow(Base):
    """An admin console session (issue 12): the cookie holds a random id, the table only its
    SHA-256; logging out (or the token's revocation) ends it on the server."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[AdminTokenId]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AdminLoginLinkRow(Base):
    """A one-time console login link (``/admin/login/once/<secret>``): only the secret's
    SHA-256 is kept; it works once, before ``expires_at``."""

    __tablename__ = "admin_login_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[AdminTokenId]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MemberLinkRevocationRow(Base):
    """A revoked member link (``link_id`` set) or all of a member's links issued until
    ``issued_until`` (``link_id`` null). The member is kept as a keyed digest of their id
    (:func:`engine.service.keys.keyed_digest`), so no id, and nothing a copy of the database
    could test a guessed id against, is stored here."""

    __tablename__ = "member_link_revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_digest: Mapped[str] = mapped_column(String(64), index=True)
    link_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    issued_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BackendAlertRow(Base):
    """Whether a backend is degraded (issue 14): its share of ``layout_changed`` or
    ``error`` attempts over ``[alerts] window`` crossed ``[alerts] threshold``. One row per
    (platform, backend) that was ever flagged, shared by every worker: the row's lock decides
    which worker sends the ``backend.degraded`` / ``backend.recovered`` event. ``share``,
    ``attempts``, ``detail`` (of the latest bad attempt) and ``check_id`` (a sample check)
    are those of the last change."""

    __tablename__ = "backend_alerts"

    platform: Mapped[str] = mapped_column(String(40), primary_key=True)
    backend: Mapped[str] = mapped_column(String(60), primary_key=True)
    degraded: Mapped[bool] = mapped_column(Boolean, default=False)
    share: Mapped[float] = mapped_column(default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    check_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
