"""Admin pages under ``/admin``: login with an admin token, the Social campaigns report, CSV.

The report's filters are plain query parameters (a GET form), so a filtered view is a link;
the CSV export takes the same parameters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.service.context import Service
from engine.service.missions import list_missions
from engine.service.records import MissionSummary, ReportRow
from engine.service.report import REJECTIONS, ReportFilter, as_csv, report_rows, summaries

from .charts import colour_of, horizontal_bars, stacked_days
from .rendering import render, service_of
from .session import COOKIE, MAX_AGE, current_admin, log_in

router = APIRouter(prefix="/admin")

VERDICTS = ("counted", *REJECTIONS)
FILTER_NAMES = ("mission", "platform", "member", "verdict", "since", "until")
ROW_LIMIT = 500  # the page shows the newest rows; the CSV has them all


@dataclass(frozen=True)
class Filters:
    """The report's filters as typed in the form, and what they mean for the service."""

    values: dict[str, str]
    where: ReportFilter
    errors: tuple[str, ...]

    def query(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v})


def _day(text: str, name: str, errors: list[str]) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        errors.append(f"{name}: {text!r} is not a date (YYYY-MM-DD)")
        return None
    return datetime.combine(day, time(), tzinfo=UTC)


def read_filters(request: Request) -> Filters:
    values = {name: request.query_params.get(name, "").strip() for name in FILTER_NAMES}
    errors: list[str] = []
    mission_id = None
    if values["mission"]:
        if values["mission"].isdigit():
            mission_id = int(values["mission"])
        else:
            errors.append(f"mission: {values['mission']!r} is not a mission id")
    verdict = values["verdict"] or None
    if verdict and verdict not in VERDICTS:
        errors.append(f"verdict: unknown verdict {verdict!r}")
        verdict = None
    since = _day(values["since"], "since", errors)
    until = _day(values["until"], "until", errors)
    # "until" names the last day shown, so the bound is the next midnight.
    where = ReportFilter(mission_id=mission_id, platform=values["platform"] or None,
                         member_id=values["member"] or None, verdict=verdict, since=since,
                         until=until + timedelta(days=1) if until else None)
    return Filters(values=values, where=where, errors=tuple(errors))


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse("/admin/login", status_code=303)


def _signed_in(request: Request) -> bool:
    return current_admin(service_of(request), request.cookies.get(COOKIE)) is not None


def _with_cookie(value: str) -> RedirectResponse:
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="strict",
                        path="/admin")
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, token: str | None = None) -> Response:
    """The login form; ``?token=`` (the demo's printed link) logs in directly."""
    if token:
        value = log_in(service_of(request), token)
        if value is not None:
            return _with_cookie(value)
        return render(request, "admin_login.html", {"error": True}, status_code=401)
    return render(request, "admin_login.html", {"error": False})


@router.post("/login", include_in_schema=False)
def login_post(request: Request, token: str = Form("")) -> Response:
    value = log_in(service_of(request), token)
    if value is None:
        return render(request, "admin_login.html", {"error": True}, status_code=401)
    return _with_cookie(value)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


def credited_per_day(rows: list[ReportRow]) -> dict[int, dict[str, dict[str, int]]]:
    """Per mission, per day of the check, per platform: how many posts were credited."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int)))
    for row in rows:
        if row.verdict == "counted":
            out[row.mission_id][row.checked_at.date().isoformat()][row.platform] += 1
    return out


def _summary_views(service: Service, mission_id: int | None) -> list[dict[str, Any]]:
    counted = credited_per_day(report_rows(service, ReportFilter(mission_id=mission_id,
                                                                 verdict="counted")))
    views = []
    item: MissionSummary
    for item in summaries(service, mission_id):
        days = counted.get(item.mission_id, {})
        views.append({
            "summary": item,
            "days_chart": stacked_days(days),
            "platforms": sorted({p for per in days.values() for p in per}),
            "rejections_chart": horizontal_bars(list(item.top_rejections)),
        })
    return views


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request) -> Response:
    if not _signed_in(request):
        return _to_login(request)
    service = service_of(request)
    filters = read_filters(request)
    rows = report_rows(service, filters.where)
    context: dict[str, Any] = {
        "filters": filters, "rows": rows[:ROW_LIMIT], "total": len(rows),
        "limit": ROW_LIMIT, "missions": list_missions(service),
        "platforms": sorted(service.engine.platforms), "verdicts": VERDICTS,
        "summaries": _summary_views(service, filters.where.mission_id),
        "csv_url": "/admin/report.csv" + (f"?{filters.query()}" if filters.query() else ""),
        "colour_of": colour_of,
    }
    return render(request, "admin_report.html", context)


@router.get("/report.csv", include_in_schema=False)
def report_csv(request: Request) -> Response:
    if not _signed_in(request):
        return _to_login(request)
    filters = read_filters(request)
    body = as_csv(report_rows(service_of(request), filters.where))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="social-campaigns-{stamp}.csv"'})
