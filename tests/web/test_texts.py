"""The pages' word catalogues (``engine/web/texts/*.toml``): every one loads, says each text in
French and English with matching placeholders (one language may leave a value out, as French
leaves out the English default label, but neither names one the other lacks: a misspelt
``{platfrom}`` fails), and a broken one is refused at load time with the file and the key
named."""

from __future__ import annotations

import string
from importlib.resources import files

import pytest

import engine.web.texts as texts
from engine.web.texts import load_counted_texts, load_texts

CATALOGUES = sorted(path.name.removesuffix(".toml") for path in files("engine.web.texts").iterdir()
                    if path.name.endswith(".toml"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_console_and_the_member_page_have_catalogues() -> None:
    assert {"console_shared", "console_actions", "console_members", "console_settings",
            "console_report", "member", "member_counted"} <= set(CATALOGUES)


@pytest.mark.parametrize("name", CATALOGUES)
def test_each_text_has_both_languages_with_matching_placeholders(name: str) -> None:
    if name.endswith("_counted"):
        counted = load_counted_texts(name)
        assert counted
        for key, by_lang in counted.items():
            forms = [text for by_form in by_lang.values() for text in by_form.values()]
            assert all(_placeholders(text) == _placeholders(forms[0]) for text in forms), key
        return
    catalogue = load_texts(name)
    assert catalogue
    for key, by_lang in catalogue.items():
        assert by_lang["fr"].strip() and by_lang["en"].strip(), key
        french, english = _placeholders(by_lang["fr"]), _placeholders(by_lang["en"])
        assert french <= english or english <= french, key


def test_a_text_missing_a_language_is_refused_with_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(texts, "_read", lambda name: {"title": {"fr": "Titre"}})
    with pytest.raises(ValueError, match=r"texts/broken\.toml: 'title' needs exactly one text "
                                         r"per language \(fr, en\); write title\.fr and title\.en"):
        load_texts("broken")


def test_a_value_that_is_not_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(texts, "_read", lambda name: {"max": {"fr": 3, "en": 3}})
    with pytest.raises(ValueError, match=r"'max' has a value that is not text; quote it"):
        load_texts("broken")


def test_a_counted_text_needs_its_other_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(texts, "_read", lambda name: {
        "points": {"fr": {"one": "{n} point"}, "en": {"one": "{n} point", "other": "{n} points"}}})
    with pytest.raises(ValueError, match=r"points\.fr needs at least an 'other' text"):
        load_counted_texts("broken")


def test_an_unknown_catalogue_is_a_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        load_texts("no_such_catalogue")
