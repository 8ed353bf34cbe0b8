"""Why a post did or did not count, in the console's language.

The engine stores a seen post's ``detail`` (and a claim's last detail) in English, from fixed
templates: :func:`engine.verdicts.judge_post`, :mod:`engine.service.counting`,
:mod:`engine.service.thresholds`, the near-miss reasons of :mod:`engine.hashtags` and a few
texts of :mod:`engine.service.claim_checks`; several parts are joined with ``"; "``. The API
and the CSV keep that text (integrations read it); the console shows it through
:func:`localized_detail`, which recognises each template and renders it again from
``engine/web/texts/console_reasons.toml``, with dates and numbers written as ``lang`` writes
them. Text no template recognises (an older row, a template added later, a platform's own
message) is shown as stored.

The English templates the engine formats with are kept here, once (:data:`ENGINE_TEMPLATES`,
:data:`NEAR_REASONS`); ``tests/web/test_reasons.py`` runs the real engine functions and checks
that every detail they produce is recognised, so a changed engine text fails that test instead
of silently showing English on a French page.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, tzinfo

from engine.dates import parse_instant
from engine.service.human_dates import human_date, human_instant
from engine.service.thresholds import number_text

from .texts import load_texts

# The English templates of the stored details, by the key of their texts in
# console_reasons.toml; fields are named as the toml's placeholders.
ENGINE_TEMPLATES: dict[str, str] = {
    # engine.verdicts.judge_post
    "near_miss": "#{near} is not #{tag} ({reason})",
    "missing_among": "no #{tag} among {found}",
    "no_hashtag": "no hashtag at all, #{tag} needed",
    "before_window": "published {published}, before the window opened {start}",
    "after_window": "published {published}, after the window closed {end}",
    "found": "#{tag} found",
    # engine.service.counting
    "found_progress": "#{tag} found; progress {progress}/{goal}",
    "already_counted": "already counted for this mission (check {check})",
    "used_elsewhere": "already credited for mission {mission}; posts are exclusive",
    "goal_met": "the goal of {goal} posts is already met",
    "cap_reached": "{cap} post(s) already rewarded for the {period} of {day}",
    # engine.service.thresholds.Threshold.shortfall_of
    "no_number": "the platform did not give the {metric} of this post; {needed} needed",
    "below_threshold": "{seen} {metric} of {needed} needed",
    # engine.service.claim_checks (the unproven text is also a seen post's detail)
    "unproven": ("the ownership of @{handle} is not proved yet: put the code {code} in the "
                 "account's bio or a recent caption"),
    "unproven_contested": ("the ownership of @{handle} is not proved yet: put the code {code} "
                           "in the account's bio or a recent caption (another member linked "
                           "the same handle)"),
    "unlinked": "@{handle} is no longer linked to this member: another member proved it is theirs",
    "relinked": "the member now links @{now}, not @{was}",
    "post_not_recent": ("post {post} is not among the {n} most recent posts of @{handle}; "
                        "only those are read"),
    "no_handle": "the member no longer has a linked handle on this platform",
    "not_published": "the mission is no longer published",
}

# engine.hashtags.near_miss_reason, by the key of their texts (``reason_<key>``).
NEAR_REASONS: dict[str, str] = {
    "accents": "the same once accents are removed",
    "one_letter": "one letter off",
    "letters": "{n} letters off",
    "extra": "the required tag with extra characters",
}

_TAG = r"[^\s#,;()]+"
_HANDLE = r"[^\s,;:()@]+"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
_INT = r"-?\d+"
# What each field may hold; a field not listed is a number.
_FIELDS: dict[str, str] = {
    "tag": _TAG, "near": _TAG, "found": rf"#{_TAG}(?:, #{_TAG})*",
    "reason": "|".join(re.escape(text).replace(r"\{n\}", _INT)
                       for text in sorted(NEAR_REASONS.values(), key=len, reverse=True)),
    "published": _ISO, "start": _ISO, "end": _ISO,
    "period": "day|week", "day": r"\d{4}-\d{2}-\d{2}", "metric": "views|likes",
    "handle": _HANDLE, "now": _HANDLE, "was": _HANDLE, "code": r"\S+", "post": r"\S+",
}
# A detail longer than this, or of more parts, is shown as stored (no template is that long
# but a long list of tags, and matching is not worth unbounded work).
MAX_DETAIL = 4000
MAX_PARTS = 12


def _pattern(template: str) -> re.Pattern[str]:
    """``template`` as a regular expression with one named group per field."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>{_FIELDS.get(field, _INT)})")
    return re.compile("".join(parts))


PATTERNS: dict[str, re.Pattern[str]] = {key: _pattern(text)
                                        for key, text in ENGINE_TEMPLATES.items()}
