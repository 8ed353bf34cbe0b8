"""The JSON form of a check's posts and attempts, as stored in ``checks.posts`` and
``checks.attempts`` (instants as ISO 8601 UTC, enums as their values)."""

from __future__ import annotations

from typing import Any

from engine.dates import iso_utc, parse_instant
from engine.models import ENGAGEMENT_FIELDS, Attempt, Post, PostKind


def post_to_json(post: Post) -> dict[str, Any]:
    """``post`` as a JSON object: platform, id, url, published_at (ISO 8601 UTC), kind (None
    when unknown), text, hashtags, pinned, likes, comments, views, shares (None when unknown)."""
    return {"platform": post.platform, "id": post.id, "url": post.url,
            "published_at": iso_utc(post.published_at),
            "kind": post.kind.value if post.kind else None, "text": post.text,
            "hashtags": list(post.hashtags), "pinned": post.pinned,
            **{name: getattr(post, name) for name in ENGAGEMENT_FIELDS}}


def post_from_json(item: dict[str, Any]) -> Post:
    """The :class:`Post` of a :func:`post_to_json` object (``text``, ``hashtags``, ``kind``,
    ``pinned`` and the engagement numbers may be absent). Raises ``KeyError`` when platform,
    id, url or published_at is missing, ``ValueError`` when published_at, kind or a number is
    not valid."""
    return Post(platform=str(item["platform"]), id=str(item["id"]), url=str(item["url"]),
                published_at=parse_instant(str(item["published_at"])),
                kind=PostKind(item["kind"]) if item.get("kind") else None,
                text=str(item.get("text") or ""), hashtags=tuple(item.get("hashtags") or ()),
                pinned=bool(item.get("pinned")),
                **{name: item.get(name) for name in ENGAGEMENT_FIELDS})


def attempt_to_json(attempt: Attempt) -> dict[str, object]:
    """One backend's attempt as a JSON object: backend, outcome, cause (None unless
    unavailable), detail, requests, seconds (rounded to 0.1 ms)."""
    return {"backend": attempt.backend, "outcome": str(attempt.outcome),
            "cause": attempt.cause.value if attempt.cause else None, "detail": attempt.detail,
            "requests": attempt.requests, "seconds": round(attempt.seconds, 4)}
