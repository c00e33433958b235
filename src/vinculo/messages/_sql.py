"""Portable pieces of SQL the message service needs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_ignoring_duplicates(
    conn: Connection, table: Any, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows, skipping those whose primary key is already there (``ON CONFLICT DO NOTHING``):
    two requests storing the same attachment, or marking the same message read, do not collide."""
    if not rows:
        return
    target: Table = table.__table__
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(target).values(list(rows)).on_conflict_do_nothing())
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite_insert(target).values(list(rows)).on_conflict_do_nothing())
    else:  # pragma: no cover - vinculo runs on SQLite and PostgreSQL only
        raise NotImplementedError(f"database {conn.dialect.name!r} is not supported")


def like_pattern(text: str) -> str:
    """``%text%`` for a case-folded ``LIKE … ESCAPE '\\'``, with the user's ``%``, ``_`` and ``\\``
    taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"
