"""What the member page shows, computed from the service: one :class:`PlatformView` per platform
of the mission and one :class:`MissionFacts` for the mission as a whole.

A platform's claim is in one *phase*, the page's own reading of the claim's state:

- ``idle``: no claim yet (or no handle linked);
- ``checking``: the check was queued less than :data:`QUEUED_PATIENCE` seconds ago: a spinner;
- ``queued``: still queued after that, or expected more than :data:`LONG_WAIT` seconds from
  now (a long queue, :mod:`engine.service.backlog`): no spinner, the page says it is queued
  and when it is expected;
- ``retrying``: the platform could not be read; the page says why (the check's cause) and when
  the next automatic try is;
- ``answered``: a check answered (``done``, ``rechecking`` or ``unavailable``): the outcome.

Times are human and localised (:mod:`engine.service.human_dates`) in the member's time zone,
read from the ``tz`` cookie that ``member.js`` sets from the browser; UTC without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from urllib.parse import unquote

from fastapi import Request

from engine.service.backlog import estimate
from engine.service.causes import cause_text
from engine.service.claims import list_claims
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.errors import NotFound
from engine.service.human_dates import human_delay, human_instant, zone_from_name
from engine.service.members import get_member
from engine.service.progress import member_progress
from engine.service.records import (
    Claim,
    CreditedPost,
    DiagnosisLine,
    LinkedAccount,
    MemberProgress,
    Mission,
)
from engine.service.thresholds import number_text, threshold_of

from .messages import say, say_count
from .posts import SeenPost, checked_handle, criteria, find, judged_post, last_seen_posts

# Seconds a queued check may spin before the page says it is queued, with when it is expected.
QUEUED_PATIENCE = 30.0
# A queued check expected later than this many seconds from now is said queued at once, with
# its expected time, rather than spinning.
LONG_WAIT = 60.0
# How often the page asks /m/{token}/status: while a check spins, and while it waits.
POLL_SECONDS = 2
WAIT_POLL_SECONDS = 15
# Without JavaScript, the page refreshes itself after this many seconds, per phase.
REFRESH_SECONDS = {"checking": POLL_SECONDS, "queued": WAIT_POLL_SECONDS, "retrying": 60}
ACTIVE_PHASES = tuple(REFRESH_SECONDS)
# Diagnosis lines the facts box says better (points, progress).
FACT_CODES = ("rewarded", "progress")
# Diagnosis lines the ownership block says better (the code and where to put it).
PROOF_CODES = ("ownership_pending",)
TZ_COOKIE = "tz"


def request_zone(request: Request) -> tzinfo:
    """The member's time zone from the ``tz`` cookie (an IANA name set by ``member.js``);
    UTC when it is missing or unknown."""
    raw = request.cookies.get(TZ_COOKIE)
    return zone_from_name(unquote(raw) if raw else None)


def expected_check(service: Service, claim: Claim | None) -> datetime | None:
    """When a claim waiting for its first check is expected to be checked (UTC; from the
    queue's length and throughput, :func:`engine.service.backlog.estimate`); None for any
    other claim."""
    if claim is None or claim.state != "queued":
        return None
    found = estimate(service, claim.id)
    return found.expected_at if found is not None else None


def _long_wait(expected: datetime | None, now: datetime) -> bool:
    return expected is not None and (expected - now).total_seconds() > LONG_WAIT


def phase_of(claim: Claim | None, now: datetime, expected: datetime | None = None) -> str:
    """The page's phase for the latest claim of a platform (see the module's docstring);
    ``expected`` is :func:`expected_check`'s answer for it."""
    if claim is None:
        return "idle"
    if claim.state == "queued":
        waited = (now - claim.created_at).total_seconds()
        return "checking" if waited < QUEUED_PATIENCE and not _long_wait(expected, now) \
            else "queued"
    if claim.state == "retrying":
        return "retrying"
    return "answered"


def phase_message(claim: Claim | None, phase: str, title: str, lang: str, zone: tzinfo,
                  now: datetime, expected: datetime | None = None) -> str:
    """What the page says about a claim that waits (``queued`` or ``retrying``); else ``""``.

    ``title`` is the platform's name (``Instagram``). A claim due in the past (the worker is
    busy) is said to start in a moment, unless ``expected`` (:func:`expected_check`) is more
    than :data:`LONG_WAIT` seconds away: the page then says when.
    """
    if claim is None or phase not in ("queued", "retrying"):
        return ""
    due = claim.due_at if claim.due_at is not None and claim.due_at > now else None
    if phase == "queued" and due is None and _long_wait(expected, now):
        due = expected
    if phase == "queued":
        return (say("queued_at", lang, at=human_instant(due, lang, zone)) if due is not None
                else say("queued_soon", lang))
    cause = cause_text(claim.last_cause, claim.last_status or "unavailable", title, lang)
    text = say("retrying", lang, cause=cause)
    if due is None:
        return f"{text} {say('retrying_soon', lang)}"
    return f"{text} " + say("retrying_at", lang, at=human_instant(due, lang, zone),
                            delay=human_delay(due - now, lang))


