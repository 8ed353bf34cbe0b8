"""Reading Instagram's answers: the profile, and posts in both shapes.

GraphQL nodes (``shortcode``, ``taken_at_timestamp``, ``__typename``) come from
``web_profile_info``; "v1" items (``code``, ``taken_at``, ``media_type``) from the newer
timeline endpoints and from instaloader's iPhone path. Mandatory fields are read strictly, with
the missing path named; the rest tolerantly. Engagement numbers (likes, comments, views, the
account's followers) come from the same answer (:func:`post_numbers`, :func:`followers_of`):
None where it does not say, ``layout_changed`` where it gives something that is not a count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from engine.dates import from_epoch
from engine.errors import AccountNotFound, LayoutChanged, PlatformUnavailable
from engine.hashtags import extract_hashtags
from engine.models import MAX_COUNT, Post, PostKind, Profile, newest_first, read_count

from .constants import POST_COUNT_FIELD, POST_URL

_GRAPHQL_KINDS = {
    "GraphImage": PostKind.IMAGE,
    "GraphVideo": PostKind.VIDEO,
    "GraphSidecar": PostKind.CAROUSEL,
    "XDTGraphImage": PostKind.IMAGE,
    "XDTGraphVideo": PostKind.VIDEO,
    "XDTGraphSidecar": PostKind.CAROUSEL,
}
_V1_KINDS = {1: PostKind.IMAGE, 2: PostKind.VIDEO, 8: PostKind.CAROUSEL}
# Where a post gives each engagement number (GraphQL nodes, then v1 items), first found wins;
# "edge.count" reads a GraphQL {"count": n} object.
_NUMBER_FIELDS = {
    "likes": ("edge_liked_by.count", "edge_media_preview_like.count", "like_count"),
    "comments": ("edge_media_to_comment.count", "comment_count"),
    "views": ("video_view_count", "play_count", "ig_play_count", "view_count"),
}
# Mapping, with dict first: JSON objects are dicts, told at once (Mapping alone is an ABC
# look-up, about 0.4 µs each, a few hundred per answer).
_MAPPINGS = (dict, Mapping)
# _NUMBER_FIELDS split once: (field, key in it or "", the dotted name for messages).
_NUMBER_PATHS = {name: tuple((*candidate.partition(".")[::2], candidate)
                             for candidate in candidates)
                 for name, candidates in _NUMBER_FIELDS.items()}


def _required(mapping: Any, key: str, path: str) -> Any:
    if not isinstance(mapping, _MAPPINGS) or mapping.get(key) is None:
        raise LayoutChanged(f"Instagram answer has no {path}.{key}")
    return mapping[key]


def parse_profile_info(body: Any, limit: int) -> Profile:
    """A ``web_profile_info`` body → :class:`Profile`; raises on unknown shapes."""
    if not isinstance(body, _MAPPINGS):
        raise LayoutChanged("Instagram answer is not a JSON object")
    data = body.get("data")
    if not isinstance(data, _MAPPINGS) or "user" not in data:
        raise LayoutChanged("Instagram answer has no data.user")
    user = data["user"]
    if user is None:
        raise AccountNotFound("Instagram has no account with this handle")
    if not isinstance(user, _MAPPINGS):
        raise LayoutChanged("Instagram answer's data.user is not an object")
    if not user:
        raise PlatformUnavailable("Instagram answered an emptied data.user ({}): the account "
                                  "was held back, not reported missing", cause="held_back")
    is_private = _required(user, "is_private", "data.user")
    if not isinstance(is_private, bool):
        raise LayoutChanged("Instagram answer's data.user.is_private is not true or false")
    media = user.get("edge_owner_to_timeline_media")
    biography = user.get("biography")
    bio = str(biography) if isinstance(biography, str) else None
    followers = followers_of(user)
    if is_private and not user.get("followed_by_viewer"):
        return Profile(public=False, bio=bio, followers=followers)
    edges = _required(media, "edges", "data.user.edge_owner_to_timeline_media")
    if not isinstance(edges, list):
        raise LayoutChanged("data.user.edge_owner_to_timeline_media.edges is not a list")
    posts = parse_items([_required(edge, "node", f"edges[{i}]") for i, edge in enumerate(edges)])
    count = media.get("count") if isinstance(media, _MAPPINGS) else None
    return Profile(public=True, posts=newest_first(posts, limit),
                   post_count=count if isinstance(count, int) else None,
                   post_count_field=POST_COUNT_FIELD, bio=bio, followers=followers)


def parse_items(items: Sequence[Any]) -> list[Post]:
    """Posts from a list of GraphQL nodes or v1 items (the shape is told per item)."""
    posts = []
    for index, item in enumerate(items):
        if not isinstance(item, _MAPPINGS):
            raise LayoutChanged(f"Instagram post #{index} is not an object")
        if "taken_at_timestamp" in item or "__typename" in item:
            posts.append(parse_graphql_node(item, f"posts[{index}]"))
        elif "taken_at" in item:
            posts.append(parse_v1_item(item, f"posts[{index}]"))
        else:
            raise LayoutChanged(
                f"Instagram post #{index} is neither a GraphQL node nor a v1 item "
                f"(keys: {', '.join(sorted(item)[:8])})"
            )
    return posts


def parse_graphql_node(node: Mapping[str, Any], path: str = "node") -> Post:
    shortcode = str(_required(node, "shortcode", path))
    taken_at = _required(node, "taken_at_timestamp", path)
    captions = (node.get("edge_media_to_caption") or {}).get("edges") or []
    text = ""
    if captions and isinstance(captions[0], _MAPPINGS):
        text = str((captions[0].get("node") or {}).get("text") or "")
    kind = _GRAPHQL_KINDS.get(str(node.get("__typename", "")))
    if node.get("product_type") == "clips":
        kind = PostKind.REEL
    elif kind is None and node.get("is_video") is not None:
        kind = PostKind.VIDEO if node["is_video"] else PostKind.IMAGE
    return _post(shortcode, taken_at, text, kind, bool(node.get("pinned_for_users")), path,
                 post_numbers(node, path))


def parse_v1_item(item: Mapping[str, Any], path: str = "item") -> Post:
    code = item.get("code") or item.get("shortcode")
    if not code:
        raise LayoutChanged(f"Instagram answer has no {path}.code")
    taken_at = _required(item, "taken_at", path)
    caption = item.get("caption")
    text = str(caption.get("text") or "") if isinstance(caption, _MAPPINGS) else ""
    media_type = item.get("media_type")
    if media_type is not None:
        kind = _V1_KINDS.get(int(media_type))
    elif item.get("carousel_media") or item.get("carousel_media_count"):
        kind = PostKind.CAROUSEL
    elif item.get("video_versions"):
        kind = PostKind.VIDEO
    else:
        kind = PostKind.IMAGE
    if kind is PostKind.VIDEO and (item.get("product_type") == "clips" or item.get("clips_metadata")):
        kind = PostKind.REEL
    pinned = bool(item.get("timeline_pinned_user_ids") or item.get("is_pinned"))
    return _post(str(code), taken_at, text, kind, pinned, path, post_numbers(item, path))


def followers_of(user: Mapping[str, Any], path: str = "data.user") -> int | None:
    """The account's followers in a GraphQL user object (``edge_followed_by.count``) or a v1
    user (``follower_count``); None when the answer does not say."""
    if isinstance(user.get("edge_followed_by"), _MAPPINGS):
        return read_count(user["edge_followed_by"].get("count"),
                          f"Instagram {path}.edge_followed_by.count")
    return read_count(user.get("follower_count"), f"Instagram {path}.follower_count")


class PostNumbers(TypedDict):
    """The keyword arguments of :class:`Post` that :func:`post_numbers` reads."""

    likes: int | None
    comments: int | None
    views: int | None


def post_numbers(item: Mapping[str, Any], path: str = "node") -> PostNumbers:
    """A post's ``likes``, ``comments`` and ``views`` from a GraphQL node or a v1 item.

    GraphQL: ``edge_liked_by.count`` (else ``edge_media_preview_like.count``),
    ``edge_media_to_comment.count``, ``video_view_count`` (videos only). v1: ``like_count``,
    ``comment_count``, ``play_count`` (else ``ig_play_count``, ``view_count``). Instagram has
    no share count. A post whose owner hid its counts (``like_and_view_counts_disabled``) has
    no likes or views (None): what a visitor cannot see is not read. Raises ``MalformedPost``
    (naming ``path`` and the field) for a value that is not a count.
    """
    hidden = item.get("like_and_view_counts_disabled") is True
    # Read in this order (likes, comments, views): the first malformed one is the one named.
    likes = None if hidden else _number(item, _NUMBER_PATHS["likes"], path)
    comments = _number(item, _NUMBER_PATHS["comments"], path)
    views = None if hidden else _number(item, _NUMBER_PATHS["views"], path)
    return PostNumbers(likes=likes, comments=comments, views=views)


def _number(item: Mapping[str, Any], candidates: tuple[tuple[str, str, str], ...],
            path: str) -> int | None:
    """The first of ``candidates`` (see :data:`_NUMBER_PATHS`) ``item`` gives, read by
    :func:`read_count`; None when it gives none."""
    for edge, key, candidate in candidates:
        value = item.get(edge)
        if key:
            value = value.get(key) if isinstance(value, _MAPPINGS) else None
        if value is not None:
            # A plain count is what read_count returns as it is: no message to build for it.
            if type(value) is int and 0 <= value <= MAX_COUNT:
                return value
            return read_count(value, f"Instagram {path}.{candidate}")
    return None


def _post(shortcode: str, taken_at: Any, text: str, kind: PostKind | None, pinned: bool,
          path: str, numbers: PostNumbers) -> Post:
    try:
        published = from_epoch(taken_at)
    except (TypeError, ValueError, OverflowError):
        raise LayoutChanged(f"Instagram {path}: time {taken_at!r} is not epoch seconds") from None
    return Post(platform="instagram", id=shortcode, url=POST_URL.format(id=shortcode),
                published_at=published, kind=kind, text=text, hashtags=extract_hashtags(text),
                pinned=pinned, **numbers)
