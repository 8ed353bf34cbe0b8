"""Hashtags in every script (R6): combining marks, joiners, and what is not a tag.

``\\w`` stops at combining marks (Thai, Devanagari, Tamil, Khmer vowel signs and viramas) and at a
zero-width non-joiner (Persian), which cut ``#อนิเมะ`` to ``อน``; the tokenizer reads them whole.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.hashtags import extract_hashtags, merge_hashtags, near_miss_reason, tags_match

ZWNJ, ZWJ, ZWSP = "\u200c", "\u200d", "\u200b"
KEYCAP = "#\ufe0f\u20e3"


@pytest.mark.parametrize(("text", "tags"), [
    # Thai: SARA I (U+0E34) and MAI EK (U+0E48) are marks.
    ("ดูทั้งคืน #อนิเมะ #summer2025", ("อนิเมะ", "summer2025")),
    ("#ท่องเที่ยว", ("ท่องเที่ยว",)),
    # Devanagari: the virama (U+094D) and vowel signs.
    ("नमस्ते #हिन्दी दोस्तों", ("हिन्दी",)),
    ("#भारत_यात्रा2025!", ("भारत_यात्रा2025",)),
    # Tamil: the pulli (U+0BCD) ends the word.
    ("#தமிழ் #சென்னை", ("தமிழ்", "சென்னை")),
    # Khmer: the coeng (U+17D2) and vowel signs (Mc and Mn).
    ("#ភាសាខ្មែរ", ("ភាសាខ្មែរ",)),
    # Persian: a zero-width non-joiner between two letters stays in the tag.
    (f"آموزش #نرم{ZWNJ}افزار #summer2025", (f"نرم{ZWNJ}افزار", "summer2025")),
    (f"#می{ZWNJ}خواهم", (f"می{ZWNJ}خواهم",)),
    # Arabic (with harakat, which are marks), Hebrew, CJK, Hangul, Cyrillic, Greek.
    ("#مَرْحَبًا #عربي", ("مَرْحَبًا", "عربي")),
    ("#עברית #שָׁלוֹם", ("עברית", "שָׁלוֹם")),
    ("#日本語 #中文标签 #한국어", ("日本語", "中文标签", "한국어")),
    ("#Привет #Ελλάδα", ("привет", "ελλάδα")),
])
def test_tags_in_other_scripts_are_read_whole(text: str, tags: tuple[str, ...]) -> None:
    assert extract_hashtags(text) == tags


@pytest.mark.parametrize(("text", "tags"), [
    # A joiner at the end of a tag, or before a space, ends it and is not part of it.
    (f"#نرم{ZWNJ} افزار", ("نرم",)),
    (f"#نرم{ZWNJ}", ("نرم",)),
    (f"#abc{ZWJ}", ("abc",)),
    # Between a letter and a digit, or two joiners in a row: the tag ends at the joiner.
    (f"#abc{ZWNJ}123", ("abc",)),
    (f"#ab{ZWNJ}{ZWJ}cd", ("ab",)),
    # A zero-width space ends a tag.
    (f"#summer{ZWSP}2025", ("summer",)),
    (f"#{ZWSP}summer", ()),
    # Not tags: the keycap emoji, a full-width or small number sign, an entity, a fragment.
    (f"{KEYCAP} one", ()),
    (f"{KEYCAP}summer", ()),
    ("#\u20e3", ()),
    ("＃summer ﹟summer", ()),
    ("&#39; https://example.com/#summer", ()),
    # Emoji are not letters: they end a tag; a tag that is only an emoji is no tag.
    ("#summer☀️ #☀️ #love❤️x", ("summer", "love")),
    # A run must start with a letter, digit or '_', never a mark, and must hold a letter.
    ("#\u0e34abc #\u0301e", ()),
    ("#5 #2024 #_ #१२३", ()),
    ("#_tag #2024summer", ("_tag", "2024summer")),
])
def test_what_ends_a_tag_and_what_is_not_one(text: str, tags: tuple[str, ...]) -> None:
    assert extract_hashtags(text) == tags


def test_decomposed_and_composed_thai_and_latin_are_one_tag() -> None:
    composed = "#ท่องเที่ยว #Café"
    decomposed = unicodedata.normalize("NFD", composed)
    assert extract_hashtags(composed) == extract_hashtags(decomposed) == ("ท่องเที่ยว", "café")


def test_the_non_joiner_survives_normalisation_and_merging() -> None:
    tag = f"نرم{ZWNJ}افزار"
    assert extract_hashtags(f"#{tag}") == (tag,)
    # Structured first (a platform's own list), then the caption: one entry, joiner kept;
    # a stray joiner or blank at the ends of a structured tag is not part of it.
    assert merge_hashtags([f"#{tag}{ZWNJ}", f" {tag} "], extract_hashtags(f"#{tag}")) == (tag,)
    assert merge_hashtags(["อนิเมะ"], extract_hashtags("#อนิเมะ")) == ("อนิเมะ",)


def test_merging_keeps_whole_structured_tags_in_any_normal_form() -> None:
    nfd = unicodedata.normalize("NFD", "ท่องเที่ยว")
    assert merge_hashtags([nfd, "#Café"], extract_hashtags("#ท่องเที่ยว #cafe\u0301")) == (
        "ท่องเที่ยว", "café")
    assert merge_hashtags(["", "#", "2024", ZWNJ]) == ()


@pytest.mark.parametrize("found", ["อนิเมะ", f"نرم{ZWNJ}افزار", "हिन्दी", "தமிழ்", "日本語"])
def test_verdicts_do_not_change_for_other_scripts(found: str) -> None:
    """Required tags are ASCII (R1): a tag in another script neither matches nor is near."""
    assert not tags_match(found, "summer2025")
    assert near_miss_reason(found, "summer2025") is None


# -- properties ------------------------------------------------------------------------------

INTERESTING = (
    "#＃&/ \n\t.,!_-0123456789١٢३" "aZéß" "อนิเมะท่" "हिन्दी" "தமிழ்" "ភាសាខ្មែរ" "نرمافزار" "עברית"
    "日本語" "\u0301\u0e34\u094d\u0bcd\u17b6\ufe0f\u20e3\ufdfa\u0e33²Ⅻ☀❤"
    + ZWNJ + ZWJ + ZWSP
)
texts = st.one_of(
    st.text(alphabet=INTERESTING, max_size=40),
    st.text(max_size=40),
    st.lists(st.text(alphabet=INTERESTING, min_size=1, max_size=8), max_size=5).map(
        lambda parts: "#" + " #".join(parts)),
)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


@settings(max_examples=400, deadline=None)
@given(texts)
def test_every_extracted_tag_is_well_formed_and_reads_back(text: str) -> None:
    for tag in extract_hashtags(text):
        assert tag
        assert any(ch.isalpha() for ch in tag), tag
        assert not any(ch.isspace() for ch in tag), tag
        assert ZWSP not in tag and "#" not in tag
        assert not _is_mark(tag[0]), tag
        assert tag[0] not in (ZWNJ, ZWJ) and tag[-1] not in (ZWNJ, ZWJ), tag
        assert extract_hashtags("#" + tag) == (tag,)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_merging_extracted_tags_changes_nothing(text: str) -> None:
    """The engine merges the tags a backend gives again; that must be a no-op."""
    found = extract_hashtags(text)
    assert merge_hashtags(found) == found
    assert merge_hashtags(found, extract_hashtags(text)) == found
