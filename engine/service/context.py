"""The :class:`Service` object: database, settings, clock, extraction engine and job queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from engine.config import Config
from engine.core import Engine
from engine.storage.database import Database, open_database
from engine.storage.migrate import upgrade

from .settings import ServiceSettings, load_settings


class JobSink(Protocol):
    """Where the service puts jobs once their rows are committed (the huey queue)."""

    def enqueue_claim(self, claim_id: int, delay: float = 0.0) -> None: ...

    def enqueue_webhook(self, delivery_id: int, delay: float = 0.0) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class Service:
    """Everything the service functions need; one per process (or per test)."""

    def __init__(
        self,
        database: Database,
        settings: ServiceSettings,
        *,
        config: Config | None = None,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = utc_now,
        queue: JobSink | None = None,
    ) -> None:
        self.db = database
        self.settings = settings
        self.config = config or Config()
        self._engine = engine
        self.clock = clock
        self.queue = queue

    @classmethod
    def open(cls, config: Config | None = None, *, migrate: bool = True,
             engine: Engine | None = None, **overrides: object) -> Service:
        """Open the configured database (applying migrations) with the configured settings."""
        config = config or Config()
        settings = load_settings(config, **overrides)
        check_operations(config)
        database = open_database(settings.database_url)
        if migrate:
            upgrade(database)
        return cls(database, settings, config=config, engine=engine)

    @property
    def engine(self) -> Engine:
        """The extraction engine, built on first use (it loads the plugins)."""
        if self._engine is None:
            self._engine = Engine(self.config)
        return self._engine

    @engine.setter
    def engine(self, value: Engine) -> None:
        self._engine = value

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        self.db.dispose()


def check_operations(config: Config) -> None:
    """Apply ``[service] log_format`` and check ``[alerts]`` and ``[web] metrics_address``
    (issue 14), so that a wrong value stops start-up; raises ``ConfigurationError``."""
    from engine.logs import follow_config

    from .alerts import load_alert_settings
    from .metrics import parse_address

    where = str(config.path or "configuration")
    follow_config(config.section("service"), where)
    load_alert_settings(config)
    address = config.section("web").get("metrics_address")
    if address not in (None, ""):
        parse_address(address, f"{where} [web] metrics_address")
