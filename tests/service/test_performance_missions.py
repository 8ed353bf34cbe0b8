"""Performance missions (issue 17 item 3): a post counts once it reaches ``min_views`` or
``min_likes``; below it, ``below_threshold`` and automatic re-checks a day and a week after the
claim, until it reaches the threshold (credited once, at that re-check) or the re-checks run out.

The platform's answer is written by the test (:class:`ScriptedEngine`: one Instagram post whose
numbers the test sets before each check), and time moves with the tests' clock, never slept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.errors import InvalidInput
from engine.models import Account, AccountStatus, Post, PostKind, Snapshot
from engine.service.claims import create_claim, get_claim
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.missions import update_mission
from engine.service.settings import load_settings
from engine.service.thresholds import Threshold, next_recheck, threshold_of
from engine.storage.models import CheckRow, CreditRow, LedgerRow, SeenPostRow

from .helpers import member, mission, run

DAY = timedelta(days=1)
POST_ID = "PerfPost01"


class ScriptedEngine:
    """The tests' engine with Instagram's answer replaced: the account shows one post with
    #summer2025, published 2025-06-10, whose ``views`` and ``likes`` are what the test set last
    (None: the platform does not say). Everything else is the real engine's."""

    def __init__(self, engine: Any, clock: Any) -> None:
        self._engine = engine
        self._clock = clock
        self.views: int | None = 0
        self.likes: int | None = 0
        self.fetches = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def snapshot(self, account: Account, *, want_bio: bool = False) -> Snapshot:
        self.fetches += 1
        post = Post(platform="instagram", id=POST_ID,
                    url=f"https://www.instagram.com/reel/{POST_ID}/",
                    published_at=datetime(2025, 6, 10, 12, tzinfo=UTC), kind=PostKind.REEL,
                    text="Plage #summer2025", hashtags=("summer2025",), views=self.views,
                    likes=self.likes)
        return Snapshot(account=account, status=AccountStatus.OK, posts=(post,), public=True,
                        backend="scripted", requests=1, fetched_at=self._clock.now)


@pytest.fixture
def scripted(service: Service, clock: Any) -> Iterator[ScriptedEngine]:
    real = service.engine
    engine = ScriptedEngine(real, clock)
    service.engine = engine  # type: ignore[assignment]
    yield engine
    service.engine = real


def verdicts(service: Service) -> list[tuple[int, str, str]]:
    """(check id, verdict, detail) of every post seen, oldest check first."""
    with service.db.sessions() as session:
        return [(row.check_id, row.verdict, row.detail) for row in session.scalars(
            select(SeenPostRow).order_by(SeenPostRow.check_id))]


def credits_and_awards(service: Service) -> tuple[list[int], list[int]]:
    """The check ids of the live credits and of the ledger rows."""
    with service.db.sessions() as session:
        credited = list(session.scalars(select(CreditRow.check_id).where(
            CreditRow.revoked_at.is_(None))))
        paid = list(session.scalars(select(LedgerRow.check_id)))
    return credited, paid


def last_check_id(service: Service) -> int:
    with service.db.sessions() as session:
        found = session.scalar(select(CheckRow.id).order_by(CheckRow.id.desc()).limit(1))
    assert found is not None
    return found


def test_below_then_above_at_the_one_day_recheck_is_credited_once_there(
        service: Service, scripted: ScriptedEngine, clock: Any) -> None:
    goal = mission(service, goal_posts=1, min_views=5000, start=None, end=None)
    member(service)
    claimed_at = clock.now
    scripted.views = 1240
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.due_at, claim.counted) == ("rechecking", claimed_at + DAY, 0)
    assert verdicts(service)[-1][1:] == ("below_threshold", "1240 views of 5000 needed")
    assert credits_and_awards(service) == ([], [])
    text = diagnose(service, "ana", goal.id, "en").lines
    assert any(line.code == "below_threshold" and "1,240 views of 5,000 needed" in line.text
               and "re-checked automatically around" in line.text for line in text)
    french = diagnose(service, "ana", goal.id, "fr").lines
    assert any("1\u202f240 vues sur 5\u202f000 nécessaires" in line.text for line in french)

    scripted.views = 7300  # the post caught on during the day
    clock.advance(hours=23, minutes=59)
    run(service)
    assert scripted.fetches == 1  # not due yet: no request before the day is over
    clock.advance(minutes=1)
    run(service)
    recheck = last_check_id(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.counted, claim.rechecks_done) == ("done", 1, 1)
    assert verdicts(service)[-1][:2] == (recheck, "counted")
    assert credits_and_awards(service) == ([recheck], [recheck])
    clock.advance(days=7)
    run(service)  # nothing more is due: credited exactly once
    assert scripted.fetches == 2
    assert credits_and_awards(service) == ([recheck], [recheck])


