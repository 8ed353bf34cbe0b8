"""Shared set-up of the page tests: a service on SQLite with a fixed clock, one mission, links.

The world's mission (``Été 2025``, #summer2025 on Instagram, June 2025, 10 points for 1 post)
is met by ``lea.voyage``'s first check; :func:`add_mission_to` adds others (a 5-post goal keeps
the button and "select your post" on the page). :data:`PUBLIC` replays ``lea.voyage``;
:func:`merged_cassette` adds the service accounts (``dan.limited`` answers 429).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.service.actions import add_action
from engine.service.context import Service
from engine.service.members import link_account
from engine.service.missions import add_mission
from engine.service.records import Mission
from engine.service.runtime import attach_queue
from engine.service.settings import load_settings
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.web.member_links import sign_member_link

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "cassettes" / "instagram" / "web" / "public.yaml"
ACCOUNTS = ROOT / "cassettes" / "service" / "accounts.yaml"
# Screenshots of the browser tests (ignored by git).
ARTIFACTS = ROOT / "test-artifacts"
# A day after the cassette's posts with #summer2025 (2025-06-13), inside the mission's window.
NOW = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    service: Service
    clock: Clock
    mission: Mission


def make_service(folder: Path, clock: Clock) -> Service:
    settings = load_settings(Config(), database_url=f"sqlite:///{folder / 'missions.sqlite3'}",
                             queue_url=f"sqlite:///{folder / 'queue.sqlite3'}")
    database = open_database(settings.database_url)
    upgrade(database)
    service = Service(database, settings, engine=Engine(Config(), replaying=True,
                                                        cache=MemoryCache()), clock=clock)
    attach_queue(service, name="pages-test")
    return service


def build_world(folder: Path) -> World:
    clock = Clock(NOW)
    service = make_service(folder, clock)
    action = add_action(service, "instagram", "summer2025")
    mission = add_mission(
        service, title="Été 2025", action_ids=[action.id], points=10, goal_posts=1,
        start=datetime(2025, 6, 1, tzinfo=UTC), end=datetime(2025, 7, 1, tzinfo=UTC),
        description="Publiez une photo de vos vacances avec #summer2025 sur votre grille.",
        publish=True)
    link_account(service, "ana", "instagram", "ana.summer")  # holds a handle already
    return World(service=service, clock=clock, mission=mission)


def member_url(world: World, member_id: str, mission: Mission | None = None,
               **options: datetime) -> str:
    """The member page of ``member_id`` for ``mission`` (the world's mission by default)."""
    chosen = mission or world.mission
    return "/m/" + sign_member_link(world.service, member_id, chosen.id, **options)


def add_mission_to(world: World, *, goal_posts: int | None = 5, title: str = "Été 2025 ×5",
                   **options: object) -> Mission:
    """Another published #summer2025 mission of June 2025 (10 points; 5 posts by default)."""
    action = add_action(world.service, "instagram", "summer2025")
    window = {"start": datetime(2025, 6, 1, tzinfo=UTC), "end": datetime(2025, 7, 1, tzinfo=UTC),
              **options}
    return add_mission(world.service, title=title, action_ids=[action.id], points=10,
                       goal_posts=goal_posts, publish=True, **window)  # type: ignore[arg-type]


def login_link(service: Service, raw_token: str) -> str:
    """The path of a one-time console login link for the admin token ``raw_token`` (as the
    demo prints one)."""
    from engine.web.pages.session import create_login_link
    from engine.web.tokens import verify_token

    return create_login_link(service, verify_token(service, raw_token))


def merged_cassette(folder: Path) -> Path:
    """One cassette with ``lea.voyage`` and the service accounts (``dan.limited``: HTTP 429)."""
    from engine.web.demo import merge_cassettes

    return merge_cassettes(folder / "pages-cassette.yaml", (PUBLIC, ACCOUNTS))

