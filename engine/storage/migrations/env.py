"""Alembic environment: runs on the connection that :func:`engine.storage.migrate.upgrade` gives."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from engine.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # ``alembic`` command line use (revision --autogenerate by a developer).
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as fresh:
            _migrate(fresh)
            fresh.commit()
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
