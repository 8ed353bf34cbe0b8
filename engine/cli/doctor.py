"""``social-missions doctor``: check a set-up without starting it, and say what to fix.

One line per check, ``ok``, ``warn`` or ``FAIL``, with what to do: the configuration (loaded
and validated, backend tables included), the database (reachable, migrations at head), the
queue (reachable), the signing key (where it comes from; a file must exist with mode 0600
and hold a valid key), every platform's configured backends (available here: library
installed, Chromium present, API key set; the files their options name readable) and the
webhook URL (an allowed target). Nothing is created or changed: a database, queue file or key
file that does not exist yet is a warning (the first ``init``, ``serve`` or ``worker`` creates
it). Exit status: 0 when no check failed (warnings allowed), 1 when one did. Secrets (key,
passwords in URLs, the webhook URL's credentials) are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .common import add_config_option

OK, WARN, FAIL = "ok", "warn", "fail"
EXIT_PROBLEMS = 1


@dataclass(frozen=True)
class Finding:
    """One check's result: ``check`` (what was looked at), ``status`` (ok, warn or fail) and
    ``message`` (what was found and, unless ok, what to do)."""

    check: str
    status: str
    message: str


def register(subparsers: Any) -> None:
    """Add ``doctor`` to the command line."""
    parser = subparsers.add_parser(
        "doctor", help="check the configuration, database, queue, key file, backends and "
        "webhook, and say what to fix")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true",
                        help="print {ok, checks: [{check, status, message}]} as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run every check, print the findings; 0 when none failed, else 1."""
    findings = diagnose(args.config)
    failed = any(item.status == FAIL for item in findings)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [asdict(item) for item in findings]},
                         indent=2))
    else:
        for item in findings:
            label = "FAIL" if item.status == FAIL else item.status
            print(f"{label:<4}  {item.check:<13} {item.message}")
        warnings = sum(item.status == WARN for item in findings)
        failures = sum(item.status == FAIL for item in findings)
        print(f"{failures} failure(s), {warnings} warning(s)"
              + ("" if failed else ": ready to run"))
    return EXIT_PROBLEMS if failed else 0


def diagnose(config_file: str | None) -> list[Finding]:
    """Every finding for the configuration ``config_file`` (None: the usual search). When
    the configuration does not load, that is the only finding (the rest depends on it)."""
    from engine.cache import MemoryCache
    from engine.config import load_config
    from engine.core import Engine
    from engine.errors import SocialMissionsError
    from engine.service.alerts import load_alert_settings
    from engine.service.keys import key_settings
    from engine.service.settings import load_settings
    from engine.web.settings import load_web_settings

    try:
        config = load_config(config_file)
        settings = load_settings(config)
        load_web_settings(config)
        key_settings(config)
        load_alert_settings(config)
        engine = Engine(config, cache=MemoryCache())
    except SocialMissionsError as error:
        return [Finding("configuration", FAIL, f"{error}")]
    where = str(config.path) if config.path else "no file: the defaults"
    findings = [Finding("configuration", OK, f"{where} (every key known)")]
    try:
        findings.append(_database(settings.database_url))
        findings.append(_queue(settings.queue_url))
        key = _key(config, settings.database_url)
        findings.append(key)
        findings.extend(_backends(engine))
        findings.append(_webhook(config, settings, key_ready=key.status == OK,
                                 database_ready=findings[1].status == OK))
    finally:
        engine.close()
    return findings


def _shown_url(url: str) -> str:
    """``url`` with its password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL sqlalchemy reads: show the scheme only
        return url.split("://", 1)[0] + "://…"


def _sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for memory or not SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _database(url: str) -> Finding:
    """Reachable, and its migrations at the newest revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine.errors import ConfigurationError
    from engine.storage.database import open_database
    from engine.storage.migrate import alembic_config

    shown = _shown_url(url)
    try:
        file = _sqlite_file(url)
    except Exception as error:
        return Finding("database", FAIL, f"{shown}: not a database URL ({_first_line(error)}); "
                       "fix [database] url")
    if file is not None and not file.exists():
        return Finding("database", WARN, f"{file} does not exist yet; `social-missions init` "
                       "(or the first serve or worker) creates it")
    try:
        database = open_database(url)
    except ConfigurationError as error:
        return Finding("database", FAIL, f"{error}; fix [database] url")
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    except Exception as error:  # the driver's errors: refused, unknown host, bad password
        return Finding("database", FAIL, f"cannot connect to {shown}: {_first_line(error)}; "
                       "check that the server runs and [database] url")
    finally:
        database.dispose()
    if current != head:
        return Finding("database", FAIL, f"{shown}: schema at {current or 'nothing'}, the "
                       f"code needs {head}; run `social-missions init` to upgrade it")
    return Finding("database", OK, f"{shown} reachable, migrations at head ({head})")


