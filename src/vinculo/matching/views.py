"""Hits as a user may see them: their own record in full, the other agency's through the policy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import Hit


def hits_for_user(
    conn: Connection, user: UserInfo, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    stmt = (
        select(Hit)
        .where(or_(Hit.left_agency == user.agency, Hit.right_agency == user.agency))
        .order_by(Hit.score.desc(), Hit.id)
        .limit(limit)
        .offset(offset)
    )
    if status:
        stmt = stmt.where(Hit.status == status)
    rows = list(conn.execute(stmt))
    records, ctx = policy.read_records(
        conn, user, {i for r in rows for i in (r.left_id, r.right_id)}
    )
    entities = {e.id: e for e in records}
    out: list[dict[str, Any]] = []
    for row in rows:
        mine, theirs = (
            (row.left_id, row.right_id)
            if row.left_agency == user.agency
            else (row.right_id, row.left_id)
        )
        own = entities.get(mine)
        other = entities.get(theirs)
        if own is None or other is None:
            continue
        shown = policy.present(user, other, ctx)
        contacts = ctx.contact_points.get(other.meta.agency, {})
        contact = next((contacts[m.value] for m in own.meta.markets if m.value in contacts), None)
        out.append(
            {
                "id": row.id,
                "schema": row.schema,
                "score": round(float(row.score), 4),
                "status": row.status,
                "explanation": list(row.explanation),
                "own": policy.present(user, own, ctx).data,
                "other": shown.data,
                "other_contact": contact or next(iter(contacts.values()), None),
                "created_at": row.created_at.isoformat(),
            }
        )
    return out


def count_new_hits(conn: Connection, agency: str) -> int:
    """Hits involving the agency that nobody has judged yet (status ``new``)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Hit)
            .where(
                or_(Hit.left_agency == agency, Hit.right_agency == agency),
                Hit.status == "new",
            )
        ).scalar_one()
    )
