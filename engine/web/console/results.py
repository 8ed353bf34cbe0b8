"""The console's mission results page ``/admin/missions/{id}/results`` (issue 17 item 2).

It shows :func:`engine.service.results.mission_results` in the admin's language: the key
figures, the likes, comments and views (total, median, how many posts have the number), a
chart and a table per day of publication (UTC) and per platform, and the top posts. Numbers,
percentages and dates are formatted by Babel; an undefined figure (a median without any value,
a rate without followers) is written ``—``. The charts are inline SVG without any ``style``
attribute (:mod:`engine.web.pages.charts`), each followed by a table of the same figures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from engine.service.errors import NotFound
from engine.service.human_dates import LOCALES, human_date, human_instant
from engine.service.results import (
    METRICS,
    TOP_POSTS,
    Figures,
    Metric,
    MissionResults,
    mission_results,
)
from engine.web.api.schemas import IdPath
from engine.web.pages.charts import Bar, colour_of, columns, rows
from engine.web.pages.rendering import TEMPLATES, service_of

from .base import Catalogue, community_zone, console_lang, render_console, signed_in_admin, to_login
from .missions import _gone

router = APIRouter()

TEXTS = Catalogue.load("console_results")
# The mission page links here with these words (``results_texts('results_link', lang)``).
TEMPLATES.env.globals["results_texts"] = TEXTS
NONE = "—"  # an undefined figure
CHART_DAYS = 31  # the day chart shows the last 31 days of publication


class Numbers:
    """Numbers, medians and rates written the way ``lang`` writes them (Babel)."""

    def __init__(self, lang: str) -> None:
        self.locale = Locale.parse(LOCALES.get(lang, LOCALES["fr"]))
        pattern = self.locale.percent_formats[None].pattern
        self._percent = pattern.replace("#,##0", "#,##0.00", 1)

    def count(self, value: int | None) -> str:
        """``12 345`` (fr), ``12,345`` (en); ``—`` for ``None``."""
        return NONE if value is None else format_decimal(value, locale=self.locale)

    def total(self, metric: Metric) -> str:
        """A metric's total; ``—`` when no post has the number (not a misleading 0)."""
        return self.count(metric.total if metric.known else None)

    def median(self, value: float | None) -> str:
        """A median with at most one decimal (``12,5``); ``—`` for ``None``."""
        return NONE if value is None else format_decimal(value, "#,##0.#", locale=self.locale)

    def rate(self, value: float | None) -> str:
        """A fraction as a percentage with two decimals (``6,67 %``); ``—`` for ``None``."""
        return NONE if value is None else format_percent(value, self._percent,
                                                         locale=self.locale)

    def short(self, value: int) -> str:
        """A compact count for a chart's label (``12 k``, ``12K``)."""
        return format_compact_decimal(value, format_type="short", locale=self.locale,
                                      fraction_digits=1)


def interactions(figures: Figures) -> int:
    """Likes + comments of a set of posts (known values only)."""
    return figures.likes.total + figures.comments.total


def _metric_rows(figures: Figures, lang: str, numbers: Numbers) -> list[dict[str, str]]:
    """The likes, comments and views table: total, median and posts with the number."""
    return [{"name": name, "label": TEXTS(name, lang),
             "total": numbers.total(getattr(figures, name)),
             "median": numbers.median(getattr(figures, name).median),
             "known": TEXTS("known_of", lang, known=numbers.count(getattr(figures, name).known),
                            total=numbers.count(figures.credited_posts))}
            for name in METRICS]


def _row_of(figures: Figures, numbers: Numbers) -> dict[str, str]:
    """One line of the per-day or per-platform table."""
    return {"posts": numbers.count(figures.credited_posts),
            "interactions": numbers.count(interactions(figures)),
            **{name: numbers.total(getattr(figures, name)) for name in METRICS},
            "rate": numbers.rate(figures.engagement_rate)}


@router.get("/missions/{mission_id}/results", response_class=HTMLResponse,
            include_in_schema=False)
def results_page(request: Request, mission_id: IdPath) -> Response:
    """The results of one mission (404 with the missions list for an unknown mission)."""
    if signed_in_admin(request) is None:
        return to_login(request)
    lang, service = console_lang(request), service_of(request)
    try:
        return _page(request, lang, mission_results(service, mission_id))
    except NotFound:
        return _gone(request, lang, mission_id)


def _page(request: Request, lang: str, results: MissionResults) -> HTMLResponse:
    """The page of ``results`` in ``lang`` (times in the community's zone)."""
    zone = community_zone(service_of(request))
    numbers = Numbers(lang)
    days = results.per_day[-CHART_DAYS:]
    labels = {item.day: format_date(date.fromisoformat(item.day), "d MMM",
                                    locale=numbers.locale) for item in days}
    days_chart = columns(
        [(labels[item.day], [Bar(labels[item.day], interactions(item),
                                 numbers.count(interactions(item)), ".bar-results")],
          numbers.short(interactions(item))) for item in days],
        label=TEXTS("chart_days", lang))
    platforms_chart = rows(
        [Bar(item.platform, interactions(item), numbers.count(interactions(item)),
             colour_of(item.platform)) for item in results.per_platform],
        label=TEXTS("chart_platforms", lang), label_width=90)
    top = [{"post": post, "published": human_date(post.published_at, lang, zone),
            **{name: numbers.count(getattr(post, name)) for name in (
                *METRICS, "shares", "followers", "interactions")},
            "rate": numbers.rate(post.engagement_rate)} for post in results.top_posts]
    return render_console(request, "console_results.html", {
        "t": TEXTS, "results": results, "numbers": numbers,
        "measured": human_instant(results.measured_at, lang, zone)
        if results.measured_at else "",
        "metric_rows": _metric_rows(results, lang, numbers),
        "days": [{"day": human_date(date_of(item.day), lang), **_row_of(item, numbers)}
                 for item in results.per_day],
        "platforms": [{"platform": item.platform, "colour": colour_of(item.platform),
                       "participants": numbers.count(item.participants),
                       "reach": numbers.count(item.reach.followers), **_row_of(item, numbers)}
                      for item in results.per_platform],
        "days_chart": days_chart, "platforms_chart": platforms_chart,
        "any_interaction": interactions(results) > 0, "chart_days": CHART_DAYS, "top": top,
        "top_size": TOP_POSTS,
    }, lang=lang, section="missions")


def date_of(day: str) -> datetime:
    """The UTC midnight starting ``day`` (ISO date), as :func:`human_date` reads instants."""
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)
