"""Hostile input answers 4xx, never 500, and changes nothing (issue 12, part 4).

Every route of the application (found by walking ``app.routes``: the API under ``/api/v1``,
the console under ``/admin``, the member pages under ``/m/``) gets hostile strings in every
path, query, form and JSON field it declares (plus the query and form fields the console reads
by hand): lone surrogates, control characters, huge and non-ASCII numbers, formula prefixes,
dates out of range, very long strings. No answer is a 500; a refusal has the documented shape
(JSON ``{"code", "message"}`` under the API, an HTML page elsewhere); and after a refusal the
database holds the same rows and the same ledger total as before.

The same strings go to the command line: exit status 0 or 2, a one-line error, no traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.params import Form
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import func, select, union_all

from engine.cli import main
from engine.replay import cassette
from engine.service.claims import create_claim
from engine.service.members import link_account
from engine.service.runtime import work
from engine.storage.models import Base, LedgerRow
from engine.web.app import create_app
from engine.web.auth import API_PREFIX
from engine.web.pages.session import COOKIE
from engine.web.tokens import create_token

from .pages_helpers import PUBLIC, World, build_world, member_url
from .test_api import flat_routes

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Strings every field gets (the sweep); the property test draws from these and random text.
HOSTILE: tuple[str, ...] = (
    "\ud800", "a\udfffb", "\x00", "nul\x00byte", "\x1b[31m", "\x7f", "\u0085", "\u2028",
    "\t", "\r", "\r\n", "lea\n", " lea ", "\u00a0lea",
    '=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
    "²", "٣", "１２", "߁", "1_000", " 1", "1 ", "0", "-0", "1e9", "NaN", "true", "null",
    "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "2147483648",
    "9" * 5000, "1" + "0" * 400,
    "9999-12-31", "0001-01-01", "2025-02-30", "2025-06-01T25:00:00Z", "+275760-09-13",
    "javascript:alert(1)//instagram.com/p/X", "https://evil.example/instagram.com/p/X",
    "http://169.254.169.254/latest/meta-data/", "../../etc/passwd", "%00", "{}", "[]",
    "x" * 20_000, "é" * 3000, "🙂" * 100,
)

# Fields the console reads from the request itself rather than declaring them.
EXTRA_QUERY = ("mission", "platform", "member", "verdict", "since", "until", "page", "state",
               "done", "lang", "q", "notice", "pick")
EXTRA_FORM = ("title", "description", "label", "action_instagram", "goal", "goal_posts",
              "cap_count", "cap_period", "points", "start", "end", "no_start", "no_end",
              "member_id", "mission_id", "days", "platform", "reason", "hashtag", "url",
              "scope", "handle", "seen", "again", "lang", "back", "token")
SKIPPED = {("POST", "/admin/logout")}  # ends the session the other requests need

# A valid body per JSON model, so that one hostile field at a time reaches its validator.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "ActionIn": {"platform": "instagram", "hashtag": "winter2025"},
    "MissionIn": {"title": "T", "action_ids": [1], "points": 5, "goal_posts": 1},
    "LinkIn": {"handle": "new.handle"},
    "VerifyIn": {"reason": "seen in a video call"},
    "ClaimIn": {"member_id": "ana", "mission_id": 1, "platform": "instagram"},
    "MemberLinkIn": {"member_id": "ana", "mission_id": 1},
    "WebhookIn": {"url": "https://hooks.example.org/points"},
    "TokenIn": {"scope": "integrator", "label": "x"},
}
VALID_PATH = {"member_id": "ana", "platform": "instagram", "mission_id": "1", "action_id": "1",
              "claim_id": "1", "token_id": "999", "delivery_id": "1", "id": "1"}


@dataclass
class Target:
    """One route and method with the fields it reads: where (path, query, form, json)."""

    method: str
    path: str
    path_names: list[str]
    query: list[str] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    json_model: str | None = None
    json_fields: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    def fields(self) -> list[tuple[str, str]]:
        return ([("path", name) for name in self.path_names]
                + [("query", name) for name in self.query]
                + [("form", name) for name in self.form]
                + [("json", name) for name in self.json_fields])


def targets_of(app: Any) -> list[Target]:
    """Every route and method of ``app`` with its declared fields (and the console's own)."""
    found: list[Target] = []
    for path, route in flat_routes(app.routes):
        if not path.startswith((API_PREFIX, "/admin", "/m/")):
            continue
        dependant = route.dependant
        path_names = [param.name for param in dependant.path_params]
        query = [param.name for param in dependant.query_params]
        form: list[str] = []
        json_model, json_fields = None, []
        for param in dependant.body_params:
            annotation = param.field_info.annotation
            if isinstance(param.field_info, Form):
                form.append(param.alias)
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                json_model = annotation.__name__
                json_fields = list(annotation.model_fields)
        for method in sorted(route.methods - {"HEAD"}):
            if (method, path) in SKIPPED:
                continue
            target = Target(method=method, path=path, path_names=path_names, query=list(query),
                            form=list(form), json_model=json_model, json_fields=json_fields)
            if not target.is_api:
                extra = EXTRA_QUERY if method == "GET" else EXTRA_FORM
                pool = target.query if method == "GET" else target.form
                pool.extend(name for name in extra if name not in pool)
            found.append(target)
    return found


def encode(value: str) -> str:
    """Percent-encoding of any string, lone surrogates included (as their UTF-8-like bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


class Site:
    """The application of the page tests' world, signed in to the console, with an admin API
    token and a member link; :meth:`send` puts one hostile value in one field."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.app = create_app(world.service)
        self.client = TestClient(self.app, base_url="http://localhost", follow_redirects=False)
        _, raw = create_token(world.service, "admin", "hostile")
        self.bearer = {"Authorization": f"Bearer {raw}"}
        login = CSRF.search(self.client.get("/admin/login").text)
        assert login
        answer = self.client.post("/admin/login", data={"token": raw,
                                                        "csrf_token": login.group(1)})
        assert answer.status_code == 303 and self.client.cookies.get(COOKIE)
        token = CSRF.search(self.client.get("/admin/settings").text)
        assert token
        self.csrf = token.group(1)
        self.member_token = member_url(world, "ana").removeprefix("/m/")
        self.targets = targets_of(self.app)
        self.state: tuple[int, ...] | None = None

    def snapshot(self) -> tuple[int, ...]:
        """Row counts of every table and the ledger's total."""
        with self.world.service.db.sessions() as session:
            return state_of(session)

    def send(self, target: Target, where: str, name: str, value: str) -> Any:
        """The answer to ``target`` with ``value`` in field ``name`` at ``where`` (the other
        fields valid, or empty)."""
        path = target.path
        in_url = value[:6000]  # httpx refuses URLs over 64 KiB (a surrogate takes 9 bytes)
        for param in target.path_names:
            given = in_url if (where, name) in (("path", param), ("all", "*")) else (
                self.member_token if param == "token" else VALID_PATH.get(param, "1"))
            path = re.sub(r"\{" + param + r"(:[^}]*)?\}", encode(given), path)
        names = target.query if where == "all" else [name] if where == "query" else []
        # httpx refuses URLs over 64 KiB: long values are cut to share that room.
        short = in_url[:max(1, 6000 // max(len(names), 1))]
        query = "&".join(f"{encode(each)}={encode(short)}" for each in names)
        headers = dict(self.bearer) if target.is_api else {}
        content: bytes | None = None
        if target.method in ("POST", "PUT", "PATCH", "DELETE") and target.json_model:
            body = dict(VALID_BODIES.get(target.json_model, {}))
            if where == "json":
                body[name] = value
            elif where == "all":
                body = dict.fromkeys(target.json_fields, value)
            content = json.dumps(body).encode()  # ASCII: lone surrogates travel as \\ud800
            headers["content-type"] = "application/json"
        elif target.method == "POST" and (target.form or not target.is_api):
            fields = {"csrf_token": self.csrf}
            if where == "form":
                fields[name] = value
            elif where == "all":
                fields.update(dict.fromkeys(target.form, value))
            content = "&".join(f"{encode(k)}={encode(v)}" for k, v in fields.items()).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        url = path + (f"?{query}" if query else "")
        return self.client.request(target.method, url, content=content, headers=headers)


def state_of(session: Any) -> tuple[int, ...]:
    """Row counts of every table and the ledger's total, in one query."""
    parts = [select(func.count()).select_from(table) for table in Base.metadata.sorted_tables]
    parts.append(select(func.coalesce(func.sum(LedgerRow.points), 0)))
    return tuple(int(value) for value in session.scalars(union_all(*parts)))


def check_answer(site: Site, target: Target, where: str, name: str, value: str) -> None:
    """One hostile request: no 500, the refusal's shape, nothing changed by a refusal."""
    before = site.state if site.state is not None else site.snapshot()
    answer = site.send(target, where, name, value)
    what = (target.method, target.path, where, name, value[:40])
    assert answer.status_code < 500, (*what, answer.status_code, answer.text[:300])
    if answer.status_code < 400:
        site.state = None  # accepted: it may change what is stored
        return
    kind = answer.headers.get("content-type", "")
    if target.is_api or kind.startswith("application/json"):
        body = answer.json()
        assert isinstance(body.get("code"), str) and isinstance(body.get("message"), str), what
    else:
        assert kind.startswith("text/html"), (*what, kind)
    site.state = site.snapshot()
    assert site.state == before, what


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    world = build_world(tmp_path_factory.mktemp("hostile"))
    # lea earns the mission's 10 points, so that the ledger has a total to keep.
    link_account(world.service, "lea", "instagram", "lea.voyage")
    create_claim(world.service, "lea", world.mission.id, "instagram")
    with cassette(PUBLIC, record=False):
        work(world.service, once=True, threads=1)
    built = Site(world)
    assert built.snapshot()[-1] == 10
    yield built
    built.client.close()
    world.service.engine.close()
    world.service.close()


def test_every_route_is_covered(site: Site) -> None:
    paths = {target.path for target in site.targets}
    assert len(site.targets) >= 45, sorted(paths)
    for expected in (f"{API_PREFIX}/missions", f"{API_PREFIX}/claims", "/admin",
                     "/admin/settings/webhook", "/m/{token}/post",
                     f"{API_PREFIX}/webhook/deliveries/{{delivery_id}}/resend"):
        assert expected in paths, expected
    assert sum(len(target.fields()) for target in site.targets) >= 200


SWEEP = ("\ud800", "\x00", "\x1b[31m", " lea ", '=HYPERLINK("x")', "²", "٣",
         "99999999999999999999999", "9" * 5000, "9999-12-31", "x" * 20_000)


def test_sweep_all_fields_at_once(site: Site) -> None:
    """Each route with each of the worst strings in all its fields at once (validation
    reports every field, the console's filters check them all)."""
    for target in site.targets:
        for value in SWEEP:
            check_answer(site, target, "all", "*", value)


def test_sweep_one_field_at_a_time(site: Site) -> None:
    """Each field of each route alone (the others valid, so the route's own code runs), with
    one of the worst strings in turn (the random test below draws the other pairs)."""
    turn = 0
    for target in site.targets:
        for where, name in target.fields():
            check_answer(site, target, where, name, SWEEP[turn % len(SWEEP)])
            turn += 1


def hostile_text() -> st.SearchStrategy[str]:
    """Hostile strings: the fixed ones, random text with surrogates and control characters,
    numbers of any size and script, formula prefixes, long repeats."""
    random_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                        exclude_categories=()), max_size=30)
    digits = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=8)
    numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
    formula = st.tuples(st.sampled_from(("=", "+", "-", "@", "\t", "\r")), random_text).map(
        "".join)
    long = st.tuples(st.sampled_from(("a", "9", "\ud800", "é")),
                     st.integers(1000, 30_000)).map(lambda pair: pair[0] * pair[1])
    return st.one_of(st.sampled_from(HOSTILE), random_text, digits, numbers, formula, long)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_hostile_strings_anywhere(site: Site, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(site.targets), label="route")
    fields = target.fields()
    if not fields:
        return
    where, name = data.draw(st.sampled_from(fields), label="field")
    value = data.draw(hostile_text(), label="value")
    check_answer(site, target, where, name, value)


