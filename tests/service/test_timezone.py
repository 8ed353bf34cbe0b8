"""The community's time zone (``[service] timezone``, issue 11 item 6): per-day and per-week
caps follow its calendar (a post at 00:30 in Paris counts for that Paris day), and a mission's
default window ends one calendar month later on its wall clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from engine.models import Post
from engine.service.actions import add_action
from engine.service.context import Service
from engine.service.counting import period_bounds
from engine.service.missions import add_mission, add_months_in

from .helpers import count_in_fresh_check, mission

PARIS = ZoneInfo("Europe/Paris")


def test_period_bounds_are_the_zones_days_and_weeks() -> None:
    half_past_midnight = datetime(2025, 6, 14, 22, 30, tzinfo=UTC)  # 00:30 on 15 June in Paris
    assert period_bounds(half_past_midnight, "day") == (
        datetime(2025, 6, 14, tzinfo=UTC), datetime(2025, 6, 15, tzinfo=UTC))
    assert period_bounds(half_past_midnight, "day", PARIS) == (
        datetime(2025, 6, 14, 22, tzinfo=UTC), datetime(2025, 6, 15, 22, tzinfo=UTC))
    # 15 June 2025 is a Sunday in Paris: its ISO week began on Monday 9 June.
    assert period_bounds(half_past_midnight, "week", PARIS) == (
        datetime(2025, 6, 8, 22, tzinfo=UTC), datetime(2025, 6, 15, 22, tzinfo=UTC))
    assert period_bounds(half_past_midnight, "week") == (
        datetime(2025, 6, 9, tzinfo=UTC), datetime(2025, 6, 16, tzinfo=UTC))
    # The day summer time begins in Paris lasts 23 hours.
    start, end = period_bounds(datetime(2026, 3, 29, 12, tzinfo=UTC), "day", PARIS)
    assert (start, end) == (datetime(2026, 3, 28, 23, tzinfo=UTC),
                            datetime(2026, 3, 29, 22, tzinfo=UTC))


def _counted(service: Service, zone: str) -> dict[str, str]:
    """Count three posts for a recurring mission capped at 1 a day; post id → verdict."""
    service.settings = replace(service.settings, timezone=zone)
    capped = mission(service, recurring=True, cap="1/day", hashtag=f"cap{zone[:2].lower()}")
    now = datetime(2025, 6, 16, 9, tzinfo=UTC)
    posts = [Post(platform="instagram", id=post_id, url=f"https://www.instagram.com/p/{post_id}/",
                  published_at=moment, hashtags=(f"cap{zone[:2].lower()}",))
             for post_id, moment in (
                 ("late1430", datetime(2025, 6, 14, 21, 30, tzinfo=UTC)),  # 23:30 Paris, 14th
                 ("night0030", datetime(2025, 6, 14, 22, 30, tzinfo=UTC)),  # 00:30 Paris, 15th
                 ("noon1500", datetime(2025, 6, 15, 10, 0, tzinfo=UTC)))]  # 12:00 Paris, 15th
    outcome = count_in_fresh_check(service, capped.id, f"cap{zone[:2].lower()}", posts, now)
    return {judged.post.id: judged.verdict for judged in outcome.posts}


def test_a_daily_cap_follows_the_paris_day(service: Service) -> None:
    # In Paris, 00:30 on the 15th shares its day with noon: the noon post hits the cap.
    assert _counted(service, "Europe/Paris") == {
        "late1430": "counted", "night0030": "counted", "noon1500": "cap_reached"}


def test_a_daily_cap_in_utc(service: Service) -> None:
    # In UTC, 21:30 and 22:30 on the 14th share a day: the second hits the cap.
    assert _counted(service, "UTC") == {
        "late1430": "counted", "night0030": "cap_reached", "noon1500": "counted"}


def test_the_default_window_ends_a_calendar_month_later_in_the_zone(service: Service) -> None:
    # 31 January 23:30 UTC is 1 February 00:30 in Paris: the window ends on 1 March, 00:30.
    assert add_months_in(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), "Europe/Paris") == \
        datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
    assert add_months_in(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), "UTC") == \
        datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
    # 10:00 in Paris on 15 March (UTC+1) ends at 10:00 on 15 April (UTC+2).
    assert add_months_in(datetime(2025, 3, 15, 9, tzinfo=UTC), "Europe/Paris") == \
        datetime(2025, 4, 15, 8, tzinfo=UTC)
    service.settings = replace(service.settings, timezone="Europe/Paris")
    service.clock.now = datetime(2025, 3, 15, 9, tzinfo=UTC)  # type: ignore[attr-defined]
    action = add_action(service, "instagram", "spring2025")
    created = add_mission(service, title="Printemps", action_ids=[action.id], points=5,
                          goal_posts=1)  # the window is left to its defaults
    assert created.start_at == datetime(2025, 3, 15, 9, tzinfo=UTC)
    assert created.end_at == datetime(2025, 4, 15, 8, tzinfo=UTC)