_NEAR_PATTERNS: dict[str, re.Pattern[str]] = {key: _pattern(text)
                                              for key, text in NEAR_REASONS.items()}


# Read at import, as every catalogue: a broken one stops the start-up, not a page.
TEXTS = load_texts("console_reasons")


def _say(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of console_reasons.toml in ``lang`` (French when unknown)."""
    by_lang = TEXTS[key]
    return by_lang.get(lang, by_lang["fr"]).format(**values)


def recognise(part: str) -> tuple[str, dict[str, str]] | None:
    """The template key and fields of one stored part (or of a whole detail), or None."""
    for key, pattern in PATTERNS.items():
        found = pattern.fullmatch(part)
        if found:
            return key, found.groupdict()
    return None


def split_detail(detail: str) -> list[tuple[str, dict[str, str]]] | None:
    """``detail`` as the templates it is made of, in order (parts joined by ``"; "``; a
    template may itself hold ``"; "``), or None when some part is not a known template."""
    if not detail or len(detail) > MAX_DETAIL:
        return None
    parts = detail.split("; ")
    if len(parts) > MAX_PARTS:
        return None
    # Longest-first: a template may hold "; " itself. Memoised by start index, so that an
    # unknown detail costs at most parts² matches.
    memo: dict[int, list[tuple[str, dict[str, str]]] | None] = {}

    def segments(start: int) -> list[tuple[str, dict[str, str]]] | None:
        if start in memo:
            return memo[start]
        memo[start] = None
        for end in range(len(parts), start, -1):
            head = recognise("; ".join(parts[start:end]))
            if head is None:
                continue
            rest = [] if end == len(parts) else segments(end)
            if rest is not None:
                memo[start] = [head, *rest]
                break
        return memo[start]

    return segments(0)


def _number(text: str, lang: str) -> str:
    return number_text(int(text), lang)


def _near_reason(text: str, lang: str) -> str:
    for key, pattern in _NEAR_PATTERNS.items():
        found = pattern.fullmatch(text)
        if found:
            return _say(f"reason_{key}", lang,
                        **{name: _number(value, lang) for name, value in found.groupdict().items()})
    return text  # unreachable: the field's expression only allows the known reasons


def _instant(text: str, lang: str, zone: tzinfo | None) -> str:
    return human_instant(parse_instant(text), lang, zone)


def _day(text: str, lang: str) -> str:
    # The day is already the community's (counting computes it in its zone): shown as is.
    return human_date(datetime.combine(date.fromisoformat(text), time(12), tzinfo=UTC), lang)


def _tags(text: str, lang: str) -> str:
    return _say("tag_separator", lang).join(text.split(", "))


def _fields(values: Mapping[str, str], lang: str, zone: tzinfo | None) -> dict[str, str]:
    """The fields of a recognised part as ``lang`` writes them."""
    shown: dict[str, str] = {}
    writers: dict[str, Callable[[str], str]] = {
        "reason": lambda text: _near_reason(text, lang),
        "published": lambda text: _instant(text, lang, zone),
        "start": lambda text: _instant(text, lang, zone),
        "end": lambda text: _instant(text, lang, zone),
        "day": lambda text: _day(text, lang),
        "metric": lambda text: _say(f"metric_{text}", lang),
        "found": lambda text: _tags(text, lang),
    }
    for name, value in values.items():
        if name in writers:
            shown[name] = writers[name](value)
        elif _FIELDS.get(name) is None:  # a number
            shown[name] = _number(value, lang)
        else:
            shown[name] = value
    return shown


def _render(key: str, values: Mapping[str, str], lang: str, zone: tzinfo | None) -> str:
    """One recognised part in ``lang``. Counts pick their plural text (``_one``/``_other``)."""
    shown = _fields(values, lang, zone)
    if key == "cap_reached":
        form = "one" if values["cap"] == "1" else "other"
        return _say(f"cap_reached_{values['period']}_{form}", lang, **shown)
    if key == "goal_met":
        return _say(f"goal_met_{'one' if values['goal'] == '1' else 'other'}", lang, **shown)
    return _say(key, lang, **shown)


def localized_detail(detail: str, lang: str, zone: tzinfo | None = None) -> str:
    """``detail`` (an engine's stored English text, parts joined by ``"; "``) written in
    ``lang`` (``"fr"`` or ``"en"``; French for another), instants shown in ``zone`` (UTC by
    default, named then) as the console shows them. Text that is not made only of known
    templates is returned unchanged. Never raises for any ``detail``."""
    segments = split_detail(detail)
    if segments is None:
        return detail
    try:
        rendered = [_render(key, values, lang, zone) for key, values in segments]
    except (ValueError, OverflowError, KeyError):  # an impossible date or number: as stored
        return detail
    return _say("part_separator", lang).join(rendered)
