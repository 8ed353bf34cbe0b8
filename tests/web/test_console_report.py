"""The console's report (issue 11 item 4): figures that follow every filter, refused periods,
pages of 100 rows, the streamed CSV with local time and UTC, the log-out form's CSRF token.

Most tests fill the database with :func:`benchmarks.bench_console.fill` (bulk rows on three
platforms and three missions, in ``Europe/Paris``); the CSRF test uses the page tests' world.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from benchmarks.bench_console import NOW, fill
from engine.web.app import create_app
from engine.web.pages.session import COOKIE
from engine.web.tokens import create_token

from .pages_helpers import World, build_world

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIGURE = re.compile(r'data-total="(\w+)">(\d+)<')


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    built.service.settings = replace(built.service.settings, timezone="Europe/Paris")
    yield built
    built.service.engine.close()
    built.service.close()


def signed_in(world: World) -> TestClient:
    """A client of the app signed in with the login form (and its CSRF token)."""
    _, raw = create_token(world.service, "admin", "report tests")
    client = TestClient(create_app(world.service), follow_redirects=False)
    form = CSRF.search(client.get("/admin/login").text)
    assert form
    answer = client.post("/admin/login", data={"token": raw, "csrf_token": form.group(1)})
    assert answer.status_code == 303 and client.cookies.get(COOKIE)
    return client


@pytest.fixture
def filled(world: World) -> Iterator[TestClient]:
    """250 posts seen (25 checks) besides the world's mission, and a signed-in client."""
    world.clock.now = NOW
    fill(world.service, 250, members=12, days=10)
    with signed_in(world) as client:
        yield client


def totals(html: str) -> dict[str, int]:
    return {name: int(value) for name, value in FIGURE.findall(html)}


def text_of(html: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = plain.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", plain)


def test_figures_follow_every_filter(filled: TestClient) -> None:
    everything = totals(filled.get("/admin").text)
    assert everything["posts_seen"] == 250
    for query in ("platform=youtube", "verdict=counted", "member=member-00003",
                  "mission=2", "since=2026-11-25&until=2026-11-28"):
        page = filled.get("/admin?" + query)
        assert page.status_code == 200, query
        figures = totals(page.text)
        assert 0 < figures["posts_seen"] < everything["posts_seen"], query
        shown = page.text.count('data-verdict="')
        assert shown == min(figures["posts_seen"], 100), query
    youtube = totals(filled.get("/admin?platform=youtube").text)
    instagram = totals(filled.get("/admin?platform=instagram").text)
    tiktok = totals(filled.get("/admin?platform=tiktok").text)
    for name in ("posts_seen", "claims", "credited_posts", "points"):
        assert youtube[name] + instagram[name] + tiktok[name] == everything[name], name
    counted = totals(filled.get("/admin?verdict=counted").text)
    assert counted["posts_seen"] == counted["credited_posts"] == everything["credited_posts"]
    assert counted["points"] == 10 * counted["credited_posts"]
    rejected = totals(filled.get("/admin?verdict=hashtag_missing").text)
    assert rejected["credited_posts"] == rejected["points"] == 0
    # Every row of a filtered page has the filter's value; missions are named, not numbered.
    page = filled.get("/admin?platform=youtube&verdict=counted").text
    assert set(re.findall(r'data-verdict="(\w+)"', page)) == {"counted"}
    assert "Carnet de voyage" in page or "Été 2026" in page


def test_wrong_filters_are_refused_with_a_message(filled: TestClient) -> None:
    cases = {
        "since=2026-11-28&until=2026-11-01":
            "La période commence le 28 nov. 2026, après sa fin le 1 nov. 2026.",
        "since=yesterday": "Vérifiées depuis le : « yesterday » n'est pas une date (AAAA-MM-JJ).",
        "since=2026-02-30": "n'est pas une date",
        "until=9999-12-31": "choisissez une date entre le 1 janv. 2000 et le 31 déc. 2099.",
        "mission=99999999999999999999999": "n'est pas une mission de la liste.",
        "mission=²": "Mission : « ² » n'est pas une mission de la liste.",
        "mission=12345": "n'est pas une mission de la liste.",
        "platform=myspace": "« myspace » n'est pas une plateforme connue.",
        "verdict=great": "« great » n'est pas un verdict connu.",
        "page=0": "« 0 » n'est pas un numéro de page.",
        "page=-1": "n'est pas un numéro de page.",
        "member=" + "x" * 300: "un identifiant a au plus 200 caractères.",
        "member=%FF": "Membre : identifiant refusé (vide, plus de 200 caractères, un "
                      "caractère de contrôle, U+FFFD",
        "member=a%00b": "Membre : identifiant refusé",
        "verdict=a%01b": "« a\ufffdb » n'est pas un verdict connu.",
    }
    for query, message in cases.items():
        page = filled.get("/admin?" + query)
        assert page.status_code == 400, query
        assert "\x00" not in page.text and "\x01" not in page.text  # never sent back as came
        assert message in text_of(page.text), (query, text_of(page.text)[-300:])
        assert 'data-verdict="' not in page.text and "csv-export" not in page.text
        export = filled.get("/admin/report.csv?" + query)
        assert export.status_code == 400 and message.split("«")[0][:10] in text_of(export.text)
        assert export.headers["content-type"].startswith("text/html")  # a readable page
    english = filled.get("/admin?lang=en&since=2026-11-28&until=2026-11-01")
    assert "The period starts on Nov 28, 2026, after its end on Nov 1, 2026." in text_of(
        english.text)


def test_pages_of_one_hundred_rows_in_a_stable_order(filled: TestClient) -> None:
    first = filled.get("/admin").text
    assert "250 au total · page 1 sur 3" in text_of(first)
    assert 'href="/admin?page=2"' in first and 'href="/admin?page=3"' in first
    seen: list[str] = []
    for number in (1, 2, 3):
        page = filled.get(f"/admin?page={number}" if number > 1 else "/admin").text
        seen += re.findall(r'<a href="(https://example\.test/[^"]+)"', page)
    assert len(seen) == 250 and len(set(seen)) == 250  # every row once, none twice
    again = re.findall(r'<a href="(https://example\.test/[^"]+)"', filled.get("/admin?page=2").text)
    assert again == seen[100:200]
    # A page past the end shows the last one; page links keep the filters.
    assert "page 3 sur 3" in text_of(filled.get("/admin?page=99").text)
    youtube = filled.get("/admin?platform=youtube&page=1").text
    if "page 1 sur 1" not in text_of(youtube):
        assert 'href="/admin?platform=youtube&amp;page=2"' in youtube


def test_csv_has_the_whole_filtered_set_with_local_and_utc_times(filled: TestClient) -> None:
    export = filled.get("/admin/report.csv?platform=youtube")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == totals(filled.get("/admin?platform=youtube").text)["posts_seen"]
    assert {r["platform"] for r in rows} == {"youtube"}
    everything = list(csv.DictReader(io.StringIO(filled.get("/admin/report.csv").text)))
    assert len(everything) == 250  # more than a page: the whole set
    row = everything[0]
    assert row["timezone"] == "Europe/Paris" and row["mission_title"]
    # November in Paris is UTC+1: the local time is the UTC time plus one hour.
    utc, local = row["checked_at_utc"], row["checked_at_local"]
    assert utc.endswith("Z")
    assert int(local[11:13]) == (int(utc[11:13]) + 1) % 24
    assert row["published_at_local"] and row["published_at_utc"].endswith("Z")
    assert row["detail"]


def test_the_page_names_the_zone_and_shows_no_raw_instant(filled: TestClient) -> None:
    page = filled.get("/admin").text
    assert "Vérifiée (Europe/Paris)" in page
    assert "Heures du fuseau de la communauté : Europe/Paris." in text_of(page)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)
    assert "Checked (Europe/Paris)" in filled.get("/admin?lang=en").text


