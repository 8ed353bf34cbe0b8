"""The one rule for a member id (the host platform's id of a member), wherever one comes in.

A member id is taken exactly as given, never trimmed or normalised: ``" lea"`` and ``"lea"``
would otherwise name two members, or one silently. It has 1 to :data:`MEMBER_ID_MAX`
characters, does not begin or end with white space, and holds no control character (C0, DEL,
C1, the bidirectional overrides and isolates), line or paragraph separator, lone surrogate,
nor U+FFFD (the replacement character: what an invalid UTF-8 or percent-encoding such as
``%FF`` decodes to, never a real id).
The API, the CLI, the console and :func:`engine.service.members.link_account` all apply
:func:`check_member_id`.

A *new* id (a member not yet known: the first link of a handle, a member page link made for
them) is also refused when it holds ``/`` (the API's URLs address a member by id in one path
segment, and servers decode ``%2F`` before routing, so such a member could never be read,
exported or erased through the API), is ``.`` or ``..`` (path steps that clients remove
from a URL before sending it), an invisible format character (zero-width space, byte
order mark, word joiner…; the zero-width joiner and non-joiner, which some scripts need, are
allowed) or a Unicode noncharacter (U+FDD0–U+FDEF, U+FFFE, U+FFFF and their counterparts in
every plane), or is not in Unicode's normal form NFKC: a decomposed accent ("e" and U+0301
for "é"), a full-width letter ("ａｎａ") or a ligature ("ﬁ") shows like its normal form, which
may be another member's id (:func:`look_alike_of`), or mixes Latin, Cyrillic and Greek
letters (:func:`mixed_scripts`: "lеa" with a Cyrillic "е" shows as "lea"). Ids already
stored keep working wherever they are looked up.
"""

from __future__ import annotations

import unicodedata

from engine.errors import InvalidInput

MEMBER_ID_MAX = 200  # characters
# The bidirectional embedding, override and isolate controls: they reorder what follows on
# screen ("‮evil" shows as "live"), so an id holding one could pass for another.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class InvalidMemberId(InvalidInput):
    """A member id that breaks the rule; the message names the fault and the fix."""


# Format characters (Unicode category Cf) a new id may hold: the zero-width non-joiner and
# joiner, which Persian, Indic scripts and emoji sequences need.
JOINERS = frozenset("\u200c\u200d")


def _is_noncharacter(char: str) -> bool:
    """Whether ``char`` is one of Unicode's 66 noncharacters (never assigned, meant for
    internal use only)."""
    point = ord(char)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def new_member_id_problem(value: str) -> str | None:
    """What is wrong with ``value`` as the id of a member not yet known (the rule above and
    the new-id rule of this module's docstring), in words, or None when it is valid."""
    problem = member_id_problem(value)
    if problem is not None:
        return problem
    if "/" in value:
        return ("the member id holds '/', which the API's URLs cannot carry (a member id is one "
                "path segment); use another separator, for example ':'")
    if value in (".", ".."):
        return (f"the member id {value!r} is a path step that browsers and HTTP clients "
                "remove from URLs, so the API could never address this member; choose "
                "another id")
    mixed = mixed_scripts(value)
    if mixed:
        example = ("a Cyrillic 'а' shows as a Latin 'a'" if "Cyrillic" in mixed and "Latin" in mixed
                   else "a Greek 'ο' shows as a Latin 'o'" if "Latin" in mixed
                   else "a Greek 'ο' shows as a Cyrillic 'о'")
        return (f"the member id mixes {' and '.join(mixed)} letters, which look alike "
                f"({example}): write it in one script")
    normal = look_alike_of(value)
    if normal is not None:
        fix = (f"send {normal!r} if that is the member's id"
               if new_member_id_problem(normal) is None else "choose another id")
        return (f"the member id is not in Unicode's normal form NFKC: it shows like {normal!r}, "
                f"which is another id; {fix}")
    for char in value:
        if _is_noncharacter(char):
            return f"the member id holds U+{ord(char):04X} (a Unicode noncharacter)"
        if unicodedata.category(char) == "Cf" and char not in JOINERS:
            return (f"the member id holds U+{ord(char):04X} (an invisible format character): "
                    "an id holding one looks like another on screen")
    return None


# The scripts whose letters pass for each other's (Unicode's confusables, UTS #39): an id
# mixing two of them is how "lea" is imitated.
LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def mixed_scripts(value: str) -> tuple[str, ...]:
    """The look-alike scripts (:data:`LOOK_ALIKE_SCRIPTS`, title-cased) whose letters
    ``value`` holds, when it holds letters of two or more of them; else ``()``."""
    found: list[str] = []
    for char in value:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ", 1)[0]
            if script in LOOK_ALIKE_SCRIPTS and script.title() not in found:
                found.append(script.title())
    return tuple(found) if len(found) > 1 else ()


def look_alike_of(value: str) -> str | None:
    """``value`` in Unicode's normal form NFKC when that differs from it (the id it shows
    like), else None. Compatibility characters (full-width and half-width forms, ligatures,
    superscripts) and decomposed sequences are what NFKC rewrites."""
    if value.isascii():
        return None
    normal = unicodedata.normalize("NFKC", value)
    return normal if normal != value else None


def member_id_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a member id, in words, or None when it is valid."""
    if not value:
        return "the member id is empty"
    if len(value) > MEMBER_ID_MAX:
        return f"the member id has {len(value)} characters, more than {MEMBER_ID_MAX}"
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp") or char in BIDI_CONTROLS:
            kind = "a lone surrogate" if category == "Cs" else "a control character"
            return f"the member id holds U+{ord(char):04X} ({kind})"
        if char == "\ufffd":
            return ("the member id holds U+FFFD (the replacement character): the id sent was "
                    "not valid UTF-8 or percent-encoding; send the id in valid UTF-8")
    if value[0].isspace() or value[-1].isspace():
        return ("the member id begins or ends with white space; send it exactly as the host "
                "platform stores it, without surrounding spaces")
    return None


def check_member_id(value: str, *, new: bool = False) -> str:
    """``value`` unchanged when it is a valid member id (``new``: of a member not yet known,
    :func:`new_member_id_problem`); raises :class:`InvalidMemberId`."""
    problem = new_member_id_problem(value) if new else member_id_problem(value)
    if problem is not None:
        raise InvalidMemberId(problem)
    return value
