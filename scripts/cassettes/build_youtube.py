"""Build the YouTube cassettes under cassettes/youtube/<backend>/ in YouTube's real formats.

Channel pages carry the id where YouTube puts it (canonical link, ``itemprop="identifier"``, the
RSS alternate link, ``ytInitialData.metadata.channelMetadataRenderer.externalId``); feeds are Atom
with the ``yt:`` and ``media:`` extensions and their quirks (whitespace before the XML
declaration, feed-level channel id without ``UC``); Data API bodies follow v3's JSON; watch pages
embed ``ytInitialPlayerResponse`` and ``ytInitialData`` as yt-dlp reads them. API keys are never
written: the Data API requests are recorded without ``key``, as replay filters it.

Run from the repository root: ``python -m scripts.cassettes.build_youtube``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from engine.testing.cassettes import Exchange, write_cassette

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "youtube"
WWW = "https://www.youtube.com"
FEED = WWW + "/feeds/videos.xml?channel_id={}"
API = "https://www.googleapis.com/youtube/v3"
NOW = datetime(2025, 6, 15, 15, 6, 40, tzinfo=UTC)
HTML = "text/html; charset=utf-8"
ATOM = "text/xml; charset=UTF-8"


@dataclass(frozen=True)
class Video:
    id: str
    days_ago: float
    title: str
    description: str = ""
    short: bool = False
    # The feed's media:statistics@views and media:starRating@count; None leaves it out.
    views: int | None = 10_234
    likes: int | None = 312

    @property
    def published(self) -> datetime:
        return (NOW - timedelta(days=self.days_ago)).replace(microsecond=0)


@dataclass(frozen=True)
class Channel:
    handle: str
    id: str
    title: str
    videos: tuple[Video, ...]
    about: str | None = None  # the channel description; a default sentence when None

    @property
    def description(self) -> str:
        return self.about if self.about is not None else f"The official {self.title} channel"

    @property
    def uploads(self) -> str:
        return "UU" + self.id[2:]


TRAILS = Channel("terra.trails", "UCt3rRaTr41lsQx8Lm2vNp7A", "Terra Trails", (
    Video("tT1match0Aa", 0.5, "Col de la Croix at dawn #summer2025 #alps",
          "Four hours up, worth every step.\n\nGear list below.\n#hiking", views=58_342,
          likes=2_917),
    Video("tT2descMtBb", 1.2, "Lake swim after the ridge",
          "We finally made it to the lake.\n\n#Summer2025 #lakes #5"),
    Video("tT3nearMsCc", 2.0, "Typo in the tag #sumer2025", "Oops, wrong tag this time."),
    Video("tT4accentDd", 3.1, "Accents everywhere",
          "Tagged with an accent by mistake #summér2025 #montagne"),
    Video("tT5extraEe-", 4.0, "Vlog day 5",
          "Daily vlog #summer2025vlog\nPart #5 of the series #2025"),
    Video("tT6numberFf", 5.0, "Top 5 trails #5 #10", "Numbers are not tags: #1 #2025"),
    Video("tT7noTagsGg", 6.0, "Rest day", "No tags at all today.", views=None, likes=None),
    Video("tT8otherHh_", 7.0, "Winter memories #winter2025", "#ski #snow"),
    Video("tT9descDeep", 8.0, "Gear review: boots",
          "Links:\nhttps://example.com/boots\n\nChapters:\n0:00 intro\n3:10 verdict\n\n"
          "Filmed for the #summer2025 challenge."),
    Video("tT10shortII", 9.0, "Sunrise in 30 seconds #shorts #summer2025", "", short=True),
    Video("tT11capsJJj", 10.0, "BIG NEWS #SUMMER2025", "Announcing the tour."),
    Video("tT12plainKk", 11.0, "Summer 2025 plans (no hashtag)",
          "summer2025 without the hash does not count"),
    Video("tT13seasonL", 12.0, "Just summer #summer", "#summertime"),
    Video("tT14mentnMm", 13.0, "Collab with @summer2025", "Thanks @summer2025 for the ride"),
    Video("tT15oldMatN", 40.0, "Spring recap #summer2025", "Old but tagged"),
))

SHORTS = Channel("quick.cuts", "UCq1u1cKcUt5Zs8hOrTsAbCd", "Quick Cuts", tuple(
    Video(f"qC{n:02d}short{'x' * 2}", n * 0.7, f"Tip #{n} in 20s #shorts"
          + (" #summer2025" if n % 4 == 0 else ""),
          "Follow for more #shorts" if n % 3 else "", short=True)
    for n in range(1, 14)
) + (
    Video("qC14longvid", 10.0, "The long version of every tip", "Full tutorial #tutorial"),
    Video("qC15longvi2", 11.0, "Q&A #summer2025", "Questions from the comments"),
))

CHANNEL_ID_ONLY = TRAILS  # the check by "UC…" id reads the same channel


# -- channel and watch pages --------------------------------------------------------------


def _ytcfg() -> str:
    config = {"INNERTUBE_CLIENT_NAME": "WEB", "INNERTUBE_CLIENT_VERSION": "2.20250613.00.00",
              "INNERTUBE_CONTEXT": {"client": {"hl": "en", "gl": "US", "clientName": "WEB",
                                               "clientVersion": "2.20250613.00.00"}},
              "VISITOR_DATA": "CgtYdDNzTXpQZ3dfRSiAkL3CBjIKCgJGUhIEGgAgSw%3D%3D"}
    return f"ytcfg.set({json.dumps(config)});"


def _video_renderer(video: Video) -> dict[str, Any]:
    return {"richItemRenderer": {"content": {"videoRenderer": {
        "videoId": video.id,
        "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video.id}/hqdefault.jpg",
                                      "width": 336, "height": 188}]},
        "title": {"runs": [{"text": video.title}],
                  "accessibility": {"accessibilityData": {"label": f"{video.title} 4 minutes"}}},
        "descriptionSnippet": {"runs": [{"text": video.description[:100]}]},
        "publishedTimeText": {"simpleText": f"{max(1, int(video.days_ago))} days ago"},
        "lengthText": {"accessibility": {"accessibilityData": {"label": "4 minutes, 12 seconds"}},
                       "simpleText": "4:12"},
        "viewCountText": {"simpleText": "1,234 views"},
        "navigationEndpoint": {
            "commandMetadata": {"webCommandMetadata": {"url": f"/watch?v={video.id}",
                                                       "webPageType": "WEB_PAGE_TYPE_WATCH",
                                                       "rootVe": 3832}},
            "watchEndpoint": {"videoId": video.id}},
        "shortViewCountText": {"simpleText": "1.2K views"},
    }}}}


def _short_renderer(video: Video) -> dict[str, Any]:
    """A Shorts tab item as YouTube serves it since 2024 (``shortsLockupViewModel``)."""
    return {"richItemRenderer": {"content": {"shortsLockupViewModel": {
        "entityId": f"shorts-shelf-item-{video.id}",
        "accessibilityText": f"{video.title}, 1.2K views - play Short",
        "thumbnail": {"sources": [{"url": f"https://i.ytimg.com/vi/{video.id}/oar2.jpg",
                                   "width": 405, "height": 720}]},
        "onTap": {"innertubeCommand": {
            "commandMetadata": {"webCommandMetadata": {
                "url": f"/shorts/{video.id}", "webPageType": "WEB_PAGE_TYPE_SHORTS",
                "rootVe": 37414}},
            "reelWatchEndpoint": {"videoId": video.id, "playerParams": "8AEBoAMEyAMkuAQF",
                                  "sequenceProvider": "REEL_WATCH_SEQUENCE_PROVIDER_RPC"}}},
        "overlayMetadata": {"primaryText": {"content": video.title},
                            "secondaryText": {"content": "1.2K views"}},
    }}}}


def channel_page(channel: Channel, tab: str) -> str:
    """The channel page (``/@h`` with the Home tab, or ``/@h/videos``) as YouTube serves it."""
    tabs = []
    for title, path in (("Home", "featured"), ("Videos", "videos"), ("Shorts", "shorts")):
        selected = path == tab
        renderer: dict[str, Any] = {
            "endpoint": {"commandMetadata": {"webCommandMetadata": {
                "url": f"/@{channel.handle}/{path}", "webPageType": "WEB_PAGE_TYPE_CHANNEL",
                "rootVe": 3611, "apiUrl": "/youtubei/v1/browse"}},
                "browseEndpoint": {"browseId": channel.id, "params": "EgZ2aWRlb3PyBgQKAjoA",
                                   "canonicalBaseUrl": f"/@{channel.handle}"}},
            "title": title,
        }
        if selected:
            renderer["selected"] = True
            items = ([_video_renderer(v) for v in channel.videos if not v.short]
                     if path == "videos" else
                     [_short_renderer(v) for v in channel.videos if v.short]
                     if path == "shorts" else [])
            renderer["content"] = {"richGridRenderer": {"contents": items}}
        tabs.append({"tabRenderer": renderer})
    canonical = f"{WWW}/channel/{channel.id}"
    data = {
        "responseContext": {"serviceTrackingParams": [{"service": "GFEEDBACK", "params": [
            {"key": "route", "value": f"channel.{tab}"},
            {"key": "browse_id", "value": channel.id}]}]},
        "contents": {"twoColumnBrowseResultsRenderer": {"tabs": tabs}},
        "header": {"pageHeaderRenderer": {"pageTitle": channel.title}},
        "metadata": {"channelMetadataRenderer": {
            "title": channel.title, "description": channel.description,
            "rssUrl": FEED.format(channel.id), "externalId": channel.id,
            "keywords": "travel outdoors", "ownerUrls": [f"http://www.youtube.com/@{channel.handle}"],
            "channelUrl": canonical, "isFamilySafe": True,
            "vanityChannelUrl": f"http://www.youtube.com/@{channel.handle}"}},
        "microformat": {"microformatDataRenderer": {
            "urlCanonical": canonical, "title": channel.title,
            "description": channel.description, "siteName": "YouTube",
            "ogType": "yt-fb-app:channel", "noindex": False, "unlisted": False,
            "familySafe": True, "tags": ["travel", "outdoors"]}},
    }
    suffix = "" if tab == "featured" else f"/{tab}"
    return (
        '<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" '
        'lang="en" system-icons typography><head>'
        f'<title>{escape(channel.title)} - YouTube</title>'
        f'<link rel="canonical" href="{canonical}">'
        f'<meta property="og:url" content="{canonical}">'
        f'<meta itemprop="identifier" content="{channel.id}">'
        f'<link rel="alternate" media="handheld" href="https://m.youtube.com/@{channel.handle}'
        f'{suffix}">'
        f'<link rel="alternate" type="application/rss+xml" title="RSS" '
        f'href="{FEED.format(channel.id)}">'
        f'<script nonce="Xq7vB2">{_ytcfg()}</script></head><body>'
        f'<script nonce="Xq7vB2">var ytInitialData = {json.dumps(data)};</script>'
        '<div id="content"></div></body></html>'
    )


def watch_page(channel: Channel, video: Video) -> str:
    """A watch page with the web client's player response, as yt-dlp reads metadata from it."""
    published = video.published.astimezone(UTC).isoformat()
    player = {
        "responseContext": {"serviceTrackingParams": []},
        "playabilityStatus": {"status": "OK", "playableInEmbed": True},
        "videoDetails": {
            "videoId": video.id, "title": video.title, "lengthSeconds": "252",
            "keywords": ["travel"], "channelId": channel.id, "isOwnerViewing": False,
            "shortDescription": video.description, "isCrawlable": True,
            "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video.id}/hqdefault.jpg",
                                          "width": 480, "height": 360}]},
            "allowRatings": True, "viewCount": "1234", "author": channel.title,
            "isPrivate": False, "isUnpluggedCorpus": False, "isLiveContent": False},
        "microformat": {"playerMicroformatRenderer": {
            "title": {"simpleText": video.title}, "description": {"simpleText": video.description},
            "lengthSeconds": "252", "ownerProfileUrl": f"http://www.youtube.com/@{channel.handle}",
            "externalChannelId": channel.id, "isFamilySafe": True, "isUnlisted": False,
            "hasYpcMetadata": False, "viewCount": "1234", "category": "Travel & Events",
            "publishDate": published, "ownerChannelName": channel.title,
            "uploadDate": published, "isShortsEligible": video.short}},
    }
    initial = {"responseContext": {"serviceTrackingParams": []},
               "contents": {"twoColumnWatchNextResults": {"results": {"results": {
                   "contents": []}}}},
               "currentVideoEndpoint": {"watchEndpoint": {"videoId": video.id}}}
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{escape(video.title)} - YouTube</title>'
        f'<link rel="canonical" href="{WWW}/watch?v={video.id}">'
        f'<script nonce="Xq7vB2">{_ytcfg()}</script></head><body>'
        f'<script nonce="Xq7vB2">var ytInitialPlayerResponse = {json.dumps(player)};</script>'
        f'<script nonce="Xq7vB2">var ytInitialData = {json.dumps(initial)};</script>'
        '</body></html>'
    )


