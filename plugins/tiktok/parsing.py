"""Reading TikTok's answers: the profile page (both layouts) and ``item_list`` bodies.

The profile page embeds its state as JSON: ``__UNIVERSAL_DATA_FOR_REHYDRATION__`` (current:
``__DEFAULT_SCOPE__["webapp.user-detail"]`` with ``statusCode`` and ``userInfo``) or
``SIGI_STATE`` (legacy, until 2023: ``UserModule`` and ``ItemModule`` with the videos embedded).
Every backend reads pages and items through this module, so statuses mean the same whatever
fetched them. Mandatory fields are read strictly, with the missing path named; the rest
tolerantly.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.dates import from_epoch
from engine.errors import AccountNotFound, AccountPrivate, LayoutChanged, PlatformUnavailable
from engine.hashtags import extract_hashtags, merge_hashtags
from engine.models import Post, PostKind, newest_first, read_count

from .constants import (
    CAPTCHA_CODES,
    CAPTCHA_TYPES,
    CHALLENGE_MARKERS,
    HASHTAG_ENTRY_TYPE,
    MORE_FLAGS,
    POST_URL,
    SIGI_SCRIPT_IDS,
    STATUS_CODES,
    STATUS_OK,
    UNIVERSAL_SCRIPT_ID,
    VIDEO_COUNT_FIELD,
)

# Post.<name> ← item stats key (TikTok's names: plays are views, diggs are likes).
_ITEM_STATS = (("views", "playCount"), ("likes", "diggCount"), ("comments", "commentCount"),
               ("shares", "shareCount"))


@dataclass(frozen=True, kw_only=True)
class PageState:
    """What a public profile page tells: the account's ``secUid`` and, in the legacy layout,
    its videos (``items`` is None when the page carries none and ``item_list`` is needed)."""

    layout: str  # "universal" or "sigi"
    sec_uid: str
    items: tuple[Mapping[str, Any], ...] | None = None
    # userInfo.stats.videoCount (UserModule.stats[handle].videoCount in the legacy layout),
    # None when the page does not say.
    video_count: int | None = None
    # The account's bio (user.signature), None when the page does not carry it.
    signature: str | None = None
    # userInfo.statsV2/stats.followerCount (UserModule.stats[handle] in the legacy layout),
    # None when the page does not say.
    followers: int | None = None


def _script_json(page: str, script_id: str) -> Any | None:
    """The JSON inside ``<script id="script_id">``, or None when the page has no such script."""
    found = re.search(
        rf'<script[^>]*\bid=["\']{re.escape(script_id)}["\'][^>]*>(.*?)</script>', page, re.S
    )
    if not found:
        return None
    text = found.group(1).strip()
    try:
        return json.loads(text)
    except ValueError:
        try:  # some pages escape the JSON as HTML text
            return json.loads(html.unescape(text))
        except ValueError:
            raise LayoutChanged(f"TikTok page: <script id={script_id}> is not JSON") from None


def parse_page(page: str, handle: str) -> PageState:
    """A profile page → :class:`PageState` for a public account.

    Raises ``AccountPrivate`` (status 10222, ``privateAccount`` or ``secret``),
    ``AccountNotFound`` (status 10221 or 10202), ``PlatformUnavailable`` (empty body or bot
    challenge: ``bot_challenge``; an emptied user object: ``held_back``) and ``LayoutChanged``
    (neither layout, an unknown status code, or a missing mandatory field).
    """
    if not page.strip():
        raise PlatformUnavailable("TikTok answered with an empty page (bot protection)",
                                  cause="bot_challenge")
    if page.lstrip().startswith("{"):
        with contextlib.suppress(ValueError):  # not JSON: read as a page below
            raise_if_captcha(json.loads(page), "the profile page")
    universal = _script_json(page, UNIVERSAL_SCRIPT_ID)
    if universal is not None:
        return _universal_state(universal)
    for script_id in SIGI_SCRIPT_IDS:
        sigi = _script_json(page, script_id)
        if sigi is not None:
            return _sigi_state(sigi, handle)
    if any(marker in page for marker in CHALLENGE_MARKERS):
        raise PlatformUnavailable(
            "TikTok answered with a bot challenge page (proof of work or captcha) instead of "
            "the profile", cause="bot_challenge"
        )
    raise LayoutChanged(
        f"TikTok page has neither <script id={UNIVERSAL_SCRIPT_ID}> nor <script id=SIGI_STATE>"
    )


def _universal_state(data: Any) -> PageState:
    scope = data.get("__DEFAULT_SCOPE__") if isinstance(data, Mapping) else None
    if not isinstance(scope, Mapping):
        raise LayoutChanged("TikTok page has no __DEFAULT_SCOPE__ in its rehydration data")
    detail = scope.get("webapp.user-detail")
    if not isinstance(detail, Mapping):
        raise LayoutChanged('TikTok page has no __DEFAULT_SCOPE__["webapp.user-detail"]')
    status = detail.get("statusCode", STATUS_OK)
    user_info = detail.get("userInfo")
    user = user_info.get("user") if isinstance(user_info, Mapping) else None
    check_status(status, "webapp.user-detail")
    if not isinstance(user_info, Mapping):
        raise LayoutChanged('TikTok page has no webapp.user-detail.userInfo')
    if not isinstance(user, Mapping) or not user:
        # Without a status code, an absent or emptied user is not a "no such account": TikTok
        # serves it for existing accounts it chooses not to show (PLATFORMS.md).
        shown = "{}" if isinstance(user, Mapping) else "absent"
        raise PlatformUnavailable(
            f"TikTok's webapp.user-detail.userInfo.user is {shown} with statusCode "
            f"{status!r}: the account was held back, not reported missing", cause="held_back")
    _check_private(user)
    sec_uid = user.get("secUid")
    if not isinstance(sec_uid, str) or not sec_uid:
        raise LayoutChanged('TikTok page has no webapp.user-detail.userInfo.user.secUid')
    stats = user_info.get("stats")
    count = _as_int(stats.get("videoCount")) if isinstance(stats, Mapping) else None
    return PageState(layout="universal", sec_uid=sec_uid, video_count=count,
                     signature=_signature(user),
                     followers=read_stat(user_info, "followerCount", "userInfo"))


def _sigi_state(data: Any, handle: str) -> PageState:
    if not isinstance(data, Mapping) or not isinstance(data.get("UserModule"), Mapping):
        raise LayoutChanged("TikTok SIGI_STATE has no UserModule")
    user_page = data.get("UserPage")
    if isinstance(user_page, Mapping):
        check_status(user_page.get("statusCode", STATUS_OK), "SIGI_STATE.UserPage")
    users = data["UserModule"].get("users")
    if not isinstance(users, Mapping):
        raise LayoutChanged("TikTok SIGI_STATE has no UserModule.users")
    user = next((value for key, value in users.items() if key.lower() == handle.lower()), None)
    if user is None and len(users) == 1:
        user = next(iter(users.values()))
    if not isinstance(user, Mapping) or not user:
        raise PlatformUnavailable(
            "TikTok SIGI_STATE's UserModule.users has no user for this handle and no "
            "UserPage.statusCode: the account was held back, not reported missing",
            cause="held_back")
    _check_private(user)
    sec_uid = user.get("secUid")
    if not isinstance(sec_uid, str) or not sec_uid:
        raise LayoutChanged("TikTok SIGI_STATE has no UserModule.users[handle].secUid")
    all_stats = data["UserModule"].get("stats")
    stats = (next((v for k, v in all_stats.items() if k.lower() == handle.lower()), None)
             if isinstance(all_stats, Mapping) else None)
    count = _as_int(stats.get("videoCount")) if isinstance(stats, Mapping) else None
    followers = (read_stat({"stats": stats}, "followerCount", "UserModule")
                 if isinstance(stats, Mapping) else None)
    modules = data.get("ItemModule") or {}
    if not isinstance(modules, Mapping):
        raise LayoutChanged("TikTok SIGI_STATE's ItemModule is not an object")
    # ItemList["user-post"].list keeps the grid order (pinned first); ItemModule is keyed by id.
    listed = ((data.get("ItemList") or {}).get("user-post") or {}).get("list")
    order = [str(i) for i in listed] if isinstance(listed, list) else list(modules)
    items = tuple(modules[i] for i in order if isinstance(modules.get(i), Mapping))
    return PageState(layout="sigi", sec_uid=sec_uid, items=items, video_count=count,
                     signature=_signature(user), followers=followers)


def check_status(status: Any, where: str) -> None:
    """Raise for a ``statusCode`` that is not success (shared by page and ``item_list``).

    Meanings come from :data:`~plugins.tiktok.constants.STATUS_CODES`; an unknown code is
    ``LayoutChanged`` naming it and where it was read.
    """
    try:
        code = int(status)
    except (TypeError, ValueError):
        raise LayoutChanged(f"TikTok {where}.statusCode {status!r} is not a number") from None
    meaning = STATUS_CODES.get(code)
    if meaning == "ok":
        return
    if meaning == "private":
        raise AccountPrivate(f"the TikTok account is private (statusCode {code})")
    if meaning == "not_found":
        raise AccountNotFound(f"TikTok has no account with this handle (statusCode {code})")
    raise LayoutChanged(f"TikTok {where}.statusCode {code} is not a status any parser knows")


def raise_if_captcha(body: Any, what: str) -> None:
    """Raise ``PlatformUnavailable`` (``bot_challenge``) for TikTok's captcha answered as JSON:
    ``{"code": "10000", "type": "verify", "subtype": ...}``."""
    if not isinstance(body, Mapping):
        return
    code = str(body.get("code", "")).strip()
    kind = str(body.get("type", "")).strip()
    if code in CAPTCHA_CODES or kind in CAPTCHA_TYPES:
        subtype = body.get("subtype")
        raise PlatformUnavailable(
            f"TikTok answered {what} with a captcha (code {code or '?'}, type {kind or '?'}"
            f"{', subtype ' + str(subtype) if subtype else ''}): a bot challenge",
            cause="bot_challenge")


def _signature(user: Mapping[str, Any]) -> str | None:
    signature = user.get("signature")
    return signature if isinstance(signature, str) else None


def _check_private(user: Mapping[str, Any]) -> None:
    if user.get("privateAccount") or user.get("secret"):
        raise AccountPrivate("the TikTok account is private (privateAccount)")


def parse_item_list(body: Any) -> list[Mapping[str, Any]]:
    """The ``itemList`` of an ``item_list`` answer (an account without videos has none).

    Raises ``PlatformUnavailable``: ``bot_challenge`` for a captcha answered as JSON,
    ``held_back`` for no items while a "more" flag (``hasMore``, ``hasMorePrevious``) is true;
    the statuses of :func:`check_status`; ``LayoutChanged`` for any other shape.
    """
    raise_if_captcha(body, "item_list")
    if not isinstance(body, Mapping):
        raise LayoutChanged("TikTok item_list answer is not a JSON object")
    if "statusCode" in body or "status_code" in body:
        check_status(body.get("statusCode", body.get("status_code")), "item_list")
    items = body.get("itemList")
    if items is None or items == []:
        more = [flag for flag in MORE_FLAGS if body.get(flag) is True]
        if more:
            raise PlatformUnavailable(
                f"TikTok item_list answered no items with {' and '.join(more)} true: the "
                "posts were held back", cause="held_back")
    if items is None:
        # TikTok leaves itemList out when there is nothing to list; hasMore says it answered.
        if any(flag in body for flag in MORE_FLAGS):
            return []
        raise LayoutChanged(
            f"TikTok item_list answer has no itemList (keys: {', '.join(sorted(body)[:8])})"
        )
    if not isinstance(items, list):
        raise LayoutChanged("TikTok item_list answer's itemList is not a list")
    return items


def read_json_answer(text: str, what: str) -> Any:
    """Parse a JSON answer; an empty body is TikTok's bot protection, not "no posts"."""
    if not text.strip():
        raise PlatformUnavailable(
            f"TikTok answered {what} with an empty body (bot protection: the request lacked the "
            "page's signature); the browser backend gets through", cause="bot_challenge"
        )
    try:
        body = json.loads(text)
    except ValueError:
        if any(marker in text for marker in CHALLENGE_MARKERS):
            raise PlatformUnavailable(f"TikTok answered {what} with a bot challenge",
                                      cause="bot_challenge") from None
        raise LayoutChanged(f"TikTok {what} answer is not JSON") from None
    raise_if_captcha(body, what)
    return body


