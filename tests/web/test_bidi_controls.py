"""Text and member ids refuse the bidirectional override and isolate controls (U+202A–U+202E,
U+2066–U+2069): an admin reading "‮evil" sees "live". The joiners scripts need (ZWNJ in
Persian, ZWJ in emoji) stay allowed."""

from __future__ import annotations

import pytest

from engine.service.member_ids import InvalidMemberId, check_member_id
from engine.web.api.schemas import text_problem

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_refused_in_text_and_member_ids(char: str) -> None:
    assert text_problem(f"Summer{char}evil") == ("control", ord(char))
    with pytest.raises(InvalidMemberId, match=rf"U\+{ord(char):04X} \(a control character\)"):
        check_member_id(f"{char}evil")


@pytest.mark.parametrize("text", ["نرم\u200cافزار", "👩\u200d💻", "עברית and English", "ok"])
def test_joiners_and_right_to_left_text_stay_allowed(text: str) -> None:
    assert text_problem(text) is None
    assert check_member_id(text) == text