def not_found_page() -> str:
    """YouTube's answer to an unknown handle: a 404 page without any channel id."""
    return ('<!DOCTYPE html><html lang="en"><head><title>404 Not Found</title></head><body>'
            '<div id="error-page"><p>This page isn\'t available. Sorry about that.</p>'
            '<p>Try searching for something else.</p></div></body></html>')


GOOGLE_404 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1"
    "</title>\n  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
    "  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>/feeds/videos.xml"
    "?channel_id={}</code> was not found on this server.  <ins>That’s all we know.</ins>\n"
)
GOOGLE_500 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 500 (Server Error)!!1"
    "</title>\n  <p><b>500.</b> <ins>That’s an error.</ins>\n  <p>There was an error. Please try "
    "again later.  <ins>That’s all we know.</ins>\n"
)


# -- the feed ------------------------------------------------------------------------------


def _community(video: Video) -> str:
    """An entry's ``media:community``: its likes and views (left out where None)."""
    lines = []
    if video.likes is not None:
        lines.append(f'    <media:starRating count="{video.likes}" average="5.00" min="1" '
                     'max="5"/>\n')
    if video.views is not None:
        lines.append(f'    <media:statistics views="{video.views}"/>\n')
    return "   <media:community>\n" + "".join(lines) + "   </media:community>\n" if lines else ""


