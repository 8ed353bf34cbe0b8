"""The console shows why a post did or did not count in its language (engine/web/reasons.py).

The engine stores those details in English; :func:`localized_detail` recognises each template
and writes it again in French or English. The tests below run the real engine functions
(``judge_post``, ``near_miss_reason``, ``Threshold.shortfall``, ``count_posts`` and a claim's
check) and require every detail they produce to be recognised, and every known template to be
produced by one of them: a changed engine text fails here instead of showing English on a
French page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from engine.hashtags import near_miss_reason
from engine.models import Post
from engine.replay import cassette
from engine.service import claim_checks
from engine.service.actions import add_action
from engine.service.claim_checks import process_claim
from engine.service.claims import create_claim, get_claim
from engine.service.context import Service
from engine.service.members import link_account, unlink_account
from engine.service.missions import add_mission, set_status
from engine.service.records import Mission
from engine.service.report import report_rows
from engine.service.thresholds import Threshold
from engine.verdicts import Window, judge_post
from engine.web.app import create_app
from engine.web.reasons import ENGINE_TEMPLATES, NEAR_REASONS, localized_detail, split_detail
from engine.web.texts import load_texts
from engine.web.tokens import create_token
from tests.service.helpers import count_in_fresh_check

from .pages_helpers import ACCOUNTS, World, login_link

JUNE = Window(start=datetime(2025, 6, 1, tzinfo=UTC), end=datetime(2025, 7, 1, tzinfo=UTC))
INSIDE = datetime(2025, 6, 14, 10, tzinfo=UTC)
# A day and a week apart, both inside June.
LATER = datetime(2025, 6, 24, 10, tzinfo=UTC)


def post(post_id: str, *tags: str, at: datetime = INSIDE, views: int | None = None) -> Post:
    return Post(platform="instagram", id=post_id, url=f"https://www.instagram.com/p/{post_id}/",
                published_at=at, hashtags=tags, views=views)


# Posts judged against #summer2025 in June: every engine verdict and near-miss reason.
JUDGED = [
    post("Accents", "summér2025"), post("OneLetter", "sumer2025"),
    post("TwoLetters", "sumer2025x"), post("Extra", "summer2025forever"),
    post("Missing", "holiday", "beach"), post("Bare"),
    post("Early", "summer2025", at=datetime(2025, 5, 20, 8, tzinfo=UTC)),
    post("Late", "summer2025", at=datetime(2025, 7, 2, 8, tzinfo=UTC)),
    post("Both", "sumer2025", at=datetime(2025, 5, 20, 8, tzinfo=UTC)),
    post("Found", "summer2025"),
]


def keys_of(detail: str) -> list[str]:
    """The template keys ``detail`` is made of; fails when a part is not recognised."""
    segments = split_detail(detail)
    assert segments is not None, f"not recognised: {detail!r}"
    return [key for key, _ in segments]


def test_every_judge_post_detail_is_recognised_with_each_near_miss_reason() -> None:
    seen: list[str] = []
    reasons: set[str] = set()
    for item in JUDGED:
        detail = judge_post(item, "summer2025", JUNE).detail
        seen += keys_of(detail)
        reasons.update(values["reason"] for key, values in split_detail(detail) or []
                       if key == "near_miss")
    assert set(seen) == {"near_miss", "missing_among", "no_hashtag", "before_window",
                         "after_window", "found"}
    # Each of engine.hashtags' near-miss reasons was produced and read.
    assert reasons == {near_miss_reason(found, "summer2025") for found in
                       ("summér2025", "sumer2025", "sumer2025x", "summer2025forever")}
    assert len(reasons) == len(NEAR_REASONS)


def test_every_threshold_shortfall_is_recognised() -> None:
    for metric in ("views", "likes"):
        threshold = Threshold(metric=metric, needed=1500)
        assert keys_of(threshold.shortfall_of(None) or "") == ["no_number"]
        assert keys_of(threshold.shortfall_of(12) or "") == ["below_threshold"]


def _mission(service: Service, hashtag: str, **options: Any) -> Mission:
    action = add_action(service, "instagram", hashtag)
    return add_mission(service, title=hashtag, action_ids=[action.id], points=5, publish=True,
                       start=JUNE.start, end=JUNE.end, **options)


def _count(service: Service, mission: Mission, hashtag: str, posts: list[Post]) -> list[str]:
    """The details count_posts gives ``posts`` for ``mission`` in a fresh check of ``zoe``."""
    outcome = count_in_fresh_check(service, mission.id, hashtag, posts,
                                   datetime(2025, 6, 30, 9, tzinfo=UTC))
    return [judged.detail for judged in outcome.posts]


def _counting_details(service: Service) -> list[str]:
    """Details of every counting verdict: progress, goal met, already counted, caps by day
    and week, exclusive posts, thresholds."""
    details: list[str] = []
    service.settings = replace(service.settings, exclusive_posts=True)
    goal = _mission(service, "goaltag", goal_posts=2)
    three = [post(f"Goal{n}", "goaltag", at=INSIDE.replace(hour=n)) for n in (1, 2, 3)]
    details += _count(service, goal, "goaltag", three)
    details += _count(service, goal, "goaltag", three)  # already counted
    for cap in ("1/day", "1/week"):
        capped = _mission(service, "captag", recurring=True, cap=cap)
        details += _count(service, capped, "captag", [
            post(f"Cap{cap[2:]}{n}", "captag", at=INSIDE.replace(hour=n)) for n in (1, 2)])
    recurring = _mission(service, "freetag", recurring=True)
    details += _count(service, recurring, "freetag", [post("Free1", "freetag")])
    performance = _mission(service, "viewtag", recurring=True, min_views=1000)
    details += _count(service, performance, "viewtag",
                      [post("Views1", "viewtag", views=10), post("Views2", "viewtag")])
    other = _mission(service, "goaltag", goal_posts=5)
    details += _count(service, other, "goaltag", three[:1])
    return details


def _claim_details(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The details a claim's check writes: ownership not proved (every seen post's), a post
    not among the recent ones, the link changed or ended while the platform was read, no
    linked handle or the mission archived before the check (the claim's last detail)."""
    service = world.service
    service.settings = replace(service.settings, ownership="always")
    mission = world.mission
    details: list[str] = []

    def check(post_url: str | None = None, before: Any = None, during: Any = None) -> None:
        world.clock.advance(days=1, minutes=1)  # past the claim button's cool-down
        claim_id = create_claim(service, "ana", mission.id, "instagram", post_url).claim_id
        if before is not None:
            before()
        if during is not None:  # the link changes between the lease and the outcome
            real = claim_checks.fetch_account

            def fetch(*args: Any, **kwargs: Any) -> Any:
                during()
                return real(*args, **kwargs)

            monkeypatch.setattr(claim_checks, "fetch_account", fetch)
        process_claim(service, claim_id)  # this claim alone (earlier ones may be due again)
        monkeypatch.undo()
        details.append(get_claim(service, claim_id).last_detail)
        link_account(service, "ana", "instagram", "ana.summer")

    with cassette(ACCOUNTS, record=False):
        check()
        check("https://www.instagram.com/reel/NotRecent99/")
        check(during=lambda: link_account(service, "ana", "instagram", "bob.summer"))
        check(during=lambda: unlink_account(service, "ana", "instagram"))
        check(before=lambda: unlink_account(service, "ana", "instagram"))
        check(before=lambda: link_account(service, "mallory", "instagram", "ana.summer"))
        check(before=lambda: set_status(service, mission.id, "archived"))
    return [row.detail for row in report_rows(service)] + details


