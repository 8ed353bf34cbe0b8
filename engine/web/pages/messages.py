"""The member page's words in French (the default) and English; admins read English.

:data:`MESSAGES` holds one text per language; :data:`COUNTED_MESSAGES` one text per language and
CLDR plural category (``one``, ``other``), chosen by Babel for the count (French says
"0 publication comptée", English "0 posts counted"). Values are put in with
:meth:`str.format`; times are already human (:mod:`engine.service.human_dates`) when they get
here. The texts themselves are data: ``engine/web/texts/member.toml`` and
``member_counted.toml`` (:mod:`engine.web.texts`).
"""

from __future__ import annotations

from typing import cast

from babel.numbers import format_decimal

from engine.service.human_dates import babel_locale, plural_category
from engine.web.texts import load_counted_texts, load_texts

LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"

MESSAGES: dict[str, dict[str, str]] = load_texts("member")

COUNTED_MESSAGES: dict[str, dict[str, dict[str, str]]] = load_counted_texts("member_counted")


def pick_lang(value: str | None) -> str:
    """The requested language when known, French otherwise."""
    return value if value in LANGUAGES else DEFAULT_LANG


def say(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of :data:`MESSAGES` in ``lang`` with ``values`` put in."""
    return MESSAGES[key][pick_lang(lang)].format(**values)


# The value a counted text agrees with when it is not ``n``, per key and language: English
# says "1 of 3 posts counted" (the noun follows the goal), French "1 publication comptée
# sur 3" (it follows the count).
AGREES_WITH = {"progress_posts": {"en": "goal"}}


def say_count(key: str, lang: str, n: int, **values: object) -> str:
    """The text ``key`` of :data:`COUNTED_MESSAGES` for the count ``n`` in ``lang``.

    The plural category comes from Babel (CLDR) for ``n``, or for the value
    :data:`AGREES_WITH` names: French counts 0 and 1 as singular. ``{n}`` is the count written
    the locale's way (``12 000``, ``12,000``).
    """
    chosen = pick_lang(lang)
    forms = COUNTED_MESSAGES[key][chosen]
    other = AGREES_WITH.get(key, {}).get(chosen)
    agreed = int(cast(int, values[other])) if other else n
    text = forms.get(plural_category(chosen, agreed), forms["other"])
    return text.format(n=format_decimal(n, locale=babel_locale(chosen)), **values)


def has_message(key: str) -> bool:
    """Whether :data:`MESSAGES` has a text called ``key``."""
    return key in MESSAGES


def duration(seconds: float) -> str:
    """``3725`` → ``"1:02:05"``: the countdown's text, the same with or without JavaScript."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
