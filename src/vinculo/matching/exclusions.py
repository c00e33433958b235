"""The over-correlation exclusion lists, for the administrator: values excluded automatically
(shared by too many records) and by hand. Adding one by hand is ``matching.hits.exclude_key``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, select

from vinculo.store.tables import KeyExclusion


def list_exclusions(
    conn: Connection, source: str, q: str = "", limit: int = 200
) -> tuple[list[Any], int]:
    """Exclusions of one source (``auto`` or ``manual``), most shared first, optionally those
    whose key contains ``q``; and how many there are in all."""
    stmt = select(KeyExclusion).where(KeyExclusion.source == source)
    counted = select(func.count()).select_from(KeyExclusion).where(KeyExclusion.source == source)
    if q:
        stmt = stmt.where(KeyExclusion.key.contains(q, autoescape=True))
        counted = counted.where(KeyExclusion.key.contains(q, autoescape=True))
    rows = list(
        conn.execute(stmt.order_by(KeyExclusion.holders.desc(), KeyExclusion.key).limit(limit))
    )
    return rows, int(conn.execute(counted).scalar_one())


def remove_exclusion(conn: Connection, key: str) -> str | None:
    """Remove an exclusion; its source (``auto``/``manual``), or None when there was none. An
    automatic one comes back when the value is next seen too often."""
    source = conn.execute(
        select(KeyExclusion.source).where(KeyExclusion.key == key)
    ).scalar_one_or_none()
    if source is not None:
        conn.execute(delete(KeyExclusion).where(KeyExclusion.key == key))
    return source
