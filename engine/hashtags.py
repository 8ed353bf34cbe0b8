"""Hashtag rules: R1 (what an admin may require) and R6 (how posts are read and compared).

A required hashtag is plain ASCII (letters, digits, ``_``, at least one letter). Tags found in
posts are any ``#`` followed by a run of Unicode letters, digits and ``_``; they compare
case-insensitively after NFKC normalisation. A near miss is a tag that a member probably meant
as the required one: equal once accents are folded, one or two letters off, or the required tag
with extra characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from .errors import InvalidHashtag

MAX_HASHTAG_LENGTH = 100
_REQUIRED_TAG = re.compile(r"[A-Za-z0-9_]+")
# '&' and '/' before '#' are HTML entities and URL fragments, not hashtags.
_TAG_IN_TEXT = re.compile(r"(?<![&/])#(\w+)")
# Letters that NFKD does not decompose but that have an obvious ASCII spelling.
_ASCII_SPELLING = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
}


def fold_to_ascii(text: str) -> str:
    """Spell ``text`` in ASCII where an obvious spelling exists ('é' → 'e'); drop the rest."""
    spelled = "".join(_ASCII_SPELLING.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def normalise_tag(tag: str) -> str:
    """The form tags are compared in: NFKC, case-folded, without a leading ``#``."""
    return unicodedata.normalize("NFKC", tag.removeprefix("#")).casefold()


def validate_hashtag(raw: str) -> str:
    """Return the hashtag an admin typed, as stored (R1), or raise :class:`InvalidHashtag`.

    One leading ``#`` and surrounding spaces are removed; case is kept for display.
    """
    tag = raw.strip()
    tag = tag[1:] if tag.startswith("#") else tag
    if not tag:
        raise InvalidHashtag("the hashtag is empty: type it without '#', for example summer2024")
    bad = [ch for ch in dict.fromkeys(tag) if not _REQUIRED_TAG.fullmatch(ch)]
    if bad:
        named = ", ".join(_describe_char(ch) for ch in bad)
        verb = "is" if len(bad) == 1 else "are"
        suggestion = _ascii_suggestion(tag)
        advice = (
            f"; use `{suggestion}`"
            if suggestion
            else "; use only ASCII letters, digits and '_'"
        )
        raise InvalidHashtag(f"`{tag}`: {named} {verb} not allowed{advice}", suggestion=suggestion)
    if len(tag) > MAX_HASHTAG_LENGTH:
        raise InvalidHashtag(
            f"`{tag[:20]}…`: a hashtag has at most {MAX_HASHTAG_LENGTH} characters, not {len(tag)}"
        )
    if not any(ch.isalpha() for ch in tag):
        raise InvalidHashtag(
            f"`{tag}`: a hashtag needs at least one letter (platforms do not link '#{tag}')"
        )
    return tag


def _describe_char(ch: str) -> str:
    if ch.isspace():
        return "a space" if ch == " " else f"the blank {unicodedata.name(ch, repr(ch))}"
    if ch == "#":
        return "a second '#'"
    return f"'{ch}'"


def _ascii_suggestion(tag: str) -> str | None:
    candidate = "".join(ch for ch in fold_to_ascii(tag) if _REQUIRED_TAG.fullmatch(ch))
    if candidate and any(ch.isalpha() for ch in candidate) and len(candidate) <= MAX_HASHTAG_LENGTH:
        return candidate
    return None


def extract_hashtags(*texts: str | None) -> tuple[str, ...]:
    """Tags in ``texts``, lower-cased, without ``#``, in order of first appearance, no repeats.

    A run without any letter (``#5``, ``#2024``) is not a hashtag on any platform and is skipped.
    """
    found: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for match in _TAG_IN_TEXT.finditer(unicodedata.normalize("NFC", text)):
            tag = match.group(1)
            if any(ch.isalpha() for ch in tag):
                found.setdefault(unicodedata.normalize("NFKC", tag).lower(), None)
    return tuple(found)


def merge_hashtags(*groups: Iterable[str]) -> tuple[str, ...]:
    """Join tag lists (structured ones first), normalised, keeping first appearances."""
    merged: dict[str, None] = {}
    for group in groups:
        for tag in group:
            clean = unicodedata.normalize("NFKC", tag.removeprefix("#")).lower()
            if clean and any(ch.isalpha() for ch in clean):
                merged.setdefault(clean, None)
    return tuple(merged)


def tags_match(found: str, required: str) -> bool:
    """True when a tag read from a post is the required hashtag (R6)."""
    return normalise_tag(found) == normalise_tag(required)


def allowed_typos(required: str) -> int:
    """How many edits still make a near miss: none for tiny tags, two from five letters on."""
    length = len(required)
    if length <= 2:
        return 0
    return 1 if length <= 4 else 2


def near_miss_reason(found: str, required: str) -> str | None:
    """Why ``found`` is close to ``required`` (a short phrase), or None when it is not close."""
    tag, want = normalise_tag(found), normalise_tag(required)
    if tag == want:
        return None
    if fold_to_ascii(tag) == want:
        return "the same once accents are removed"
    distance = OSA.distance(tag, want)
    if 0 < distance <= allowed_typos(want):
        return "one letter off" if distance == 1 else f"{distance} letters off"
    if want in tag:
        return "the required tag with extra characters"
    return None


def find_near_miss(found: Iterable[str], required: str) -> tuple[str, str] | None:
    """The first tag in ``found`` that is a near miss of ``required``, with its reason."""
    for tag in found:
        reason = near_miss_reason(tag, required)
        if reason:
            return tag, reason
    return None