def test_rechecks_run_out_and_the_claim_ends_below_threshold(
        service: Service, scripted: ScriptedEngine, clock: Any) -> None:
    goal = mission(service, recurring=True, min_likes=100, start=None, end=None)
    member(service)
    claimed_at = clock.now
    scripted.likes = 3
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert get_claim(service, receipt.claim_id).due_at == claimed_at + DAY
    clock.advance(days=1)
    scripted.likes = 40
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.due_at) == ("rechecking", claimed_at + 7 * DAY)
    clock.advance(days=6)
    scripted.likes = None  # the account hid its like counts
    run(service)
    claim = get_claim(service, receipt.claim_id)
    assert (claim.state, claim.due_at, claim.counted, claim.rechecks_done) == (
        "done", None, 0, 2)
    assert [v[1] for v in verdicts(service)] == ["below_threshold"] * 3
    assert verdicts(service)[-1][2] == "the platform did not give the likes of this post; " \
                                       "100 needed"
    assert credits_and_awards(service) == ([], [])
    lines = diagnose(service, "ana", goal.id, "en").lines
    assert [line.code for line in lines if line.platform] == ["below_threshold_unknown"]
    # Only the automatic re-checks are over: a new claim seeing 100 likes still credits it.
    assert ("no automatic re-check is left: ask for a new check once it reaches 100 likes."
            in lines[-1].text)
    assert "does not count for this mission" not in lines[-1].text
    french = diagnose(service, "ana", goal.id, "fr").lines[-1].text
    assert ("plus aucune vérification automatique n'est prévue : demandez une nouvelle "
            "vérification quand elle atteint 100 « J'aime »." in french)
    clock.advance(days=30)
    run(service)
    assert scripted.fetches == 3
    # What the text says is true: a new claim that sees the post at the threshold credits it.
    scripted.likes = 100
    again = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert get_claim(service, again.claim_id).counted == 1


def test_a_mission_without_threshold_is_unchanged(
        service: Service, scripted: ScriptedEngine) -> None:
    goal = mission(service, goal_posts=1, start=None, end=None)
    member(service)
    scripted.views = scripted.likes = None
    receipt = create_claim(service, "ana", goal.id, "instagram")
    run(service)
    assert get_claim(service, receipt.claim_id).state == "done"
    assert verdicts(service)[-1][1] == "counted"


def test_threshold_fields_are_checked(service: Service) -> None:
    with pytest.raises(InvalidInput, match="choose one threshold"):
        mission(service, min_views=10, min_likes=10)
    with pytest.raises(InvalidInput, match="--min-likes must be a whole number from 1"):
        mission(service, min_likes=0)
    made = mission(service, min_views=5000)
    assert (made.min_views, made.min_likes) == (5000, None)
    assert threshold_of(made) == Threshold("views", 5000)
    changed = update_mission(service, made.id, title="Été", action_ids=[made.actions[0].id],
                             points=10, goal_posts=3, start=None, end=None, min_likes=50)
    assert (changed.min_views, changed.min_likes) == (None, 50)


