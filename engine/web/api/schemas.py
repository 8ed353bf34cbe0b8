"""Request bodies and the answers that are not service records, as pydantic models.

Every field is bounded (lengths, ranges, years) so that no input can reach the database in a
form it would refuse with an error of its own: bad input answers 422, never 500.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_type_hints

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    model_validator,
)

from engine.service.member_ids import MEMBER_ID_MAX, member_id_problem
from engine.service.missions import THRESHOLD_MAX
from engine.service.records import ClaimReceipt, LedgerEntry

MAX_ID = 2**31 - 1
# The most digits a path or query integer may have (more is refused before it is parsed).
MAX_DIGITS = 12


def _instant(value: datetime) -> datetime:
    """Naive instants are UTC; years outside 1970–2999 are refused (no overflow later)."""
    if not 1970 <= value.year <= 2999:
        raise ValueError("the year must be between 1970 and 2999")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# C0 controls but tab and line breaks, DEL, and the bidirectional embedding, override and
# isolate controls (U+202A–U+202E, U+2066–U+2069: they reorder what follows on screen, so that
# "‮evil" shows as "live"; Unicode's own security advice, UTS #39, flags them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str) -> tuple[str, int] | None:
    """The first character that breaks the text rule, as ``(kind, code point)`` with kind
    ``"control"`` or ``"surrogate"``, or None when ``value`` is acceptable text.

    The rule (API bodies, console forms): no NUL or other control character (tab and line
    breaks allowed; the bidirectional override and isolate controls count as controls), no
    lone surrogate (``"\\ud800"`` in JSON, ``%ED%A0%80`` in a form: not a
    character, it cannot be stored nor shown)."""
    found = _CONTROL.search(value)
    if found:
        return "control", ord(found.group())
    found = _SURROGATE.search(value)
    if found:
        return "surrogate", ord(found.group())
    return None


def _no_nul(value: str) -> str:
    """``value`` when it follows :func:`text_problem`'s rule; else ValueError (422)."""
    problem = text_problem(value)
    if problem is None:
        return value
    kind, code = problem
    if code == 0:
        raise ValueError("NUL characters are not allowed")
    if kind == "control":
        raise ValueError(f"control character U+{code:04X} is not allowed")
    raise ValueError(f"U+{code:04X} is a lone surrogate, not a character; "
                     "send text in valid UTF-8")


