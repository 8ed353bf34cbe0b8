"""What the service returns: frozen dataclasses with a ``as_json()`` for the command line and API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from engine.dates import iso_utc
from engine.verdicts import JudgedPost


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


class Record:
    """A JSON form for every record: instants as ISO 8601 UTC."""

    def as_json(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[call-overload]


@dataclass(frozen=True, kw_only=True)
class Action(Record):
    """An external action: a ``platform`` and the ``hashtag`` (lower case, without ``#``)
    members must use there; ``created_at`` in UTC."""

    id: int
    platform: str
    hashtag: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Mission(Record):
    """A mission as admins define it: its texts, its ``goal`` (``posts``: ``goal_posts``
    distinct posts; ``recurring``: each credited post pays, up to ``cap_count`` per
    ``cap_period``), the ``points`` it pays, its window (``start_at`` <= published <
    ``end_at``, UTC, either open), its ``status`` and its ``actions`` (one per platform)."""

    id: int
    title: str
    description: str
    label: str
    goal: str  # "posts" or "recurring"
    goal_posts: int | None
    cap_count: int | None
    cap_period: str | None
    points: int
    start_at: datetime | None
    end_at: datetime | None
    status: str
    created_at: datetime
    actions: tuple[Action, ...] = ()
    # A performance mission (issue 17): the views or likes a post must reach (at most one).
    min_views: int | None = None
    min_likes: int | None = None

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(action.platform for action in self.actions)

    def action_for(self, platform: str) -> Action | None:
        return next((a for a in self.actions if a.platform == platform), None)


@dataclass(frozen=True, kw_only=True)
class LinkedAccount(Record):
    """A member's handle on one platform and where its ownership stands (R11).

    ``ownership``: ``verified`` (proved by the code or marked by an admin: ``verified_at``),
    ``contested`` (another member linked the same handle: no one is credited for it until one
    proves it), ``unverified`` (not proved; credited unless the policy is ``always``).
    ``verification_code`` is what the member puts in the bio or a recent caption to prove it.
    ``credited`` says whether the account's posts are credited now under the policy.
    """

    platform: str
    handle: str
    linked_at: datetime
    ownership: str = "unverified"
    verification_code: str = ""
    verified_at: datetime | None = None
    verified_by: str | None = None
    credited: bool = True


@dataclass(frozen=True, kw_only=True)
class CreditedPost(Record):
    """A post counted for a mission: where it is, when it was published and credited (UTC)."""

    platform: str
    post_id: str
    url: str
    published_at: datetime
    credited_at: datetime


@dataclass(frozen=True, kw_only=True)
class MemberProgress(Record):
    """One member's standing in one mission.

    ``points`` is the member's ledger sum for the mission (compensating rows included);
    ``goal`` is the N of an N-post mission (None when recurring); ``complete`` is True once an
    N-post goal is met (no more claims, no more automatic re-checks).
    """

    member_id: str
    mission_id: int
    points: int
    goal: int | None
    counted: int
    complete: bool
    posts: tuple[CreditedPost, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LedgerEntry(Record):
    """One row of the append-only ledger: ``points`` paid (negative for a compensating row)
    to ``member_id`` for ``mission_id``, the ``posts`` (post ids) it pays for, the ``check_id``
    that decided it, its ``idempotency_key`` (unique: a retried award writes nothing) and
    ``created_at`` (UTC)."""

    id: int
    member_id: str
    mission_id: int
    points: int
    reason: str
    posts: tuple[str, ...]
    check_id: int
    idempotency_key: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Member(Record):
    """A member: their linked ``accounts``, their ``balance`` (the sum of their ledger
    rows, in points) and, when asked for, the ``ledger`` rows themselves, oldest first."""

    id: str
    accounts: tuple[LinkedAccount, ...]
    balance: int
    ledger: tuple[LedgerEntry, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ClaimReceipt(Record):
    """The answer to a press of the button."""

    claim_id: int
    member_id: str
    mission_id: int
    platform: str
    handle: str
    post_url: str | None
    created_at: datetime
    available_at: datetime  # when the button comes back
    # Claims due before this one (0: next), and when its check is expected (UTC); see
    # engine.service.backlog. None when not estimated.
    queue_position: int | None = None
    expected_check_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Claim(Record):
    """One press of the button and where it stands: its ``state`` (a ``ClaimState`` value),
    when it is next due (UTC), the posts ``counted`` so far, the re-checks and failures
    counted, and the last check's status, detail and unavailable cause."""

    id: int
    member_id: str
    mission_id: int
    platform: str
    post_url: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    counted: int
    rechecks_done: int
    failures: int
    last_status: str | None
    last_detail: str
    # Why the last check was unavailable (an UnavailableCause value), None otherwise.
    last_cause: str | None = None
    finished_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class CheckResult(Record):
    """What one run of a claim's check did."""

    claim_id: int
    check_id: int
    kind: str
    status: str
    # An UnavailableCause value when status is unavailable, None otherwise.
    cause: str | None
    backend: str | None
    requests: int
    shared_from: int | None
    detail: str
    posts: tuple[JudgedPost, ...]
    counted: int
    points: int
    claim_state: str
    next_check_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """The record's JSON form, each judged post as :meth:`JudgedPost.as_json` gives it."""
        return {item.name: ([judged.as_json() for judged in self.posts] if item.name == "posts"
                            else _plain(getattr(self, item.name))) for item in fields(self)}


@dataclass(frozen=True, kw_only=True)
class Engagement(Record):
    """A post's engagement and its account's followers as the latest check read them (None
    where the platform did not say), and when that check read them (UTC; None for posts seen
    before the numbers were kept). See :mod:`engine.service.engagement` (issue 17)."""

    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    shares: int | None = None
    followers: int | None = None
    measured_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ReportRow(Engagement):
    """One verdict of the report: a post a check saw for a member's claim in a mission, with
    its verdict, detail, the points it brought, the check's time (UTC) and backend, and the
    engagement numbers of the post's latest check."""

    mission_id: int
    member_id: str
    platform: str
    handle: str
    post_url: str
    published_at: datetime
    hashtags: tuple[str, ...]
    verdict: str
    detail: str
    points: int
    checked_at: datetime
    backend: str | None
    claim_id: int
    check_id: int


@dataclass(frozen=True, kw_only=True)
class MissionTotals(Record):
    """One mission's claims and credits, the fields :class:`MissionSummary` and the report's
    filtered figures (``engine.service.report.ReportStats``) share: ``claims`` made, by how many
    ``participants``, ``credited_posts``, ``points`` (the ledger), ``unavailable_claims`` and
    the most frequent rejections as (verdict, posts) pairs."""

    mission_id: int
    title: str
    claims: int = 0
    participants: int = 0
    credited_posts: int = 0
    points: int = 0
    unavailable_claims: int = 0
    top_rejections: tuple[tuple[str, int], ...] = ()
    # Claims whose last check was unavailable, by UnavailableCause (network, rate_limited...).
    unavailable_causes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MissionSummary(MissionTotals):
    """A mission's totals, with its figures per platform and per UTC day
    (``engine.service.report.summaries``)."""

    per_platform: dict[str, dict[str, int]] = field(default_factory=dict)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DiagnosisLine(Record):
    """One line of a diagnosis: a stable ``code``, its ``text`` in the asked language, and
    the platform and post it is about when it is about one."""

    code: str
    text: str
    platform: str | None = None
    post_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Diagnosis(Record):
    """Why a member was or was not paid for a mission (``engine.service.diagnosis``), in
    ``lang`` (``fr`` or ``en``): ``rewarded``, the ``points`` received, and the lines."""

    member_id: str
    mission_id: int
    lang: str
    rewarded: bool
    points: int
    lines: tuple[DiagnosisLine, ...]
