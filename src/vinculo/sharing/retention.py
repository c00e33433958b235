"""Review and retention: records past their review-by date are kept only if their owner says why.

The owner lists what is due, then extends a record (with a reason, up to ``MAX_EXTENSION`` at a
time) or deletes it. A deletion reaches everything made from the record: its hits disappear, its
releases with them, open disclosure requests about it are closed, agencies that received it in an
export are told to delete it, and the audit log keeps that it happened — the record's id, schema
and owner, never its content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from vinculo import audit
from vinculo.model.metadata import Role
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.sharing.notify import notify
from vinculo.store.tables import (
    DisclosureEvent,
    DisclosureRequest,
    Entity,
    EntityText,
    ExportLog,
    Hit,
    Release,
    utcnow,
)

#: Europol's rule: a record is kept for at most three more years per review.
MAX_EXTENSION = dt.timedelta(days=3 * 366)
DELETERS = frozenset({Role.SUPERVISOR})


class RetentionError(ValueError):
    """An extension or deletion that cannot be made, with the reason in words."""


@dataclass(frozen=True, slots=True)
class DueRecord:
    id: str
    schema: str
    caption: str
    review_by: dt.date
    markets: list[str]


def due_for_review(
    conn: Connection, user: UserInfo, today: dt.date | None = None, limit: int = 500
) -> list[DueRecord]:
    """The user's agency's records whose review date has come, oldest first."""
    if not policy.works_with_records(user):
        raise PermissionError("role without access to records")
    today = today or dt.date.today()
    rows = conn.execute(
        select(Entity.id, Entity.schema, Entity.caption, Entity.review_by, Entity.markets)
        .where(Entity.agency_code == user.agency, Entity.review_by <= today)
        .order_by(Entity.review_by, Entity.id)
        .limit(limit)
    )
    return [DueRecord(r.id, r.schema, r.caption, r.review_by, list(r.markets or [])) for r in rows]


def count_due(conn: Connection, agency: str, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return int(
        conn.execute(
            select(func.count())
            .select_from(Entity)
            .where(Entity.agency_code == agency, Entity.review_by <= today)
        ).scalar_one()
    )


def _owned(conn: Connection, user: UserInfo, entity_id: str) -> Any:
    row = conn.execute(
        select(Entity.id, Entity.schema, Entity.agency_code, Entity.review_by).where(
            Entity.id == entity_id
        )
    ).first()
    if row is None or row.agency_code != user.agency or not policy.works_with_records(user):
        raise LookupError(entity_id)
    return row


def extend_review(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    entity_id: str,
    new_date: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> None:
    today = today or dt.date.today()
    row = _owned(conn, user, entity_id)
    if not reason.strip():
        raise RetentionError("say why the record is still needed")
    if new_date <= today:
        raise RetentionError("the new review date must be in the future")
    if new_date - today > MAX_EXTENSION:
        raise RetentionError("a record is extended by at most three years at a time")
    conn.execute(
        update(Entity).where(Entity.id == entity_id).values(review_by=new_date, updated_at=utcnow())
    )
    audit.record(
        conn,
        actor,
        "entity.review.extend",
        object_type="entity",
        object_id=entity_id,
        purpose=reason.strip(),
        details={
            "schema": row.schema,
            "from": row.review_by.isoformat() if row.review_by else None,
            "to": new_date.isoformat(),
        },
    )


@dataclass(frozen=True, slots=True)
class DeletionReport:
    entity_id: str
    hits_removed: int
    releases_removed: int
    requests_closed: int
    exports_notified: int


def delete_record(
    conn: Connection, user: UserInfo, actor: audit.Actor, entity_id: str, reason: str
) -> DeletionReport:
    """Delete a record of the user's agency and everything made from it (one transaction)."""
    row = _owned(conn, user, entity_id)
    if not DELETERS & set(user.roles):
        raise PermissionError("only a supervisor deletes records")
    if not reason.strip():
        raise RetentionError("say why the record is deleted")
    now = utcnow()
    hits = conn.execute(
        select(Hit.id, Hit.left_agency, Hit.right_agency).where(
            (Hit.left_id == entity_id) | (Hit.right_id == entity_id)
        )
    ).all()
    for hit in hits:
        for agency in {hit.left_agency, hit.right_agency} - {user.agency}:
            notify(conn, agency, "hit.withdrawn", "hit", hit.id)
    releases = conn.execute(
        select(Release.id, Release.agency_code).where(Release.entity_id == entity_id)
    ).all()
    for agency in {r.agency_code for r in releases}:
        notify(conn, agency, "record.deleted", "entity", entity_id)
    open_requests = conn.execute(
        select(DisclosureRequest.id, DisclosureRequest.requesting_agency).where(
            DisclosureRequest.entity_id == entity_id,
            DisclosureRequest.status.in_(["pending", "info_requested"]),
        )
    ).all()
    for request in open_requests:
        conn.execute(
            update(DisclosureRequest)
            .where(DisclosureRequest.id == request.id)
            .values(status="closed", updated_at=now, decision_reason="record deleted by its owner")
        )
        conn.execute(
            insert(DisclosureEvent).values(
                request_id=request.id,
                kind="record_deleted",
                username=user.username,
                agency_code=user.agency,
                text="",
                created_at=now,
            )
        )
        notify(
            conn, request.requesting_agency, "disclosure.closed", "disclosure_request", request.id
        )
    exports = conn.execute(
        select(ExportLog.export_id, ExportLog.agency_code, ExportLog.username).where(
            ExportLog.entity_id == entity_id
        )
    ).all()
    for export in exports:
        # The export left vinculo; its maker is told to delete the record from it.
        notify(
            conn,
            export.agency_code,
            "export.record_deleted",
            "export",
            export.export_id,
            username=export.username,
            data={"entity": entity_id},
        )
    conn.execute(delete(Release).where(Release.entity_id == entity_id))
    conn.execute(delete(Hit).where((Hit.left_id == entity_id) | (Hit.right_id == entity_id)))
    conn.execute(delete(EntityText).where(EntityText.entity_id == entity_id))
    conn.execute(delete(Entity).where(Entity.id == entity_id))
    audit.record(
        conn,
        actor,
        "entity.delete",
        object_type="entity",
        object_id=entity_id,
        purpose=reason.strip(),
        details={
            "schema": row.schema,
            "owner": user.agency,
            "hits": len(hits),
            "releases": len(releases),
            "requests_closed": len(open_requests),
            "exports": len({e.export_id for e in exports}),
        },
    )
    return DeletionReport(
        entity_id, len(hits), len(releases), len(open_requests), len({e.export_id for e in exports})
    )
