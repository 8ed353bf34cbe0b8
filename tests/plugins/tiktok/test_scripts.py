"""TikTok in every script: whole hashtags from ``textExtra`` and the caption (R6), and the
handle rule (R3: 2 to 24 ASCII letters, digits, '_' and '.', not ending with '.').

Structured tags (``textExtra`` type 1) come first and the caption completes them; both go
through ``merge_hashtags``, so a Thai or Persian tag must come out whole, once, from either.
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
from plugins.tiktok import TIKTOK
from plugins.tiktok.parsing import hashtags_from_entries, parse_item
from scripts.cassettes.build_tiktok import (
    HTML,
    PAGE,
    item,
    item_list_answer,
    make_sec_uid,
    page,
    tag,
    universal,
    user_detail,
    web_item_list_url,
)

ZWNJ = "\u200c"
THAI = "อนิเมะ"
PERSIAN = f"نرم{ZWNJ}افزار"
HANDLE = "ploy.cooks"
SEC_UID = make_sec_uid("pLoYcOoKs-Thai")


def _item(number: int, desc: str, extras: list[dict[str, Any]]) -> dict[str, Any]:
    return item(number, HANDLE, SEC_UID, number, desc, extras)


def test_thai_tag_from_text_extra_and_caption_is_one_whole_tag() -> None:
    desc = f"ดูทั้งคืน #{THAI} #summer"
    post = parse_item(_item(1, desc, [tag(THAI, 10), tag("summer", 17)]), HANDLE)
    assert post.hashtags == (THAI, "summer")


def test_thai_tag_only_in_the_caption_or_only_in_text_extra() -> None:
    caption_only = parse_item(_item(2, f"#{THAI} #summer", []), HANDLE)
    extra_only = parse_item(_item(3, "ดูทั้งคืน", [tag(THAI, 0)]), HANDLE)
    assert caption_only.hashtags == (THAI, "summer")
    assert extra_only.hashtags == (THAI,)


def test_structured_names_in_another_normal_form_or_with_a_stray_joiner_merge() -> None:
    nfd = unicodedata.normalize("NFD", "ท่องเที่ยว")
    entries = [tag(nfd, 0), tag(PERSIAN + ZWNJ, 12), tag("Summer", 24)]
    post = parse_item(_item(4, f"#ท่องเที่ยว #{PERSIAN} #summer", entries), HANDLE)
    assert post.hashtags == ("ท่องเที่ยว", PERSIAN, "summer")
    assert hashtags_from_entries(entries)[1] == PERSIAN + ZWNJ  # kept whole until merged


def test_devanagari_and_tamil_tags_in_contents() -> None:
    body = _item(5, "भाग 1", [])
    body["contents"] = [{"desc": "#हिन्दी #தமிழ் #summer", "textExtra": [tag("हिन्दी", 0)]}]
    assert parse_item(body, HANDLE).hashtags == ("हिन्दी", "தமிழ்", "summer")


def test_a_check_reports_the_whole_tags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    items = [
        _item(1, f"ดูทั้งคืน #{THAI} #summer", [tag(THAI, 10), tag("summer", 17)]),
        _item(2, f"آموزش #{PERSIAN} #sumer", []),  # caption only, a near miss
        _item(3, "#\ufe0f\u20e3 ＃summer", []),     # keycap and full-width sign: no tags
    ]
    state = universal({"webapp.user-detail": user_detail(HANDLE, SEC_UID, videos=3)})
    cassette = write_cassette(tmp_path / "thai.yaml", [
        Exchange(PAGE.format(HANDLE), body=page(HANDLE, state), content_type=HTML),
        Exchange(web_item_list_url(SEC_UID), body=item_list_answer(items)),
    ])
    code = main(["check", "tiktok", "https://www.tiktok.com/@Ploy.Cooks?lang=th", "--hashtag",
                 "summer", "--backend", "web", "--cassette", str(cassette), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert (result["status"], result["handle"]) == ("ok", HANDLE)
    posts = [(post["hashtags"], post["verdict"]) for post in result["posts"]]
    assert posts == [([THAI, "summer"], "matched"), ([PERSIAN, "sumer"], "hashtag_near_miss"),
                     ([], "hashtag_missing")]


# -- the handle rule -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("mila.moves", "mila.moves"),
    ("@Mila.Moves", "mila.moves"),
    ("MILA_MOVES", "mila_moves"),
    ("ab", "ab"),
    ("a" * 24, "a" * 24),
    (".mila", ".mila"),  # only a final '.' is refused
    ("https://www.tiktok.com/@mila.moves", "mila.moves"),
    ("https://www.tiktok.com/@Mila%2EMoves?lang=en", "mila.moves"),
    ("tiktok.com/@mila%5fmoves/", "mila_moves"),
])
def test_handles_accepted(raw: str, expected: str) -> None:
    assert TIKTOK.normalise_handle(raw) == expected


@pytest.mark.parametrize(("raw", "fault"), [
    ("mila moves", "' ' (a space) is not allowed"),
    ("@mila@moves", "'@' (other than one at the start) is not allowed"),
    ("mila-moves", "'-' is not allowed"),
    ("míla", "'í' (LATIN SMALL LETTER I WITH ACUTE) is not allowed"),
    (unicodedata.normalize("NFD", "míla"), "'í' (LATIN SMALL LETTER I WITH ACUTE) is not allowed"),
    ("พลอย", "'พ' (THAI CHARACTER PHO PHAN) is not allowed"),
    ("https://www.tiktok.com/@m%C3%ADla", "'í'"),
    ("m", "it has 1 character, fewer than 2"),
    ("a" * 25, "it has 25 characters, more than 24"),
    ("mila.", "it ends with '.'"),
])
def test_handles_refused_naming_the_fault(raw: str, fault: str) -> None:
    with pytest.raises(InvalidHandle) as caught:
        TIKTOK.normalise_handle(raw)
    message = str(caught.value)
    assert message.startswith(f"{raw!r} is not a valid tiktok handle: ")
    assert fault in message
    assert message.endswith("a handle is 2 to 24 ASCII letters, digits, '_' and '.', not ending "
                            "with '.'")