def item_author(item: Mapping[str, Any]) -> str | None:
    """The handle of an item's author, when the answer says it."""
    author = item.get("author")
    if isinstance(author, Mapping):
        name = author.get("uniqueId")
        return str(name) if name else None
    return str(author) if isinstance(author, str) and author else None


def hashtags_from_entries(entries: Iterable[Any]) -> list[str]:
    """Hashtag names from ``textExtra`` entries: type 1 only; @mentions never count.

    Answers projected without ``type`` keep only hashtags, but a name starting with ``@`` is a
    mention whatever its type says.
    """
    tags = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        name = str(entry.get("hashtagName") or "").strip()
        kind = entry.get("type")
        if not name or name.startswith("@"):
            continue
        if kind is not None and _as_int(kind) != HASHTAG_ENTRY_TYPE:
            continue
        tags.append(name)
    return tags


def read_stat(holder: Mapping[str, Any], key: str, path: str,
              block: str = "stats") -> int | None:
    """A count from ``holder["statsV2"][key]`` (exact, as a string: ``"4001943"``), else
    ``holder["stats"][key]`` (a number TikTok may round: ``4000000``); None when neither says.
    ``block`` names another pair (``"authorStats"``: ``authorStatsV2``, then ``authorStats``).

    Raises ``MalformedPost`` naming ``path`` and the field for a value that is not a count.
    """
    for name in (f"{block}V2", block):
        stats = holder.get(name)
        value = stats.get(key) if isinstance(stats, Mapping) else None
        if value is not None:
            return read_count(value, f"TikTok {path}.{name}.{key}")
    return None


