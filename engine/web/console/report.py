"""The console's report page ``/admin``: the Social campaigns report, its figures and its CSV.

The filters are plain query parameters (a GET form), so a filtered view is a link, and the CSV
export takes the same parameters. Every filter applies to the figures, the charts, the rows
and the CSV alike. Nothing loads every row: the page reads one page of rows (100, a stable
order) and the figures come from GROUP BY queries (:mod:`engine.service.report`); the CSV is
streamed in batches.

Periods are days of the community's time zone (``[service] timezone``): ``until`` names the
last day shown. A filter that cannot be applied (a bad date, ``since`` after ``until``, an
unknown mission or platform) is refused with a message (HTTP 400) and nothing is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from html import escape
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from engine.service.human_dates import LOCALES, human_date, human_instant
from engine.service.member_ids import member_id_problem
from engine.service.report import (
    PAGE_SIZE,
    REJECTIONS,
    ReportFilter,
    ReportStats,
    mission_titles,
    report_page,
    report_stats,
    stream_csv,
)
from engine.verdicts import Window
from engine.web.error_handlers import back_link, error_page
from engine.web.pages.charts import colour_of
from engine.web.pages.messages import say
from engine.web.pages.rendering import service_of
from engine.web.reasons import localized_detail

from .base import Catalogue, admin_page, community_zone, console_lang, render_console

VERDICTS = ("counted", *REJECTIONS)
FILTER_NAMES = ("mission", "platform", "member", "verdict", "since", "until")
# Dates a period may name: enough for any report, and far from datetime's limits.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
CHART_DAYS = 31  # the day chart shows the last 31 days with credits
# The figures of a mission and of the totals: (word, name in the page's data-*, attribute).
FIGURES = (("posts_seen", "posts_seen", "posts_seen"), ("claims", "claims", "claims"),
           ("participants", "participants", "participants"),
           ("credited", "credited_posts", "credited_posts"), ("points", "points", "points"),
           ("unavailable", "unavailable", "unavailable_claims"))

WORDS = Catalogue.load("console_report")


@dataclass(frozen=True)
class Filters:
    """The report's filters as typed in the form, what they mean for the service, and why
    they cannot be applied (``errors``, in the page's language)."""

    values: dict[str, str]
    where: ReportFilter
    page: int = 1
    errors: tuple[str, ...] = field(default=())

    def query(self, **changes: object) -> str:
        """The query string of these filters (empty values left out), with ``changes``."""
        params = {k: v for k, v in self.values.items() if v}
        params.update({k: str(v) for k, v in changes.items() if v})
        return urlencode(params)


def _day(text: str, name: str, lang: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        errors.append(WORDS("bad_date", lang, name=name, value=visible(text[:40])))
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors.append(WORDS("date_range", lang, name=name,
                            first=human_date(_midnight(FIRST_DAY, UTC), lang),
                            last=human_date(_midnight(LAST_DAY, UTC), lang)))
        return None
    return day


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) that starts ``day`` in ``zone``."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def visible(text: str) -> str:
    """``text`` as a page may show it again: each character that cannot be shown (a NUL, a
    control character) replaced by U+FFFD."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _mission_id(text: str, titles: Mapping[int, str]) -> int | None:
    """The id of a listed mission, or None (not ASCII digits, out of range, unknown)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text) if int(text) in titles else None