def feed(channel: Channel) -> str:
    """The uploads feed, with the whitespace YouTube sometimes sends before the declaration."""
    def author(pad: str) -> str:
        return (f"{pad}<author>\n{pad} <name>{escape(channel.title)}</name>\n"
                f"{pad} <uri>{WWW}/channel/{channel.id}</uri>\n{pad}</author>\n")

    entries = []
    for video in channel.videos:
        updated = video.published + timedelta(hours=5, minutes=13)  # moves with view counts
        entries.append(
            " <entry>\n"
            f"  <id>yt:video:{video.id}</id>\n"
            f"  <yt:videoId>{video.id}</yt:videoId>\n"
            f"  <yt:channelId>{channel.id}</yt:channelId>\n"
            f"  <title>{escape(video.title)}</title>\n"
            f'  <link rel="alternate" href="{WWW}/watch?v={video.id}"/>\n'
            + author("  ") +
            f"  <published>{video.published.isoformat()}</published>\n"
            f"  <updated>{updated.isoformat()}</updated>\n"
            "  <media:group>\n"
            f"   <media:title>{escape(video.title)}</media:title>\n"
            f'   <media:content url="{WWW}/v/{video.id}?version=3" '
            'type="application/x-shockwave-flash" width="640" height="390"/>\n'
            f'   <media:thumbnail url="https://i1.ytimg.com/vi/{video.id}/hqdefault.jpg" '
            'width="480" height="360"/>\n'
            f"   <media:description>{escape(video.description)}</media:description>\n"
            + _community(video) +
            "  </media:group>\n"
            " </entry>\n"
        )
    return (
        '  \n<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n'
        f' <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={channel.id}"/>\n'
        f" <id>yt:channel:{channel.id[2:]}</id>\n"
        f" <yt:channelId>{channel.id[2:]}</yt:channelId>\n"
        f" <title>{escape(channel.title)}</title>\n"
        f' <link rel="alternate" href={quoteattr(WWW + "/channel/" + channel.id)}/>\n'
        + author(" ") +
        " <published>2019-03-02T09:12:44+00:00</published>\n"
        + "".join(entries) + "</feed>\n"
    )


