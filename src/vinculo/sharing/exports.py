"""Exports of records a user may see, for their own work or for a judicial package.

Every export goes through the policy (a record is exported as the user sees it: whole, as
released, or not at all), is logged record by record (so that a later deletion reaches the
export's maker) and audited. H1 records of other agencies go into a judicial package only with
the owner's permission (a release granted with ``judicial_use``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert

from vinculo import audit
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import ExportLog, utcnow


@dataclass(slots=True)
class ExportResult:
    export_id: str
    records: list[dict[str, Any]] = field(default_factory=list)
    #: entity id -> why it was left out.
    refused: dict[str, str] = field(default_factory=dict)


def export_records(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    entity_ids: list[str],
    purpose: str,
    judicial: bool = False,
) -> ExportResult:
    if not policy.works_with_records(user):
        raise PermissionError("role without access to records")
    if not purpose.strip():
        raise ValueError("an export needs a purpose")
    result = ExportResult(str(uuid.uuid4()))
    records, ctx = policy.read_records(conn, user, dict.fromkeys(entity_ids))
    entities = {e.id: e for e in records}
    now = utcnow()
    for entity_id in dict.fromkeys(entity_ids):
        entity = entities.get(entity_id)
        if entity is None:
            result.refused[entity_id] = "no such record"
            continue
        shown = policy.present(user, entity, ctx)
        if shown.view in (policy.View.NONE, policy.View.HIT_ONLY):
            result.refused[entity_id] = (
                "no such record"
                if shown.view is policy.View.NONE
                else ("only a hit: ask the owner for disclosure")
            )
            continue
        if judicial and not policy.may_use_judicially(user, entity, ctx):
            result.refused[entity_id] = (
                "H1: not for judicial proceedings without the owner's permission"
            )
            continue
        result.records.append(shown.data)
        conn.execute(
            insert(ExportLog).values(
                export_id=result.export_id,
                entity_id=entity_id,
                agency_code=user.agency,
                username=user.username,
                created_at=now,
            )
        )
    audit.record(
        conn,
        actor,
        "export.judicial" if judicial else "export",
        object_type="export",
        object_id=result.export_id,
        purpose=purpose.strip(),
        details={
            "records": [r["id"] for r in result.records],
            "refused": result.refused,
        },
    )
    return result
