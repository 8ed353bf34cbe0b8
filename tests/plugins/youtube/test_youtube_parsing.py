"""Reading YouTube's answers and spelling its handles and post URLs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.core import Engine
from engine.errors import AccountNotFound, InvalidHandle, LayoutChanged, PlatformUnavailable
from engine.models import PostKind
from plugins.youtube import YOUTUBE
from plugins.youtube.parsing import channel_id_from_page, parse_feed
from plugins.youtube.ytdlp_backend import translate_error, video_from_info

CHANNEL = "UCt3rRaTr41lsQx8Lm2vNp7A"


def _feed(entries: str, channel_level: str = CHANNEL[2:]) -> str:
    return (
        ' \n\n<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n'
        f"<yt:channelId>{channel_level}</yt:channelId><title>T</title>{entries}</feed>"
    )


def _entry(video_id: str = "abcdefghijk", published: str = "2025-06-01T10:00:00+00:00",
           title: str = "Title #One", description: str = "Text #Two #5",
           channel: str | None = None) -> str:
    return (
        f"<entry><id>yt:video:{video_id}</id><yt:videoId>{video_id}</yt:videoId>"
        + (f"<yt:channelId>{channel}</yt:channelId>" if channel else "")
        + f"<title>{title}</title><published>{published}</published>"
        "<updated>2025-06-20T00:00:00+00:00</updated>"
        f"<media:group><media:title>{title}</media:title>"
        f"<media:description>{description}</media:description></media:group></entry>"
    )


class TestHandles:
    @pytest.mark.parametrize(("raw", "expected"), [
        ("@MKBHD", "mkbhd"),
        ("mkbhd", "mkbhd"),
        ("  @Terra.Trails ", "terra.trails"),
        ("https://www.youtube.com/@Terra.Trails", "terra.trails"),
        ("https://m.youtube.com/@terra.trails/videos?view=0", "terra.trails"),
        ("youtube.com/@caf%C3%A9-d%C3%A9lice", "café-délice"),
        ("@Café_Délice", "café_délice"),
        (CHANNEL, CHANNEL),
        (f"https://www.youtube.com/channel/{CHANNEL}/videos", CHANNEL),
        # A leading "@" always means a handle, never a channel id.
        (f"@{CHANNEL}", CHANNEL.lower()),
    ])
    def test_normalised(self, raw: str, expected: str) -> None:
        assert YOUTUBE.normalise_handle(raw) == expected

    @pytest.mark.parametrize("raw", ["", "@ab", "a" * 31, "@with space", "@semi;colon",
                                     "https://www.youtube.com/c/legacyname",
                                     "https://www.youtube.com/channel/UCshort"])
    def test_refused(self, raw: str) -> None:
        with pytest.raises(InvalidHandle):
            YOUTUBE.normalise_handle(raw)

    def test_engine_uses_the_rule(self) -> None:
        assert Engine().account("youtube", "@Terra.Trails").handle == "terra.trails"


class TestPostUrls:
    @pytest.mark.parametrize("url", [
        "https://www.youtube.com/watch?v=tT1match0Aa",
        "https://m.youtube.com/watch?feature=share&v=tT1match0Aa&t=10",
        "https://www.youtube.com/shorts/tT1match0Aa",
        "https://youtu.be/tT1match0Aa?si=x",
    ])
    def test_post_id(self, url: str) -> None:
        assert YOUTUBE.post_id_from_url(url) == "tT1match0Aa"

    def test_not_a_post(self) -> None:
        assert YOUTUBE.post_id_from_url("https://www.youtube.com/@terra.trails") is None

    def test_canonical_url(self) -> None:
        assert YOUTUBE.post_url("tT1match0Aa") == "https://www.youtube.com/watch?v=tT1match0Aa"


class TestFeed:
    def test_quirks(self) -> None:
        profile = parse_feed(_feed(_entry()), 15)
        (post,) = profile.posts
        assert post.published_at == datetime(2025, 6, 1, 10, tzinfo=UTC)  # not `updated`
        assert post.hashtags == ("one", "two")
        assert post.kind is PostKind.VIDEO
        assert post.url == "https://www.youtube.com/watch?v=abcdefghijk"

    def test_limit_and_order(self) -> None:
        entries = "".join(_entry(f"vid{n:08d}", f"2025-06-{n:02d}T00:00:00+00:00")
                          for n in (3, 9, 1, 5))
        posts = parse_feed(_feed(entries), 2).posts
        assert [post.id for post in posts] == ["vid00000009", "vid00000005"]

    def test_empty_channel(self) -> None:
        assert parse_feed(_feed(""), 15).posts == ()

    def test_entry_without_video_id_names_the_path(self) -> None:
        broken = _entry().replace("<yt:videoId>abcdefghijk</yt:videoId>", "").replace(
            "<id>yt:video:abcdefghijk</id>", "")
        with pytest.raises(LayoutChanged, match=r"entry\[0\]/yt:videoId"):
            parse_feed(_feed(broken), 15)

    def test_entry_without_published(self) -> None:
        with pytest.raises(LayoutChanged, match="published"):
            parse_feed(_feed(_entry(published="")), 15)

    @pytest.mark.parametrize("body", ["", "not xml", "<html><body>hi</body></html>",
                                      "<rss><channel/></rss>"])
    def test_unknown_shapes(self, body: str) -> None:
        with pytest.raises(LayoutChanged):
            parse_feed(body, 15)


class TestChannelPage:
    @pytest.mark.parametrize("snippet", [
        f'<link rel="canonical" href="https://www.youtube.com/channel/{CHANNEL}">',
        f'<meta itemprop="identifier" content="{CHANNEL}">',
        '<link rel="alternate" type="application/rss+xml" title="RSS" '
        f'href="https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}">',
        f'<script>var ytInitialData = {{"metadata": {{"channelMetadataRenderer": '
        f'{{"externalId": "{CHANNEL}"}}}}}};</script>',
    ])
    def test_each_source(self, snippet: str) -> None:
        assert channel_id_from_page(f"<html><head>{snippet}</head></html>") == CHANNEL

    def test_none_found(self) -> None:
        with pytest.raises(LayoutChanged, match="canonical"):
            channel_id_from_page("<html><head><title>YouTube</title></head></html>")


class TestYtDlpTranslation:
    def test_info_to_post(self) -> None:
        post = video_from_info({"id": "abcdefghijk", "title": "A #Tag", "description": "#5 #b",
                                "timestamp": 1749913200}, "abcdefghijk")
        assert post.hashtags == ("tag", "b")
        assert post.published_at == datetime(2025, 6, 14, 15, tzinfo=UTC)

    def test_upload_date_fallback(self) -> None:
        post = video_from_info({"id": "abcdefghijk", "upload_date": "20250614"}, "abcdefghijk")
        assert post.published_at == datetime(2025, 6, 14, tzinfo=UTC)

    def test_no_time_is_layout_changed(self) -> None:
        with pytest.raises(LayoutChanged):
            video_from_info({"id": "abcdefghijk"}, "abcdefghijk")

    def test_errors(self) -> None:
        import yt_dlp

        bot = yt_dlp.utils.DownloadError("ERROR: Sign in to confirm you're not a bot")
        assert isinstance(translate_error(bot), PlatformUnavailable)
        gone = yt_dlp.utils.DownloadError("ERROR: This channel does not exist.")
        assert isinstance(translate_error(gone), AccountNotFound)
        parse = yt_dlp.utils.DownloadError("ERROR: Unable to extract yt initial data")
        assert isinstance(translate_error(parse), LayoutChanged)
