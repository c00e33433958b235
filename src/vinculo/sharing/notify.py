"""Notifications: what a user or an agency should act on (a hit, a request, a decision, a
message, a deletion). They name objects by id and kind only, never carry personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from vinculo.store.tables import Notification, utcnow


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    id: int
    agency: str
    username: str | None
    kind: str
    ref_type: str
    ref_id: str
    data: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None


def notify(
    conn: Connection,
    agency: str,
    kind: str,
    ref_type: str,
    ref_id: str,
    *,
    username: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Tell ``username`` of ``agency`` (or, with no username, everyone there who may act)."""
    conn.execute(
        insert(Notification).values(
            agency_code=agency,
            username=username,
            kind=kind,
            ref_type=ref_type,
            ref_id=ref_id,
            data=data or {},
            created_at=utcnow(),
        )
    )


def for_user(
    conn: Connection, agency: str, username: str, unread_only: bool = True, limit: int = 100
) -> list[NotificationInfo]:
    stmt = select(Notification).where(
        Notification.agency_code == agency,
        or_(Notification.username.is_(None), Notification.username == username),
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = conn.execute(stmt.order_by(Notification.id.desc()).limit(limit)).all()
    return [
        NotificationInfo(
            r.id,
            r.agency_code,
            r.username,
            r.kind,
            r.ref_type,
            r.ref_id,
            dict(r.data or {}),
            r.created_at,
            r.read_at,
        )
        for r in rows
    ]


def count_unread(conn: Connection, agency: str, username: str) -> int:
    """How many notifications addressed to the user or to the whole agency are unread."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.agency_code == agency,
                or_(Notification.username.is_(None), Notification.username == username),
                Notification.read_at.is_(None),
            )
        ).scalar_one()
    )


def mark_read(conn: Connection, agency: str, username: str, ids: list[int]) -> int:
    """Mark notifications read; only those addressed to the user or to the whole agency."""
    result = conn.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.agency_code == agency,
            or_(Notification.username.is_(None), Notification.username == username),
            and_(Notification.read_at.is_(None)),
        )
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)
