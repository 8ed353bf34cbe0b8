"""The Alembic migrations build exactly the tables the models declare (SQLite and PostgreSQL),
so that a database created by ``init`` and one the code expects never drift apart."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.storage.database import open_database
from engine.storage.migrate import upgrade
from engine.storage.models import Base


def test_migrations_match_the_models(setup: dict[str, str]) -> None:
    database = open_database(setup["database_url"])
    try:
        upgrade(database)
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        database.engine.dispose()
