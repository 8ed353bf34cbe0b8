"""R10: the Social campaigns report (every post each check saw) and per-mission summaries.

The console reads it without loading every row: :func:`report_page` (one page, stable order),
:func:`report_stats` (per-mission figures under every filter, aggregated by the database) and
:func:`stream_csv` (the whole filtered set in batches, with local time and UTC). The command
line and the API read :func:`report_rows` and :func:`summaries`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from sqlalchemy import Select, String, case, func, select, type_coerce

from engine.dates import iso_utc
from engine.storage.models import CheckRow, ClaimRow, CreditRow, LedgerRow, MissionRow, SeenPostRow
from engine.verdicts import Verdict, Window

from .context import Service
from .records import MissionSummary, MissionTotals, ReportRow

REJECTIONS = tuple(verdict.value for verdict in Verdict if verdict.is_rejection)
# The engagement columns of every row, last in the CSV and JSON (issue 17): None (an empty
# cell) where the platform did not say; measured_at: when the latest check read them (UTC).
ENGAGEMENT_COLUMNS = ("likes", "comments", "views", "shares", "followers", "measured_at")
COLUMNS = ("mission_id", "member_id", "platform", "handle", "post_url", "published_at",
           "hashtags", "verdict", "points", "checked_at", "backend", "detail",
           *ENGAGEMENT_COLUMNS)
PAGE_SIZE = 100  # rows per page of the console's report
TABLE_ROWS = 200  # rows of the command line's table (CSV and JSON give them all)
STREAM_BATCH = 2000  # rows per query (and per chunk) of the streamed CSV


Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True, kw_only=True)
class ReportFilter:
    """What a report covers: each field left None (or an open ``period`` bound) keeps
    everything. ``period`` (UTC instants, ``start <= t < end``) is, for a row, when its check
    finished; for claims, credits and ledger rows, when they were made."""

    mission_id: int | None = None
    platform: str | None = None
    member_id: str | None = None
    verdict: str | None = None
    period: Window = Window()


def _filtered(query: Q, where: ReportFilter) -> Q:
    """``query`` (over seen posts joined to their checks) restricted to ``where``."""
    if where.mission_id is not None:
        query = query.where(SeenPostRow.mission_id == where.mission_id)
    if where.platform:
        query = query.where(SeenPostRow.platform == where.platform.lower())
    if where.member_id:
        query = query.where(SeenPostRow.member_id == where.member_id)
    if where.verdict:
        query = query.where(SeenPostRow.verdict == where.verdict)
    return query.where(*_in_period(CheckRow.finished_at, where.period))


def _in_period(column: Any, period: Window) -> list[Any]:
    """The SQL conditions putting ``column`` (an instant) inside ``period``: none for an
    open bound."""
    conditions = []
    if period.start:
        conditions.append(column >= period.start)
    if period.end:
        conditions.append(column < period.end)
    return conditions


# The order of the command line's and the API's report: newest check first.
_ORDER = (CheckRow.finished_at.desc(), CheckRow.id.desc(), SeenPostRow.published_at.desc(),
          SeenPostRow.id.desc())
_ROW_COLUMNS = (SeenPostRow.id, SeenPostRow.mission_id, SeenPostRow.member_id,
                SeenPostRow.platform, SeenPostRow.url, SeenPostRow.published_at,
                SeenPostRow.hashtags, SeenPostRow.verdict, SeenPostRow.detail, SeenPostRow.points,
                CheckRow.id, CheckRow.claim_id, CheckRow.handle, CheckRow.backend,
                CheckRow.finished_at,
                *(getattr(SeenPostRow, name) for name in ENGAGEMENT_COLUMNS))


def _rows_query(where: ReportFilter) -> Select[*tuple[Any, ...]]:
    """The filtered rows with their checks, in the command line's order (:data:`_ORDER`)."""
    query = select(*_ROW_COLUMNS).join(CheckRow, SeenPostRow.check_id == CheckRow.id)
    return _filtered(query, where).order_by(*_ORDER)


