"""The migrations build exactly the tables, columns and indexes ``store/tables.py`` declares, so a
model change without its migration (or the reverse) fails here rather than on an upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import vinculo.graph  # noqa: F401 - registers the graph tables on the shared metadata
from vinculo.store.tables import Base

#: Full-text search made by raw SQL in the migrations, unknown to the models: SQLite's FTS5
#: tables, PostgreSQL's tsvector and trigram indexes.
RAW_SQL_TABLES = ("entity_fts",)
RAW_SQL_INDEXES = ("ix_entity_text_trgm", "ix_entity_text_tsv")


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    unexpected = [
        d
        for d in diff
        if not (d[0] == "remove_table" and d[1].name.startswith(RAW_SQL_TABLES))
        and not (d[0] == "remove_index" and d[1].name in RAW_SQL_INDEXES)
    ]
    assert not unexpected, unexpected
