"""The signing key lives outside the database (issue 12, part 2): a copy of the database opens
nothing; key, database and queue files are 0600; rotation with a grace; HMAC-SHA256 only;
member links' age checked when used; links revocable one by one or all of a member's."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer

from engine.cache import MemoryCache
from engine.config import Config, config_from_mapping
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.service.context import Service
from engine.service.keys import (
    ENCRYPTED_PREFIX,
    KEY_FILE_NAME,
    key_ring,
    parse_key_file,
    rotate_key_file,
)
from engine.service.runtime import attach_queue
from engine.service.settings import load_settings
from engine.service.stored_settings import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    apply_stored_settings,
    read_setting,
    write_setting,
)
from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.storage.models import SettingRow
from engine.web.app import create_app
from engine.web.errors import LinkRejected
from engine.web.member_links import SALT, create_member_link, verify_member_link
from engine.web.pages.session import COOKIE, create_login_link
from engine.web.signing import SIGNER_OPTIONS
from engine.web.tokens import create_token

from .api_helpers import api_for
from .pages_helpers import NOW, Clock, World, build_world, member_url

WEBHOOK_PASSWORD = "hunter2-in-the-url"
WEBHOOK_KEY = "whsec-very-secret-value-0123456789abcdef"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path / "site")
    yield built
    built.service.engine.close()
    built.service.close()


def service_on(folder: Path, clock: Clock, config: Config | None = None) -> Service:
    """A service on the SQLite files of ``folder`` (migrated) with ``config``."""
    config = config or Config()
    settings = load_settings(config, database_url=f"sqlite:///{folder / 'missions.sqlite3'}",
                             queue_url=f"sqlite:///{folder / 'queue.sqlite3'}")
    database = open_database(settings.database_url)
    upgrade(database)
    return Service(database, settings, config=config, clock=clock,
                   engine=Engine(Config(), replaying=True, cache=MemoryCache()))


def admin_cookie(client: TestClient, service: Service) -> str:
    """Log ``client`` in through a one-time link; the session cookie's value."""
    token, _raw = create_token(service, "admin", "secrets test")
    answer = client.get(create_login_link(service, token))
    assert answer.status_code == 303, answer.text
    value = client.cookies.get(COOKIE)
    assert value
    return value