def _row(values: Any) -> ReportRow:
    """A :class:`ReportRow` from one result of :data:`_ROW_COLUMNS`."""
    (_, mission_id, member_id, platform, url, published_at, hashtags, verdict, detail, points,
     check_id, claim_id, handle, backend, finished_at, *numbers) = values
    return ReportRow(mission_id=mission_id, member_id=member_id, platform=platform,
                     handle=handle, post_url=url, published_at=published_at,
                     hashtags=tuple(hashtags or ()), verdict=verdict, detail=detail,
                     points=points, checked_at=finished_at, backend=backend, claim_id=claim_id,
                     check_id=check_id, **dict(zip(ENGAGEMENT_COLUMNS, numbers, strict=True)))


def report_rows(service: Service, where: ReportFilter | None = None) -> list[ReportRow]:
    """Every post every check saw, newest check first, filtered (all of them: the command
    line and the API; the console reads :func:`report_page` and :func:`stream_rows`)."""
    with service.db.sessions() as session:
        return [_row(values) for values in session.execute(_rows_query(where or ReportFilter()))]


def report_slice(service: Service, where: ReportFilter, *, limit: int,
                 after: int | None = None) -> tuple[list[ReportRow], int | None]:
    """One page of the API's report: up to ``limit`` filtered rows, newest first (the seen
    post's id descending, a total and stable order), starting after the row whose id is the
    cursor ``after``; and the cursor of the next page (``None`` on the last page)."""
    query = _export_query(where)
    if after is not None:
        query = query.where(SeenPostRow.id < after)
    with service.db.sessions() as session:
        found = list(session.execute(query.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return [_row(values) for values in found], (found[-1][0] if more and found else None)


def count_rows(service: Service, where: ReportFilter) -> int:
    """How many posts seen match ``where`` (counted by the database)."""
    query = select(func.count(SeenPostRow.id))
    if where.period.start or where.period.end:
        query = query.join(CheckRow, SeenPostRow.check_id == CheckRow.id)
    with service.db.sessions() as session:
        return int(session.scalar(_filtered(query, where)) or 0)


def report_page(service: Service, where: ReportFilter, *, page: int = 1,
                size: int = PAGE_SIZE, total: int | None = None) -> list[ReportRow]:
    """Page ``page`` (from 1) of the filtered rows, ``size`` rows, in the console's order:
    newest first as the checks recorded them (the seen post's id: a total, stable order).

    The page's ids are found first (a narrow query, reading from the end when the page is in
    the second half of ``total`` rows), then only those rows are read with their checks.
    """
    offset = (max(page, 1) - 1) * size
    ids = select(SeenPostRow.id)
    if where.period.start or where.period.end:
        ids = ids.join(CheckRow, SeenPostRow.check_id == CheckRow.id)
    ids = _filtered(ids, where)
    if total is not None and offset > total // 2:
        from_end = max(total - offset - size, 0)
        ids = ids.order_by(SeenPostRow.id).limit(min(size, total - offset)).offset(from_end)
    else:
        ids = ids.order_by(SeenPostRow.id.desc()).limit(size).offset(offset)
    with service.db.sessions() as session:
        chosen = list(session.scalars(ids))
        if not chosen:
            return []
        query = (select(*_ROW_COLUMNS).join(CheckRow, SeenPostRow.check_id == CheckRow.id)
                 .where(SeenPostRow.id.in_(chosen)).order_by(SeenPostRow.id.desc()))
        return [_row(values) for values in session.execute(query)]


def stream_rows(service: Service, where: ReportFilter,
                batch: int = STREAM_BATCH) -> Iterator[ReportRow]:
    """Every filtered row in the console's order (as :func:`report_page`), fetched ``batch``
    rows at a time from one query (a server-side cursor on PostgreSQL)."""
    query = select(*_ROW_COLUMNS).join(CheckRow, SeenPostRow.check_id == CheckRow.id)
    query = _filtered(query, where).order_by(SeenPostRow.id.desc())
    with service.db.sessions() as session:
        for values in session.execute(query.execution_options(yield_per=batch)):
            yield _row(values)


def mission_titles(service: Service) -> dict[int, str]:
    """Every mission's title by id (the report names missions, not ids)."""
    with service.db.sessions() as session:
        return {mission_id: title for mission_id, title in session.execute(
            select(MissionRow.id, MissionRow.title))}


def summaries(service: Service, mission_id: int | None = None) -> list[MissionSummary]:
    """Per mission: claims, participants, credited posts, points, top rejections, unavailable
    causes, and claims and credited posts per platform and per UTC day.

    Aggregated by the database (one GROUP BY query per figure, whatever the number of rows);
    ``mission_id`` restricts it to one mission (an unknown id gives ``[]``).
    """

    def per_mission(column: Any) -> Any:
        return [column == mission_id] if mission_id is not None else []

    day_of_claim = _bucket(service, ClaimRow.created_at, 10)
    day_of_credit = _bucket(service, CreditRow.created_at, 10)
    live = CreditRow.revoked_at.is_(None)
    with service.db.sessions() as session:
        titles = dict(session.execute(select(MissionRow.id, MissionRow.title).where(
            *per_mission(MissionRow.id)).order_by(MissionRow.id)).all())
        claims = {row[0]: row[1:] for row in session.execute(
            select(ClaimRow.mission_id, func.count(), func.count(ClaimRow.member_id.distinct()),
                   func.sum(case((ClaimRow.state == "unavailable", 1), else_=0)))
            .where(*per_mission(ClaimRow.mission_id)).group_by(ClaimRow.mission_id))}
        causes: dict[int, Counter[str]] = defaultdict(Counter)
        for mission, status, cause, count in session.execute(
                select(ClaimRow.mission_id, ClaimRow.last_status, ClaimRow.last_cause, func.count())
                .where(ClaimRow.last_status.in_(("unavailable", "layout_changed")),
                       *per_mission(ClaimRow.mission_id))
                .group_by(ClaimRow.mission_id, ClaimRow.last_status, ClaimRow.last_cause)):
            key = (cause or "unknown") if status == "unavailable" else str(status)
            causes[mission][key] += count
        credited = dict(session.execute(
            select(CreditRow.mission_id, func.count()).where(live, *per_mission(
                CreditRow.mission_id)).group_by(CreditRow.mission_id)).all())
        points = dict(session.execute(
            select(LedgerRow.mission_id, func.coalesce(func.sum(LedgerRow.points), 0))
            .where(*per_mission(LedgerRow.mission_id)).group_by(LedgerRow.mission_id)).all())
        reasons: dict[int, Counter[str]] = defaultdict(Counter)
        for mission, verdict, count in session.execute(
                select(SeenPostRow.mission_id, SeenPostRow.verdict, func.count())
                .where(SeenPostRow.verdict.in_(REJECTIONS), *per_mission(SeenPostRow.mission_id))
                .group_by(SeenPostRow.mission_id, SeenPostRow.verdict)):
            reasons[mission][verdict] = count
        per_platform: dict[int, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"claims": 0, "credited_posts": 0}))
        per_day: dict[int, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"claims": 0, "credited_posts": 0}))
        for key, table, where, groups in (
                ("claims", ClaimRow, [], (ClaimRow.platform, day_of_claim)),
                ("credited_posts", CreditRow, [live], (CreditRow.platform, day_of_credit))):
            for mission, platform, day, count in session.execute(
                    select(table.mission_id, *groups, func.count())
                    .where(*where, *per_mission(table.mission_id))
                    .group_by(table.mission_id, *groups)):
                per_platform[mission][platform][key] += count
                per_day[mission][str(day)[:10]][key] += count
    out = []
    for mission, title in titles.items():
        count, members, unavailable = claims.get(mission, (0, 0, 0))
        out.append(MissionSummary(
            mission_id=mission, title=title, claims=count, participants=members,
            credited_posts=credited.get(mission, 0), points=int(points.get(mission, 0)),
            unavailable_claims=int(unavailable or 0),
            unavailable_causes=dict(sorted(causes[mission].items())),
            top_rejections=tuple(reasons[mission].most_common(5)),
            per_platform={k: dict(v) for k, v in sorted(per_platform[mission].items())},
            per_day={k: dict(v) for k, v in sorted(per_day[mission].items())}))
    return out