def read_filters(request: Request, *, lang: str, zone: tzinfo, platforms: Sequence[str],
                 titles: Mapping[int, str]) -> Filters:
    """The filters of the query string, checked; days are the community's (``zone``)."""
    values = {name: request.query_params.get(name, "").strip() for name in FILTER_NAMES}
    # What the form and its messages show again: a character that cannot be shown (a NUL, a
    # control) as U+FFFD, never sent back into the page as it came.
    shown = {name: visible(value) for name, value in values.items()}
    errors: list[str] = []
    mission_id = None
    if values["mission"]:
        mission_id = _mission_id(values["mission"], titles)
        if mission_id is None:
            errors.append(WORDS("bad_mission", lang, value=shown["mission"][:40]))
    platform = values["platform"].lower() or None
    if platform and platform not in platforms:
        errors.append(WORDS("bad_platform", lang, value=shown["platform"][:40]))
    if len(values["member"]) > 200:
        errors.append(WORDS("bad_member", lang))
    elif values["member"] and member_id_problem(values["member"]):
        errors.append(WORDS("bad_member_id", lang,
                            problem=member_id_problem(values["member"])))
    verdict = values["verdict"] or None
    if verdict and verdict not in VERDICTS:
        errors.append(WORDS("bad_verdict", lang, value=visible(verdict[:40])))
    since = _day(values["since"], WORDS("since", lang), lang, errors)
    until = _day(values["until"], WORDS("until", lang), lang, errors)
    if since and until and since > until:
        errors.append(WORDS("since_after_until", lang,
                            since=human_date(_midnight(since, UTC), lang),
                            until=human_date(_midnight(until, UTC), lang)))
    page_text = request.query_params.get("page", "").strip() or "1"
    page = 1
    if page_text.isascii() and page_text.isdigit() and len(page_text) <= 8 \
            and 1 <= int(page_text) <= MAX_PAGE:
        page = int(page_text)
    else:
        errors.append(WORDS("bad_page", lang, value=visible(page_text[:40])))
    # "until" names the last day shown, so the bound is the next local midnight.
    where = ReportFilter(
        mission_id=mission_id, platform=platform, member_id=values["member"] or None,
        verdict=verdict, period=Window(
            start=_midnight(since, zone) if since else None,
            end=_midnight(until + timedelta(days=1), zone) if until else None))
    return Filters(values=shown, where=where, page=page, errors=tuple(errors))


