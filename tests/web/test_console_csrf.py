"""Every form of the console refuses a post without its session's CSRF token (issue 11): found
by walking the application's routes, so a new form cannot be added unprotected."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from engine.storage.models import ActionRow, ApiTokenRow, LinkedAccountRow, MissionRow

from .pages_helpers import World
from .test_api import flat_routes
from .test_console_report import signed_in


def console_posts(client: TestClient) -> list[str]:
    """The path of every POST route of the console (ids filled with 1)."""
    paths = [path for path, route in flat_routes(client.app.routes)  # type: ignore[attr-defined]
             if "POST" in route.methods and path.startswith("/admin")]
    return sorted({path.replace("{member_id:path}", "lea").replace("{member_id}", "lea")
                   .replace("{id}", "1")
                   .replace("{mission_id}", "1").replace("{token_id}", "1")
                   .replace("{delivery_id}", "1").replace("{action_id}", "1")
                   .replace("{platform}", "instagram") for path in paths})


def counts(world: World) -> tuple[int, ...]:
    with world.service.db.sessions() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(table)) or 0)
                     for table in (ActionRow, MissionRow, LinkedAccountRow, ApiTokenRow))


def test_every_console_form_refuses_a_post_without_its_token(world: World) -> None:
    client = signed_in(world)
    paths = console_posts(client)
    assert len(paths) >= 10, paths  # login, logout, actions, missions, members, settings …
    before = counts(world)
    for path in paths:
        for token in (None, "", "forged.token.value"):
            data = {"csrf_token": token} if token is not None else {}
            answer = client.post(path, data={**data, "title": "x", "hashtag": "summer",
                                             "platform": "instagram", "reason": "r",
                                             "label": "l", "scope": "admin"})
            assert answer.status_code == 403, (path, token, answer.status_code)
    assert counts(world) == before  # nothing changed
    assert client.get("/admin").status_code == 200  # and the session still works


def test_another_sessions_token_is_refused(world: World) -> None:
    first, second = signed_in(world), signed_in(world)
    page = first.get("/admin/actions").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = second.post("/admin/actions", data={"csrf_token": token.group(1),
                                                 "platform": "instagram", "hashtag": "x1"})
    assert answer.status_code == 403