# What spreadsheets read as a formula at the start of a cell (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it and never runs it: text that starts like a formula
    (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, a tab or carriage return) gets a leading ``'``.
    Numbers written by this module (points, ids) are not text and are left alone."""
    return "'" + cell if cell[:1] in _FORMULA_FIRST else cell


def _cells(row: ReportRow) -> list[str]:
    return [str(row.mission_id), row.member_id, row.platform, row.handle, row.post_url,
            iso_utc(row.published_at), " ".join(f"#{t}" for t in row.hashtags), row.verdict,
            str(row.points), iso_utc(row.checked_at), row.backend or "", row.detail]


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


@dataclass(frozen=True, kw_only=True)
class ReportStats(MissionTotals):
    """One mission's figures under the report's filters (every filter applies).

    ``posts_seen`` and ``top_rejections`` count the filtered rows; ``claims``,
    ``participants`` and ``unavailable_claims`` the claims of the filtered mission, member and
    platform made in the period (with a verdict filter: the claims whose checks gave that
    verdict); ``credited_posts`` (live credits) and ``points`` (the ledger, compensating rows
    included) are zero under a verdict filter other than ``counted``. ``per_day``: credited
    posts per day of the community's time zone (ISO date) and platform.
    """

    posts_seen: int = 0
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)


def _granularity(zone: tzinfo) -> int:
    """How much of a stored instant's text names its bucket: 10 (the day) when ``zone`` is
    UTC all year, 13 (the hour) when its offsets are whole hours, else 16 (the minute)."""
    year = datetime.now(UTC).year
    offsets = {datetime(year, month, 1, tzinfo=UTC).astimezone(zone).utcoffset() or timedelta()
               for month in (1, 7)}
    if offsets == {timedelta()}:
        return 10
    return 13 if all(offset % timedelta(hours=1) == timedelta() for offset in offsets) else 16


_PG_FORMATS = {10: "YYYY-MM-DD", 13: "YYYY-MM-DD HH24", 16: "YYYY-MM-DD HH24:MI"}


def _bucket(service: Service, column: Any, size: int) -> Any:
    """``column`` (a UTC instant) truncated to its day, hour or minute as text, in SQL."""
    if service.db.is_sqlite:  # stored as text, "2025-06-16 09:00:00.000000"
        return func.substr(column, 1, size)
    return func.to_char(column, _PG_FORMATS[size])


def _local_day(bucket: str, zone: tzinfo, known: dict[str, str]) -> str:
    """The community's day (ISO date) of a day, hour or minute bucket (UTC), remembered in
    ``known`` (the same hour comes back for every mission and platform)."""
    day = known.get(bucket)
    if day is None:
        moment = datetime.fromisoformat(bucket if len(bucket) != 13 else bucket + ":00")
        day = known[bucket] = moment.replace(tzinfo=UTC).astimezone(zone).date().isoformat()
    return day


def report_stats(service: Service, where: ReportFilter, zone: tzinfo = UTC) -> list[ReportStats]:
    """Per mission, the report's figures under every filter of ``where``, aggregated by the
    database (a handful of GROUP BY queries, whatever the number of rows).

    Missions without any figure are left out, except the filtered mission; with no filter at
    all, every mission is listed.
    """
    credited = where.verdict in (None, "counted")
    with service.db.sessions() as session:
        titles = {mission_id: title for mission_id, title in session.execute(
            select(MissionRow.id, MissionRow.title))}
        seen: dict[int, Counter[str]] = defaultdict(Counter)
        seen_query = select(SeenPostRow.mission_id, SeenPostRow.verdict, func.count())
        if where.period.start or where.period.end:
            seen_query = seen_query.join(CheckRow, SeenPostRow.check_id == CheckRow.id)
        seen_query = _filtered(seen_query, where).group_by(SeenPostRow.mission_id,
                                                           SeenPostRow.verdict)
        for mission_id, verdict, count in session.execute(seen_query):
            seen[mission_id][verdict] += count

        claim_where = _claim_filters(where)
        claims = {mission_id: (count, members, unavailable) for
                  mission_id, count, members, unavailable in session.execute(
                      select(ClaimRow.mission_id, func.count(), func.count(
                          ClaimRow.member_id.distinct()),
                          func.sum(case((ClaimRow.state == "unavailable", 1), else_=0)))
                      .where(*claim_where).group_by(ClaimRow.mission_id))}
        causes: dict[int, dict[str, int]] = defaultdict(dict)
        for mission_id, cause, count in session.execute(
                select(ClaimRow.mission_id, ClaimRow.last_cause, func.count())
                .where(*claim_where, ClaimRow.last_status == "unavailable")
                .group_by(ClaimRow.mission_id, ClaimRow.last_cause)):
            causes[mission_id][cause or "unknown"] = count

        per_day: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        points: dict[int, int] = {}
        if credited:
            bucket = _bucket(service, CreditRow.created_at, _granularity(zone))
            known: dict[str, str] = {}
            credit_query = (select(CreditRow.mission_id, CreditRow.platform, bucket, func.count())
                            .where(CreditRow.revoked_at.is_(None),
                                   *_dated(CreditRow, where)))
            for mission_id, platform, hour, count in session.execute(
                    credit_query.group_by(CreditRow.mission_id, CreditRow.platform, bucket)):
                per_day[mission_id][_local_day(hour, zone, known)][platform] += count
            ledger_query = select(LedgerRow.mission_id, func.sum(LedgerRow.points))
            if where.platform:
                ledger_query = ledger_query.join(CheckRow, LedgerRow.check_id == CheckRow.id) \
                    .where(CheckRow.platform == where.platform.lower())
            points = {mission_id: int(total or 0) for mission_id, total in session.execute(
                ledger_query.where(*_dated(LedgerRow, where)).group_by(LedgerRow.mission_id))}

    unfiltered = where == ReportFilter(mission_id=where.mission_id)
    shown = set(seen) | set(claims) | set(per_day) | {m for m, p in points.items() if p}
    if unfiltered:
        shown |= set(titles)
    if where.mission_id is not None:
        shown = {where.mission_id} & set(titles)
    out = []
    for mission_id in sorted(shown):
        verdicts = seen.get(mission_id, Counter())
        count, members, unavailable = claims.get(mission_id, (0, 0, 0))
        days = per_day.get(mission_id, {})
        rejections = Counter({code: n for code, n in verdicts.items() if code in REJECTIONS})
        out.append(ReportStats(
            mission_id=mission_id, title=titles.get(mission_id, f"#{mission_id}"),
            posts_seen=sum(verdicts.values()), claims=count, participants=members,
            credited_posts=sum(sum(c.values()) for c in days.values()),
            points=points.get(mission_id, 0), unavailable_claims=int(unavailable or 0),
            unavailable_causes=dict(sorted(causes.get(mission_id, {}).items())),
            top_rejections=tuple(rejections.most_common(5)),
            per_day={day: dict(sorted(c.items())) for day, c in sorted(days.items())}))
    return out


def _claim_filters(where: ReportFilter) -> list[Any]:
    """The conditions on claims for ``where``: mission, member, platform, made in the period,
    and (with a verdict) one of their checks gave that verdict."""
    conditions: list[Any] = []
    if where.mission_id is not None:
        conditions.append(ClaimRow.mission_id == where.mission_id)
    if where.member_id:
        conditions.append(ClaimRow.member_id == where.member_id)
    if where.platform:
        conditions.append(ClaimRow.platform == where.platform.lower())
    conditions += _in_period(ClaimRow.created_at, where.period)
    if where.verdict:
        conditions.append(ClaimRow.id.in_(select(CheckRow.claim_id).join(
            SeenPostRow, SeenPostRow.check_id == CheckRow.id).where(
            SeenPostRow.verdict == where.verdict)))
    return conditions


def _dated(table: type[CreditRow] | type[LedgerRow], where: ReportFilter) -> list[Any]:
    """The conditions on credits or ledger rows for ``where``'s mission, member, platform
    (credits only; the ledger is joined to its check) and period (when they were written)."""
    conditions: list[Any] = []
    if where.mission_id is not None:
        conditions.append(table.mission_id == where.mission_id)
    if where.member_id:
        conditions.append(table.member_id == where.member_id)
    if where.platform and table is CreditRow:
        conditions.append(CreditRow.platform == where.platform.lower())
    return conditions + _in_period(table.created_at, where.period)


CONSOLE_COLUMNS = ("mission_id", "mission_title", "member_id", "platform", "handle",
                   "post_url", "published_at_local", "published_at_utc", "hashtags", "verdict",
                   "detail", "points", "checked_at_local", "checked_at_utc", "timezone",
                   "backend", *ENGAGEMENT_COLUMNS[:-1], "measured_at_utc")


def _local(moment: datetime, zone: tzinfo) -> str:
    """``2025-06-16 11:00:00`` on the wall clock of ``zone`` (the ``timezone`` column names
    it; ``*_utc`` columns hold the instant)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


