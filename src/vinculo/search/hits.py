"""Hits of one agency, filtered and paged, for the hits inbox and the entity profile.

Only the hit rows (ids, agencies, score, explanation, status): the two records are read by the
caller through ``sharing.policy``, and judgements go through ``matching.hits.judge``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select

from vinculo.matching.hits import STATUSES
from vinculo.store.tables import Hit, HitJudgement


@dataclass(frozen=True, slots=True)
class HitRow:
    id: str
    #: The side of the agency looking at it, and the other side.
    own_id: str
    other_id: str
    other_agency: str
    schema: str
    score: float
    status: str
    explanation: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


def _row(row: Any, agency: str) -> HitRow:
    mine_left = row.left_agency == agency
    return HitRow(
        id=row.id,
        own_id=row.left_id if mine_left else row.right_id,
        other_id=row.right_id if mine_left else row.left_id,
        other_agency=row.right_agency if mine_left else row.left_agency,
        schema=row.schema,
        score=float(row.score),
        status=row.status,
        explanation=[str(e) for e in row.explanation or []],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _mine(agency: str) -> Any:
    return or_(Hit.left_agency == agency, Hit.right_agency == agency)


def list_hits(
    conn: Connection,
    agency: str,
    *,
    status: str | None = None,
    schema: str | None = None,
    other_agency: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[HitRow], int]:
    """The agency's hits, best score first, and how many there are in all."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    conditions: list[Any] = [_mine(agency)]
    if status:
        conditions.append(Hit.status == status)
    if schema:
        conditions.append(Hit.schema == schema)
    if other_agency:
        conditions.append(
            or_(
                (Hit.left_agency == agency) & (Hit.right_agency == other_agency),
                (Hit.right_agency == agency) & (Hit.left_agency == other_agency),
            )
        )
    if entity_id:
        conditions.append(or_(Hit.left_id == entity_id, Hit.right_id == entity_id))
    total = int(conn.execute(select(func.count()).select_from(Hit).where(*conditions)).scalar_one())
    rows = conn.execute(
        select(Hit)
        .where(*conditions)
        .order_by(Hit.score.desc(), Hit.id)
        .limit(limit)
        .offset(offset)
    )
    return [_row(r, agency) for r in rows], total


def get_hit(conn: Connection, agency: str, hit_id: str) -> HitRow | None:
    """One hit of the agency; None for a hit that does not exist or belongs to others."""
    row = conn.execute(select(Hit).where(Hit.id == hit_id, _mine(agency))).first()
    return _row(row, agency) if row is not None else None


def other_agencies(conn: Connection, agency: str) -> list[str]:
    """The agencies the agency shares hits with, for the inbox's filter."""
    rows = conn.execute(select(Hit.left_agency, Hit.right_agency).where(_mine(agency)).distinct())
    return sorted({code for pair in rows for code in pair if code != agency})


@dataclass(frozen=True, slots=True)
class Judgement:
    username: str
    agency: str
    status: str
    note: str
    created_at: dt.datetime


def judgements(conn: Connection, hit_ids: Sequence[str]) -> dict[str, list[Judgement]]:
    """Who judged each hit, how and when, oldest first."""
    out: dict[str, list[Judgement]] = {}
    if not hit_ids:
        return out
    rows = conn.execute(
        select(HitJudgement)
        .where(HitJudgement.hit_id.in_(list(hit_ids)))
        .order_by(HitJudgement.created_at, HitJudgement.id)
    )
    for row in rows:
        out.setdefault(row.hit_id, []).append(
            Judgement(row.username, row.agency_code, row.status, row.note, row.created_at)
        )
    return out