# -- the command line -----------------------------------------------------------------------

CLI_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("claim", "{v}", "1", "instagram"),
    ("claim", "ana", "{v}", "instagram"),
    ("claim", "ana", "1", "{v}"),
    ("claim", "ana", "1", "instagram", "--post", "{v}"),
    ("member", "link", "{v}", "instagram", "ana.summer"),
    ("member", "link", "ana", "instagram", "{v}"),
    ("member", "show", "{v}"),
    ("member", "code", "{v}", "instagram"),
    ("member", "verify", "{v}", "instagram", "--reason", "r"),
    ("member", "link-url", "{v}", "1"),
    ("member", "link-url", "ana", "{v}"),
    ("member", "link-url", "ana", "1", "--days", "{v}"),
    ("why", "{v}", "1"),
    ("why", "ana", "{v}"),
    ("mission", "publish", "{v}"),
    ("mission", "show", "{v}"),
    ("mission", "add", "--title", "{v}", "--action", "1", "--posts", "1", "--points", "1"),
    ("mission", "add", "--title", "t", "--action", "{v}", "--posts", "1", "--points", "1"),
    ("mission", "add", "--title", "t", "--action", "1", "--posts", "{v}", "--points", "1"),
    ("mission", "add", "--title", "t", "--action", "1", "--posts", "1", "--points", "{v}"),
    ("mission", "add", "--title", "t", "--action", "1", "--posts", "1", "--points", "1",
     "--start", "{v}"),
    ("action", "add", "--platform", "{v}", "--hashtag", "x"),
    ("action", "add", "--platform", "instagram", "--hashtag", "{v}"),
    ("report", "--mission", "{v}"),
    ("report", "--member", "{v}"),
    ("report", "--since", "{v}"),
    ("report", "--until", "{v}"),
    ("token", "revoke", "{v}"),
    ("token", "create", "--scope", "admin", "--label", "{v}"),
    ("webhook", "set", "{v}"),
    ("webhook", "resend", "{v}"),
)
CLI_VALUES = ("\ud800", "\x00x", "\x1b[31m", " ana ", "ana\n", '=HYPERLINK("x")', "+1", "-1",
              "@x", "²", "٣", "99999999999999999999999", "9" * 5000, "9999-12-31", "",
              "x" * 5000, "javascript:alert(1)//instagram.com/p/X", "http://10.0.0.1/")