class _Clock:
    """Formats the instants of an export as fast as the floor allows.

    Values are what the export's query gives: SQLite's stored text (``2025-06-16
    09:00:00.000000``, naive UTC) or the driver's datetime (PostgreSQL: naive UTC). :meth:`utc`
    gives ``2025-06-16T09:00:00Z``; :meth:`local` the wall clock of ``zone`` as :func:`_local`
    does, with the zone's offset looked up once per quarter hour of UTC (offsets are whole
    quarter hours and change on such boundaries).
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._offsets: dict[int, timedelta] = {}
        self._last: object = None
        self._last_local = ""

    @staticmethod
    def naive_utc(value: str | datetime) -> datetime:
        """The instant as a naive UTC datetime."""
        if isinstance(value, str):
            return datetime.fromisoformat(value[:19])
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    @staticmethod
    def utc(value: str | datetime) -> str:
        """``2025-06-16T09:00:00Z``."""
        if isinstance(value, str):
            return f"{value[:10]}T{value[11:19]}Z"
        return _Clock.naive_utc(value).isoformat("T", "seconds") + "Z"

    def local_repeated(self, value: str | datetime) -> str:
        """:meth:`local` for a value that often repeats from row to row (a check's time: the
        rows of one check follow each other), keeping the last answer."""
        if value == self._last:
            return self._last_local
        self._last, self._last_local = value, self.local(value)
        return self._last_local

    def local(self, value: str | datetime) -> str:
        """``2025-06-16 11:00:00`` on the wall clock of the zone."""
        naive = self.naive_utc(value)
        key = naive.toordinal() * 96 + naive.hour * 4 + naive.minute // 15
        offset = self._offsets.get(key)
        if offset is None:
            offset = self._offsets[key] = naive.replace(tzinfo=UTC).astimezone(
                self.zone).utcoffset() or timedelta()
        return (naive + offset).isoformat(" ", "seconds")

    @staticmethod
    def numbers(values: Sequence[Any]) -> list[object]:
        """The engagement cells (:data:`ENGAGEMENT_COLUMNS`): counts as they are (``csv``
        writes None as an empty cell), then the time they were read in UTC."""
        measured_at = values[-1]
        return [*values[:-1], "" if measured_at is None else _Clock.utc(measured_at)]


def _hashtag_text(value: str | Sequence[str] | None) -> str:
    """``#summer #beach`` from the stored hashtags: SQLite's JSON text (read without decoding
    when it holds no escape: tags are word characters, never quotes or commas, so the items
    are what lies between ``","``, whether the serialiser wrote a space after the comma or
    not) or a list."""
    if isinstance(value, str):
        if value == "[]":
            return ""
        if "\\" not in value:
            return "#" + " #".join(value[2:-2].replace('", "', '","').split('","'))
        value = json.loads(value)
    return " ".join(f"#{tag}" for tag in value or ())


def _hashtag_list(value: str | Sequence[str] | None) -> list[str]:
    """The stored hashtags as a list (SQLite gives JSON text, PostgreSQL a list)."""
    return list(json.loads(value) if isinstance(value, str) else value or ())


# The exports read instants and hashtags as the database stores them (no per-row decoding
# by SQLAlchemy); :class:`_Clock` and :func:`_hashtag_text` format them.
_EXPORT_COLUMNS = tuple(
    type_coerce(column, String).label(column.key) if column.key in (
        "published_at", "hashtags", "finished_at", "measured_at") else column
    for column in _ROW_COLUMNS)


def _export_query(where: ReportFilter, columns: Sequence[Any] = _ROW_COLUMNS,
                  ) -> Select[*tuple[Any, ...]]:
    """The filtered rows (``columns``) in the console's order, newest first."""
    query = select(*columns).join(CheckRow, SeenPostRow.check_id == CheckRow.id)
    return _filtered(query, where).order_by(SeenPostRow.id.desc())


