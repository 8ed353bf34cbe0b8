"""The generic handle rule (R3): NFC, percent-decoded profile URLs, errors naming the fault."""

from __future__ import annotations

import re
import unicodedata

import pytest

from engine.errors import InvalidHandle
from engine.platforms import HandleRule, describe_handle_character

PROFILE = re.compile(r"^(?:https?://)?example\.com/(?P<handle>[^/?#]+)/?$")
# A rule with every optional part: ASCII letters and digits, '.', 2 to 8, no dot at the end.
FULL = HandleRule(pattern=re.compile(r"[a-zA-Z0-9.]{2,8}"), description="a handle is 2 to 8 "
                  "letters, digits and '.'", profile_urls=(PROFILE,),
                  allowed=re.compile(r"[a-zA-Z0-9.]"), length=(2, 8),
                  faults=((re.compile(r"\.$"), "it ends with '.'"),))
# A rule as third-party plugins built it before: pattern and description only.
BARE = HandleRule(pattern=re.compile(r"[a-z]{2,10}"), description="2 to 10 letters")
# Letters of any script and their marks, through a function.
UNICODE = HandleRule(pattern=re.compile(r"\S{3,10}"), description="3 to 10 letters",
                     profile_urls=(PROFILE,), allowed=lambda ch: ch.isalpha()
                     or unicodedata.category(ch) in ("Mn", "Mc"), length=(3, 10))


@pytest.mark.parametrize(("raw", "expected"), [
    ("@Lea.V", "lea.v"),
    ("  lea  ", "lea"),
    ("https://example.com/Lea.V/", "lea.v"),
    ("example.com/lea%2Ev", "lea.v"),  # percent-encoded '.'
])
def test_full_rule_normalises(raw: str, expected: str) -> None:
    assert FULL.normalise(raw, "demo") == expected


@pytest.mark.parametrize(("raw", "fault"), [
    ("lea voyage", "' ' (a space) is not allowed"),
    ("@lea@x", "'@' (other than one at the start) is not allowed"),
    ("lea!", "'!' is not allowed"),
    ("léa", "'é' (LATIN SMALL LETTER E WITH ACUTE) is not allowed"),
    ("le\u200ba", "U+200B (ZERO WIDTH SPACE) is not allowed"),
    ("l\tea", "U+0009"),
    ("l", "it has 1 character, fewer than 2"),
    ("abcdefghi", "it has 9 characters, more than 8"),
    ("lea.", "it ends with '.'"),
    ("example.com/l%C3%A9a", "'é'"),  # decoded before the check
])
def test_errors_name_the_fault_and_state_the_rule(raw: str, fault: str) -> None:
    with pytest.raises(InvalidHandle) as caught:
        FULL.normalise(raw, "demo")
    message = str(caught.value)
    assert message.startswith(f"{raw!r} is not a valid demo handle: ")
    assert fault in message
    assert message.endswith("; a handle is 2 to 8 letters, digits and '.'")


@pytest.mark.parametrize("raw", ["", "   ", "@"])
def test_empty_handles(raw: str) -> None:
    with pytest.raises(InvalidHandle, match="the demo handle is empty"):
        FULL.normalise(raw, "demo")


def test_a_rule_without_the_optional_parts_works_as_before() -> None:
    assert BARE.normalise("@abc", "demo") == "abc"
    with pytest.raises(InvalidHandle) as caught:
        BARE.normalise("a b", "demo")
    assert str(caught.value) == "'a b' is not a valid demo handle: 2 to 10 letters"
    assert BARE.problem("a b") is None and BARE.allows(" ")


def test_nfc_and_nfd_give_one_handle_counted_after_nfc() -> None:
    composed, decomposed = "Ŝaŭlo", unicodedata.normalize("NFD", "Ŝaŭlo")
    assert len(decomposed) == 7
    assert UNICODE.normalise(composed, "demo") == UNICODE.normalise(decomposed, "demo") == "ŝaŭlo"
    # 10 letters with accents are 20 code points in NFD, still 10 characters.
    ten = unicodedata.normalize("NFD", "é" * 10)
    assert UNICODE.normalise(ten, "demo") == "é" * 10


def test_percent_encoded_profile_urls_of_any_script() -> None:
    assert UNICODE.normalise("https://example.com/%E0%B8%97%E0%B9%88%E0%B8%AD%E0%B8%87", "demo") \
        == "ท่อง"
    # A bare handle is not decoded: '%' is then the character at fault.
    with pytest.raises(InvalidHandle, match="'%' is not allowed"):
        UNICODE.normalise("%E0%B8%97%E0%B9%88", "demo")


@pytest.mark.parametrize(("ch", "named"), [
    (" ", "' ' (a space)"),
    ("\u00a0", "U+00A0 (NO-BREAK SPACE)"),
    ("\u200c", "U+200C (ZERO WIDTH NON-JOINER)"),
    ("\u0301", "U+0301 (COMBINING ACUTE ACCENT)"),
    ("а", "'а' (CYRILLIC SMALL LETTER A)"),
    ("#", "'#'"),
])
def test_characters_are_named_so_that_they_can_be_found(ch: str, named: str) -> None:
    assert describe_handle_character(ch) == named