# -- Data API ------------------------------------------------------------------------------


def api_channels(channel: Channel) -> dict[str, Any]:
    return {"kind": "youtube#channelListResponse", "etag": "x8KpQ2c3Rm5b1vA7",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [{"kind": "youtube#channel", "etag": "Zq3bC9vR1mT5",
                       "id": channel.id,
                       "snippet": {"title": channel.title, "description": channel.description,
                                   "customUrl": f"@{channel.handle}",
                                   "publishedAt": "2019-03-02T10:00:00Z"},
                       "contentDetails": {"relatedPlaylists": {"likes": "",
                                                               "uploads": channel.uploads}}}]}


def api_playlist(channel: Channel) -> dict[str, Any]:
    items = []
    for position, video in enumerate(channel.videos):
        published = video.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        items.append({
            "kind": "youtube#playlistItem", "etag": f"e{position:02d}Qm7",
            "id": f"VVV{channel.id[2:]}{position:04d}",
            "snippet": {
                "publishedAt": published, "channelId": channel.id, "title": video.title,
                "description": video.description,
                "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{video.id}/default.jpg",
                                           "width": 120, "height": 90}},
                "channelTitle": channel.title, "playlistId": channel.uploads,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": video.id},
                "videoOwnerChannelTitle": channel.title, "videoOwnerChannelId": channel.id}})
    return {"kind": "youtube#playlistItemListResponse", "etag": "pL7vQ2",
            "nextPageToken": "EAAaBlBUOkNBOA", "items": items,
            "pageInfo": {"totalResults": 212, "resultsPerPage": 15}}


