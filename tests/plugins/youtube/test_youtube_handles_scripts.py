"""YouTube handles in every script (R3) and the checks they lead to.

YouTube's "Handle naming guidelines" (https://support.google.com/youtube/answer/11585688) allow
3 to 30 letters or digits of its supported languages, with ``_ - .`` and the Latin middle dot.
The conformance cases (Thai handle, middle dot) are rebuilt here with the project's own YouTube
builder, served at the percent-encoded URLs a real recording holds.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from engine.cli import main
from engine.errors import InvalidHandle
from engine.testing.cassettes import Exchange, write_cassette
from plugins.youtube import YOUTUBE
from plugins.youtube.handles import is_handle_character
from scripts.cassettes.build_youtube import ATOM, FEED, HTML, WWW, Channel, Video, channel_page, feed

THAI = "ท่องเที่ยวสุขใจ"
THAI_URL = ("https://www.youtube.com/@%E0%B8%97%E0%B9%88%E0%B8%AD%E0%B8%87%E0%B9%80%E0%B8%97"
            "%E0%B8%B5%E0%B9%88%E0%B8%A2%E0%B8%A7%E0%B8%AA%E0%B8%B8%E0%B8%82%E0%B9%83%E0%B8%88")
RULE = "a handle is 3 to 30 letters (any script, combining marks included)"


# -- the rule ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (f"@{THAI}", THAI),                                   # Thai vowel signs and tone marks
    (THAI_URL, THAI),                                     # percent-encoded profile URL
    (THAI_URL + "/videos?view=0", THAI),
    ("@cel·la.viatja", "cel·la.viatja"),                  # Latin middle dot
    ("https://www.youtube.com/@cel%C2%B7la.viatja", "cel·la.viatja"),
    ("@Cel·La.Viatja", "cel·la.viatja"),                  # case-insensitive
    ("@हिन्दी_यात्रा", "हिन्दी_यात्रा"),                          # Devanagari with viramas
    ("@தமிழ்-சமையல்", "தமிழ்-சமையல்"),                       # Tamil
    ("@ភាសាខ្មែរ", "ភាសាខ្មែរ"),                             # Khmer (Mc and Mn marks)
    ("@نرمافزار", "نرمافزار"),
    ("@Ελλάδα.Ταξίδια", "ελλάδα.ταξίδια"),
    ("@日本語チャンネル", "日本語チャンネル"),
    ("@a_b-c.d·1", "a_b-c.d·1"),
    ("@" + "ก" * 30, "ก" * 30),
])
def test_accepted(raw: str, expected: str) -> None:
    assert YOUTUBE.normalise_handle(raw) == expected


def test_nfc_and_nfd_give_the_same_handle() -> None:
    composed = "@Café·Crème"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert YOUTUBE.normalise_handle(composed) == YOUTUBE.normalise_handle(decomposed) == "café·crème"
    # Length counts characters after NFC: 30 accented letters are 60 code points in NFD.
    assert YOUTUBE.normalise_handle(unicodedata.normalize("NFD", "@" + "é" * 30)) == "é" * 30


def test_upper_and_lower_case_urls_name_one_handle() -> None:
    lower = YOUTUBE.normalise_handle("https://www.youtube.com/@caf%c3%a9%c2%b7cr%c3%a8me")
    upper = YOUTUBE.normalise_handle("HTTPS://WWW.YOUTUBE.COM/@CAF%C3%89%C2%B7CR%C3%88ME")
    assert lower == upper == "café·crème"


@pytest.mark.parametrize(("raw", "fault"), [
    ("@a b c", "' ' (a space) is not allowed"),
    ("@a@bc", "'@' (other than one at the start) is not allowed"),
    ("@@abc", "'@'"),
    ("@semi;colon", "';' is not allowed"),
    ("@hello!", "'!' is not allowed"),
    ("@tag#x", "'#' is not allowed"),
    ("@ab\u200bcd", "U+200B (ZERO WIDTH SPACE) is not allowed"),
    ("@نرم\u200cافزار", "U+200C (ZERO WIDTH NON-JOINER) is not allowed"),
    ("@sun☀day", "'☀' (BLACK SUN WITH RAYS) is not allowed"),
    ("@ab", "it has 2 characters, fewer than 3"),
    ("@" + "a" * 31, "it has 31 characters, more than 30"),
    ("@\u0e34abc", "it starts with U+0E34 (THAI CHARACTER SARA I), a combining mark"),
    ("https://www.youtube.com/@caf%C3%A9%20bar", "' ' (a space) is not allowed"),
])
def test_refused_naming_the_character_and_the_rule(raw: str, fault: str) -> None:
    with pytest.raises(InvalidHandle) as caught:
        YOUTUBE.normalise_handle(raw)
    message = str(caught.value)
    assert message.startswith(f"{raw!r} is not a valid youtube handle: ")
    assert fault in message and RULE in message
    assert message.endswith("or a channel id (UC + 22 characters)")


def test_the_example_message() -> None:
    with pytest.raises(InvalidHandle) as caught:
        YOUTUBE.normalise_handle("@a b c")
    assert str(caught.value) == (
        "'@a b c' is not a valid youtube handle: ' ' (a space) is not allowed; a handle is 3 to 30 "
        "letters (any script, combining marks included), digits, '_', '-', '.' and '·', or a "
        "channel id (UC + 22 characters)")


@pytest.mark.parametrize("ch", ["a", "Z", "ท", "\u0e48", "\u094d", "\u17b6", "٣", "_", "-", ".", "·"])
def test_handle_characters(ch: str) -> None:
    assert is_handle_character(ch)


@pytest.mark.parametrize("ch", [" ", "@", "\u200c", "\u200b", "!", "%", "²", "\u20e3", "\u00a0"])
def test_not_handle_characters(ch: str) -> None:
    assert not is_handle_character(ch)


# -- checks through the rss backend (conformance c15, c16, and variants) -----------------------

def _channel(handle: str, channel_id: str, title: str) -> Channel:
    return Channel(handle, channel_id, title, (
        Video(channel_id[2:13], 0.5, f"{title} #summer2025", "New upload"),
        Video(channel_id[3:14], 1.5, "No tag this time", "#travel"),
    ))


def _rss_cassette(folder: Path, channel: Channel) -> Path:
    """The two answers of a cold rss check, the channel page at the percent-encoded URL that
    an HTTP client requests (as a real recording holds it)."""
    return write_cassette(folder / "channel.yaml", [
        Exchange(f"{WWW}/@{quote(channel.handle)}", body=channel_page(channel, "featured"),
                 content_type=HTML),
        Exchange(FEED.format(channel.id), body=feed(channel), content_type=ATOM),
    ])


def _check(capsys: pytest.CaptureFixture[str], handle: str, cassette: Path) -> tuple[int, dict[str, Any]]:
    code = main(["check", "youtube", handle, "--hashtag", "summer2025", "--backend", "rss",
                 "--cassette", str(cassette), "--json"])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    return code, json.loads(captured.out)


CASES = {
    # c15: a Thai handle (combining vowel signs and tone marks).
    "c15-thai": (f"@{THAI}", _channel(THAI, "UCth4iH4nd1eTr4v3lXq8Lm2", "ท่องเที่ยว")),
    # c16: a Catalan handle with the Latin middle dot.
    "c16-middle-dot": ("@cel·la.viatja",
                       _channel("cel·la.viatja", "UCce1l4V1atj4Xq8Lm2vNp7A", "Cel·la viatja")),
    # Variants: a Devanagari handle typed as a percent-encoded profile URL ...
    "devanagari-url": ("https://www.youtube.com/@" + quote("हिन्दी_यात्रा") + "/videos",
                       _channel("हिन्दी_यात्रा", "UCh1nd1Y4tr4Dev4n4g4r1Ab", "हिन्दी यात्रा")),
    # ... a Tamil handle typed decomposed (NFD) ...
    "tamil-nfd": (unicodedata.normalize("NFD", "@தமிழ்-சமையல்"),
                  _channel("தமிழ்-சமையல்", "UCt4m1lS4m4iy4lCh4nnel0A", "தமிழ் சமையல்")),
    # ... and an accented handle with a middle dot typed in capitals and NFD.
    "latin-nfd-upper": (unicodedata.normalize("NFD", "@CAFÉ·CRÈME"),
                        _channel("café·crème", "UCc4feCr3meM1ddleD0tAbCd", "Café·Crème")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_non_latin_handles_are_checked_in_two_requests(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    typed, channel = CASES[case]
    code, out = _check(capsys, typed, _rss_cassette(tmp_path, channel))
    assert code == 0
    assert (out["status"], out["backend"], out["requests"]) == ("ok", "rss", 2)
    assert out["handle"] == unicodedata.normalize("NFC", channel.handle)
    verdicts = {post["id"]: post["verdict"] for post in out["posts"]}
    assert verdicts == {channel.videos[0].id: "matched", channel.videos[1].id: "hashtag_missing"}


def test_a_refused_handle_exits_2_naming_the_character(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "youtube", "@cel la", "--hashtag", "summer2025"]) == 2
    assert "' ' (a space) is not allowed" in capsys.readouterr().err