def _export(service: Service, where: ReportFilter, header: Sequence[str],
            cells: Any, batch: int = STREAM_BATCH) -> Iterator[str]:
    """CSV text of every filtered row, one chunk of ``batch`` lines at a time: ``header``,
    then ``cells(values)`` for each result of :data:`_ROW_COLUMNS`. Constant memory: rows are
    fetched ``batch`` at a time from one query (a server-side cursor on PostgreSQL)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    with service.db.engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(
            _export_query(where, _EXPORT_COLUMNS))
        for partition in result.partitions():
            writer.writerows(map(cells, partition))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_report_csv(service: Service, where: ReportFilter) -> Iterator[str]:
    """The report's CSV (:data:`COLUMNS`, UTC instants) of every filtered row, newest first,
    in chunks of :data:`STREAM_BATCH` lines; text cells made spreadsheet-safe."""
    utc, safe = _Clock.utc, spreadsheet_safe

    def cells(values: Any) -> list[object]:
        (_, mission_id, member_id, platform, url, published_at, hashtags, verdict, detail,
         points, _check, _claim, handle, backend, finished_at, *numbers) = values
        return [mission_id, safe(member_id), platform, safe(handle), safe(url),
                utc(published_at), _hashtag_text(hashtags), verdict, points, utc(finished_at),
                backend or "", safe(detail), *_Clock.numbers(numbers)]

    return _export(service, where, COLUMNS, cells)


def stream_csv(service: Service, where: ReportFilter, zone: tzinfo = UTC,
               zone_label: str = "UTC") -> Iterator[str]:
    """The console's CSV (:data:`CONSOLE_COLUMNS`) of every filtered row, newest first, in
    chunks: mission title, local times in the community's ``zone`` (named in the ``timezone``
    column) and UTC; text cells made spreadsheet-safe."""
    titles = {mission: spreadsheet_safe(title) for mission, title in
              mission_titles(service).items()}
    clock, safe = _Clock(zone), spreadsheet_safe
    utc, local, check_local = clock.utc, clock.local, clock.local_repeated

    def cells(values: Any) -> list[object]:
        (_, mission_id, member_id, platform, url, published_at, hashtags, verdict, detail,
         points, _check, _claim, handle, backend, finished_at, *numbers) = values
        return [mission_id, titles.get(mission_id, ""), safe(member_id), platform, safe(handle),
                safe(url), local(published_at), utc(published_at), _hashtag_text(hashtags),
                verdict, safe(detail), points, check_local(finished_at), utc(finished_at),
                zone_label, backend or "", *_Clock.numbers(numbers)]

    return _export(service, where, CONSOLE_COLUMNS, cells)


def _json_batches(service: Service, where: ReportFilter) -> Iterator[list[str]]:
    """Every filtered row as compact JSON text (the fields of :meth:`ReportRow.as_json`),
    newest first, a list of :data:`STREAM_BATCH` rows at a time (constant memory)."""
    utc = _Clock.utc
    with service.db.engine.connect() as connection:
        result = connection.execution_options(yield_per=STREAM_BATCH).execute(
            _export_query(where, _EXPORT_COLUMNS))
        for partition in result.partitions():
            yield [json.dumps({
                "mission_id": mission_id, "member_id": member_id, "platform": platform,
                "handle": handle, "post_url": url, "published_at": utc(published_at),
                "hashtags": _hashtag_list(hashtags), "verdict": verdict, "detail": detail,
                "points": points, "checked_at": utc(finished_at), "backend": backend,
                "claim_id": claim_id, "check_id": check_id,
                **dict(zip(ENGAGEMENT_COLUMNS, (*counts, measured_at and utc(measured_at)),
                           strict=True))}, ensure_ascii=False)
                for (_, mission_id, member_id, platform, url, published_at, hashtags, verdict,
                     detail, points, check_id, claim_id, handle, backend, finished_at, *counts,
                     measured_at) in partition]


def stream_report_jsonl(service: Service, where: ReportFilter) -> Iterator[str]:
    """JSON Lines: one report row per line (as :meth:`ReportRow.as_json`), newest first,
    in chunks of :data:`STREAM_BATCH` lines."""
    for batch in _json_batches(service, where):
        yield "\n".join(batch) + "\n"


def stream_report_json(service: Service, where: ReportFilter,
                       summary: Sequence[MissionSummary] = ()) -> Iterator[str]:
    """The report as one JSON document ``{"rows": [...], "summary": [...]}`` (rows as
    :meth:`ReportRow.as_json` gives them, newest first), written a batch of rows at a time
    so that memory stays constant whatever the number of rows."""
    yield '{"rows": ['
    separator = "\n"
    for batch in _json_batches(service, where):
        yield separator + ",\n".join(batch)
        separator = ",\n"
    yield "\n], \"summary\": " + json.dumps([item.as_json() for item in summary],
                                            ensure_ascii=False) + "}\n"