def api_error(code: int, message: str, reason: str, domain: str, status: str,
              detail_reason: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message,
                             "errors": [{"message": message, "domain": domain, "reason": reason}],
                             "status": status}
    if detail_reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": detail_reason, "domain": "googleapis.com",
                             "metadata": {"service": "youtube.googleapis.com"}}]
    return {"error": error}


def channels_url(channel: Channel | None = None, *, handle: str | None = None,
                 by_id: str | None = None) -> str:
    if by_id:
        return f"{API}/channels?part=contentDetails%2Csnippet&id={by_id}"
    name = handle or (channel.handle if channel else "")
    return f"{API}/channels?part=contentDetails%2Csnippet&forHandle=%40{name}"


def playlist_url(channel: Channel, limit: int = 15) -> str:
    return f"{API}/playlistItems?part=snippet&maxResults={limit}&playlistId={channel.uploads}"


# -- the cassettes -------------------------------------------------------------------------


def _page(channel: Channel, status: int = 200) -> Exchange:
    return Exchange(f"{WWW}/@{channel.handle}", status=status, body=channel_page(channel,
                    "featured"), content_type=HTML)


def _feed(channel: Channel) -> Exchange:
    return Exchange(FEED.format(channel.id), body=feed(channel), content_type=ATOM,
                    headers={"Cache-Control": "public, max-age=900"})


def build_rss() -> None:
    root = ROOT / "rss"
    write_cassette(root / "public.yaml", [_page(TRAILS), _feed(TRAILS)])
    write_cassette(root / "shorts.yaml", [_page(SHORTS), _feed(SHORTS)])
    write_cassette(root / "channel_id.yaml", [_feed(CHANNEL_ID_ONLY)])
    write_cassette(root / "not_found.yaml", [
        Exchange(f"{WWW}/@no.such.channel.404", status=404, body=not_found_page(),
                 content_type=HTML)])
    write_cassette(root / "feed_404.yaml", [
        _page(TRAILS),
        Exchange(FEED.format(TRAILS.id), status=404, body=GOOGLE_404.format(TRAILS.id),
                 content_type=HTML)])
    write_cassette(root / "feed_500.yaml", [
        _page(TRAILS),
        Exchange(FEED.format(TRAILS.id), status=500, body=GOOGLE_500, content_type=HTML)])
    write_cassette(root / "rate_limited.yaml", [
        Exchange(f"{WWW}/@{TRAILS.handle}", status=429, body=GOOGLE_500.replace("500", "429"),
                 content_type=HTML)])
    # The feed server changed its format: RSS 2.0 instead of Atom.
    write_cassette(root / "unknown_shape.yaml", [
        _page(TRAILS),
        Exchange(FEED.format(TRAILS.id), content_type=ATOM, body=(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{TRAILS.title}</title><item><guid>{TRAILS.videos[0].id}</guid>"
            f"<title>{escape(TRAILS.videos[0].title)}</title></item></channel></rss>\n"))])
    # A channel page that no longer names the channel id anywhere we look.
    write_cassette(root / "page_unknown_shape.yaml", [
        Exchange(f"{WWW}/@{TRAILS.handle}", content_type=HTML,
                 body='<!DOCTYPE html><html><head><title>Terra Trails - YouTube</title></head>'
                      '<body><script>var ytInitialData = {"contents": {}};</script></body></html>')])
    # An id typed as such whose feed answers 404, and whose channel page does too.
    gone = "UCg0neGoneGoneGoneGone00"
    write_cassette(root / "channel_id_gone.yaml", [
        Exchange(FEED.format(gone), status=404, body=GOOGLE_404.format(gone), content_type=HTML),
        Exchange(f"{WWW}/channel/{gone}", status=404, body=not_found_page(), content_type=HTML)])
    # A cached id whose feed answers 404 while the handle now names another channel.
    moved = Channel(TRAILS.handle, "UCn3wTerraTrailsChannel1", TRAILS.title, TRAILS.videos)
    write_cassette(root / "handle_moved.yaml", [
        Exchange(FEED.format(TRAILS.id), status=404, body=GOOGLE_404.format(TRAILS.id),
                 content_type=HTML),
        _page(moved), _feed(moved)])


