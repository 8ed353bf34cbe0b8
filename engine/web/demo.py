"""``serve --demo``: a temporary database seeded with examples, checks replayed from cassettes.

The demo replays the bundled Instagram cassettes (``lea.voyage`` from
``cassettes/instagram/web/public.yaml`` and the service test accounts such as ``ana.summer``),
merged into one cassette in the demo's folder. :func:`replaying` activates it for the whole
process: VCR patches the HTTP libraries process-wide, so the embedded worker thread's checks are
replayed too, while requests to 127.0.0.1 (webhook receivers) go through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from engine.cache import MemoryCache
from engine.config import Config
from engine.core import Engine
from engine.replay import cassette
from engine.service.actions import add_action
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.members import link_account
from engine.service.missions import add_mission
from engine.service.runtime import attach_queue, work

from .member_links import sign_member_link
from .pages.session import create_login_link
from .tokens import create_token

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
SOURCES = (CASSETTES / "instagram" / "web" / "public.yaml",
           CASSETTES / "service" / "accounts.yaml")
DEMO_COOLDOWN = 120.0  # seconds: short enough to watch the button come back
JUNE_2025 = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))


@dataclass
class DemoSite:
    """What the demo prints: tokens and member page paths."""

    admin_token: str
    integrator_token: str
    admin_login_path: str = ""  # /admin/login/once/<secret>: works once, for 10 minutes
    member_pages: dict[str, str] = field(default_factory=dict)  # description → /m/<token>


def merge_cassettes(target: Path, sources: tuple[Path, ...] = SOURCES) -> Path:
    """One cassette holding the interactions of ``sources`` (all must exist)."""
    interactions: list[Any] = []
    for source in sources:
        if not source.is_file():
            raise FileNotFoundError(f"the bundled cassette {source} is missing")
        interactions.extend(yaml.safe_load(source.read_text(encoding="utf-8"))["interactions"])
    target.write_text(yaml.safe_dump({"interactions": interactions, "version": 1},
                                     allow_unicode=True), encoding="utf-8")
    return target


def open_demo_service(folder: Path) -> Service:
    """A service on SQLite files in ``folder`` with a replaying engine and the embedded queue."""
    config = Config()
    engine = Engine(config, replaying=True, cache=MemoryCache())
    service = Service.open(config, engine=engine,
                           database_url=f"sqlite:///{folder / 'missions.sqlite3'}",
                           queue_url=f"sqlite:///{folder / 'queue.sqlite3'}",
                           cooldown=DEMO_COOLDOWN, workers=1, poll_interval=0.5)
    attach_queue(service)
    return service


@contextlib.contextmanager
def replaying(folder: Path, service: Service) -> Iterator[None]:
    """Replay the demo cassettes for every check of this process."""
    path = merge_cassettes(folder / "demo-cassette.yaml")
    volatile = {name for platform in service.engine.platforms.values()
                for name in platform.volatile_query_params}
    with cassette(path, record=False, volatile=volatile, ignore_localhost=True):
        yield


def seed(service: Service) -> DemoSite:
    """Example actions, missions and members; one claim already checked (inside
    :func:`replaying`)."""
    action = add_action(service, "instagram", "summer2025")
    summer = add_mission(
        service, title="Été 2025", action_ids=[action.id], points=100, goal_posts=3,
        start=JUNE_2025[0], end=JUNE_2025[1], publish=True,
        description="Publiez trois photos de vos vacances avec #summer2025 en juin 2025 "
                    "et gagnez 100 points.")
    add_mission(
        service, title="Carnet de voyage", action_ids=[action.id], points=10, recurring=True,
        cap="3/day", start=JUNE_2025[0], end=None, publish=True,
        description="10 points pour chaque publication #summer2025 (3 par jour au plus).")
    winter = add_action(service, "instagram", "winter2025")
    add_mission(service, title="Hiver 2025", action_ids=[winter.id], points=50,
                goal_posts=1, description="Pas encore publiée.")
    link_account(service, "ana", "instagram", "ana.summer")
    create_claim(service, "ana", summer.id, "instagram")
    work(service, once=True, threads=1)  # the report has rows from the start
    admin, admin_raw = create_token(service, "admin", "demo admin")
    _integrator, integrator_raw = create_token(service, "integrator", "demo integrator")
    return DemoSite(admin_token=admin_raw, integrator_token=integrator_raw,
                    admin_login_path=create_login_link(service, admin), member_pages={
        "lea, no handle linked yet (link lea.voyage on Instagram, then press the button)":
            "/m/" + sign_member_link(service, "lea", summer.id),
        "ana, @ana.summer already linked (checked once; button back after the cooldown)":
            "/m/" + sign_member_link(service, "ana", summer.id),
    })


def banner(site: DemoSite, base: str, folder: Path | None = None) -> str:
    """The lines ``serve --demo`` prints (``folder``: where its database and queue live)."""
    lines = [
        f"Social Missions demo on {base} (no network: checks replay bundled cassettes)",
        *([f"  data:              {folder}   (SQLite database missions.sqlite3 and queue "
           "queue.sqlite3; removed when the server stops)"] if folder is not None else []),
        f"  admin token:       {site.admin_token}",
        f"  integrator token:  {site.integrator_token}",
        f"  admin page:        {base}{site.admin_login_path}   (one-time login link: "
        "works once, within 10 minutes; then log in with the admin token)",
        f"  API docs:          {base}/docs   (OpenAPI: {base}/openapi.json)",
    ]
    for description, path in site.member_pages.items():
        lines.append(f"  member page for {description}:")
        lines.append(f"                     {base}{path}")
    return "\n".join(lines)