def account_followers(items: Sequence[Any], state: PageState | None = None) -> int | None:
    """The account's followers at check time: the page's count when the page was read, else
    the ``authorStats`` that ``item_list`` items carry (a warm check reads no page)."""
    if state is not None and state.followers is not None:
        return state.followers
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            found = read_stat(item, "followerCount", f"itemList[{index}]", "authorStats")
            if found is not None:
                return found
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _lists(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def parse_item(item: Any, handle: str, path: str = "item") -> Post:
    """One ``itemList`` (or legacy ``ItemModule``) entry → :class:`Post`."""
    if not isinstance(item, Mapping):
        raise LayoutChanged(f"TikTok {path} is not an object")
    post_id = item.get("id")
    if not post_id:
        raise LayoutChanged(f"TikTok answer has no {path}.id")
    created = item.get("createTime")
    if created in (None, ""):
        raise LayoutChanged(f"TikTok answer has no {path}.createTime")
    try:
        published = from_epoch(created)
    except (TypeError, ValueError, OverflowError):
        raise LayoutChanged(f"TikTok {path}.createTime {created!r} is not epoch seconds") from None
    contents = [c for c in _lists(item.get("contents")) if isinstance(c, Mapping)]
    desc = str(item.get("desc") or "")
    texts = [desc] + [str(c.get("desc") or "") for c in contents if c.get("desc") != desc]
    entries = list(_lists(item.get("textExtra")))
    for content in contents:
        entries.extend(_lists(content.get("textExtra")))
    # Structured hashtags first, then any the caption has that textExtra left out.
    hashtags = merge_hashtags(hashtags_from_entries(entries), extract_hashtags(*texts))
    kind = PostKind.PHOTO if item.get("imagePost") else PostKind.VIDEO
    # Engagement from the item's own stats; saves (collectCount) have no place among them.
    numbers = {name: read_stat(item, key, path) for name, key in _ITEM_STATS}
    return Post(
        platform="tiktok",
        id=str(post_id),
        url=POST_URL.format(handle=handle, id=post_id),
        published_at=published,
        kind=kind,
        text="\n".join(t for t in texts if t),
        hashtags=hashtags,
        pinned=bool(item.get("isPinned")),
        likes=numbers["likes"], comments=numbers["comments"], views=numbers["views"],
        shares=numbers["shares"],
    )


def parse_items(items: Sequence[Any], handle: str, limit: int) -> tuple[Post, ...]:
    """Every item read, then the ``limit`` newest (a pinned old video does not push out a
    newer one; legacy ``ItemModule`` keys may come in any order)."""
    return newest_first((parse_item(item, handle, f"itemList[{index}]")
                         for index, item in enumerate(items)), limit)


def video_count_field(state: PageState) -> str:
    """Where :attr:`PageState.video_count` was read, for messages."""
    return VIDEO_COUNT_FIELD if state.layout == "universal" else "UserModule.stats.videoCount"