def copy_database(source: Path, target: Path) -> None:
    """What someone who took the database gets: SQLite's own online copy (WAL included)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)


def test_a_copy_of_the_database_alone_opens_nothing(world: World, tmp_path: Path) -> None:
    service = world.service
    write_setting(service, WEBHOOK_URL, f"https://ops:{WEBHOOK_PASSWORD}@hooks.example.org/in")
    write_setting(service, WEBHOOK_SECRET, WEBHOOK_KEY)
    link = member_url(world, "lea")
    with TestClient(create_app(service), follow_redirects=False) as client:
        cookie = admin_cookie(client, service)
        assert client.get("/admin").status_code == 200
        assert client.get(link).status_code == 200
    key_text = (tmp_path / "site" / KEY_FILE_NAME).read_text()
    keys = [line for line in key_text.splitlines() if line and not line.startswith("#")]

    stolen = tmp_path / "elsewhere" / "missions.sqlite3"
    copy_database(tmp_path / "site" / "missions.sqlite3", stolen)
    raw = stolen.read_bytes()
    for secret in (WEBHOOK_PASSWORD, WEBHOOK_KEY, *keys):
        assert secret.encode() not in raw  # neither the key nor a stored secret in clear
    with sqlite3.connect(stolen) as db:
        stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    assert set(stored) == {WEBHOOK_URL, WEBHOOK_SECRET}
    assert all(value.startswith(ENCRYPTED_PREFIX) for value in stored.values())

    # A server started on the copy makes its own key: the old cookie and link are refused.
    thief = service_on(stolen.parent, world.clock)
    try:
        with TestClient(create_app(thief), follow_redirects=False) as client:
            assert (stolen.parent / KEY_FILE_NAME).read_text() != key_text  # made at start
            client.cookies.set(COOKIE, cookie, path="/admin")
            answer = client.get("/admin")
            assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
            refused = client.get(link)
            assert refused.status_code == 403
        assert thief.settings.webhook_secret is None and thief.settings.webhook_url is None
        assert read_setting(thief, WEBHOOK_SECRET) is None
    finally:
        thief.engine.close()
        thief.close()


def test_the_old_web_secret_row_is_deleted_by_the_migration(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        upgrade(database, "0006")
        with database.transaction() as session:
            session.add(SettingRow(key="web.secret", value="x" * 43, updated_at=NOW))
        upgrade(database)
        with database.sessions() as session:
            assert session.get(SettingRow, "web.secret") is None
    finally:
        database.dispose()


def test_key_database_and_queue_files_are_created_0600(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask: files would be world-readable
    try:
        service = service_on(tmp_path / "data", Clock(NOW))
        attach_queue(service, name="modes")
        assert service.queue is not None
        service.queue.enqueue_claim(1, delay=60)  # the queue file exists and is written
        key_ring(service)
        create_member_link(service, "lea", 1)
    finally:
        os.umask(previous)
    folder = tmp_path / "data"
    names = ["missions.sqlite3", "queue.sqlite3", KEY_FILE_NAME]
    names += [p.name for p in folder.glob("*-wal")] + [p.name for p in folder.glob("*-shm")]
    assert len(names) >= 4  # the WAL files too
    for name in names:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    service.engine.close()
    service.close()


def test_rotation_keeps_old_links_and_sessions_during_the_grace_only(world: World) -> None:
    service = world.service
    old_link = member_url(world, "lea")
    with TestClient(create_app(service), follow_redirects=False) as client:
        old_cookie = admin_cookie(client, service)
        path = key_ring(service).path
        assert path is not None
        rotation = rotate_key_file(path, now=world.clock.now, grace=timedelta(hours=2))
        assert rotation.old_key_retires_at == world.clock.now + timedelta(hours=2)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        ring = key_ring(service)  # read again: the file changed
        assert len(ring.previous) == 1
        new_link = member_url(world, "lea")
        assert client.get(old_link).status_code == 200
        assert client.get(new_link).status_code == 200
        assert client.get("/admin").status_code == 200  # the old key's cookie, in grace
        world.clock.advance(hours=2, seconds=1)
        assert client.get(old_link).status_code == 403
        assert client.get(new_link).status_code == 200
        client.cookies.set(COOKIE, old_cookie, path="/admin")
        assert client.get("/admin").status_code == 303


def test_cli_rotation_encrypts_stored_secrets_again(tmp_path: Path) -> None:
    from engine.cli import main

    folder = tmp_path / "data"
    config_file = tmp_path / "social-missions.toml"
    config_file.write_text(f'[database]\nurl = "sqlite:///{folder / "missions.sqlite3"}"\n'
                           f'[queue]\nurl = "sqlite:///{folder / "queue.sqlite3"}"\n')
    urls = {"database": {"url": f"sqlite:///{folder / 'missions.sqlite3'}"},
            "queue": {"url": f"sqlite:///{folder / 'queue.sqlite3'}"}}
    service = Service.open(config_from_mapping(urls, path=config_file))
    write_setting(service, WEBHOOK_SECRET, WEBHOOK_KEY)
    service.close()
    assert main(["secret", "rotate", "--grace", "1h", "--config", str(config_file)]) == 0
    ring = parse_key_file((folder / KEY_FILE_NAME).read_text(), "key file")
    assert len(ring.previous) == 1 and ring.previous[0].retires_at is not None
    # The grace is over (only the new key left): the stored secret still reads.
    (folder / KEY_FILE_NAME).write_text(ring.current.secret + "\n")
    again = Service.open(config_from_mapping(urls, path=config_file))
    try:
        apply_stored_settings(again)
        assert again.settings.webhook_secret == WEBHOOK_KEY
    finally:
        again.close()
    assert main(["secret", "rotate", "--grace", "soon", "--config", str(config_file)]) == 2


def _payload(**changes: Any) -> dict[str, Any]:
    issued = int(NOW.timestamp() * 1000)
    payload = {"m": "lea", "s": 1, "e": int((NOW + timedelta(days=7)).timestamp()),
               "t": issued, "i": "AAAAAAAAAAAAAAAA"}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def test_only_hmac_sha256_signatures_are_accepted(world: World) -> None:
    keys = key_ring(world.service).verifying(NOW)
    sha1 = URLSafeSerializer(keys, salt=SALT).dumps(_payload())  # itsdangerous' default
    sha256 = URLSafeSerializer(keys, salt=SALT, signer_kwargs=SIGNER_OPTIONS).dumps(_payload())
    with pytest.raises(LinkRejected):
        verify_member_link(world.service, sha1)
    assert verify_member_link(world.service, sha256).member_id == "lea"


def test_a_link_age_is_checked_when_it_is_used(world: World) -> None:
    keys = key_ring(world.service).verifying(NOW)
    signer = URLSafeSerializer(keys, salt=SALT, signer_kwargs=SIGNER_OPTIONS)
    ten_years = int((NOW + timedelta(days=3650)).timestamp())
    year = int((NOW + timedelta(days=366)).timestamp())
    for bad in (_payload(e=ten_years), _payload(t=None), _payload(i=None),
                {"m": "lea", "s": 1, "e": ten_years},  # the shape before issue 12
                _payload(t=True), _payload(e="soon")):
        with pytest.raises(LinkRejected):
            verify_member_link(world.service, signer.dumps(bad))
    assert verify_member_link(world.service, signer.dumps(_payload(e=year))).member_id == "lea"
    with pytest.raises(Exception, match="366 days"):
        create_member_link(world.service, "lea", 1, expires_at=NOW + timedelta(days=367))


def test_links_are_revoked_one_by_one_or_all_of_a_member(world: World, tmp_path: Path) -> None:
    service, mission = world.service, world.mission.id
    with api_for(service) as api:
        def create(member: str) -> dict[str, Any]:
            answer = api.post("/api/v1/member-links", as_admin=False,
                              json={"member_id": member, "mission_id": mission})
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

        def works(link: dict[str, Any]) -> bool:
            status = api.get(f"/api/v1/member-links/{link['token']}", as_admin=False)
            page = api.client.get(link["path"])
            assert status.status_code == page.status_code  # the API and the page agree
            return bool(status.status_code == 200)

        first, second, ana = create("lea"), create("lea"), create("ana")
        assert len(first["link_id"]) == 16 and first["link_id"] != second["link_id"]
        one = api.client.delete(f"/api/v1/member-links/{first['token']}", headers=api.integrator)
        assert one.status_code == 200 and one.json()["link_id"] == first["link_id"]
        assert not works(first) and works(second) and works(ana)
        refused = api.get(f"/api/v1/member-links/{first['token']}", as_admin=False).json()
        assert refused["code"] == "link_rejected" and "revoked" in refused["message"]

        every = api.client.delete("/api/v1/members/lea/member-links", headers=api.integrator)
        assert every.status_code == 200 and every.json()["link_id"] is None
        assert not works(second) and works(ana)
        world.clock.advance(seconds=1)
        later = create("lea")  # made after the revocation: it works
        assert works(later)
        by_id = api.client.delete(f"/api/v1/members/lea/member-links?link={later['link_id']}",
                                  headers=api.integrator)
        assert by_id.status_code == 200 and not works(later)
        bad_id = api.client.delete("/api/v1/members/lea/member-links?link=nope",
                                   headers=api.integrator)
        assert bad_id.status_code == 422
        forged = api.client.delete("/api/v1/member-links/not-a-link", headers=api.integrator)
        assert forged.status_code == 403

        # The command line revokes by id, from another process's point of view.
        config_file = tmp_path / "site.toml"
        folder = tmp_path / "site"
        config_file.write_text(f'[database]\nurl = "sqlite:///{folder / "missions.sqlite3"}"\n'
                               f'[queue]\nurl = "sqlite:///{folder / "queue.sqlite3"}"\n')
        from engine.cli import main

        assert main(["member", "links", "revoke", "ana", "--link", ana["link_id"],
                     "--config", str(config_file)]) == 0
        assert not works(ana)
        assert main(["member", "links", "revoke", "ana", "--link", "x",
                     "--config", str(config_file)]) == 2


def test_a_link_id_never_reads_as_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    # About one URL-safe id in 64 starts with "-": `--link -abc…` would then be refused by
    # the command line as a missing value. New ids never start with it.
    import secrets

    from engine.web import member_links

    drawn = iter(["-klJKyDK015FEccg", "-a-second-one-xx", "kl-JKyDK015FEccg"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _size: next(drawn))
    assert member_links.new_link_id() == "kl-JKyDK015FEccg"
    monkeypatch.undo()
    assert not any(member_links.new_link_id().startswith("-") for _ in range(2000))


def test_cli_revokes_every_link_of_a_member(world: World, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    folder = tmp_path / "site"
    config_file = tmp_path / "site.toml"
    config_file.write_text(f'[database]\nurl = "sqlite:///{folder / "missions.sqlite3"}"\n'
                           f'[queue]\nurl = "sqlite:///{folder / "queue.sqlite3"}"\n')
    token = member_url(world, "lea").removeprefix("/m/")
    other = member_url(world, "ana").removeprefix("/m/")
    assert main(["member", "links", "revoke", "lea", "--json", "--config",
                 str(config_file)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["member_id"] == "lea" and printed["link_id"] is None
    with pytest.raises(LinkRejected, match="revoked"):
        verify_member_link(world.service, token)
    assert verify_member_link(world.service, other).member_id == "ana"


def test_the_webhook_secret_is_stored_encrypted(world: World) -> None:
    from engine.service.stored_settings import update_webhook

    service = world.service
    with service.db.transaction() as session:  # a value written in clear by an older version
        session.add(SettingRow(key=WEBHOOK_SECRET, value=WEBHOOK_KEY, updated_at=NOW))
    apply_stored_settings(service)
    assert service.settings.webhook_secret == WEBHOOK_KEY
    with service.db.sessions() as session:
        row = session.get(SettingRow, WEBHOOK_SECRET)
        assert row is not None and row.value.startswith(ENCRYPTED_PREFIX)  # written again
        assert WEBHOOK_KEY not in row.value
    rotated = update_webhook(service, rotate_secret=True)
    assert rotated and service.settings.webhook_secret == rotated
    with service.db.sessions() as session:
        row = session.get(SettingRow, WEBHOOK_SECRET)
        assert row is not None and rotated not in row.value


def test_a_key_written_in_the_configuration_stops_loading_it() -> None:
    # Refused when the configuration loads, before any service starts.
    with pytest.raises(ConfigurationError, match="secret: a key written in the configuration"):
        config_from_mapping({"web": {"secret": "x" * 40}})


@pytest.mark.parametrize(("web", "env", "words"), [
    ({"secret_env": "MISSING_KEY_VARIABLE"}, {}, "$MISSING_KEY_VARIABLE is not set"),
    ({"secret_env": "SHORT_KEY"}, {"SHORT_KEY": "short"}, "at least 32 characters"),
    ({"secret_env": "A", "secret_key_file": "k"}, {"A": "a" * 40}, "keep one"),
    ({"secret_key_file": 3}, {}, "secret_key_file must be a path"),
    ({"previous_secret_key_files": "old.key"}, {}, "must be a list of paths"),
    ({"previous_secret_key_files": ["missing.key"]}, {}, "missing.key"),
    ({"secure_cookies": "yes"}, {}, "secure_cookies must be true or false"),
    ({"api_docs": 1}, {}, "api_docs must be true or false"),
    ({"embed_origins": "https://a.example"}, {}, "embed_origins must be a list"),
    ({"embed_origins": ["https://a.example/path"]}, {}, "is not an origin"),
    ({"embed_origins": ["*"]}, {}, "is not an origin"),
    ({"embed_origins": ["https://a.example; script-src *"]}, {}, "is not an origin"),
])
def test_wrong_web_keys_stop_the_start_with_a_clear_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, web: dict[str, Any],
        env: dict[str, str], words: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    service = service_on(tmp_path, Clock(NOW), config_from_mapping({"web": web}))
    try:
        with pytest.raises(ConfigurationError) as raised:
            create_app(service)
        assert words in str(raised.value)
    finally:
        service.engine.close()
        service.close()


def test_keys_from_an_environment_variable_and_previous_key_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(NOW)
    monkeypatch.setenv("SOCIAL_MISSIONS_SECRET_KEY", "o" * 40)
    old = service_on(tmp_path, clock)
    token = create_member_link(old, "lea", 1).token
    assert not (tmp_path / KEY_FILE_NAME).exists()  # the variable, no file
    monkeypatch.setenv("SOCIAL_MISSIONS_SECRET_KEY", "n" * 40)
    (tmp_path / "old.key").write_text("o" * 40 + "\n")
    with_old = service_on(tmp_path, clock, config_from_mapping(
        {"web": {"previous_secret_key_files": [str(tmp_path / "old.key")]}}))
    without = service_on(tmp_path, clock)
    try:
        assert verify_member_link(with_old, token).member_id == "lea"
        with pytest.raises(LinkRejected):
            verify_member_link(without, token)
    finally:
        for service in (old, with_old, without):
            service.engine.close()
            service.close()


def test_a_malformed_key_file_is_refused(tmp_path: Path) -> None:
    for text, words in (("", "holds no key"), ("short\n", "at least 32"),
                        ("k" * 40 + " 2026-01-01T00:00:00Z\n", "first line"),
                        ("k" * 40 + "\n" + "o" * 40 + " someday\n", "not an instant")):
        with pytest.raises(ConfigurationError, match=words):
            parse_key_file(text, "key file")
    ring = parse_key_file("# comment\n" + "k" * 40 + "\n" + "o" * 40 + " 2025-06-20T00:00:00Z\n",
                          "key file")
    now = datetime(2025, 6, 19, tzinfo=UTC)
    assert ring.verifying(now) == ["o" * 40, "k" * 40]
    assert ring.verifying(now + timedelta(days=2)) == ["k" * 40]


def test_rotation_without_grace_keeps_the_stored_webhook(tmp_path: Path) -> None:
    """``secret rotate --grace 0``: the stored URL and secret are read with the old key before
    it retires, and written with the new one, so nothing is lost."""
    from engine.cli import main

    folder = tmp_path / "data"
    config_file = tmp_path / "social-missions.toml"
    urls = {"database": {"url": f"sqlite:///{folder / 'missions.sqlite3'}"},
            "queue": {"url": f"sqlite:///{folder / 'queue.sqlite3'}"}}
    config_file.write_text(f'[database]\nurl = "sqlite:///{folder / "missions.sqlite3"}"\n'
                           f'[queue]\nurl = "sqlite:///{folder / "queue.sqlite3"}"\n')
    service = Service.open(config_from_mapping(urls, path=config_file))
    write_setting(service, WEBHOOK_SECRET, WEBHOOK_KEY)
    write_setting(service, WEBHOOK_URL, "https://user:pw0rd@hooks.example/x")
    service.close()
    assert main(["secret", "rotate", "--grace", "0s", "--config", str(config_file)]) == 0
    again = Service.open(config_from_mapping(urls, path=config_file))
    try:
        apply_stored_settings(again)
        assert again.settings.webhook_secret == WEBHOOK_KEY
        assert again.settings.webhook_url == "https://user:pw0rd@hooks.example/x"
    finally:
        again.close()


def test_a_delivery_keeps_its_url_encrypted(world: World) -> None:
    """A URL may carry credentials or a token: deliveries store it encrypted, and read it back
    in clear only to send."""
    from dataclasses import replace

    from engine.service.privacy import erase_member
    from engine.service.webhooks import delivery_url
    from engine.storage.models import WebhookDeliveryRow

    service = world.service
    url = "https://user:pw0rd@hooks.example/x?token=QUERYSECRET"
    service.settings = replace(service.settings, webhook_url=url, webhook_secret=WEBHOOK_KEY)
    erase_member(service, "ana")  # queues a member.erased event to the host
    with service.db.sessions() as session:
        stored = [row.url for row in session.query(WebhookDeliveryRow)]
    assert stored and all(s.startswith(ENCRYPTED_PREFIX) for s in stored)
    assert all("pw0rd" not in s and "QUERYSECRET" not in s for s in stored)
    assert {delivery_url(service, s) for s in stored} == {url}
