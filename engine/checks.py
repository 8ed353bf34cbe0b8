"""A check's outcome: the snapshot plus a verdict for every post, as the command line shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dates import iso_utc
from .models import AccountStatus, Post, Snapshot
from .verdicts import PostVerdict, Verdict, Window, judge_post


@dataclass(frozen=True, kw_only=True)
class JudgedPost:
    post: Post
    verdict: PostVerdict


@dataclass(frozen=True, kw_only=True)
class CheckOutcome:
    """One check of one account against one hashtag and optional window."""

    snapshot: Snapshot
    hashtag: str
    window: Window | None
    posts: tuple[JudgedPost, ...]

    @property
    def matched(self) -> int:
        return sum(1 for judged in self.posts if judged.verdict.verdict is Verdict.MATCHED)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``social-missions check``."""
        snapshot = self.snapshot
        return {
            "platform": snapshot.account.platform,
            "handle": snapshot.account.handle,
            "backend": snapshot.backend,
            "status": snapshot.status.value,
            "cause": snapshot.cause.value if snapshot.cause else None,
            "detail": snapshot.detail,
            "public": snapshot.public,
            "requests": snapshot.requests,
            "hashtag": self.hashtag,
            "window": {
                "start": iso_utc(self.window.start) if self.window and self.window.start else None,
                "end": iso_utc(self.window.end) if self.window and self.window.end else None,
            },
            "posts": [
                {
                    "id": judged.post.id,
                    "url": judged.post.url,
                    "published_at": iso_utc(judged.post.published_at),
                    "kind": judged.post.kind.value if judged.post.kind else None,
                    "pinned": judged.post.pinned,
                    "hashtags": list(judged.post.hashtags),
                    "verdict": judged.verdict.verdict.value,
                    "detail": judged.verdict.detail,
                    "failures": [failure.value for failure in judged.verdict.failures],
                }
                for judged in self.posts
            ],
            "matched": self.matched,
            "attempts": [
                {"backend": a.backend, "outcome": str(a.outcome),
                 "cause": a.cause.value if a.cause else None, "detail": a.detail,
                 "requests": a.requests}
                for a in snapshot.attempts
            ],
        }


def judge_snapshot(snapshot: Snapshot, hashtag: str, window: Window | None = None) -> CheckOutcome:
    """Judge every post of ``snapshot`` (none when the account is not ``ok``)."""
    posts = snapshot.posts if snapshot.status is AccountStatus.OK else ()
    return CheckOutcome(
        snapshot=snapshot,
        hashtag=hashtag,
        window=window,
        posts=tuple(JudgedPost(post=post, verdict=judge_post(post, hashtag, window))
                    for post in posts),
    )
