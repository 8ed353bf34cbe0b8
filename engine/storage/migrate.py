"""Applying the Alembic migrations shipped in ``engine/storage/migrations``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from engine.errors import ServerUnavailable

from .database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent: a current schema is left alone).

    Raises :class:`~engine.errors.ServerUnavailable` when the database does not answer (the
    first connection of a command: a wrong ``[database] url``, a server down)."""
    config = alembic_config(database)
    try:
        connection = database.engine.connect()
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        shown = make_url(database.url).render_as_string(hide_password=True)
        raise ServerUnavailable(f"the database {shown} does not answer ({reason}); check "
                                "[database] url and that the server runs") from error
    with connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
