"""Engagement numbers (issue 17): every default backend reads likes, comments, views, shares and
the account's followers from the answer it already fetches, None where the answer does not say.

Two sources: the hand-built cassettes (``scripts/cassettes/build_*.py``, through ``check --json``)
and the real payloads of ``../shared/fixtures`` (skipped when absent), whose expected numbers
are read here from the raw bodies with the standard library.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from engine.cli import main
from engine.errors import MalformedPost
from engine.models import AccountStatus, Post, Profile, read_count
from engine.testing.cassettes import Exchange, write_cassette
from engine.testing.contract import replay_snapshot
from plugins.instagram.parsing import parse_items
from scripts.cassettes import build_instagram, build_tiktok

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"
IG_PROFILE = "instagram/pgrimaud__web_profile_info__robertdowneyjr__2022-06.json"
IG_V1 = "instagram/scrapfly__graphql-user_timeline-projected-items__google__2026-06.json"
TT_USER = "tiktok/scrapfly__webapp-user-detail_userInfo__oddanimalspecimens__2026-01.json"
TT_ITEMS = "tiktok/scrapfly__post-item_list_projected__oddanimalspecimens__2026-01.json"
YT_FEED = "youtube/newpipe__feeds-videos.xml__user-Kurzgesagt__2024-07-18.xml"
YT_PAGE = "youtube/yt-meta__channel-videos-page-html__@hospitalrecords__2025-06.html"
YT_CHANNEL = "UCw49uOTAJjGUdoAeUcp7tOg"
MRSS = "{http://search.yahoo.com/mrss/}"


def _check_json(capsys: pytest.CaptureFixture[str], platform: str, handle: str, hashtag: str,
                cassette: Path, backend: str) -> dict[str, Any]:
    code = main(["check", platform, handle, "--hashtag", hashtag, "--backend", backend,
                 "--cassette", str(cassette), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def _numbers(post: dict[str, Any]) -> tuple[Any, ...]:
    return post["likes"], post["comments"], post["views"], post["shares"]


# -- the hand-built cassettes of the default backends ---------------------------------------------


def test_instagram_web_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    result = _check_json(capsys, "instagram", "lea.voyage", "summer2025",
                         CASSETTES / "instagram" / "web" / "public.yaml", "web")
    assert (result["status"], result["requests"], result["followers"]) == ("ok", 1, 1834)
    posts = {post["id"]: post for post in result["posts"]}
    assert _numbers(posts["DMatch0001a"]) == (412, 27, None, None)  # an image: no views
    assert _numbers(posts["DReel000003"]) == (1530, 41, 48210, None)
    # Its owner hid likes and views: not read (None), though the answer carries a count.
    assert _numbers(posts["DMatch0002b"]) == (None, 0, None, None)
    assert all(post["shares"] is None for post in result["posts"])  # Instagram has none


def test_tiktok_web_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    result = _check_json(capsys, "tiktok", build_tiktok.PUBLIC, "summer",
                         CASSETTES / "tiktok" / "web" / "public.yaml", "web")
    assert (result["status"], result["requests"]) == ("ok", 2)
    assert result["followers"] == build_tiktok.FOLLOWERS  # statsV2's exact count, not 15400
    posts = {post["url"].rsplit("/", 1)[1]: post for post in result["posts"]}
    beach, blank = (str(7_500_000_000_000_000_000 + n * 1_000_003) for n in (2, 10))
    # statsV2 (exact text) wins over stats (rounded: 48200 plays).
    assert _numbers(posts[beach]) == (3127, 96, 48213, 41)
    assert _numbers(posts[blank]) == (None, None, None, None)  # no stats in the answer


def test_tiktok_warm_check_reads_followers_from_the_items(tmp_path: Path) -> None:
    """A warm check (secUid cached) reads no page: the items' authorStats give followers."""
    from engine.cache import MemoryCache
    from engine.config import config_from_mapping
    from engine.core import Engine

    engine = Engine(config_from_mapping({"platforms": {"tiktok": {"backends": ["web"]}}}),
                    cache=MemoryCache(), replaying=True)
    public = CASSETTES / "tiktok" / "web" / "public.yaml"
    replay_snapshot("tiktok", build_tiktok.PUBLIC, "web", public, engine=engine)
    warm = write_cassette(tmp_path / "warm.yaml", [
        Exchange(build_tiktok.web_item_list_url(build_tiktok.PUBLIC_SECUID),
                 body=build_tiktok.item_list_answer(build_tiktok.public_items()))])
    snapshot = replay_snapshot("tiktok", build_tiktok.PUBLIC, "web", warm, engine=engine)
    assert (snapshot.status, snapshot.requests) == (AccountStatus.OK, 1)
    assert snapshot.followers == build_tiktok.FOLLOWERS


