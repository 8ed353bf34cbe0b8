"""Conformance with YouTube's real answers in ../shared/fixtures/youtube/ (skipped when absent).

The cassettes here are assembled at test time from those real bodies, served at the URLs
PLATFORMS.md gives, so the check runs on answers the project did not write.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from youtube_support import youtube_engine

from engine.models import AccountStatus
from engine.replay import cassette
from engine.testing.cassettes import Exchange, write_cassette
from engine.verdicts import Verdict
from plugins.youtube.parsing import channel_id_from_page, parse_feed

FEED_FILE = "youtube/newpipe__feeds-videos.xml__user-Kurzgesagt__2024-07-18.xml"
NOT_FOUND_FILE = "youtube/newpipe__feeds-videos.xml__404-not-available__2024-07-18.html"
PAGE_FILE = "youtube/yt-meta__channel-videos-page-html__@hospitalrecords__2025-06.html"
KURZGESAGT = "UCsXVk37bltHxD1rDPwtNM8Q"
HOSPITAL = "UCw49uOTAJjGUdoAeUcp7tOg"
FEED_URL = "https://www.youtube.com/feeds/videos.xml?channel_id={}"
NS = {"a": "http://www.w3.org/2005/Atom", "yt": "http://www.youtube.com/xml/schemas/2015",
      "m": "http://search.yahoo.com/mrss/"}


def _expected_verdicts(feed: str, tag: str) -> dict[str, str]:
    """Verdicts worked out independently, with the standard library, from the raw feed."""
    root = ET.fromstring(feed.lstrip())
    expected = {}
    for entry in root.findall("a:entry", NS):
        video_id = entry.findtext("yt:videoId", namespaces=NS)
        text = (entry.findtext("a:title", "", NS) + " "
                + entry.findtext("m:group/m:description", "", NS))
        tags = {found.lower() for found in re.findall(r"#(\w+)", text)}
        if tag in tags:
            expected[video_id] = Verdict.MATCHED.value
        elif any(tag in found for found in tags):
            expected[video_id] = Verdict.HASHTAG_NEAR_MISS.value
        else:
            expected[video_id] = Verdict.HASHTAG_MISSING.value
    return expected


def test_real_feed_parses_to_15_videos(shared_fixtures: Path) -> None:
    body = (shared_fixtures / FEED_FILE).read_bytes()
    profile = parse_feed(b"\n  " + body, 15)  # with the leading whitespace quirk
    assert len(profile.posts) == 15
    assert profile.posts[0].id == "lPrjP4A_X4s"
    assert all(post.url.startswith("https://www.youtube.com/watch?v=") for post in profile.posts)


def test_real_channel_page_names_its_id(shared_fixtures: Path) -> None:
    page = (shared_fixtures / PAGE_FILE).read_text(encoding="utf-8")
    assert channel_id_from_page(page) == HOSPITAL


def test_check_on_real_answers_gives_the_right_verdicts(shared_fixtures: Path,
                                                        tmp_path: Path) -> None:
    feed = (shared_fixtures / FEED_FILE).read_text(encoding="utf-8")
    page = (shared_fixtures / PAGE_FILE).read_text(encoding="utf-8")
    path = write_cassette(tmp_path / "real.yaml", [
        Exchange("https://www.youtube.com/@hospitalrecords", body=page,
                 content_type="text/html; charset=utf-8"),
        Exchange(FEED_URL.format(HOSPITAL), body=feed, content_type="text/xml; charset=UTF-8"),
    ])
    engine = youtube_engine("rss")
    with cassette(path, record=False):
        outcome = engine.check(engine.account("youtube", "@HospitalRecords"), "kurzgesagt")
    assert outcome.snapshot.status is AccountStatus.OK, outcome.snapshot.detail
    assert outcome.snapshot.requests == 2
    got = {judged.post.id: judged.verdict.value for judged in outcome.posts}
    assert got == _expected_verdicts(feed, "kurzgesagt")
    assert len(got) == 15
    assert set(got.values()) >= {"matched", "hashtag_missing"}


def test_real_feed_404_after_a_good_lookup_is_unavailable(shared_fixtures: Path,
                                                           tmp_path: Path) -> None:
    page = (shared_fixtures / PAGE_FILE).read_text(encoding="utf-8")
    missing = (shared_fixtures / NOT_FOUND_FILE).read_text(encoding="utf-8")
    path = write_cassette(tmp_path / "real404.yaml", [
        Exchange("https://www.youtube.com/@hospitalrecords", body=page,
                 content_type="text/html; charset=utf-8"),
        Exchange(FEED_URL.format(HOSPITAL), status=404, body=missing,
                 content_type="text/html; charset=UTF-8"),
    ])
    engine = youtube_engine("rss")
    with cassette(path, record=False):
        snapshot = engine.snapshot(engine.account("youtube", "hospitalrecords"))
    assert snapshot.status is AccountStatus.UNAVAILABLE


def test_ytdlp_reads_the_real_videos_tab_in_one_request(shared_fixtures: Path,
                                                        tmp_path: Path) -> None:
    """The listing step of the yt-dlp backend on a real channel page (no watch pages exist)."""

    from engine.backends import CheckSession
    from engine.ytdlp_support import counting_downloader

    page = (shared_fixtures / PAGE_FILE).read_text(encoding="utf-8")
    path = write_cassette(tmp_path / "tab.yaml", [
        Exchange("https://www.youtube.com/@hospitalrecords/videos", body=page,
                 content_type="text/html; charset=utf-8")])
    engine = youtube_engine("yt-dlp")
    platform = engine.platform("youtube")
    backend = platform.backend("yt-dlp")(engine.config.platform("youtube"))
    session = CheckSession(backend=backend, http=engine.http("youtube"), cache=engine.cache,
                           limit=15, replaying=True)
    with cassette(path, record=False), \
            counting_downloader(backend._params(session), session) as ydl:
        listing = ydl.extract_info("https://www.youtube.com/@hospitalrecords/videos",
                                   download=False, process=False)
        # Only the first page: the backend stops at the limit before any continuation.
        ids = [entry["id"] for entry in itertools.islice(listing["entries"], 15)]
    assert listing["channel_id"] == HOSPITAL
    assert len(ids) == 15 and ids[0] == "54GLfp51D6o"
    assert session.requests == 1
