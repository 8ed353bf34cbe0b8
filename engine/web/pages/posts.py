"""The "select your post" flow of the member page (R4): the posts a check saw, and why one fails.

:func:`last_seen_posts` reads the posts of the member's latest check of a platform for a
mission (what the page offers to pick from); :func:`judged_post` the post a claim aimed at one
post was answered about; :func:`criteria` names, in plain words, every criterion a judged post
fails, from the verdict and the failure codes its check stored (R6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from sqlalchemy import func, select

from engine.service.context import Service
from engine.service.human_dates import human_instant
from engine.service.records import Mission
from engine.storage.models import CheckRow, ClaimRow, SeenPostRow

from .messages import has_message, say

COUNTED = "counted"
# Verdicts that are good news: the post is (or already was) credited for this mission.
GOOD_VERDICTS = (COUNTED, "already_counted")


@dataclass(frozen=True, kw_only=True)
class SeenPost:
    """One post a check saw and its stored verdict.

    ``failures`` are the codes of every criterion the post fails (``hashtag_missing``,
    ``before_window``, …; empty when it counted); ``detail`` the check's English detail (its
    first word is the mistyped tag of a ``hashtag_near_miss``); ``checked_at`` when that check
    ran (UTC).
    """

    post_id: str
    url: str
    published_at: datetime
    verdict: str
    detail: str
    failures: tuple[str, ...]
    hashtags: tuple[str, ...]
    check_id: int
    checked_at: datetime

    @property
    def good(self) -> bool:
        """True when the post counts (now or from an earlier check) for the mission."""
        return self.verdict in GOOD_VERDICTS

    @property
    def short(self) -> str:
        """The last part of the post's URL (``DLa0b1c2d3e``), what the page shows as its link."""
        path = urlsplit(self.url).path  # a share link's "?igsh=…" is not the post's name
        return path.rstrip("/").rsplit("/", 1)[-1] or self.post_id


def _seen(row: SeenPostRow, checked_at: datetime) -> SeenPost:
    return SeenPost(post_id=row.post_id, url=row.url, published_at=row.published_at,
                    verdict=row.verdict, detail=row.detail or "",
                    failures=tuple(row.failures or ()), hashtags=tuple(row.hashtags or ()),
                    check_id=row.check_id, checked_at=checked_at)


def last_seen_posts(service: Service, member_id: str, mission_id: int,
                    platform: str) -> list[SeenPost]:
    """The posts seen by the member's latest check of ``platform`` for the mission, newest first.

    Only checks of claims for the whole profile count (a claim aimed at one post sees only that
    one), and the latest of those that saw posts: a later check that could not read the profile
    leaves the list as it was. Empty before any such check.
    """
    with service.db.sessions() as session:
        check_id = session.scalar(
            select(func.max(SeenPostRow.check_id))
            .join(CheckRow, CheckRow.id == SeenPostRow.check_id)
            .join(ClaimRow, ClaimRow.id == CheckRow.claim_id)
            .where(SeenPostRow.member_id == member_id, SeenPostRow.mission_id == mission_id,
                   SeenPostRow.platform == platform, ClaimRow.post_id.is_(None)))
        if check_id is None:
            return []
        check = session.get(CheckRow, check_id)
        assert check is not None
        rows = session.scalars(select(SeenPostRow).where(SeenPostRow.check_id == check_id)
                               .order_by(SeenPostRow.published_at.desc()))
        return [_seen(row, check.finished_at) for row in rows]


def checked_handle(service: Service, claim_id: int) -> str | None:
    """The handle the claim's latest check read (None before its first check): the member
    may have linked another handle since."""
    with service.db.sessions() as session:
        return session.scalar(select(CheckRow.handle).where(CheckRow.claim_id == claim_id)
                              .order_by(CheckRow.id.desc()).limit(1))


def judged_post(service: Service, claim_id: int) -> SeenPost | None:
    """The post a claim aimed at one post was judged on by its latest check, if that check saw
    it (None while no check ran, or when the post was not among the recent ones)."""
    with service.db.sessions() as session:
        check = session.scalar(select(CheckRow).where(CheckRow.claim_id == claim_id)
                               .order_by(CheckRow.id.desc()).limit(1))
        if check is None:
            return None
        row = session.scalar(select(SeenPostRow).where(SeenPostRow.check_id == check.id)
                             .limit(1))
        return _seen(row, check.finished_at) if row is not None else None


def failure_codes(post: SeenPost) -> tuple[str, ...]:
    """Every criterion ``post`` fails: its stored failures, or its verdict when none were
    stored (older checks); empty for a post that counts."""
    if post.good:
        return ()
    return post.failures or (post.verdict,)


def criteria(post: SeenPost, *, hashtag: str, mission: Mission, lang: str,
             zone: tzinfo | None) -> list[tuple[str, str]]:
    """``(code, words)`` for every criterion ``post`` fails, in ``lang``; times in ``zone``."""
    def when(moment: datetime | None) -> str:
        return human_instant(moment, lang, zone) if moment else "-"

    tags = " ".join(f"#{tag}" for tag in post.hashtags)
    near = post.detail.split(" ", 1)[0] if post.detail.startswith("#") else post.detail
    values = {
        "hashtag": hashtag, "near": near or "?",
        "found": say("crit_found", lang, tags=tags) if tags else "",
        "published": when(post.published_at), "start": when(mission.start_at),
        "end": when(mission.end_at),
    }
    lines = []
    for code in failure_codes(post):
        key = f"crit_{code}"
        lines.append((code, say(key, lang, **values) if has_message(key)
                      else say("crit_other", lang, code=code)))
    return lines


def verdict_name(verdict: str, lang: str) -> str:
    """The short name of a verdict for a badge (``trop tôt``, ``hashtag typo``)."""
    key = f"verdict_{verdict}"
    return say(key, lang) if has_message(key) else verdict


def find(posts: Sequence[SeenPost], post_id: str | None) -> SeenPost | None:
    """The post of ``posts`` whose id is ``post_id``, if any."""
    return next((post for post in posts if post_id and post.post_id == post_id), None)