def test_youtube_rss_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    result = _check_json(capsys, "youtube", "terra.trails", "summer2025",
                         CASSETTES / "youtube" / "rss" / "public.yaml", "rss")
    assert result["status"] == "ok" and result["followers"] is None  # the feed has none
    posts = {post["id"]: post for post in result["posts"]}
    assert _numbers(posts["tT1match0Aa"]) == (2917, None, 58342, None)
    assert _numbers(posts["tT2descMtBb"]) == (312, None, 10234, None)
    assert _numbers(posts["tT7noTagsGg"]) == (None, None, None, None)  # no media:community


# -- real payloads (../shared/fixtures) ------------------------------------------------------------


def test_instagram_real_web_profile_info(shared_fixtures: Path, tmp_path: Path) -> None:
    body = json.loads((shared_fixtures / IG_PROFILE).read_text(encoding="utf-8"))
    user = body["data"]["user"]
    path = write_cassette(tmp_path / "real.yaml", [
        Exchange(build_instagram.URL.format("robertdowneyjr"), body=body)])
    snapshot = replay_snapshot("instagram", "robertdowneyjr", "web", path)
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert snapshot.followers == user["edge_followed_by"]["count"] == 52_979_346
    nodes = {edge["node"]["shortcode"]: edge["node"]
             for edge in user["edge_owner_to_timeline_media"]["edges"]}
    assert len(snapshot.posts) == 12
    for post in snapshot.posts:
        node = nodes[post.id]
        assert post.likes == node["edge_liked_by"]["count"] > 0
        assert post.comments == node["edge_media_to_comment"]["count"]
        assert post.views == node.get("video_view_count")  # videos only
        assert post.shares is None
    assert {post.views is None for post in snapshot.posts} == {True, False}


def test_instagram_real_v1_items(shared_fixtures: Path) -> None:
    items = json.loads((shared_fixtures / IG_V1).read_text(encoding="utf-8"))
    posts = {post.id: post for post in parse_items(items)}
    for item in items:
        post = posts[item["shortcode"]]
        assert (post.likes, post.comments) == (item["like_count"], item["comment_count"])
        assert post.views is None and post.shares is None  # projected without play counts


def test_tiktok_real_answers(shared_fixtures: Path, tmp_path: Path) -> None:
    user_info = json.loads((shared_fixtures / TT_USER).read_text(encoding="utf-8"))[0]
    items = json.loads((shared_fixtures / TT_ITEMS).read_text(encoding="utf-8"))[:10]
    state = {"__DEFAULT_SCOPE__": {"webapp.user-detail": {"userInfo": user_info,
                                                          "statusCode": 0, "statusMsg": ""}}}
    page = build_tiktok.page("oddanimalspecimens", state)
    query = urlencode({"aid": "1988", "app_name": "tiktok_web", "channel": "tiktok_web",
                       "device_platform": "web_pc", "type": "1", "count": "13",
                       "secUid": user_info["user"]["secUid"], "cursor": "0", "device_id": "1"})
    path = write_cassette(tmp_path / "real.yaml", [
        Exchange("https://www.tiktok.com/@oddanimalspecimens", body=page,
                 content_type="text/html; charset=utf-8"),
        Exchange(f"https://www.tiktok.com/api/creator/item_list/?{query}",
                 body={"itemList": items, "hasMore": True, "statusCode": 0})])
    snapshot = replay_snapshot("tiktok", "oddanimalspecimens", "web", path)
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    # statsV2 gives "4001943" as text; stats the rounded 4000000.
    assert snapshot.followers == int(user_info["statsV2"]["followerCount"]) == 4_001_943
    stats = {item["id"]: item["stats"] for item in items}
    assert len(snapshot.posts) == 10
    for post in snapshot.posts:
        expected = stats[post.id]
        assert (post.views, post.likes, post.comments, post.shares) == (
            expected["playCount"], expected["diggCount"], expected["commentCount"],
            expected["shareCount"])


