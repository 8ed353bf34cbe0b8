"""Storage of the missions service: SQLAlchemy models, database opening and migrations."""
