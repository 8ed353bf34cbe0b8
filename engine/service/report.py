"""R10: the Social campaigns report (every post each check saw) and per-mission summaries."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from engine.dates import iso_utc
from engine.storage.models import CheckRow, ClaimRow, CreditRow, LedgerRow, MissionRow, SeenPostRow

from .context import Service
from .records import MissionSummary, ReportRow

REJECTIONS = ("hashtag_missing", "hashtag_near_miss", "before_window", "after_window",
              "already_counted", "used_elsewhere", "goal_already_met", "cap_reached",
              "ownership_unproven")
COLUMNS = ("mission_id", "member_id", "platform", "handle", "post_url", "published_at",
           "hashtags", "verdict", "points", "checked_at", "backend", "detail")


@dataclass(frozen=True, kw_only=True)
class ReportFilter:
    mission_id: int | None = None
    platform: str | None = None
    member_id: str | None = None
    verdict: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def report_rows(service: Service, where: ReportFilter | None = None) -> list[ReportRow]:
    """Every post every check saw, newest check first, filtered."""
    where = where or ReportFilter()
    query = (select(SeenPostRow, CheckRow, ClaimRow.id)
             .join(CheckRow, SeenPostRow.check_id == CheckRow.id)
             .join(ClaimRow, CheckRow.claim_id == ClaimRow.id))
    if where.mission_id is not None:
        query = query.where(SeenPostRow.mission_id == where.mission_id)
    if where.platform:
        query = query.where(SeenPostRow.platform == where.platform.lower())
    if where.member_id:
        query = query.where(SeenPostRow.member_id == where.member_id)
    if where.verdict:
        query = query.where(SeenPostRow.verdict == where.verdict)
    if where.since:
        query = query.where(CheckRow.finished_at >= where.since)
    if where.until:
        query = query.where(CheckRow.finished_at < where.until)
    query = query.order_by(CheckRow.finished_at.desc(), CheckRow.id.desc(),
                           SeenPostRow.published_at.desc())
    with service.db.sessions() as session:
        return [
            ReportRow(mission_id=seen.mission_id, member_id=seen.member_id,
                      platform=seen.platform, handle=check.handle, post_url=seen.url,
                      published_at=seen.published_at, hashtags=tuple(seen.hashtags),
                      verdict=seen.verdict, detail=seen.detail, points=seen.points,
                      checked_at=check.finished_at, backend=check.backend, claim_id=claim_id,
                      check_id=check.id)
            for seen, check, claim_id in session.execute(query)
        ]


def summaries(service: Service, mission_id: int | None = None) -> list[MissionSummary]:
    """Per mission: claims, participants, credited posts, points, top rejections, breakdowns."""
    with service.db.sessions() as session:
        query = select(MissionRow).order_by(MissionRow.id)
        if mission_id is not None:
            query = query.where(MissionRow.id == mission_id)
        out = []
        for mission in session.scalars(query):
            claims = list(session.scalars(select(ClaimRow).where(
                ClaimRow.mission_id == mission.id)))
            credits = list(session.scalars(select(CreditRow).where(
                CreditRow.mission_id == mission.id, CreditRow.revoked_at.is_(None))))
            points = session.scalar(select(func.coalesce(func.sum(LedgerRow.points), 0))
                                    .where(LedgerRow.mission_id == mission.id)) or 0
            reasons = Counter(session.scalars(select(SeenPostRow.verdict).where(
                SeenPostRow.mission_id == mission.id, SeenPostRow.verdict.in_(REJECTIONS))))
            per_platform: dict[str, dict[str, int]] = defaultdict(
                lambda: {"claims": 0, "credited_posts": 0})
            per_day: dict[str, dict[str, int]] = defaultdict(
                lambda: {"claims": 0, "credited_posts": 0})
            for claim in claims:
                per_platform[claim.platform]["claims"] += 1
                per_day[claim.created_at.date().isoformat()]["claims"] += 1
            for credit in credits:
                per_platform[credit.platform]["credited_posts"] += 1
                per_day[credit.created_at.date().isoformat()]["credited_posts"] += 1
            out.append(MissionSummary(
                mission_id=mission.id, title=mission.title, claims=len(claims),
                participants=len({claim.member_id for claim in claims}),
                credited_posts=len(credits), points=int(points),
                unavailable_claims=sum(1 for c in claims if c.state == "unavailable"),
                unavailable_causes=dict(sorted(Counter(
                    c.last_cause or "unknown" for c in claims
                    if c.last_status == "unavailable").items())),
                top_rejections=tuple(reasons.most_common(5)),
                per_platform=dict(sorted(per_platform.items())),
                per_day=dict(sorted(per_day.items()))))
        return out


def _cells(row: ReportRow) -> list[str]:
    return [str(row.mission_id), row.member_id, row.platform, row.handle, row.post_url,
            iso_utc(row.published_at), " ".join(f"#{t}" for t in row.hashtags), row.verdict,
            str(row.points), iso_utc(row.checked_at), row.backend or "", row.detail]


def as_csv(rows: Sequence[ReportRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_cells(row))
    return buffer.getvalue()


def as_json(rows: Sequence[ReportRow], summary: Sequence[MissionSummary]) -> str:
    return json.dumps({"rows": [row.as_json() for row in rows],
                       "summary": [item.as_json() for item in summary]},
                      ensure_ascii=False, indent=2)


def as_table(rows: Sequence[ReportRow], summary: Sequence[MissionSummary]) -> str:
    lines = []
    for item in summary:
        top = ", ".join(f"{code} ×{count}" for code, count in item.top_rejections) or "none"
        lines.append(f"mission {item.mission_id} «{item.title}»: {item.claims} claim(s), "
                     f"{item.participants} participant(s), {item.credited_posts} credited "
                     f"post(s), {item.points} point(s), {item.unavailable_claims} unavailable; "
                     f"top rejections: {top}" + (
                         "; platform not readable at the last check: " + ", ".join(
                             f"{cause} ×{count}" for cause, count in item.unavailable_causes.items())
                         if item.unavailable_causes else ""))
    if not rows:
        return "\n".join(lines + ["(no post seen yet)"])
    header = ["mission", "member", "platform", "handle", "post", "published", "hashtags",
              "verdict", "points", "checked", "backend"]
    table = [header] + [_cells(row)[:11] for row in rows]
    widths = [min(max(len(r[i]) for r in table), 48) for i in range(len(header))]
    for cells in table:
        lines.append("  ".join(cell[:48].ljust(widths[i]) for i, cell in enumerate(cells)).rstrip())
    return "\n".join(lines)
