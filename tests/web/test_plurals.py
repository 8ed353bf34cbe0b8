"""Counts in the member's and the admin's words agree with their number the language's way
(CLDR plural rules through Babel: French says "0 point" and "1 point", English "0 points"),
instead of "point(s)"."""

from __future__ import annotations

import pytest

from engine.service.diagnosis import TEXTS as DIAGNOSIS
from engine.service.diagnosis import _say
from engine.web.console.members import TEXTS

CASES = [("fr", 0, "0 point"), ("fr", 1, "1 point"), ("fr", 2, "2 points"),
         ("en", 0, "0 points"), ("en", 1, "1 point"), ("en", 2, "2 points"),
         ("en", -1, "-1 point"), ("fr", -3, "-3 points")]


@pytest.mark.parametrize(("lang", "n", "expected"), CASES)
def test_the_console_counts_points_the_language_s_way(lang: str, n: int, expected: str) -> None:
    assert TEXTS.count("points", lang, n) == expected


def test_the_console_s_other_counted_words() -> None:
    assert TEXTS.count("counted_n", "fr", 1) == "1 publication comptée"
    assert TEXTS.count("counted_n", "en", 3) == "3 posts counted"
    assert TEXTS.count("failures_n", "fr", 2) == "2 échecs de lecture"
    assert TEXTS.count("requests", "en", 1) == "1 request"


def test_the_diagnosis_agrees_with_its_numbers() -> None:
    assert _say("rewarded", "fr", points=1) == "Bravo : 1 point gagné avec cette mission."
    assert _say("rewarded", "en", points=12) == "Well done: 12 points earned with this mission."
    # French agrees with what was counted, English with the goal.
    assert _say("progress", "fr", count=2, goal=3) == \
        "Progression : 2 publications comptées sur 3."
    assert _say("progress", "en", count=1, goal=3) == "Progress: 1 of 3 posts counted."
    assert _say("progress", "en", count=1, goal=1) == "Progress: 1 of 1 post counted."
    lost = _say("ownership_lost", "fr", platform="Instagram", handle="ana", points=1)
    assert "le 1 point gagné" in lost and "a été repris" in lost


def test_no_text_says_s_in_parentheses() -> None:
    words = [text for entry in DIAGNOSIS.values() for forms in entry.values()
             for text in (forms.values() if isinstance(forms, dict) else [forms])]
    words += [text for entry in TEXTS.texts.values() for text in entry.values()]
    assert not [text for text in words if "(s)" in text and "{n}" in text]


def test_a_count_shown_the_locale_s_way_still_picks_its_form() -> None:
    from engine.web.console.results import TEXTS as RESULTS

    assert RESULTS.count("rate_hint", "fr", 1, n="1") == \
        "(j'aime + commentaires) / abonnés, sur 1 publication"
    assert RESULTS.count("reach_hint", "en", 12000, n="12,000", known="3") == \
        "followers of 3 of 12,000 accounts, each counted once"


def test_the_member_page_s_progress_agrees_in_both_languages() -> None:
    from engine.web.pages.messages import say_count

    assert say_count("progress_posts", "en", 1, goal=1) == "1 of 1 post counted"
    assert say_count("progress_posts", "en", 0, goal=1) == "0 of 1 post counted"
    assert say_count("progress_posts", "en", 1, goal=3) == "1 of 3 posts counted"
    assert say_count("progress_posts", "fr", 1, goal=3) == "1 publication comptée sur 3"
    assert say_count("progress_posts", "fr", 2, goal=3) == "2 publications comptées sur 3"


def test_a_claim_s_checks_are_counted_in_words() -> None:
    assert TEXTS.count("checks_of", "fr", 1) == "1 vérification"
    assert TEXTS.count("checks_of", "fr", 3) == "3 vérifications, les plus récentes d'abord"
    assert TEXTS.count("checks_of", "en", 2) == "2 checks, newest first"