def _queue(url: str) -> Finding:
    """A Redis queue answers a ping; a SQLite queue file opens."""
    from engine.ratelimit import REDIS_SCHEMES

    shown = _shown_url(url)
    if url.startswith(REDIS_SCHEMES):
        import redis

        try:
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            client.ping()
            client.close()
        except Exception as error:  # redis raises ConnectionError, AuthenticationError…
            return Finding("queue", FAIL, f"cannot reach {shown}: {_first_line(error)}; check "
                           "that Redis runs and [queue] url")
        return Finding("queue", OK, f"{shown} answers")
    if not url.startswith("sqlite:"):
        return Finding("queue", FAIL, f"{shown}: use sqlite:///path/queue.sqlite3 or "
                       "redis://host:6379/0 in [queue] url")
    file = _sqlite_file(url)
    if file is None:
        return Finding("queue", FAIL, f"{shown} names no file; fix [queue] url")
    if not file.exists():
        return Finding("queue", WARN, f"{file} does not exist yet; the first serve or worker "
                       "creates it")
    try:
        connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=5)
        connection.execute("SELECT 1").fetchone()
        connection.close()
    except sqlite3.Error as error:
        return Finding("queue", FAIL, f"{file}: {error}; check its owner and mode")
    return Finding("queue", OK, f"{shown} opens")


def _private_mode_problem(path: Path) -> str | None:
    """What is wrong with ``path``'s permissions for a secret, or None (POSIX only)."""
    if os.name != "posix":
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return (f"{path} can be read by other users (mode {mode:04o}); run "
                f"`chmod 600 {path}`")
    return None


def _key(config: Any, database_url: str) -> Finding:
    """Where the signing key comes from, and whether it is usable and private."""
    from engine.errors import ConfigurationError
    from engine.service.keys import KEY_ENV, MIN_KEY_LENGTH, default_key_file, key_settings

    chosen = key_settings(config)
    env = chosen.secret_env or (KEY_ENV if chosen.secret_key_file is None
                                and os.environ.get(KEY_ENV) else None)
    if env:
        value = os.environ.get(env, "")
        if not value:
            return Finding("key file", FAIL, f"${env} is not set; set it to a key of at least "
                           f"{MIN_KEY_LENGTH} characters, or use [web] secret_key_file")
        if len(value) < MIN_KEY_LENGTH or any(c.isspace() for c in value):
            return Finding("key file", FAIL, f"${env} holds no valid key: at least "
                           f"{MIN_KEY_LENGTH} characters without spaces")
        problems = _previous_files(chosen.previous_secret_key_files)
        if problems:
            return Finding("key file", FAIL, problems)
        return Finding("key file", OK, f"the signing key comes from ${env}")
    path = chosen.secret_key_file or default_key_file(config, database_url)
    if not path.exists():
        return Finding("key file", WARN, f"{path} does not exist; it will be created (mode "
                       "0600) on first start; give every server and worker the same file")
    problem = _file_problem(path)
    if problem:
        return Finding("key file", FAIL, problem)
    from engine.service.keys import parse_key_file

    try:
        parse_key_file(path.read_text(encoding="utf-8"), f"signing key file {path}")
    except ConfigurationError as error:
        return Finding("key file", FAIL, str(error))
    problems = _previous_files(chosen.previous_secret_key_files)
    if problems:
        return Finding("key file", FAIL, problems)
    return Finding("key file", OK, f"{path}: mode 0600, readable, holds a valid key")


def _file_problem(path: Path) -> str | None:
    """Why a secret file at ``path`` is not fit: not readable, or readable by others."""
    if not path.is_file():
        return f"{path} is not a file"
    if not os.access(path, os.R_OK):
        return f"{path} cannot be read by this user; give it to the user that runs the service"
    return _private_mode_problem(path)


