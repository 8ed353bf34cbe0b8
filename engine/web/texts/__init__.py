"""The words the web pages show, in French (the default) and English, kept as data: one TOML
file per page area in this package (``member.toml`` for the member page, ``console_*.toml`` for
the admin console's areas).

An entry is a key with one text per language, filled in later with :meth:`str.format`::

    linked_as.fr = "Compte lié : @{handle}"
    linked_as.en = "Linked account: @{handle}"

A counted entry (``*_counted.toml``) has one text per language and CLDR plural category
(``one``, ``other``; ``other`` is required), chosen by Babel for the count::

    points.fr.one = "{n} point"
    points.fr.other = "{n} points"

The files are read once, when the page modules are imported; a key missing a language, or a
value that is not text, raises :class:`ValueError` naming the file and the key then, so a broken
catalogue stops the start-up instead of one page.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from typing import Any

LANGUAGES = ("fr", "en")


def _read(name: str) -> dict[str, Any]:
    """The TOML file ``<name>.toml`` of this package, parsed."""
    return tomllib.loads(files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def _languages(name: str, key: str, entry: object) -> dict[str, Any]:
    """``entry`` when it is a table with exactly the :data:`LANGUAGES`; else ValueError."""
    if not isinstance(entry, dict) or sorted(entry) != sorted(LANGUAGES):
        raise ValueError(f"texts/{name}.toml: {key!r} needs exactly one text per language "
                         f"({', '.join(LANGUAGES)}); write {key}.fr and {key}.en")
    return entry


def load_texts(name: str) -> dict[str, dict[str, str]]:
    """The catalogue ``<name>.toml`` as ``{key: {"fr": text, "en": text}}``, in file order.

    Raises :class:`ValueError` when an entry lacks a language or a text is not a string, and
    :class:`FileNotFoundError` for an unknown ``name``."""
    texts: dict[str, dict[str, str]] = {}
    for key, entry in _read(name).items():
        by_lang = _languages(name, key, entry)
        if not all(isinstance(text, str) for text in by_lang.values()):
            raise ValueError(f"texts/{name}.toml: {key!r} has a value that is not text; "
                             "quote it")
        texts[key] = by_lang
    return texts


def load_counted_texts(name: str) -> dict[str, dict[str, dict[str, str]]]:
    """The counted catalogue ``<name>.toml`` as ``{key: {lang: {plural category: text}}}``.

    Raises :class:`ValueError` when an entry lacks a language or a language lacks its
    ``other`` form (the one Babel falls back to), and :class:`FileNotFoundError` for an unknown
    ``name``."""
    texts: dict[str, dict[str, dict[str, str]]] = {}
    for key, entry in _read(name).items():
        by_lang = _languages(name, key, entry)
        for lang, forms in by_lang.items():
            if not isinstance(forms, dict) or not isinstance(forms.get("other"), str):
                raise ValueError(f"texts/{name}.toml: {key}.{lang} needs at least an "
                                 f"'other' text; write {key}.{lang}.other")
        texts[key] = by_lang
    return texts
