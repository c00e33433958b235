"""The audit log, for the data-protection officer: search and verification. Read-only."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from vinculo import audit
from vinculo.api.deps import Conn, CurrentUser, actor_of, deny
from vinculo.model.metadata import Role

router = APIRouter(tags=["audit"])


class EntryOut(BaseModel):
    seq: int
    at: str
    username: str | None
    agency: str | None
    action: str
    object_type: str | None
    object_id: str | None
    purpose: str | None
    outcome: str
    origin: str | None
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str


class ProblemOut(BaseModel):
    seq: int
    kind: str
    message: str


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[ProblemOut]


def _require_dpo(request: Request, user: Any, action: str) -> None:
    if Role.DPO not in user.roles:
        deny(request, user, action, 403, "only the data-protection officer reads the audit log")


@router.get("/audit", response_model=list[EntryOut])
def search(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    username: Annotated[str | None, Query(max_length=120)] = None,
    agency: Annotated[str | None, Query(max_length=32)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=200)] = None,
    outcome: Annotated[str | None, Query(pattern="^(ok|denied|failed)$")] = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EntryOut]:
    """Entries newest first. Reading the log is itself logged."""
    _require_dpo(request, user, "audit.search")
    query = audit.Query(username, agency, action, object_id, outcome, since, until)
    found = audit.search(conn, query, limit, offset)
    audit.record(
        conn,
        actor_of(request, user),
        "audit.search",
        details={
            "username": username,
            "agency": agency,
            "action": action,
            "object_id": object_id,
            "outcome": outcome,
            "count": len(found),
        },
    )
    return [EntryOut.model_validate(e.as_dict()) for e in found]


@router.get("/audit/verify", response_model=VerificationOut)
def verify(request: Request, conn: Conn, user: CurrentUser) -> VerificationOut:
    """Recompute the hash chain; every altered, removed or reordered entry is named."""
    _require_dpo(request, user, "audit.verify")
    result = audit.verify(conn)
    audit.record(
        conn,
        actor_of(request, user),
        "audit.verify",
        outcome="ok" if result.ok else "failed",
        details={"entries": result.entries, "problems": len(result.problems)},
    )
    return VerificationOut(
        ok=result.ok,
        entries=result.entries,
        head_seq=result.head_seq,
        head_hash=result.head_hash,
        problems=[ProblemOut(seq=p.seq, kind=p.kind, message=p.message) for p in result.problems],
    )