def days_chart(per_day: Mapping[str, Mapping[str, int]], lang: str, *,
               height: int = 140) -> str:
    """Vertical bars, one per day (the last :data:`CHART_DAYS`), stacked by platform."""
    days = sorted(per_day)[-CHART_DAYS:]
    if not days:
        return ""
    locale = LOCALES.get(lang, LOCALES["fr"])
    platforms = sorted({p for day in days for p in per_day[day]})
    top = max(sum(per_day[day].values()) for day in days) or 1
    bar, gap, left, bottom = 28, 14, 28, 34
    width = left + len(days) * (bar + gap) + gap
    scale = (height - bottom - 12) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" aria-label="{escape(WORDS("chart_days", lang))}">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
             'stroke="#cbd5e1"/>',
             f'<text x="{left - 6}" y="{height - bottom - top * scale + 4:.0f}" '
             f'text-anchor="end" class="axis">{top}</text>']
    for index, day in enumerate(days):
        x = left + gap + index * (bar + gap)
        y = float(height - bottom)
        label = format_date(date.fromisoformat(day), "d MMM", locale=locale)
        for platform in platforms:
            count = per_day[day].get(platform, 0)
            if count:
                y -= count * scale
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" '
                             f'height="{count * scale:.1f}" fill="{colour_of(platform)}">'
                             f'<title>{escape(label)} · {escape(platform)} : {count}</title>'
                             '</rect>')
        parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" text-anchor="middle" '
                     f'class="value">{sum(per_day[day].values())}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{height - bottom + 14}" '
                     f'text-anchor="middle" class="axis">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def reasons_chart(items: Sequence[tuple[str, int]], lang: str, *, width: int = 380) -> str:
    """One labelled bar per rejection reason (its name in ``lang``, its colour by code)."""
    if not items:
        return ""
    row, label_width = 22, 170
    top = max(count for _, count in items) or 1
    scale = (width - label_width - 44) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {row * len(items) + 4}" '
             f'width="{width}" height="{row * len(items) + 4}" '
             f'aria-label="{escape(WORDS("chart_reasons", lang))}">']
    for index, (code, count) in enumerate(items):
        y = index * row + 2
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end" '
                     f'class="axis">{escape(say("verdict_" + code, lang))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{count * scale:.1f}" '
                     f'height="{row - 8}" class="bar-{escape(code)}" rx="2"/>')
        parts.append(f'<text x="{label_width + count * scale + 5:.1f}" y="{y + 14}" '
                     f'class="value">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _stats_view(item: ReportStats, lang: str) -> dict[str, Any]:
    """What the template shows of one mission's figures: its charts drawn in ``lang``."""
    recent = len(item.per_day) > CHART_DAYS
    return {
        "stats": item,
        "days_chart": days_chart(item.per_day, lang),
        "days_caption": (WORDS("per_day_recent", lang, n=CHART_DAYS) if recent
                         else WORDS("per_day", lang)),
        "platforms": sorted({p for per in item.per_day.values() for p in per}),
        "reasons_chart": reasons_chart(item.top_rejections, lang),
    }


def _page_links(filters: Filters, page: int, pages: int) -> list[tuple[int, str]]:
    """The numbered page links: the first, the last, and two either side of ``page``."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    return [(number, "/admin?" + filters.query(page=number if number > 1 else None))
            for number in shown]


def register(console: APIRouter) -> None:
    """Add the report's routes to the console's router (prefix ``/admin``): the page is the
    prefix itself, a path an included router cannot declare."""
    console.add_api_route("", report, methods=["GET"], response_class=HTMLResponse,
                          include_in_schema=False)
    console.add_api_route("/report.csv", report_csv, methods=["GET"], include_in_schema=False)


@admin_page
def report(request: Request) -> Response:
    """The Social campaigns report: filters, per-mission figures and charts, one page of rows."""
    service = service_of(request)
    lang, zone = console_lang(request), community_zone(service)
    titles = mission_titles(service)
    platforms = sorted(service.engine.platforms)
    filters = read_filters(request, lang=lang, zone=zone, platforms=platforms, titles=titles)
    context: dict[str, Any] = {
        "t": WORDS, "filters": filters, "titles": titles, "platforms": platforms,
        "figure_names": FIGURES, "verdicts": VERDICTS, "say": say, "colour_of": colour_of,
        "views": [], "rows": [], "total": 0, "page": 1, "pages": 1, "page_links": [],
        "csv_url": "/admin/report.csv" + (f"?{filters.query()}" if filters.query() else ""),
    }
    if filters.errors:
        return render_console(request, "console_report.html", context, lang=lang,
                              section="report", status_code=400)
    stats = report_stats(service, filters.where, zone)
    total = sum(item.posts_seen for item in stats)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    rows = report_page(service, filters.where, page=page, total=total) if total else []
    context.update({
        "views": [_stats_view(item, lang) for item in stats], "total": total, "page": page,
        "totals": {name: sum(getattr(item, name) for item in stats) for name in (
            "posts_seen", "claims", "credited_posts", "points", "unavailable_claims")},
        "pages": pages, "page_links": _page_links(filters, page, pages) if pages > 1 else [],
        "previous_url": ("/admin?" + filters.query(page=page - 1 if page > 2 else None))
        if page > 1 else None,
        "next_url": "/admin?" + filters.query(page=page + 1) if page < pages else None,
        "rows": [{"row": row, "title": titles.get(row.mission_id, f"#{row.mission_id}"),
                  "checked": human_instant(row.checked_at, lang, zone),
                  "published": human_date(row.published_at, lang, zone),
                  "reason": localized_detail(row.detail, lang, zone),
                  "verdict_name": say("verdict_" + row.verdict, lang)} for row in rows],
    })
    return render_console(request, "console_report.html", context, lang=lang, section="report")


@admin_page
def report_csv(request: Request) -> Response:
    """The whole filtered set as CSV, streamed: local time (community zone) and UTC."""
    service = service_of(request)
    lang, zone = console_lang(request), community_zone(service)
    filters = read_filters(request, lang=lang, zone=zone,
                           platforms=sorted(service.engine.platforms),
                           titles=mission_titles(service))
    if filters.errors:
        return HTMLResponse(error_page(400, " ".join((WORDS("refused", lang), *filters.errors)),
                                       lang, back_link(request, lang)), status_code=400)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        stream_csv(service, filters.where, zone, service.settings.timezone),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="social-campaigns-{stamp}.csv"'})
