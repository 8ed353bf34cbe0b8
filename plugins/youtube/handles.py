"""How YouTube handles are spelled and normalised: rule R3 (docs/rules.md).

Two forms are accepted: a handle (``@name``, ``name``, ``https://www.youtube.com/@name/videos``)
and a channel id (``UC`` + 22 characters, or ``https://www.youtube.com/channel/UC…``).

The handle rule is YouTube's own, from YouTube Help's page on handles, section "Handle naming
guidelines" (https://support.google.com/youtube/answer/11585688): 3 to 30 characters; letters
or digits of one of its 75 supported languages; underscores ``_``, hyphens ``-``, periods ``.``
and Latin middle dots ``·``. Letters of scripts such as Thai, Devanagari,
Tamil or Khmer carry combining vowel signs and viramas (Unicode categories Mn and Mc), which are
part of the letters, so ``@ท่องเที่ยวสุขใจ`` is a handle. Here a letter is any Unicode letter
(L*), a combining mark (Mn, Mc) that does not start the handle, and a digit is Nd; the limits
YouTube adds per script (lengths, which scripts may be mixed) are left to YouTube, which answers
404 for a handle that does not exist.

Normalisation: a profile URL is percent-decoded (browsers copy ``/@%E0%B8%97…``), the handle is
NFC-normalised (length is counted after NFC) and lower-cased, as YouTube resolves handles
case-insensitively (``/@MKBHD`` and ``/@mkbhd`` are the same channel); channel ids are
case-sensitive and kept as typed. A leading ``@`` always means a handle, so ``@UC…`` stays a
(lower-cased) handle and can never be mistaken for a channel id: a stored handle is a channel id
exactly when it matches :data:`~plugins.youtube.constants.CHANNEL_ID_PATTERN`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from engine.errors import InvalidHandle
from engine.platforms import HandleRule, describe_handle_character

from .constants import (
    CHANNEL_ID_PATTERN,
    HANDLE_LENGTH,
    HANDLE_PATTERN,
    HANDLE_PUNCTUATION,
    PROFILE_URL,
)

DESCRIPTION = ("a handle is 3 to 30 letters (any script, combining marks included), digits, '_', "
               "'-', '.' and '·', or a channel id (UC + 22 characters)")


def is_channel_id(handle: str) -> bool:
    """True when a normalised handle is a ``UC…`` channel id rather than an ``@`` handle."""
    return CHANNEL_ID_PATTERN.fullmatch(handle) is not None


def is_handle_character(ch: str) -> bool:
    """True when ``ch`` may appear in a YouTube handle: a letter of any script (L*), a
    combining mark (Mn, Mc), a decimal digit (Nd), or one of ``_ - . ·``."""
    return ch in HANDLE_PUNCTUATION or unicodedata.category(ch) in _HANDLE_CATEGORIES


_HANDLE_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd"))


@dataclass(frozen=True, kw_only=True)
class YouTubeHandleRule(HandleRule):
    """Handles lower-cased, channel ids kept as typed; channel and handle URLs reduced."""

    def normalise(self, raw: str, platform: str) -> str:
        """A ``UC…`` channel id as typed, or the handle NFC-normalised and lower-cased; raises
        :class:`InvalidHandle` naming the offending character or length, and the rule."""
        text = raw.strip()
        if not text:
            raise InvalidHandle(f"the {platform} handle is empty")
        found = PROFILE_URL.match(text)
        if found and found.group("channel"):
            return found.group("channel")
        if found:
            text = "@" + unquote(found.group("handle"))
        if not text.startswith("@") and CHANNEL_ID_PATTERN.fullmatch(text):
            return text
        handle = unicodedata.normalize("NFC", text.removeprefix("@"))
        self.check(handle, raw, platform)
        return self.canonical(handle)

    def problem(self, handle: str) -> str | None:
        """The general faults (character, length), then a combining mark opening the handle:
        a mark belongs to the letter before it."""
        found = super().problem(handle)
        if found is None and unicodedata.category(handle[0]) in ("Mn", "Mc"):
            return f"it starts with {describe_handle_character(handle[0])}, a combining mark"
        return found


HANDLE_RULE = YouTubeHandleRule(pattern=HANDLE_PATTERN, description=DESCRIPTION,
                                case_insensitive=True, profile_urls=(PROFILE_URL,),
                                allowed=is_handle_character, length=HANDLE_LENGTH)