def ascii_digits(value: Any) -> Any:
    """A path or query integer as sent: 1 to :data:`MAX_DIGITS` ASCII digits, nothing else
    (more digits are "too large", with the maximum).

    pydantic's own int parsing of a string accepts surrounding spaces, a ``+`` sign, ``_``
    and other scripts' digits (``"1 "``, ``"+1"``, ``"\u0663"``): one id would then have
    many spellings. Non-strings (defaults) pass through; raises ValueError (422)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()
                                       and len(value) <= MAX_DIGITS):
        shown = value if len(value) <= 40 else value[:40] + "…"
        if value.isascii() and value.isdigit():
            raise ValueError(f"{shown!r} is too large: send at most {MAX_DIGITS} digits (an "
                             f"id is at most {MAX_ID})")
        raise ValueError(f"{shown!r} is not a whole number: send ASCII digits only, "
                         "without sign or spaces")
    return value


def member_id_rule(value: str | None) -> str | None:
    """The one member id rule (:mod:`engine.service.member_ids`): refused, never trimmed;
    None (an absent optional parameter) passes."""
    if value is None:
        return None
    problem = member_id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# Text pydantic would read as a count of seconds (or milliseconds) since 1970.
_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _instant_text(value: object) -> object:
    """An instant arrives as ISO 8601 text: a JSON number (which pydantic would read as
    seconds since 1970) is refused, as types are strict everywhere else."""
    if not isinstance(value, str | datetime):
        kind = "number" if isinstance(value, int | float) and not isinstance(value, bool) else (
            "boolean" if isinstance(value, bool) else type(value).__name__)
        raise ValueError(f'an instant is ISO 8601 text, such as "2025-06-01T00:00:00Z", not a '
                         f"{kind}")
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        raise ValueError(f'an instant is ISO 8601 text, such as "2025-06-01T00:00:00Z", not a '
                         f"number ({value.strip()[:20]!r} would be read as seconds since 1970)")
    return value


Instant = Annotated[datetime, BeforeValidator(_instant_text), AfterValidator(_instant)]
# Strict: a JSON number, not "10" nor true (bool is an int subclass in Python).
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
Flag = Annotated[bool, Field(strict=True)]
Text = Annotated[str, AfterValidator(_no_nul)]
# Lengths are checked by the validator (a length constraint would refuse a lone surrogate
# with a vaguer message first) and stated in the schema for clients.
MEMBER_SCHEMA = {"minLength": 1, "maxLength": MEMBER_ID_MAX}
MemberId = Annotated[str, Field(json_schema_extra=MEMBER_SCHEMA),
                     AfterValidator(member_id_rule)]
PlatformName = Annotated[Text, Field(min_length=1, max_length=40)]

MemberPath = Annotated[str, Path(json_schema_extra=MEMBER_SCHEMA,
                                 description="the host platform's member id, exactly: no "
                                 "surrounding spaces, no control characters"),
                       AfterValidator(member_id_rule)]
PlatformPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]
IdPath = Annotated[int, BeforeValidator(ascii_digits), Path(ge=1, le=MAX_ID)]
# An optional id in the query string (``?mission=``): ASCII digits, 1 to MAX_ID.
IdQuery = Annotated[int | None, BeforeValidator(ascii_digits), Query(ge=1, le=MAX_ID)]
# An optional member id in the query string (``?member=``), under the member id rule.
MemberQuery = Annotated[str | None, Query(json_schema_extra=MEMBER_SCHEMA,
                                          description="the host platform's member id, "
                                          "exactly"),
                        AfterValidator(member_id_rule)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActionIn(Body):
    platform: PlatformName = Field(examples=["instagram"])
    hashtag: Annotated[Text, Field(min_length=1, max_length=100, examples=["summer2025"])]


class MissionIn(Body):
    """A mission; ``start`` defaults to now and ``end`` to a month later; ``null`` removes one."""

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    action_ids: Annotated[list[Id], Field(min_length=1, max_length=20)]
    points: Annotated[int, Field(strict=True, ge=1, le=1_000_000)]
    goal_posts: Annotated[int | None, Field(strict=True, ge=1, le=10_000)] = None
    recurring: Flag = False
    cap: Annotated[Text | None, Field(max_length=20, examples=["3/day"])] = None
    start: Instant | None = None
    end: Instant | None = None
    label: Annotated[Text | None, Field(max_length=200)] = None
    description: Annotated[Text, Field(max_length=10_000)] = ""
    publish: Flag = False
    # Performance missions (issue 17): at most one threshold; a post counts once it has that
    # many views or likes.
    min_views: Annotated[int | None, Field(strict=True, ge=1, le=THRESHOLD_MAX)] = None
    min_likes: Annotated[int | None, Field(strict=True, ge=1, le=THRESHOLD_MAX)] = None

    @model_validator(mode="after")
    def _one_threshold(self) -> MissionIn:
        if self.min_views is not None and self.min_likes is not None:
            raise ValueError("choose one threshold: min_views or min_likes, not both")
        return self


class LinkIn(Body):
    handle: Annotated[Text, Field(min_length=1, max_length=300,
                                  examples=["lea.voyage", "https://www.instagram.com/lea.voyage/"])]


class VerifyIn(Body):
    reason: Annotated[Text, Field(min_length=1, max_length=500,
                                  examples=["checked by a video call with the member"])]


class ClaimIn(Body):
    member_id: MemberId
    mission_id: Id
    platform: PlatformName
    post_url: Annotated[Text | None, Field(max_length=2000)] = None


def record_fields(record: type, **api_names: str) -> dict[str, Any]:
    """The fields of a service ``record`` (a dataclass of :mod:`engine.service.records`) as
    pydantic field definitions, for :func:`pydantic.create_model`: the record's names, types and
    defaults, so that an answer built on a record never repeats its fields. ``api_names`` maps a
    field to the name the API gives it (``available_at="button_available_at"``): the model is
    built and serialised under that name. Raises ``TypeError`` for a class that is not a
    dataclass."""
    hints = get_type_hints(record)
    definitions: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        default = item.default if item.default is not dataclasses.MISSING else ...
        definitions[item.name] = (hints[item.name],
                                  Field(default, alias=api_names.get(item.name)))
    return definitions


# The answer to POST /claims: the service's ClaimReceipt, its ``available_at`` named
# ``button_available_at`` (what it means to an integrator), plus ``status_url``.
_ClaimReceiptOut = create_model("ClaimReceiptOut",
                                **record_fields(ClaimReceipt, available_at="button_available_at"))


class ClaimAccepted(_ClaimReceiptOut):  # type: ignore[misc,valid-type]
    """A claim accepted: its check is queued. `button_available_at` (UTC) is when the button
    comes back, `queue_position` how many claims are due before this one (0: next),
    `expected_check_at` (UTC) when its check is expected, `status_url` where its state is read."""

    status_url: str


class Balance(BaseModel):
    member_id: str
    balance: int


class Ledger(BaseModel):
    member_id: str
    balance: int
    entries: list[LedgerEntry]


class MemberLinkIn(Body):
    member_id: MemberId
    mission_id: Id
    expires_in: Annotated[int | None, Field(strict=True, ge=60, le=366 * 86400,
                                            description="seconds (default 7 days)")] = None


class MemberLinkOut(BaseModel):
    token: str
    path: str
    url: str
    member_id: str
    mission_id: int
    expires_at: datetime
    link_id: str = Field(description="names the link for a revocation")
    issued_at: datetime


class MemberLinkInfo(BaseModel):
    member_id: str
    mission_id: int
    expires_at: datetime
    link_id: str
    issued_at: datetime


class MemberLinkRevocationOut(BaseModel):
    """A revocation: of one link (``link_id``), or of every link of the member issued until
    ``issued_until``."""

    member_id: str
    link_id: str | None
    issued_until: datetime | None
    revoked_at: datetime


class WebhookIn(Body):
    url: Annotated[Text | None, Field(max_length=2000,
                                      description="null or empty: no webhook")] = None


class WebhookOut(BaseModel):
    url: str | None
    secret_set: bool
    max_attempts: int
    secret: str | None = Field(
        default=None, description="only in the answer that created the secret; never again")


class WebhookSecret(BaseModel):
    secret: str


class DeliveryResent(BaseModel):
    """A failed delivery queued again: its id, its state now (``pending``) and where it goes
    (credentials in the URL shown as ``***``)."""

    id: int
    state: str
    url: str


class TokenIn(Body):
    scope: Literal["admin", "integrator"]
    label: Annotated[Text, Field(max_length=200)] = ""


class TokenOut(BaseModel):
    id: int
    scope: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None


class TokenCreated(TokenOut):
    token: str = Field(description="the raw token; shown once, only its hash is kept")


class ErrorOut(BaseModel):
    code: str
    message: str
    model_config = ConfigDict(extra="allow")


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in ((400, "invalid input"), (401, "no valid token"),
                         (403, "token scope too small"), (404, "not found"),
                         (409, "conflict"), (422, "validation error"))
}
