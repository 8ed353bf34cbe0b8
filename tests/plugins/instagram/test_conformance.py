"""The parsers read real Instagram payloads recorded by other projects (../shared/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

from engine.models import PostKind
from plugins.instagram.parsing import parse_items, parse_profile_info


def load(folder: Path, name: str) -> object:
    return json.loads((folder / "instagram" / name).read_text(encoding="utf-8"))


def test_real_web_profile_info(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "pgrimaud__web_profile_info__robertdowneyjr__2022-06.json")
    profile = parse_profile_info(body, limit=12)
    assert profile.public is True and len(profile.posts) == 12
    first = profile.posts[0]
    assert first.id == "CdgUcJGFxkp" and first.url == "https://www.instagram.com/p/CdgUcJGFxkp/"
    assert first.published_at.isoformat() == "2022-05-13T16:35:10+00:00"
    kinds = {post.kind for post in profile.posts}
    assert {PostKind.VIDEO, PostKind.CAROUSEL, PostKind.IMAGE} <= kinds
    tagged = [post for post in profile.posts if "wackyhatwednesday" in post.hashtags]
    assert len(tagged) == 2
    assert any(post.text == "" for post in profile.posts)  # an empty caption list


def test_real_v1_timeline_items(shared_fixtures: Path) -> None:
    items = load(shared_fixtures, "scrapfly__graphql-user_timeline-projected-items__google__2026-06.json")
    assert isinstance(items, list)
    posts = parse_items(items)
    assert len(posts) == len(items) == 36
    assert posts[0].id == "DZc5TenzF7h" and posts[0].hashtags == ("googlepartner",)
    assert all(post.published_at.year == 2026 for post in posts)
    assert {post.kind for post in posts} <= {PostKind.REEL, PostKind.VIDEO, PostKind.IMAGE,
                                             PostKind.CAROUSEL}
