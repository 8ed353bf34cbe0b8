"""Hashtag rules: R1 (what an admin may require) and R6 (how posts are read and compared).

A required hashtag is plain ASCII (letters, digits, ``_``, at least one letter). Tags found in
posts are read by :func:`extract_hashtags`: an ASCII ``#`` followed by a run of Unicode letters,
combining marks, decimal digits and ``_`` (so that Thai, Devanagari, Tamil or Khmer tags, whose
vowel signs and viramas are marks, are read whole), with a zero-width non-joiner or joiner kept
between two letters or marks (Persian writes ``#نرم‌افزار`` with one, and Instagram keeps it in
the tag). Tags compare case-insensitively after NFKC normalisation. A near miss is a tag that
a member probably meant as the required one: equal once accents are folded, one or two letters
off, or the required tag with extra characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from .errors import InvalidHashtag

MAX_HASHTAG_LENGTH = 100
_REQUIRED_TAG = re.compile(r"[A-Za-z0-9_]+")
# In ASCII text a tag run is exactly [A-Za-z0-9_]+ (see _tag_end: ASCII has no marks or
# joiners, and NFC/NFKC leave it unchanged), read by one regular expression instead of character
# by character: the whole run after a '#' that follows no '&' or '/' (see _NOT_BEFORE_TAG),
# when it holds a letter (its leading digits and '_', a letter, then the rest, greedily).
_ASCII_TAG = re.compile(r"(?<![&/])#([0-9_]*[A-Za-z][A-Za-z0-9_]*)")
# A tag as extract_hashtags gives it from ASCII text: merge_hashtags leaves it as it is.
_NORMAL_ASCII_TAG = re.compile(r"[0-9_]*[a-z][a-z0-9_]*")
# '&' and '/' before '#' are HTML entities (&#39;) and URL fragments (/#top), not hashtags.
_NOT_BEFORE_TAG = frozenset("&/")
# A zero-width non-joiner or joiner stays in a tag only between two letters or marks.
_JOINERS = frozenset("\u200c\u200d")
# Kinds of characters in a tag run (see _tag_end).
_LETTER, _MARK, _DIGIT, _UNDERSCORE, _JOINER = "letter", "mark", "digit", "underscore", "joiner"
_RUN_STARTS = frozenset((_LETTER, _DIGIT, _UNDERSCORE))
_JOINABLE = frozenset((_LETTER, _MARK))
# Letters that NFKD does not decompose but that have an obvious ASCII spelling.
_ASCII_SPELLING = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
    # Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, UTS #39): a tag
    # typed with one ("summеr" with a Cyrillic "е") is the Latin tag it imitates.
    **dict(zip("аеорсухіјѕԁһԛԝ" "АВЕКМНОРСТХІЈЅ" "οναικρτ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
               "aeopcyxijsdhqw" "ABEKMHOPCTXIJS" "ovaikpt" "ABEZHIKMNOPTYX", strict=True)),
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


def _char_kind(ch: str) -> str:
    """What ``ch`` is to the tag rule: letter, mark, digit, underscore, joiner, or '' (none)."""
    if ch == "_":
        return _UNDERSCORE
    if ch in _JOINERS:
        return _JOINER
    if "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
        return ""  # variation selectors (the emoji one of a keycap #️⃣) are not part of words
    category = unicodedata.category(ch)
    if category[0] == "L":
        return _LETTER
    if category in ("Mn", "Mc"):
        return _MARK
    # Nd digits, and the other numbers (superscripts ²⁰²⁵, Roman numerals) that NFKC turns
    # into digits or letters: "#summer²⁰²⁵" is compared as summer2025, as before.
    return _DIGIT if category in ("Nd", "No", "Nl") else ""


def _tag_end(text: str, start: int) -> int:
    """Where the tag run starting at ``text[start]`` ends (``start`` when there is none).

    The run takes letters (L*), combining marks (Mn, Mc), numbers (Nd, and No/Nl, which NFKC
    makes digits) and ``_``; it
    starts with a letter, digit or ``_``, never a mark. A zero-width non-joiner (U+200C) or
    joiner (U+200D) is kept when a letter or mark stands on both sides; anywhere else it ends
    the run, as does any other character (a space, a zero-width space U+200B, punctuation).
    """
    if start >= len(text) or _char_kind(text[start]) not in _RUN_STARTS:
        return start
    end = start
    previous = ""
    for index in range(start, len(text)):
        kind = _char_kind(text[index])
        if kind == _JOINER:
            following = _char_kind(text[index + 1]) if index + 1 < len(text) else ""
            if previous in _JOINABLE and following in _JOINABLE:
                previous = kind
                continue
            break
        if not kind:
            break
        previous = kind
        end = index + 1
    return end


def _runs_after_hash(text: str) -> Iterable[str]:
    """Each run read after an ASCII ``#`` that is not an HTML entity or a URL fragment.

    Only U+0023 opens a tag: a full-width ``＃`` is not one, and a keycap ``#️⃣`` is ``#``
    followed by a variation selector, which no run starts with.
    """
    position = text.find("#")
    while position >= 0:
        start = position + 1
        end = start
        if position == 0 or text[position - 1] not in _NOT_BEFORE_TAG:
            end = _tag_end(text, start)
            if end > start:
                yield text[start:end]
        position = text.find("#", end)


def _found_tag(run: str) -> str:
    """A run read in a text, in the form tags are reported in: NFKC, lower-cased.

    Normalisation can turn a character into several, some of which no tag holds (the Arabic
    ligature U+FDFA becomes words with spaces): the tag keeps the valid run they begin with.
    Returns '' when that run has no letter (``#5``, ``#2024`` are not hashtags).
    """
    tag = unicodedata.normalize("NFKC", run).lower()
    tag = tag[:_tag_end(tag, 0)]
    return tag if any(ch.isalpha() for ch in tag) else ""


def _ascii_tags(text: str) -> list[str]:
    """The tags of an ASCII ``text``, lower-cased: the same as :func:`_runs_after_hash` and
    :func:`_found_tag` give for it (a ``#`` after ``&`` or ``/`` opens none; a run needs a
    letter), with one regular expression (most captions are ASCII)."""
    return [run.lower() for run in _ASCII_TAG.findall(text)]


def extract_hashtags(*texts: str | None) -> tuple[str, ...]:
    """Tags in ``texts``, lower-cased, without ``#``, in order of first appearance, no repeats.

    A tag is ``#`` followed by the run :func:`_tag_end` describes (letters of any script with
    their combining marks, digits, ``_``, and a zero-width non-joiner or joiner between two
    letters), read on the NFC form of the text and kept as NFKC, lower-cased: a Persian tag
    keeps its non-joiner, so reports show it as the member wrote it. A run without any letter
    (``#5``, ``#2024``) is not a hashtag on any platform and is skipped.
    """
    found: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        if text.isascii():
            for tag in _ascii_tags(text):
                found.setdefault(tag, None)
            continue
        for run in _runs_after_hash(unicodedata.normalize("NFC", text)):
            tag = _found_tag(run)
            if tag:
                found.setdefault(tag, None)
    return tuple(found)


def _trim_invisible(tag: str) -> str:
    """``tag`` without blanks and invisible format characters (U+200B, U+200C, ...) at its ends."""
    start, end = 0, len(tag)
    while start < end and (tag[start].isspace() or unicodedata.category(tag[start]) == "Cf"):
        start += 1
    while end > start and (tag[end - 1].isspace() or unicodedata.category(tag[end - 1]) == "Cf"):
        end -= 1
    return tag[start:end]


def merge_hashtags(*groups: Iterable[str]) -> tuple[str, ...]:
    """Join tag lists (structured ones first), normalised, keeping first appearances.

    Each tag is taken whole, as the platform or :func:`extract_hashtags` gave it (TikTok's
    ``textExtra`` names, a plugin's facets): one leading ``#`` and invisible characters at its
    ends are removed, then it is NFKC-normalised and lower-cased like extracted tags, so that a
    structured tag and the same tag read in the caption are one entry. Joiners inside a tag
    are kept. Tags without a letter are dropped.
    """
    merged: dict[str, None] = {}
    for group in groups:
        for tag in group:
            if _NORMAL_ASCII_TAG.fullmatch(tag):
                # Already normalised (what extract_hashtags gives for ASCII text): the steps
                # below would leave it as it is.
                merged.setdefault(tag, None)
                continue
            clean = unicodedata.normalize("NFKC", _trim_invisible(tag).removeprefix("#")).lower()
            clean = _trim_invisible(clean)
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