@pytest.fixture(scope="module")
def cli_config(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("hostile-cli")
    path = folder / "social-missions.toml"
    path.write_text('[database]\nurl = "sqlite:///missions.sqlite3"\n'
                    '[queue]\nurl = "sqlite:///queue.sqlite3"\nworkers = 1\n', encoding="utf-8")
    for argv in (["init"], ["action", "add", "--platform", "instagram", "--hashtag", "summer"],
                 ["mission", "add", "--title", "Été", "--action", "1", "--posts", "1",
                  "--points", "10"], ["member", "link", "ana", "instagram", "ana.summer"]):
        assert run_cli([*argv, "--config", str(path)])[0] == 0, argv
    return str(path)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``social-missions argv`` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse refusals
            status = int(stop.code or 0)
    return status, out.getvalue(), err.getvalue()


def db_snapshot(config: str) -> tuple[int, ...]:
    from engine.config import load_config
    from engine.service.context import Service

    service = Service.open(load_config(config))
    try:
        with service.db.sessions() as session:
            return state_of(session)
    finally:
        service.close()


def check_cli(config: str, command: tuple[str, ...], value: str) -> None:
    argv = [value if part == "{v}" else part for part in command] + ["--config", config]
    before = db_snapshot(config)
    status, _out, err = run_cli(argv)
    what = (command, value[:40], status, err[-400:])
    assert status in (0, 2), what
    assert "Traceback" not in err, what
    if status == 2:
        assert err.count("\n") == 1 and err.strip(), what
        assert db_snapshot(config) == before, what


def test_cli_sweep(cli_config: str) -> None:
    """Each command's hostile slot with six of the values in turn (every value reaches every
    kind of argument: ids, member ids, numbers, dates, text)."""
    for index, command in enumerate(CLI_COMMANDS):
        for offset in range(6):
            check_cli(cli_config, command, CLI_VALUES[(index * 6 + offset) % len(CLI_VALUES)])


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(CLI_COMMANDS),
       value=hostile_text().filter(lambda text: len(text) < 5000))
def test_cli_random_hostile_arguments(cli_config: str, command: tuple[str, ...],
                                      value: str) -> None:
    check_cli(cli_config, command, value)


def test_the_world_still_works(site: Site, tmp_path: Path) -> None:
    """After every hostile request, the console and the API still answer normally."""
    assert site.client.get("/admin").status_code == 200
    answer = site.client.get(f"{API_PREFIX}/missions", headers=site.bearer)
    assert answer.status_code == 200 and answer.json()[0]["title"] == "Été 2025"