@dataclass
class Ownership:
    """Where the proof that the linked account is the member's stands (R11).

    ``state`` is ``verified``, ``unverified`` or ``contested``; ``code`` the verification code
    (may be empty while it is being made); ``credited`` whether the account's posts count now.
    """

    state: str
    code: str
    verified_at: datetime | None
    credited: bool

    @classmethod
    def of(cls, account: LinkedAccount) -> Ownership:
        """The ownership of a linked account as the service gives it."""
        return cls(state=account.ownership, code=account.verification_code,
                   verified_at=account.verified_at, credited=account.credited)

    @property
    def verified(self) -> bool:
        return self.state == "verified"

    @property
    def needs_proof(self) -> bool:
        """True when posts will not count before the proof (a contest, or the policy)."""
        return not self.verified and (self.state == "contested" or not self.credited)


@dataclass
class PlatformView:
    """What the page shows for one platform of the mission.

    ``remaining`` is the cooldown's seconds left (0 when the button is free) and
    ``available_at`` when it ends (UTC); ``lines`` the diagnosis lines of this platform;
    ``error``/``typed`` a rejected handle; ``seen`` the posts of the last check (to pick from),
    ``picked`` the one whose stored answer is shown; ``post_error``/``post_typed`` a rejected
    post link; ``target`` the post a claim aimed at one post was judged on (``target_missing``
    when that check did not see it).
    """

    name: str
    title: str
    hashtag: str
    example: str
    handle: str | None = None
    ownership: Ownership | None = None
    claim: Claim | None = None
    phase: str = "idle"
    message: str = ""
    remaining: float = 0.0
    available_at: datetime | None = None
    lines: list[DiagnosisLine] = field(default_factory=list)
    error: str | None = None
    typed: str = ""
    seen: list[SeenPost] = field(default_factory=list)
    picked: SeenPost | None = None
    picked_criteria: list[tuple[str, str]] = field(default_factory=list)
    post_error: str | None = None
    post_typed: str = ""
    target: SeenPost | None = None
    target_criteria: list[tuple[str, str]] = field(default_factory=list)
    target_missing: bool = False
    checked: str | None = None  # the handle the claim's latest check read

    @property
    def other_handle(self) -> bool:
        """True when the outcome shown is of a handle the member no longer links."""
        return bool(self.checked and self.handle and self.checked != self.handle)

    @property
    def checking(self) -> bool:
        """True while the check spins (the first :data:`QUEUED_PATIENCE` seconds)."""
        return self.phase == "checking"

    @property
    def waiting(self) -> bool:
        """True while a claim waits for its check (queued, spinning or retrying)."""
        return self.phase in ACTIVE_PHASES

    @property
    def cooling(self) -> bool:
        return self.remaining > 0

    @property
    def targeted(self) -> bool:
        """True when the latest claim aimed at one post (select your post)."""
        return self.claim is not None and bool(self.claim.post_url)

    @property
    def select_open(self) -> bool:
        """Whether "select your post" starts unfolded (an answer or an error to show)."""
        return bool(self.picked or self.post_error)


@dataclass
class MissionFacts:
    """The mission's basics for the member: reward, progress, window, counted posts.

    Every text is ready to show (localised, times in the member's zone).
    """

    reward: str
    progress: str
    goal: int | None
    counted: int
    points: str
    window: str
    window_note: str
    window_state: str  # "not_started", "running", "no_end", "ended"
    complete: bool
    complete_text: str
    posts: tuple[CreditedPost, ...]


def mission_facts(mission: Mission, progress: MemberProgress, lang: str, zone: tzinfo,
                  now: datetime) -> MissionFacts:
    """The facts box of ``mission`` for a member whose standing is ``progress``."""
    def when(moment: datetime) -> str:
        return human_instant(moment, lang, zone)

    points = say_count("points", lang, mission.points)
    if mission.goal == "posts" and mission.goal_posts:
        reward = say_count("reward_posts", lang, mission.goal_posts, points=points)
        shown = say_count("progress_posts", lang, min(progress.counted, mission.goal_posts),
                          goal=mission.goal_posts)
    else:
        reward = say_count("reward_recurring", lang, 1, points=points)
        if mission.cap_count and mission.cap_period in ("day", "week"):
            reward += say(f"cap_{mission.cap_period}", lang, cap=mission.cap_count)
        shown = say_count("progress_recurring", lang, progress.counted)
    threshold = threshold_of(mission)  # a performance mission (issue 17)
    if threshold is not None:
        reward += say(f"threshold_{threshold.metric}", lang,
                      needed=number_text(threshold.needed, lang))
    start, end = mission.start_at, mission.end_at
    if start and end:
        window = say("window_both", lang, start=when(start), end=when(end))
    elif start:
        window = say("window_from", lang, start=when(start))
    elif end:
        window = say("window_until", lang, end=when(end))
    else:
        window = say("window_open", lang)
    if start and now < start:
        state, note = "not_started", say("window_not_started", lang,
                                         delay=human_delay(start - now, lang))
    elif end and now >= end:
        state, note = "ended", say("window_ended", lang, end=when(end))
    elif end:
        state, note = "running", say("window_left", lang, delay=human_delay(end - now, lang))
    else:
        state, note = "no_end", say("window_no_end", lang)
    earned = say_count("points", lang, progress.points)
    complete_text = say_count("complete", lang, progress.counted, points=earned)
    return MissionFacts(reward=reward, progress=shown, goal=progress.goal,
                        counted=progress.counted, points=earned, window=window,
                        window_note=note, window_state=state, complete=progress.complete,
                        complete_text=complete_text, posts=progress.posts)


