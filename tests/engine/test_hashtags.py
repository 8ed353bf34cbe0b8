"""Hashtag rules R1 (validation) and R6 (extraction, matching, near misses)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InvalidHashtag
from engine.hashtags import (
    extract_hashtags,
    find_near_miss,
    fold_to_ascii,
    normalise_tag,
    tags_match,
    validate_hashtag,
)

ascii_tag = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True).filter(
    lambda tag: any(ch.isalpha() for ch in tag)
)


def test_accented_hashtag_names_the_character_and_suggests_ascii() -> None:
    with pytest.raises(InvalidHashtag) as caught:
        validate_hashtag("été2024")
    assert "'é'" in str(caught.value)
    assert "`ete2024`" in str(caught.value)
    assert caught.value.suggestion == "ete2024"


@pytest.mark.parametrize(
    ("raw", "named", "suggestion"),
    [
        ("summer 2024", "a space", "summer2024"),
        ("straße", "'ß'", "strasse"),
        ("summer-2024", "'-'", "summer2024"),
        ("#a#b", "a second '#'", "ab"),
        ("summ\u0435r", "'\u0435'", "summer"),  # a Cyrillic "е": the Latin tag it imitates
        ("\u0391\u0392C2025", "'\u0391'", "ABC2025"),  # Greek capitals
    ],
)
def test_refused_characters_are_named(raw: str, named: str, suggestion: str) -> None:
    with pytest.raises(InvalidHashtag) as caught:
        validate_hashtag(raw)
    assert named in str(caught.value)
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize("raw", ["", "#", "2024", "___", "x" * 101, "日本"])
def test_other_invalid_hashtags(raw: str) -> None:
    with pytest.raises(InvalidHashtag):
        validate_hashtag(raw)


def test_one_leading_hash_and_spaces_are_removed() -> None:
    assert validate_hashtag("  #Summer2025 ") == "Summer2025"


@given(ascii_tag)
def test_every_ascii_tag_with_a_letter_is_accepted_unchanged(tag: str) -> None:
    assert validate_hashtag(tag) == tag
    assert validate_hashtag("#" + tag) == tag


@given(st.text(min_size=1, max_size=40))
def test_validation_never_crashes_and_suggestions_are_valid(raw: str) -> None:
    try:
        validate_hashtag(raw)
    except InvalidHashtag as error:
        if error.suggestion is not None:
            assert validate_hashtag(error.suggestion) == error.suggestion


def test_extraction_order_case_and_repeats() -> None:
    text = "Hello #Summer2025 and #plage, again #summer2025! #5 #2024 @mention &#39; x/#frag"
    assert extract_hashtags(text) == ("summer2025", "plage")


def test_extraction_reads_unicode_letters_and_several_texts() -> None:
    assert extract_hashtags("#Été #café_crème", None, "#Ünïcode") == ("été", "café_crème", "ünïcode")


def test_decomposed_accents_are_read_as_one_tag() -> None:
    decomposed = "#cafe\u0301"  # 'e' + combining acute
    assert extract_hashtags(decomposed) == ("café",)


@given(ascii_tag, st.text(alphabet=" .,!?\n", max_size=3),
       st.text(alphabet=" .,!?\n", min_size=1, max_size=3))
def test_a_tag_in_text_is_always_found_and_matches(tag: str, before: str, after: str) -> None:
    found = extract_hashtags(f"intro{before} #{tag}{after}end")
    assert tag.lower() in found
    assert tags_match(tag.upper(), tag)


@given(ascii_tag)
def test_matching_is_case_insensitive_and_exact(tag: str) -> None:
    assert tags_match(tag.swapcase(), tag)
    assert not tags_match(tag + "x", tag)


def test_fullwidth_letters_match_after_normalisation() -> None:
    assert tags_match("ｓｕｍｍｅｒ", "summer")
    assert normalise_tag("#Summer") == "summer"


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        ("summér2025", "accents"),
        ("sumer2025", "one letter off"),
        ("smmer2025", "one letter off"),
        ("sumemr2025", "one letter off"),  # transposition
        ("sumer2052", "2 letters off"),
        ("summer2025contest", "extra characters"),
    ],
)
def test_near_misses(found: str, reason: str) -> None:
    near = find_near_miss([found], "summer2025")
    assert near is not None and near[0] == found and reason in near[1]


@pytest.mark.parametrize("found", ["winter2025", "summer", "sun", "plage"])
def test_unrelated_tags_are_not_near_misses(found: str) -> None:
    assert find_near_miss([found], "summer2025") is None


def test_short_tags_allow_fewer_typos() -> None:
    assert find_near_miss(["ab"], "ac") is None
    assert find_near_miss(["cats"], "cat") is not None  # required tag with extra letters


@given(ascii_tag)
def test_a_tag_is_never_its_own_near_miss(tag: str) -> None:
    assert find_near_miss([tag.upper()], tag) is None


def test_fold_to_ascii() -> None:
    assert fold_to_ascii("Ærøskøbing été") == "AEroskobing ete"


@given(st.text(alphabet="#&/ _aZb9x0\n.-", max_size=16))
def test_ascii_fast_path_reads_as_the_general_rule(text: str) -> None:
    """The one-regex reading of ASCII text gives the tags the character-by-character rule
    gives (runs after '#', none after '&' or '/', each with a letter)."""
    import unicodedata

    from engine.hashtags import _ascii_tags, _found_tag, _runs_after_hash

    general = [tag for tag in (_found_tag(run) for run in
                               _runs_after_hash(unicodedata.normalize("NFC", text))) if tag]
    assert _ascii_tags(text) == general


@given(st.lists(st.text(alphabet="aZ_9#x1 \u200b\u200cé\uff46\u0130\u00df", max_size=5),
                max_size=4))
def test_merge_keeps_normalised_ascii_tags_as_the_full_steps_would(tags: list[str]) -> None:
    """A tag already normalised (lower-case ASCII letters, digits, '_', with a letter) is
    kept as it is: what trimming, NFKC and lower-casing would give."""
    import unicodedata

    from engine.hashtags import _trim_invisible, merge_hashtags

    full: dict[str, None] = {}
    for tag in tags:
        clean = _trim_invisible(unicodedata.normalize(
            "NFKC", _trim_invisible(tag).removeprefix("#")).lower())
        if clean and any(ch.isalpha() for ch in clean):
            full.setdefault(clean, None)
    assert merge_hashtags(tags) == tuple(full)