def test_the_console_is_called_social_missions(filled: TestClient) -> None:
    page = filled.get("/admin").text
    assert "<title>Social campaigns · Social Missions</title>" in page
    assert '<a class="brand" href="/admin">Social Missions</a>' in page
    assert "<h1>Social campaigns</h1>" in page


def test_logout_without_its_token_is_refused_and_keeps_the_session(world: World) -> None:
    with signed_in(world) as client:
        page = client.get("/admin").text
        # The report's only POST form is the log-out.
        assert re.findall(r'<form method="post" action="([^"]+)"', page) == ["/admin/logout"]
        for data in ({}, {"csrf_token": "forged"}):
            refused = client.post("/admin/logout", data=data)
            assert refused.status_code == 403
            assert "rien n'a été modifié" in text_of(refused.text)
            assert client.get("/admin").status_code == 200  # still signed in
        token = CSRF.search(page)
        assert token
        out = client.post("/admin/logout", data={"csrf_token": token.group(1)})
        assert out.status_code == 303 and out.headers["location"] == "/admin/login"
        assert client.get("/admin").status_code == 303


def test_a_long_member_id_does_not_widen_the_table(world: World) -> None:
    """A 200-character member id is shown cut to 32 characters (the whole id in its title):
    a new-user session saw one stretch the table to 2,930 px."""
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from engine.storage.models import MemberRow, SeenPostRow

    world.clock.now = NOW
    fill(world.service, 20, members=2, days=2)
    long_id = "Z" * 200
    with world.service.db.transaction() as session:
        session.add(MemberRow(id=long_id, created_at=datetime.now(UTC)))
        session.flush()
        first = session.scalars(select(SeenPostRow.id).order_by(SeenPostRow.id)).first()
        session.execute(update(SeenPostRow).where(SeenPostRow.id == first)
                        .values(member_id=long_id))
    with signed_in(world) as client:
        page = client.get("/admin").text
    assert long_id not in re.sub(r'title="[^"]*"', "", page)
    assert "Z" * 31 + "…" in page and f'title="{long_id}"' in page


def test_missions_of_the_same_title_are_told_apart_by_their_id(world: World) -> None:
    """Two missions called alike show their ids in the report's and the link form's lists."""
    from engine.service.missions import duplicate_mission, set_status

    copy = duplicate_mission(world.service, world.mission.id)
    set_status(world.service, copy.id, "published")
    with signed_in(world) as client:
        report = client.get("/admin").text
        form = client.get("/admin/members").text
    title = world.mission.title
    for mission_id in (world.mission.id, copy.id):
        assert f"{title} (#{mission_id})</option>" in report
        assert f"{title} · #{mission_id}" in form