def _previous_files(paths: tuple[Path, ...]) -> str:
    """Problems of ``[web] previous_secret_key_files`` (empty when none)."""
    problems = []
    for path in paths:
        if not path.exists():
            problems.append(f"[web] previous_secret_key_files: {path} does not exist; remove "
                            "it from the list")
        else:
            problem = _file_problem(path)
            if problem:
                problems.append(problem)
    return "; ".join(problems)


def _backends(engine: Any) -> list[Finding]:
    """Per platform: each backend of its order available here; the files named by its
    options (type ``path``) and the platform's cookie file readable."""
    findings = []
    for name in sorted(engine.platforms):
        platform = engine.platforms[name]
        settings = engine.config.platform(name)
        order = engine.backend_order(name)
        problems: list[str] = []
        warnings: list[str] = []
        for backend_name in order:
            backend = platform.backend(backend_name)
            reason = backend.unavailable_reason(settings)
            if reason:
                problems.append(f"backend {backend_name} is not available: {reason}")
        for backend_name, table in settings.options.items():
            declared = platform.backend(backend_name).config_options
            for key, value in table.items():
                option = declared.get(key)
                if option is None or option.type != "path" or not value:
                    continue
                path = Path(str(value)).expanduser()
                if not path.is_file() or not os.access(path, os.R_OK):
                    problems.append(f"[platforms.{name}.{backend_name}] {key}: {path} is "
                                    "missing or unreadable")
        if settings.cookies_file is not None:
            path = settings.cookies_file
            if not path.is_file() or not os.access(path, os.R_OK):
                problems.append(f"[platforms.{name}] cookies: {path} is missing or unreadable")
            else:
                loose = _private_mode_problem(path)
                if loose:
                    warnings.append(loose)
        shown = f"order {' → '.join(order)}"
        if problems:
            findings.append(Finding(f"{name}", FAIL, f"{shown}: " + "; ".join(problems)
                                    + " (`social-missions backends` lists what is available)"))
        elif warnings:
            findings.append(Finding(f"{name}", WARN, f"{shown}: " + "; ".join(warnings)))
        else:
            findings.append(Finding(f"{name}", OK, f"{shown}: available"))
    return findings


def _webhook(config: Any, settings: Any, *, key_ready: bool, database_ready: bool) -> Finding:
    """The webhook URL in effect (stored through the API, else ``[webhooks] url``) is an
    allowed target; its host resolves."""
    from engine.service.webhook_targets import (
        WebhookTargetRefused,
        check_webhook_url,
        redact_url,
        resolve,
    )

    url, source = settings.webhook_url, "[webhooks] url"
    if key_ready and database_ready:
        stored = _stored_webhook_url(config, settings)
        if stored is not None:
            url, source = stored or None, "the URL set through the API"
    if not url:
        return Finding("webhook", OK, "no webhook URL set: award events are not sent")
    shown = redact_url(url)
    try:
        check_webhook_url(url, allow_private=settings.webhook_allow_private)
    except WebhookTargetRefused as error:
        return Finding("webhook", FAIL, f"{source} {shown}: {error}")
    if not settings.webhook_allow_private:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        try:
            resolve(str(parts.hostname), parts.port or 443)
        except WebhookTargetRefused as error:
            return Finding("webhook", WARN, f"{source} {shown}: {error}; deliveries will fail "
                           "until it does")
    return Finding("webhook", OK, f"{source} {shown} is an allowed target")


def _stored_webhook_url(config: Any, settings: Any) -> str | None:
    """The webhook URL stored through the API ('' when removed), None when none is stored
    or it cannot be read; reads without writing."""
    from engine.service.context import Service
    from engine.service.keys import SecretUnreadable, decrypt_secret
    from engine.service.stored_settings import WEBHOOK_URL
    from engine.storage.database import open_database
    from engine.storage.models import SettingRow

    database = open_database(settings.database_url)
    try:
        with database.sessions() as session:
            row = session.get(SettingRow, WEBHOOK_URL)
            stored = row.value if row is not None else None
        if stored is None:
            return None
        try:
            value, _rewrite = decrypt_secret(Service(database, settings, config=config), stored)
        except SecretUnreadable:
            return None
        return value
    except Exception:  # the database check already reported why it cannot be read
        return None
    finally:
        database.dispose()