def test_every_engine_detail_is_recognised_and_every_template_is_produced(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    details = [judge_post(item, "summer2025", JUNE).detail for item in JUDGED]
    details += [Threshold(metric, 10).shortfall_of(seen) or ""
                for metric in ("views", "likes") for seen in (None, 3)]
    details += _claim_details(world, monkeypatch) + _counting_details(world.service)
    produced = {key for detail in details if detail for key in keys_of(detail)}
    assert produced == set(ENGINE_TEMPLATES)
    for detail in filter(None, details):
        french, english = localized_detail(detail, "fr"), localized_detail(detail, "en")
        assert french != detail, detail
        assert "{" not in french and "{" not in english, detail
        # No English word of the engine is left on the French page (tags and handles apart).
        words = re.sub(r"[#@]\S+", "", french)
        assert not re.search(r"\b(the|of|not|found|needed|already|published|post)\b",
                             words), french


def test_each_template_has_its_texts() -> None:
    texts = load_texts("console_reasons")
    needed = set(ENGINE_TEMPLATES) - {"goal_met", "cap_reached"}
    needed |= {f"goal_met_{form}" for form in ("one", "other")}
    needed |= {f"cap_reached_{period}_{form}" for period in ("day", "week")
               for form in ("one", "other")}
    needed |= {f"reason_{key}" for key in NEAR_REASONS}
    needed |= {"metric_views", "metric_likes", "tag_separator", "part_separator"}
    assert needed <= set(texts)


def test_details_read_in_french_and_english_with_dates_and_numbers() -> None:
    detail = ("#sumer2025 is not #summer2025 (one letter off); published "
              "2025-05-20T08:00:00Z, before the window opened 2025-06-01T00:00:00Z")
    paris = ZoneInfo("Europe/Paris")
    assert localized_detail(detail, "fr", paris) == (
        "#sumer2025 n'est pas #summer2025 (une lettre de différence) ; publiée le "
        "20 mai 2025 à 10:00, avant l'ouverture de la période le 1 juin 2025 à 02:00")
    assert localized_detail(detail, "en") == (
        "#sumer2025 is not #summer2025 (one letter off); published May 20, 2025, 8:00\u202fAM "
        "UTC, before the window opened on Jun 1, 2025, 12:00\u202fAM UTC")
    assert localized_detail("1 post(s) already rewarded for the week of 2025-06-09", "fr") == \
        "1 publication déjà récompensée pour la semaine du 9 juin 2025"
    assert localized_detail("3 post(s) already rewarded for the day of 2025-06-14", "en") == \
        "3 posts already rewarded for the day of Jun 14, 2025"
    assert localized_detail("120 views of 1500 needed", "fr") == \
        "120 vues sur les 1\u202f500 requises"
    assert localized_detail("the goal of 1 posts is already met", "fr") == \
        "l'objectif de 1 publication est déjà atteint"
    assert localized_detail("#summer2025 found; progress 2/3", "fr") == \
        "#summer2025 trouvé ; progression 2 sur 3"
    assert localized_detail("already credited for mission 4; posts are exclusive", "fr") == \
        "déjà créditée pour la mission n° 4 ; une publication ne compte que pour une mission"


@pytest.mark.parametrize("detail", [
    "", "a platform's own message", "#x found; and something new", "#x found;",
    "published yesterday, before the window opened 2025-06-01T00:00:00Z",
    "published 2025-13-45T99:00:00Z, before the window opened 2025-06-01T00:00:00Z",
    "#x is not #y (a reason added later)", "; ".join(["no #x among #a"] * 40),
    "#a found; " * 2000,
])
def test_unknown_text_is_shown_as_stored(detail: str) -> None:
    assert localized_detail(detail, "fr") == detail
    assert localized_detail(detail, "en") == detail


def _signed_in(world: World) -> TestClient:
    client = TestClient(create_app(world.service), follow_redirects=False)
    _, raw = create_token(world.service, "admin", "reasons")
    assert client.get(login_link(world.service, raw)).status_code == 303
    return client


@pytest.fixture
def checked(world: World) -> Iterator[TestClient]:
    """A console session after ana's claim was checked (the cassette's posts: counted, near
    miss, missing, before the window)."""
    claim_id = create_claim(world.service, "ana", world.mission.id, "instagram").claim_id
    with cassette(ACCOUNTS, record=False):
        process_claim(world.service, claim_id)
    with _signed_in(world) as client:
        yield client


def _reasons(page: str) -> list[str]:
    return [html.unescape(cell) for cell in re.findall(r'<td class="reason"[^>]*>(.*?)</td>',
                                                        page, re.S)]


def test_the_report_shows_the_reason_in_the_pages_language(checked: TestClient,
                                                           world: World) -> None:
    stored = {row.detail for row in report_rows(world.service)}
    french = _reasons(checked.get("/admin").text)
    assert french and not set(french) & stored
    assert any("n'est pas #summer2025" in text for text in french), french
    assert any(text.startswith("publiée le ") for text in french), french
    english = _reasons(checked.get("/admin?lang=en").text)
    assert any("is not #summer2025" in text for text in english), english
    # The CSV and the API keep the stored English text.
    csv = checked.get("/admin/report.csv").text
    assert all(detail.replace('"', '""') in csv for detail in stored)


def test_the_member_page_shows_a_claims_last_detail_in_french(world: World) -> None:
    claim_id = create_claim(world.service, "ana", world.mission.id, "instagram",
                            "https://www.instagram.com/reel/NotRecent99/").claim_id
    with cassette(ACCOUNTS, record=False):
        process_claim(world.service, claim_id)
    with _signed_in(world) as client:
        page = html.unescape(client.get("/admin/members/ana").text)
    assert ("la publication NotRecent99 n'est pas parmi les 7 publications les plus récentes "
            "de @ana.summer ; seules celles-ci sont lues") in page
    assert "is not among" not in page
