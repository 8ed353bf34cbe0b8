"""Webhook targets (issue 12, part 5): http(s) with a host, public addresses only unless
``[webhooks] allow_private``, checked when set and again at every delivery, credentials never
shown, failed deliveries sent again (service, API and CLI; the console's button is tested in
tests/web/test_console_people.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.cli import main
from engine.config import Config
from engine.errors import ConfigurationError
from engine.service.claims import create_claim
from engine.service.errors import Conflict, NotFound
from engine.service.settings import load_settings
from engine.service.stored_settings import update_webhook
from engine.service.webhook_targets import (
    WebhookTargetRefused,
    address_kind,
    check_webhook_url,
    pinned_target,
    redact_url,
)
from engine.service.webhooks import deliver, delivery_page, resend
from engine.web.app import create_app
from engine.web.tokens import create_token

from .helpers import Receiver, member, mission, run

REFUSED = {
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://10.0.0.1/hook": "private",
    "http://192.168.1.20:8080/hook": "private",
    "http://[::1]:6379/": "loopback",
    "http://127.0.0.1/hook": "loopback",
    "http://127.1/hook": "loopback",  # resolved: the resolver reads it as 127.0.0.1
    "http://2130706433/hook": "loopback",  # 127.0.0.1 written as one number
    "http://localhost:8000/hook": "loopback",
    "http://hooks.localhost/x": "loopback",
    "http://0.0.0.0/hook": "unspecified",
    "http://[::]/hook": "unspecified",
    "http://[::ffff:10.0.0.1]/hook": "private",  # IPv4-mapped IPv6
    "http://[::ffff:169.254.169.254]/": "link-local",
    "http://[fe80::1]/hook": "link-local",
    "http://[fd00::1]/hook": "private",
    "http://224.0.0.1/hook": "multicast",
    "http://240.0.0.1/hook": "reserved",
    "http://100.64.0.1/hook": "non-public",  # shared address space (carrier NAT)
}
MALFORMED = ["ftp://hooks.example.org/x", "javascript:alert(1)", "hooks.example.org/x",
             "https://", "http:///path", "https://exa mple.org/", "https://hooks.example.org/\x00",
             "https://hooks.example.org:99999/", "https://hooks.example.org:port/",
             "https://[::1/", "https://" + "a" * 2000 + ".org/"]


@pytest.mark.parametrize(("url", "kind"), sorted(REFUSED.items()))
def test_private_targets_are_refused_naming_the_kind(url: str, kind: str) -> None:
    with pytest.raises(WebhookTargetRefused) as refused:
        check_webhook_url(url, allow_private=False)
    assert kind in str(refused.value) and "allow_private" in str(refused.value)
    with pytest.raises(WebhookTargetRefused):
        pinned_target(url, allow_private=False)  # and again at delivery time
    assert check_webhook_url(url, allow_private=True) == url  # unless allowed


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_urls_are_refused_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(WebhookTargetRefused):
        check_webhook_url(url, allow_private=True)


def test_public_addresses_pass() -> None:
    assert check_webhook_url("https://93.184.215.14/hook", allow_private=False)
    assert address_kind(__import__("ipaddress").ip_address("2606:4700::1111")) is None
    # A name that does not resolve now is accepted when set; delivery checks it again.
    assert check_webhook_url("https://hooks.example.org/x", allow_private=False)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A resolver the test controls for names under ``.example``: ``names[host] = address``
    (others there do not exist); the rest (127.0.0.1 of Redis…) resolves as usual."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if not str(host).endswith(".example"):
            return real(host, port, *args, **kwargs)
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def test_names_are_resolved_and_every_address_checked(dns: dict[str, str]) -> None:
    dns["inside.example"] = "10.1.2.3"
    with pytest.raises(WebhookTargetRefused, match="at 10.1.2.3, a private address"):
        check_webhook_url("https://inside.example/hook", allow_private=False)
    dns["hooks.example"] = "203.0.113.7"  # TEST-NET-3: documentation, not global
    with pytest.raises(WebhookTargetRefused):
        check_webhook_url("https://hooks.example/hook", allow_private=False)
    dns["shop.example"] = "93.184.215.14"
    target = pinned_target("https://u:p@shop.example:8443/hook?x=1", allow_private=False)
    # The connection goes to the checked address; Host and the TLS name stay the URL's.
    assert target.url == "https://93.184.215.14:8443/hook?x=1"
    assert target.headers == {"host": "shop.example:8443"}
    assert target.extensions == {"sni_hostname": "shop.example"}
    assert target.auth == ("u", "p")  # sent as basic authentication, not in the URL


def test_a_name_repointed_after_it_was_set_is_refused_at_delivery(
        make_service: Any, replay: Any, dns: dict[str, str]) -> None:
    receiver = Receiver(failures=0)
    try:
        service = make_service(webhook_url="http://rebind.example/hooks", webhook_secret="s",
                               webhook_allow_private=False, webhook_max_attempts=1)
        dns["rebind.example"] = "127.0.0.1"  # DNS now answers the machine itself
        goal = mission(service, goal_posts=2, points=25)
        member(service)
        create_claim(service, "ana", goal.id, "instagram")
        run(service)
        [delivery], _ = delivery_page(service)
        assert delivery.state == "failed"
        assert delivery.attempts[0].error.startswith("refused: the webhook host rebind.example")
        assert delivery.attempts[0].status_code is None and receiver.received == []
    finally:
        receiver.server.shutdown()


def test_setting_the_url_checks_it(service: Any) -> None:
    with pytest.raises(WebhookTargetRefused, match="link-local"):
        update_webhook(service, url="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(WebhookTargetRefused, match="http:// or https://"):
        update_webhook(service, url="file:///etc/passwd")
    assert service.settings.webhook_url is None  # nothing stored
    update_webhook(service, url="https://hooks.example.org/points")
    assert service.settings.webhook_url == "https://hooks.example.org/points"


def test_configuration_checks_the_url_and_allow_private(tmp_path: Path) -> None:
    def load(text: str) -> Any:
        path = tmp_path / "c.toml"
        path.write_text(text, encoding="utf-8")
        from engine.config import load_config

        return load_settings(load_config(str(path)))

    with pytest.raises(ConfigurationError, match=r"\[webhooks\] url: .*loopback"):
        load('[webhooks]\nurl = "http://127.0.0.1:9/x"\nsecret = "s"\n')
    with pytest.raises(ConfigurationError, match="must be true or false"):
        load('[webhooks]\nallow_private = "yes"\n')
    settings = load('[webhooks]\nurl = "http://127.0.0.1:9/x"\nsecret = "s"\n'
                    'allow_private = true\n')
    assert settings.webhook_allow_private and settings.webhook_url == "http://127.0.0.1:9/x"
    assert load_settings(Config()).webhook_allow_private is False


def test_credentials_are_redacted() -> None:
    assert redact_url("https://user:pa55@hooks.example.org/x?y=1") == \
        "https://***@hooks.example.org/x?y=1"
    assert redact_url("https://token@hooks.example.org/") == "https://***@hooks.example.org/"
    assert redact_url("https://hooks.example.org/x") == "https://hooks.example.org/x"
    assert redact_url(None) is None


# -- failed deliveries sent again: service, API, CLI ----------------------------------------

@pytest.fixture
def failed(make_service: Any, replay: Any,
           caplog: pytest.LogCaptureFixture) -> Iterator[tuple[Any, int]]:
    """A service whose one delivery failed (its URL, with credentials, refuses connections)."""
    caplog.set_level(logging.DEBUG)
    service = make_service(webhook_url="http://hook-user:pa55word@127.0.0.1:9/closed",
                           webhook_secret="s", webhook_max_attempts=1)
    goal = mission(service, goal_posts=2, points=25)
    member(service)
    create_claim(service, "ana", goal.id, "instagram")
    run(service)
    [delivery], _ = delivery_page(service)
    assert delivery.state == "failed"
    yield service, delivery.id
    assert "pa55word" not in caplog.text  # never logged


def test_resend_in_the_service(failed: tuple[Any, int]) -> None:
    service, delivery_id = failed
    [delivery], _ = delivery_page(service)
    assert delivery.url == "http://***@127.0.0.1:9/closed"
    assert "pa55word" not in delivery.attempts[0].error
    receiver = Receiver(failures=0)
    try:
        service.settings = dataclasses.replace(service.settings, webhook_url=receiver.url)
        resend(service, delivery_id)
        with pytest.raises(Conflict, match="pending"):
            resend(service, delivery_id)  # only a failed one
        assert deliver(service, delivery_id) == "delivered"
        assert len(receiver.received) == 1
        with pytest.raises(NotFound):
            resend(service, 999)
    finally:
        receiver.server.shutdown()


def test_resend_through_the_api(failed: tuple[Any, int]) -> None:
    service, delivery_id = failed
    _, raw = create_token(service, "admin", "t")
    _, integrator = create_token(service, "integrator", "t")
    with TestClient(create_app(service), base_url="http://localhost") as client:
        admin = {"Authorization": f"Bearer {raw}"}
        shown = client.get("/api/v1/webhook", headers=admin).json()
        assert shown["url"] == "http://***@127.0.0.1:9/closed"
        path = f"/api/v1/webhook/deliveries/{delivery_id}/resend"
        refused = client.post(path, headers={"Authorization": f"Bearer {integrator}"})
        assert refused.status_code == 403
        answer = client.post(path, headers=admin)
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"id": delivery_id, "state": "pending",
                                 "url": "http://***@127.0.0.1:9/closed"}
        again = client.post(path, headers=admin)
        assert again.status_code == 409 and again.json()["code"] == "conflict"
        missing = client.post("/api/v1/webhook/deliveries/999/resend", headers=admin)
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
        for bad in ("0", "x", "²", "99999999999999999999"):
            answer = client.post(f"/api/v1/webhook/deliveries/{bad}/resend", headers=admin)
            assert answer.status_code == 422, bad
        service.settings = dataclasses.replace(service.settings, webhook_allow_private=False)
        private = client.put("/api/v1/webhook", headers=admin,
                             json={"url": "http://169.254.169.254/"})
        assert private.status_code == 400 and "link-local" in private.json()["message"]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_resend_and_list_from_the_command_line(failed: tuple[Any, int], setup: dict[str, str],
                                               tmp_path: Path) -> None:
    _service, delivery_id = failed
    config = tmp_path / "social-missions.toml"
    config.write_text(f'[database]\nurl = "{setup["database_url"]}"\n'
                      f'[queue]\nurl = "{setup["queue_url"]}"\n'
                      '[webhooks]\nallow_private = true\nmax_attempts = 1\n', encoding="utf-8")
    where = ("--config", str(config))
    status, out, _ = cli("webhook", "deliveries", "--state", "failed", *where)
    assert status == 0 and out.startswith(f"{delivery_id}\tfailed\tpoints.awarded\tana")
    status, _, err = cli("webhook", "resend", "999", *where)
    assert status == 2 and "no webhook delivery 999" in err and err.count("\n") == 1
    for bad in ("0", "²", "٣", "-1", "99999999999999999999", " 1"):
        status, _, err = cli("webhook", "resend", bad, *where)
        assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, bad
    status, out, _ = cli("webhook", "set", "http://hook-user:pa55word@127.0.0.1:9/other",
                         *where)
    assert status == 0 and "pa55word" not in out and "http://***@127.0.0.1:9/other" in out
    status, out, _ = cli("webhook", "show", *where)
    assert status == 0 and "***@127.0.0.1:9/other" in out and "pa55word" not in out
    status, out, _ = cli("webhook", "resend", str(delivery_id), *where)
    assert status == 0 and f"delivery {delivery_id} queued again" in out
    assert "pa55word" not in out
    status, out, _ = cli("webhook", "deliveries", "--json", *where)
    assert status == 0 and '"state": "pending"' in out and "pa55word" not in out
    status, _, err = cli("webhook", "set", "http://10.0.0.1/x", "--config", str(
        _without_allow_private(config)))
    assert status == 2 and "private" in err and err.count("\n") == 1


def _without_allow_private(config: Path) -> Path:
    other = config.with_name("strict.toml")
    other.write_text(config.read_text(encoding="utf-8").replace("allow_private = true",
                                                                "allow_private = false"),
                     encoding="utf-8")
    return other


def test_credentials_in_the_url_go_as_basic_authentication(
        make_service: Any, replay: Any, caplog: pytest.LogCaptureFixture) -> None:
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["content-length"]))
            seen.append((self.path, self.headers.get("authorization", "")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    caplog.set_level(logging.DEBUG)
    try:
        port = server.server_address[1]
        service = make_service(webhook_url=f"http://hook%20user:pa55word@127.0.0.1:{port}/in",
                               webhook_secret="s")
        goal = mission(service, goal_posts=2, points=25)
        member(service)
        create_claim(service, "ana", goal.id, "instagram")
        run(service)
        [delivery], _ = delivery_page(service)
        assert delivery.state == "delivered"
        expected = "Basic " + base64.b64encode(b"hook user:pa55word").decode()
        assert seen == [("/in", expected)]
        assert "pa55word" not in caplog.text
    finally:
        server.shutdown()