def test_youtube_real_feed(shared_fixtures: Path, tmp_path: Path) -> None:
    feed = (shared_fixtures / YT_FEED).read_text(encoding="utf-8")
    path = write_cassette(tmp_path / "real.yaml", [
        Exchange("https://www.youtube.com/@hospitalrecords",
                 body=(shared_fixtures / YT_PAGE).read_text(encoding="utf-8"),
                 content_type="text/html; charset=utf-8"),
        Exchange(f"https://www.youtube.com/feeds/videos.xml?channel_id={YT_CHANNEL}", body=feed,
                 content_type="text/xml; charset=UTF-8")])
    snapshot = replay_snapshot("youtube", "@HospitalRecords", "rss", path)
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert snapshot.followers is None
    expected = {}
    for entry in ET.fromstring(feed.lstrip()).iter("{http://www.w3.org/2005/Atom}entry"):
        community = entry.find(f"{MRSS}group/{MRSS}community")
        assert community is not None
        expected[entry.findtext("{http://www.youtube.com/xml/schemas/2015}videoId")] = (
            int(community.find(f"{MRSS}starRating").get("count")),  # type: ignore[union-attr,arg-type]
            int(community.find(f"{MRSS}statistics").get("views")))  # type: ignore[union-attr,arg-type]
    assert len(snapshot.posts) == len(expected) == 15
    for post in snapshot.posts:
        assert (post.likes, post.views) == expected[post.id]
        assert post.comments is None and post.shares is None


# -- malformed and hidden values -----------------------------------------------------------------


@pytest.mark.parametrize(("value", "count"), [
    (0, 0), (12, 12), ("4001943", 4_001_943), (" 7 ", 7), (12.0, 12), (None, None), ("", None),
    (-1, None)])
def test_read_count_accepts(value: object, count: int | None) -> None:
    assert read_count(value, "stats.playCount") == count


@pytest.mark.parametrize("value", [True, False, -2, 1.5, "12k", "-3", [], {}])
def test_read_count_refuses_naming_the_field(value: object) -> None:
    with pytest.raises(MalformedPost, match=r"stats\.playCount"):
        read_count(value, "stats.playCount")


@pytest.mark.parametrize("name", ["likes", "comments", "views", "shares"])
@pytest.mark.parametrize("value", [True, -5, "10", 2.0])
def test_post_refuses_what_is_not_a_count(name: str, value: object) -> None:
    with pytest.raises(MalformedPost, match=f"post p1: {name}"):
        Post(platform="tiktok", id="p1", url="https://www.tiktok.com/@a/video/1",
             published_at=datetime(2026, 1, 1, tzinfo=UTC), **{name: value})  # type: ignore[arg-type]


def test_profile_refuses_followers_that_are_not_a_count() -> None:
    with pytest.raises(MalformedPost, match="followers"):
        Profile(public=True, followers=-3)


def test_malformed_count_is_layout_changed_naming_the_field(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    node = build_instagram.node("DBad0000001", "GraphImage", build_instagram.NOW, "#summer2025")
    node["edge_liked_by"] = {"count": "many"}
    path = write_cassette(tmp_path / "bad.yaml", [Exchange(
        build_instagram.URL.format("lea.voyage"), body=build_instagram.profile("lea.voyage", [node]))])
    code = main(["check", "instagram", "lea.voyage", "--hashtag", "summer2025", "--backend", "web",
                 "--cassette", str(path), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code != 0 and result["status"] == "layout_changed"
    assert "edge_liked_by.count" in result["detail"] and "'many'" in result["detail"]
