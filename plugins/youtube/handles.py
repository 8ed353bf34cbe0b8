"""How YouTube handles are spelled and normalised (SPEC R3).

Two forms are accepted: a handle (``@name``, ``name``, ``https://www.youtube.com/@name/videos``)
and a channel id (``UC`` + 22 characters, or ``https://www.youtube.com/channel/UC…``).

Normalisation: YouTube resolves handles case-insensitively (``/@MKBHD`` and ``/@mkbhd`` are the
same channel), so handles are lower-cased; channel ids are case-sensitive and kept as typed. A
leading ``@`` always means a handle, so ``@UC…`` stays a (lower-cased) handle and can never be
mistaken for a channel id: a stored handle is a channel id exactly when it matches
:data:`~plugins.youtube.constants.CHANNEL_ID_PATTERN`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from engine.errors import InvalidHandle
from engine.platforms import HandleRule

from .constants import CHANNEL_ID_PATTERN, HANDLE_PATTERN, PROFILE_URL

DESCRIPTION = ("a handle like @name (3 to 30 letters, digits, '_', '.' and '-') or a channel id "
               "(UC followed by 22 letters, digits, '_' and '-')")


def is_channel_id(handle: str) -> bool:
    """True when a normalised handle is a ``UC…`` channel id rather than an ``@`` handle."""
    return CHANNEL_ID_PATTERN.fullmatch(handle) is not None


@dataclass(frozen=True, kw_only=True)
class YouTubeHandleRule(HandleRule):
    """Handles lower-cased, channel ids kept as typed; channel and handle URLs reduced."""

    def normalise(self, raw: str, platform: str) -> str:
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
        handle = text.removeprefix("@")
        if not handle or not HANDLE_PATTERN.fullmatch(handle):
            raise InvalidHandle(
                f"{raw.strip()!r} is not a valid {platform} handle: {self.description}"
            )
        # NFC so that a handle typed with combining accents is the same key as a composed one.
        return unicodedata.normalize("NFC", handle).lower()


HANDLE_RULE = YouTubeHandleRule(pattern=HANDLE_PATTERN, description=DESCRIPTION,
                                case_insensitive=True, profile_urls=(PROFILE_URL,))