def build_data_api() -> None:
    root = ROOT / "data-api"
    write_cassette(root / "public.yaml", [
        Exchange(channels_url(TRAILS), body=api_channels(TRAILS)),
        Exchange(playlist_url(TRAILS), body=api_playlist(TRAILS))])
    write_cassette(root / "shorts.yaml", [
        Exchange(channels_url(SHORTS), body=api_channels(SHORTS)),
        Exchange(playlist_url(SHORTS), body=api_playlist(SHORTS))])
    write_cassette(root / "channel_id.yaml", [
        Exchange(channels_url(by_id=TRAILS.id), body=api_channels(TRAILS)),
        Exchange(playlist_url(TRAILS), body=api_playlist(TRAILS))])
    write_cassette(root / "not_found.yaml", [
        Exchange(channels_url(handle="no.such.channel.404"),
                 body={"kind": "youtube#channelListResponse", "etag": "RuuXzTIr0OoDqI4S0RU6n4FqKEM",
                       "pageInfo": {"totalResults": 0, "resultsPerPage": 5}})])
    write_cassette(root / "quota_exceeded.yaml", [
        Exchange(channels_url(TRAILS), status=403, body=api_error(
            403, "The request cannot be completed because you have exceeded your "
            '<a href="/youtube/v3/getting-started#quota">quota</a>.', "quotaExceeded",
            "youtube.quota", "PERMISSION_DENIED"))])
    write_cassette(root / "bad_key.yaml", [
        Exchange(channels_url(TRAILS), status=400, body=api_error(
            400, "API key not valid. Please pass a valid API key.", "badRequest", "global",
            "INVALID_ARGUMENT", detail_reason="API_KEY_INVALID"))])
    # playlistItems.list says 15 uploads (pageInfo.totalResults) and carries no item.
    held = api_playlist(TRAILS)
    held["items"] = []
    write_cassette(root / "held_back.yaml", [
        Exchange(channels_url(TRAILS), body=api_channels(TRAILS)),
        Exchange(playlist_url(TRAILS), body=held)])
    broken = api_playlist(TRAILS)
    for item in broken["items"]:
        item["contentDetails"] = {"videoId": item["snippet"]["resourceId"]["videoId"]}
        del item["snippet"]
    write_cassette(root / "unknown_shape.yaml", [
        Exchange(channels_url(TRAILS), body=api_channels(TRAILS)),
        Exchange(playlist_url(TRAILS), body=broken)])


def _watch(channel: Channel, video: Video) -> Exchange:
    return Exchange(f"{WWW}/watch?v={video.id}&bpctr=9999999999&has_verified=1",
                    body=watch_page(channel, video), content_type=HTML)


RESOLVE_URL = f"{WWW}/youtubei/v1/navigation/resolve_url?prettyPrint=false"


def _resolve_url(status: int, body: dict[str, Any]) -> Exchange:
    """yt-dlp's fallback when the channel page fails: innertube's resolve_url (a POST)."""
    return Exchange(RESOLVE_URL, method="POST", status=status, body=body)


def _tabs(channel: Channel, base: str) -> list[Exchange]:
    """The Videos and Shorts tabs of ``channel`` at ``base`` (``/@h`` or ``/channel/UC…``),
    then the watch pages a merge of both reads: every video, newest first (15 at most)."""
    newest = sorted(channel.videos, key=lambda video: video.published, reverse=True)[:15]
    return [Exchange(f"{base}/videos", body=channel_page(channel, "videos"), content_type=HTML),
            Exchange(f"{base}/shorts", body=channel_page(channel, "shorts"), content_type=HTML),
            *[_watch(channel, video) for video in newest]]