def test_mission_add_takes_min_likes_or_min_views(
        tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from .test_cli import sm

    path = tmp_path / "social-missions.toml"
    path.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                    '[queue]\nurl = "sqlite:///queue.sqlite3"\n', encoding="utf-8")
    config = str(path)
    assert sm(capsys, "action", "add", "--config", config, "--platform", "instagram",
              "--hashtag", "summer2025")[0] == 0
    common = ["mission", "add", "--config", config, "--title", "Été", "--action", "1",
              "--posts", "1", "--points", "10"]
    status, out, _ = sm(capsys, *common, "--min-likes", "250", "--json")
    assert status == 0 and (json.loads(out)["min_likes"], json.loads(out)["min_views"]) == (
        250, None)
    status, out, _ = sm(capsys, *common, "--min-views", "5000")
    assert status == 0 and "posts with 5000 views or more" in out
    status, _, err = sm(capsys, *common, "--min-views", "10", "--min-likes", "10")
    assert status == 2 and "--min-likes: not allowed with argument --min-views" in err
    status, _, err = sm(capsys, *common, "--min-views", "0")
    assert status == 2 and "--min-views must be a whole number from 1 to 999999999" in err


def test_threshold_rechecks_setting() -> None:
    from engine.config import config_from_mapping

    config = config_from_mapping({"missions": {"threshold_rechecks": ["12h", 259200]}})
    assert load_settings(config).threshold_rechecks == (43200.0, 259200.0)
    with pytest.raises(Exception, match="threshold_rechecks must be a list"):
        load_settings(config_from_mapping({"missions": {"threshold_rechecks": "1d"}}))


# -- properties ---------------------------------------------------------------------------------

NUMBERS = st.one_of(st.none(), st.integers(min_value=0, max_value=20_000))


@given(needed=st.integers(min_value=1, max_value=10_000), seen=NUMBERS)
def test_never_counts_below_the_threshold(needed: int, seen: int | None) -> None:
    short = Threshold("views", needed).shortfall_of(seen)
    assert (short is None) == (seen is not None and seen >= needed)
    if short is not None:
        assert str(needed) in short


@given(delays=st.lists(st.integers(min_value=1, max_value=30 * 86400), max_size=4),
       elapsed=st.integers(min_value=0, max_value=40 * 86400))
def test_next_recheck_is_the_first_delay_still_ahead(delays: list[int], elapsed: int) -> None:
    claimed = datetime(2025, 6, 16, tzinfo=UTC)
    now = claimed + timedelta(seconds=elapsed)
    due = next_recheck(claimed, now, [float(d) for d in delays])
    ahead = sorted(d for d in delays if d > elapsed)
    assert due == (claimed + timedelta(seconds=ahead[0]) if ahead else None)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.lists(NUMBERS, min_size=3, max_size=3))
def test_credited_at_most_once_at_the_first_check_reaching_the_threshold(
        service: Service, scripted: ScriptedEngine, clock: Any,
        numbers: list[int | None]) -> None:
    """For any views seen at the first check and the two re-checks: the post is credited at
    most once, at the first check where it reaches the threshold, and never below it."""
    needed = 1000
    goal = mission(service, recurring=True, min_views=needed, start=None, end=None)
    member_id = member(service, f"m{goal.id}", f"perf.{goal.id}")
    receipt = create_claim(service, member_id, goal.id, "instagram")
    claimed_at = clock.now
    for number, at in zip(numbers, (0, 1, 7), strict=True):
        clock.now = claimed_at + at * DAY
        scripted.views = number
        run(service)
    with service.db.sessions() as session:
        credited = list(session.scalars(select(CreditRow.check_id).where(
            CreditRow.mission_id == goal.id)))
        checks = list(session.scalars(select(CheckRow.id).join(
            SeenPostRow, SeenPostRow.check_id == CheckRow.id).where(
            SeenPostRow.mission_id == goal.id).order_by(CheckRow.id)))
    reached = [i for i, n in enumerate(numbers) if n is not None and n >= needed]
    assert len(credited) == (1 if reached else 0)
    assert len(checks) == (reached[0] + 1 if reached else 3)  # no re-check once credited
    if reached:
        assert credited == [checks[reached[0]]]
    assert get_claim(service, receipt.claim_id).state == "done"
    clock.now = claimed_at + 8 * DAY  # the next example's claim comes after this one