def empty_progress(member_id: str, mission: Mission) -> MemberProgress:
    """The standing of a member the service does not know yet (no handle linked)."""
    goal = mission.goal_posts if mission.goal == "posts" else None
    return MemberProgress(member_id=member_id, mission_id=mission.id, points=0, goal=goal,
                          counted=0, complete=False)


def _example(platform: str) -> str:
    return {"instagram": "lea.voyage", "tiktok": "lea.voyage", "youtube": "@LeaVoyage"}.get(
        platform, "lea.voyage")


def build_views(service: Service, member_id: str, mission: Mission, lang: str, zone: tzinfo,
                *, picks: dict[str, str] | None = None
                ) -> tuple[list[PlatformView], list[DiagnosisLine], MemberProgress]:
    """Each platform's view, the diagnosis lines about the whole mission, and the progress.

    ``picks`` maps a platform to the id of a post seen at its last check whose stored answer
    the member asked for (select your post).
    """
    try:
        accounts = {a.platform: a for a in get_member(service, member_id).accounts}
        progress = member_progress(service, member_id, mission.id)
    except NotFound:  # the member appears with their first linked handle
        accounts, progress = {}, empty_progress(member_id, mission)
    claims = list_claims(service, member_id=member_id, mission_id=mission.id) if accounts else []
    lines: list[DiagnosisLine] = []
    if accounts:
        lines = list(diagnose(service, member_id, mission.id, lang, zone).lines)
    now = service.now()
    cooldown = timedelta(seconds=service.settings.cooldown)
    views = []
    for action in mission.actions:
        platform = service.engine.platform(action.platform)
        account = accounts.get(platform.name)
        view = PlatformView(name=platform.name, title=platform.title, hashtag=action.hashtag,
                            example=_example(platform.name),
                            handle=account.handle if account else None,
                            ownership=Ownership.of(account) if account else None)
        mine = [c for c in claims if c.platform == platform.name]
        if mine:
            view.claim = mine[-1]
            view.available_at = view.claim.created_at + cooldown
            view.remaining = max((view.available_at - now).total_seconds(), 0.0)
        expected = expected_check(service, view.claim)
        view.phase = phase_of(view.claim, now, expected)
        view.message = phase_message(view.claim, view.phase, platform.title, lang, zone, now,
                                     expected)
        view.lines = [line for line in lines if line.platform == platform.name]
        if view.ownership is not None and view.ownership.needs_proof:
            view.lines = [line for line in view.lines if line.code not in PROOF_CODES]
        if account is not None:
            if view.claim is not None:
                view.checked = checked_handle(service, view.claim.id)
            _posts(service, view, member_id, mission, lang, zone, (picks or {}).get(view.name))
        views.append(view)
    general = [line for line in lines if line.platform is None and line.code not in FACT_CODES]
    return views, general, progress


def _posts(service: Service, view: PlatformView, member_id: str, mission: Mission, lang: str,
           zone: tzinfo, pick: str | None) -> None:
    """Fill the view's "select your post" parts and the answer of a claim aimed at one post."""
    view.seen = last_seen_posts(service, member_id, mission.id, view.name)
    view.picked = find(view.seen, pick)
    if view.picked is not None:
        view.picked_criteria = criteria(view.picked, hashtag=view.hashtag, mission=mission,
                                        lang=lang, zone=zone)
    claim = view.claim
    if claim is None or not claim.post_url or view.phase != "answered":
        return
    view.target = judged_post(service, claim.id)
    if view.target is not None:
        view.target_criteria = criteria(view.target, hashtag=view.hashtag, mission=mission,
                                        lang=lang, zone=zone)
    elif claim.last_status == "ok":
        view.target_missing = True
        view.target_criteria = [("post_not_recent",
                                 say("crit_post_not_recent", lang, handle=view.handle))]
    # The target block says what the diagnosis says about that post, criterion by criterion;
    # how far it is from a performance mission's threshold stays (issue 17).
    view.lines = [line for line in view.lines
                  if line.code.startswith("below_threshold")
                  or (not line.post_url and line.code != "post_not_recent")]
