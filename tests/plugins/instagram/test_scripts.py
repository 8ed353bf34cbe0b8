"""Instagram in every script: whole hashtags in captions (R6) and the handle rule (R3).

The conformance case c06 (a Thai tag and a Persian tag with a zero-width non-joiner) is rebuilt
with the project's Instagram builder; the handle rule follows Instagram's Help Centre (1 to 30
ASCII letters, digits, '.' and '_'; no '.' at either end or two in a row).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.errors import InvalidHandle
from engine.testing.cassettes import Exchange, write_cassette
from plugins.instagram import INSTAGRAM
from scripts.cassettes.build_instagram import DAY, NOW, URL, node, profile

ZWNJ = "\u200c"
PERSIAN = f"نرم{ZWNJ}افزار"


def _cassette(folder: Path, username: str, captions: dict[str, str]) -> Path:
    nodes = [node(shortcode, "GraphImage", NOW - (index + 1) * DAY, caption)
             for index, (shortcode, caption) in enumerate(captions.items())]
    return write_cassette(folder / "profile.yaml", [
        Exchange(URL.format(username), body=profile(username, nodes))])


def _check(capsys: pytest.CaptureFixture[str], handle: str, cassette: Path) -> dict[str, Any]:
    code = main(["check", "instagram", handle, "--hashtag", "summer2025", "--backend", "web",
                 "--cassette", str(cassette), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def test_c06_thai_and_persian_tags_are_whole(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    cassette = _cassette(tmp_path, "nora.lenz", {
        "CapThai0001": "ดูทั้งคืน #อนิเมะ\n#summer2025",
        "CapPersian2": f"آموزش #{PERSIAN}\n#summer2025",
    })
    result = _check(capsys, "nora.lenz", cassette)
    assert (result["status"], result["requests"]) == ("ok", 1)
    tags = {post["id"]: post["hashtags"] for post in result["posts"]}
    assert tags == {"CapThai0001": ["อนิเมะ", "summer2025"],
                    "CapPersian2": [PERSIAN, "summer2025"]}
    # The JSON report keeps the non-joiner: the tag reads as the member wrote it.
    assert ZWNJ in tags["CapPersian2"][0]
    assert {post["verdict"] for post in result["posts"]} == {"matched"}


def test_indic_khmer_and_joiner_variants(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cassette = _cassette(tmp_path, "ravi.travels", {
        "CapHindi001": "नमस्ते #हिन्दी #यात्रा_2025 #summer2025",
        "CapTamil002": "#தமிழ் #சென்னை #sumer2025",
        "CapKhmer003": "#ភាសាខ្មែរ #summer2025",
        # A non-joiner before a space ends the tag; a zero-width space ends it too.
        "CapEdges004": f"#کتاب{ZWNJ} خوب #summer\u200b2025",
        # A keycap and a full-width number sign are not tags.
        "CapKeycap05": "#\ufe0f\u20e3 1 ＃summer2025",
    })
    result = _check(capsys, "ravi.travels", cassette)
    posts = {post["id"]: post for post in result["posts"]}
    assert posts["CapHindi001"]["hashtags"] == ["हिन्दी", "यात्रा_2025", "summer2025"]
    assert posts["CapTamil002"]["hashtags"] == ["தமிழ்", "சென்னை", "sumer2025"]
    assert posts["CapKhmer003"]["hashtags"] == ["ភាសាខ្មែរ", "summer2025"]
    assert posts["CapEdges004"]["hashtags"] == ["کتاب", "summer"]
    assert posts["CapKeycap05"]["hashtags"] == []
    verdicts = {post_id: post["verdict"] for post_id, post in posts.items()}
    assert verdicts == {"CapHindi001": "matched", "CapTamil002": "hashtag_near_miss",
                        "CapKhmer003": "matched", "CapEdges004": "hashtag_missing",
                        "CapKeycap05": "hashtag_missing"}


def test_a_percent_encoded_profile_url_checks_the_account(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    cassette = _cassette(tmp_path, "nora.lenz", {"CapThai0001": "#อนิเมะ #summer2025"})
    result = _check(capsys, "https://www.instagram.com/Nora%2ELenz/?hl=th", cassette)
    assert result["handle"] == "nora.lenz" and result["status"] == "ok"


# -- the handle rule -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("nora.lenz", "nora.lenz"),
    ("@Nora.Lenz", "nora.lenz"),
    ("NORA_LENZ", "nora_lenz"),
    ("a", "a"),
    ("_", "_"),
    ("a" * 30, "a" * 30),
    ("https://www.instagram.com/nora.lenz/", "nora.lenz"),
    ("https://instagram.com/nora%2elenz", "nora.lenz"),
    ("instagram.com/Nora%5FLenz?igsh=abc", "nora_lenz"),
])
def test_handles_accepted(raw: str, expected: str) -> None:
    assert INSTAGRAM.normalise_handle(raw) == expected


@pytest.mark.parametrize(("raw", "fault"), [
    ("nora lenz", "' ' (a space) is not allowed"),
    ("@nora@lenz", "'@' (other than one at the start) is not allowed"),
    ("nora-lenz", "'-' is not allowed"),
    ("léa", "'é' (LATIN SMALL LETTER E WITH ACUTE) is not allowed"),
    (unicodedata.normalize("NFD", "léa"), "'é' (LATIN SMALL LETTER E WITH ACUTE) is not allowed"),
    ("nоra", "'о' (CYRILLIC SMALL LETTER O) is not allowed"),
    ("อนิเมะ", "'อ' (THAI CHARACTER O ANG) is not allowed"),
    ("https://www.instagram.com/l%C3%A9a/", "'é'"),
    ("a" * 31, "it has 31 characters, more than 30"),
    (".nora", "it starts with '.'"),
    ("nora.", "it ends with '.'"),
    ("nora..lenz", "it has two '.' in a row"),
])
def test_handles_refused_naming_the_fault(raw: str, fault: str) -> None:
    with pytest.raises(InvalidHandle) as caught:
        INSTAGRAM.normalise_handle(raw)
    message = str(caught.value)
    assert message.startswith(f"{raw!r} is not a valid instagram handle: ")
    assert fault in message
    assert message.endswith("a handle is 1 to 30 ASCII letters, digits, '.' and '_', with no '.' "
                            "at either end or two in a row")