def build_ytdlp() -> None:
    root = ROOT / "yt-dlp"
    write_cassette(root / "public.yaml", _tabs(TRAILS, f"{WWW}/@{TRAILS.handle}"))
    write_cassette(root / "channel_id.yaml", _tabs(TRAILS, f"{WWW}/channel/{TRAILS.id}"))
    write_cassette(root / "shorts.yaml", _tabs(SHORTS, f"{WWW}/@{SHORTS.handle}"))
    # A channel without a Shorts tab: YouTube serves the Home tab for /shorts.
    long_only = Channel(TRAILS.handle, TRAILS.id, TRAILS.title,
                        tuple(video for video in TRAILS.videos if not video.short))
    no_shorts = _tabs(long_only, f"{WWW}/@{TRAILS.handle}")
    no_shorts[1] = Exchange(f"{WWW}/@{TRAILS.handle}/shorts", content_type=HTML,
                            body=channel_page(long_only, "featured"))
    write_cassette(root / "no_shorts_tab.yaml", no_shorts)
    write_cassette(root / "not_found.yaml", [
        Exchange(f"{WWW}/@no.such.channel.404/videos", status=404, body=not_found_page(),
                 content_type=HTML),
        _resolve_url(404, api_error(404, "Requested entity was not found.", "notFound",
                                    "global", "NOT_FOUND"))])
    write_cassette(root / "rate_limited.yaml", [
        Exchange(f"{WWW}/@{TRAILS.handle}/videos", status=429,
                 body=GOOGLE_500.replace("500", "429"), content_type=HTML),
        _resolve_url(429, api_error(429, "Resource has been exhausted (e.g. check quota).",
                                    "rateLimitExceeded", "global", "RESOURCE_EXHAUSTED"))])
    write_cassette(root / "unknown_shape.yaml", [
        Exchange(f"{WWW}/@{TRAILS.handle}/videos", content_type=HTML,
                 body='<!DOCTYPE html><html><head><title>Terra Trails - YouTube</title></head>'
                      '<body><div id="app"></div></body></html>'),
        _resolve_url(200, {"responseContext": {"serviceTrackingParams": []},
                           "endpoint": {"urlEndpoint": {"url": "/@terra.trails/videos"}}})])


def private_watch_page(video: Video) -> str:
    """The watch page of a video made private after it was listed."""
    player = {"responseContext": {"serviceTrackingParams": []},
              "playabilityStatus": {"status": "LOGIN_REQUIRED", "reason": "Private video",
                                    "messages": ["This is a private video. Please sign in to "
                                                 "verify that you may see it."]}}
    initial = {"responseContext": {"serviceTrackingParams": []},
               "contents": {"twoColumnWatchNextResults": {"results": {"results": {
                   "contents": []}}}},
               "currentVideoEndpoint": {"watchEndpoint": {"videoId": video.id}}}
    return ('<!DOCTYPE html><html lang="en"><head><title> - YouTube</title></head><body>'
            f'<script nonce="Xq7vB2">var ytInitialPlayerResponse = {json.dumps(player)};</script>'
            f'<script nonce="Xq7vB2">var ytInitialData = {json.dumps(initial)};</script>'
            '</body></html>')


def build_ytdlp_private() -> None:
    """A channel whose second listed video turned private before its watch page was read."""
    few = Channel(TRAILS.handle, TRAILS.id, TRAILS.title, TRAILS.videos[:3])
    write_cassette(ROOT / "yt-dlp" / "private_video.yaml", [
        Exchange(f"{WWW}/@{few.handle}/videos", body=channel_page(few, "videos"),
                 content_type=HTML),
        Exchange(f"{WWW}/@{few.handle}/shorts", body=channel_page(few, "shorts"),
                 content_type=HTML),
        _watch(few, few.videos[0]),
        Exchange(f"{WWW}/watch?v={few.videos[1].id}&bpctr=9999999999&has_verified=1",
                 body=private_watch_page(few.videos[1]), content_type=HTML),
        _watch(few, few.videos[2])])


def build() -> None:
    build_rss()
    build_data_api()
    build_ytdlp()
    build_ytdlp_private()


if __name__ == "__main__":
    build()
