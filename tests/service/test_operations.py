"""Issue 14: alerts when a backend starts failing (``backend.degraded`` / ``backend.recovered``
on a local webhook receiver), the ``[alerts]`` checks, and JSON log lines without secrets."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.logs import JsonFormatter
from engine.service.actions import add_action
from engine.service.alerts import degraded_backends, load_alert_settings
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.service.members import link_account
from engine.service.missions import add_mission
from tests.engine.fake_platform import manager_with_fake

from .conftest import ServiceFactory
from .helpers import Receiver, run

SECRET = "whsec-never-logged-42"


def fake_engine(first: str) -> Engine:
    """The fake platform: backend ``first`` answers ``first``, ``second`` answers ok."""
    config = config_from_mapping({"platforms": {"fake": {"first": {"outcome": first}}}})
    return Engine(config, plugin_manager=manager_with_fake(), replaying=True,
                  cache=MemoryCache())


def claim_round(service: Service, mission_id: int, members: list[str]) -> None:
    for member in members:
        create_claim(service, member, mission_id, "fake")
    run(service)


@pytest.fixture
def receiver() -> Any:
    found = Receiver(failures=0)
    yield found
    found.server.shutdown()
    found.server.server_close()


def events(receiver: Receiver) -> list[dict[str, Any]]:
    bodies = [json.loads(body) for body, _signature in receiver.received]
    return [body for body in bodies if str(body.get("event", "")).startswith("backend.")]


def test_layout_changed_run_degrades_then_good_answers_recover(
        make_service: ServiceFactory, receiver: Receiver,
        caplog: pytest.LogCaptureFixture) -> None:
    service = make_service(webhook_url=receiver.url, webhook_secret=SECRET, cooldown=0.0,
                           share_fetch=0.0)
    service.config = config_from_mapping({"alerts": {"interval": 0, "min_attempts": 5,
                                                     "threshold": 0.5}})
    service.engine = fake_engine("layout_changed")
    action = add_action(service, "fake", "nomatch")
    mission = add_mission(service, title="Fake", action_ids=[action.id], points=1, goal_posts=3,
                          publish=True, start=datetime(2025, 6, 1, tzinfo=UTC), end=None)
    members = [f"m{i}" for i in range(5)]
    for index, member in enumerate(members):
        link_account(service, member, "fake", "abcdefgh"[: 2 + index])
    with caplog.at_level(logging.INFO):
        claim_round(service, mission.id, members[:4])
        assert events(receiver) == []  # 4 attempts: fewer than min_attempts
        claim_round(service, mission.id, members[4:])
    degraded = events(receiver)
    assert [event["event"] for event in degraded] == ["backend.degraded"]
    event = degraded[0]
    assert (event["platform"], event["backend"]) == ("fake", "first")
    assert event["share"] == 1.0 and event["attempts"] == 5 and event["bad"] == 5
    assert event["detail"] == "no data.user" and isinstance(event["check"], int)
    assert [(a.platform, a.backend) for a in degraded_backends(service)] == [("fake", "first")]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING
                and "backend.degraded" in r.getMessage()]
    assert len(warnings) == 1 and "fake backend first" in warnings[0].getMessage()
    # The platform is fixed (or the plugin updated): good answers bring the share down.
    service.engine.close()
    service.engine = fake_engine("ok")
    claim_round(service, mission.id, members)  # 5 bad of 10: still at the threshold
    assert [e["event"] for e in events(receiver)] == ["backend.degraded"]
    claim_round(service, mission.id, members[:1])  # 5 of 11 < 0.5
    assert [e["event"] for e in events(receiver)] == ["backend.degraded", "backend.recovered"]
    recovered = events(receiver)[1]
    assert recovered["share"] == round(5 / 11, 4) and recovered["backend"] == "first"
    assert degraded_backends(service) == []


@pytest.mark.parametrize(("table", "message"), [
    ({"threshold": 0}, "threshold: 0 is not a share"),
    ({"threshold": "half"}, "threshold: 'half' is not a share"),
    ({"min_attempts": 0}, "min_attempts: 0 is not a count"),
    ({"window": "soon"}, "window: 'soon' is not a duration"),
    ({"window": 0}, "window: must be longer than 0"),
    ({"windw": "1h"}, "'windw' in [alerts]"),
])
def test_wrong_alert_settings_are_refused(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_alert_settings(config_from_mapping({"alerts": table}))
    assert message in str(refused.value) and "[alerts]" in str(refused.value)


def test_alert_settings_read_durations() -> None:
    settings = load_alert_settings(config_from_mapping(
        {"alerts": {"window": "30m", "threshold": 0.25, "min_attempts": 3, "interval": "10s"}}))
    assert (settings.window, settings.threshold, settings.min_attempts, settings.interval) \
        == (1800.0, 0.25, 3, 10.0)


def test_json_log_lines_parse_and_carry_no_secret(
        make_service: ServiceFactory, receiver: Receiver) -> None:
    """A check and its claim's transitions, logged as JSON: one object per line, with ids,
    without the webhook secret, the member id or the handle."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    activity = logging.getLogger("social_missions.activity")
    activity.addHandler(handler)
    activity.setLevel(logging.INFO)
    try:
        service = make_service(webhook_url=receiver.url, webhook_secret=SECRET)
        service.engine = fake_engine("ok")
        action = add_action(service, "fake", "summer")
        mission = add_mission(service, title="Fake", action_ids=[action.id], points=5,
                              publish=True, goal_posts=1,
                              start=datetime(2025, 6, 1, tzinfo=UTC), end=None)
        link_account(service, "member-ana-77", "fake", "anasecret")
        claim = create_claim(service, "member-ana-77", mission.id, "fake")
        run(service)
    finally:
        activity.removeHandler(handler)
    parsed = [json.loads(line) for line in lines]
    claims = [p for p in parsed if p["event"] == "claim" and p["claim"] == claim.claim_id]
    assert [(p["from"], p["to"]) for p in claims] == [("new", "queued"), ("queued", "done")]
    checks = [p for p in parsed if p["event"] == "check"]
    assert len(checks) == 1
    check = checks[0]
    assert (check["claim"], check["mission"], check["platform"], check["status"],
            check["backend"]) == (claim.claim_id, mission.id, "fake", "ok", "first")
    assert isinstance(check["check"], int) and check["level"] == "INFO"
    assert check["time"].endswith("Z")
    text = "\n".join(lines)
    for secret in (SECRET, "member-ana-77", "anasecret"):
        assert secret not in text


def test_log_format_option_and_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    from engine import logs

    logs.configure_logging(0, "json")
    try:
        logging.getLogger("social_missions.activity").info("hello %s", "there",
                                                           extra={"claim": 3})
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(line)["message"] == "hello there" and json.loads(line)["claim"] == 3
        with pytest.raises(ConfigurationError, match=r"log_format: 'xml' .* \"json\""):
            logs.follow_config({"log_format": "xml"}, "f.toml")
        logs.configure_logging(0, None)  # text by default; the file's choice then applies
        logs.follow_config({"log_format": "json"}, "f.toml")
        assert logs.json_logging()
    finally:
        logs.restore_logging()
