"""Hit → request → decision → release.

An agency that learns of another's record (through a hit, or a search answered hit-only) asks
its owner for disclosure, saying why (purpose), on what legal basis and how urgently. The owner's
supervisor approves in full, approves selected fields (a sanitised release), asks for more
information, or declines with a reason. Each step is kept as an event, tells the other side
(notifications) and goes into the audit log. What the requester then sees is decided by the
policy from the releases granted: this module never hands out record content itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from vinculo import audit
from vinculo.model.metadata import Role
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.sharing.notify import notify
from vinculo.store.entities import StoredEntity, get_entity
from vinculo.store.tables import (
    DisclosureEvent,
    DisclosureRequest,
    Entity,
    Hit,
    Release,
    utcnow,
)


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class Status(StrEnum):
    PENDING = "pending"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    #: The record was deleted by its owner before or after the decision.
    CLOSED = "closed"


class Decision(StrEnum):
    APPROVE = "approve"
    APPROVE_FIELDS = "approve_fields"
    ASK_INFO = "ask_info"
    DECLINE = "decline"


#: Time the owner has to answer. Immediate: a life at risk or an operation under way.
DEADLINES = {
    Urgency.ROUTINE: dt.timedelta(days=10),
    Urgency.URGENT: dt.timedelta(hours=48),
    Urgency.IMMEDIATE: dt.timedelta(hours=8),
}
OPEN = frozenset({Status.PENDING, Status.INFO_REQUESTED})


class DisclosureError(ValueError):
    """A request or decision that cannot be made, with the reason in words."""


class NotFound(LookupError):
    """No such request, or none the user's agency is party to (the same answer for both)."""


@dataclass(frozen=True, slots=True)
class RequestInfo:
    id: str
    entity_id: str | None
    hit_id: str | None
    schema: str
    owner_agency: str
    requesting_agency: str
    requested_by: str
    purpose: str
    legal_basis: str
    urgency: str
    fields_requested: list[str]
    status: str
    due_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None
    created_at: dt.datetime
    events: list[dict[str, Any]]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


def _info(conn: Connection, row: Any) -> RequestInfo:
    events = [
        {
            "kind": e.kind,
            "username": e.username,
            "agency": e.agency_code,
            "text": e.text,
            "at": e.created_at.isoformat(),
        }
        for e in conn.execute(
            select(DisclosureEvent)
            .where(DisclosureEvent.request_id == row.id)
            .order_by(DisclosureEvent.id)
        )
    ]
    return RequestInfo(
        id=row.id,
        entity_id=row.entity_id,
        hit_id=row.hit_id,
        schema=row.schema,
        owner_agency=row.owner_agency,
        requesting_agency=row.requesting_agency,
        requested_by=row.requested_by,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        urgency=row.urgency,
        fields_requested=list(row.fields_requested or []),
        status=row.status,
        due_at=row.due_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        created_at=row.created_at,
        events=events,
    )


def _event(
    conn: Connection, request_id: str, kind: str, user: UserInfo | None, text: str, now: dt.datetime
) -> None:
    conn.execute(
        insert(DisclosureEvent).values(
            request_id=request_id,
            kind=kind,
            username=user.username if user else None,
            agency_code=user.agency if user else None,
            text=text,
            created_at=now,
        )
    )


def _row(conn: Connection, user: UserInfo, request_id: str) -> Any:
    row = conn.execute(select(DisclosureRequest).where(DisclosureRequest.id == request_id)).first()
    if row is None or user.agency not in (row.owner_agency, row.requesting_agency):
        raise NotFound(request_id)
    return row


def releasable_fields(entity: StoredEntity) -> set[str]:
    return set(entity.proxy.schema.properties) | set(policy.RELEASABLE_META)


def request_disclosure(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    entity_id: str,
    *,
    purpose: str,
    legal_basis: str,
    urgency: Urgency | str = Urgency.ROUTINE,
    fields: list[str] | None = None,
    hit_id: str | None = None,
    now: dt.datetime | None = None,
) -> RequestInfo:
    now = now or utcnow()
    if not policy.works_with_records(user):
        raise PermissionError("role cannot request disclosure")
    records, ctx = policy.read_records(conn, user, [entity_id])
    if not records:
        raise NotFound(entity_id)
    entity = records[0]
    view = policy.decide(user, entity, ctx).view
    if view is policy.View.NONE:
        raise NotFound(entity_id)
    if entity.meta.agency == user.agency:
        raise DisclosureError("the record belongs to your own agency")
    if view is policy.View.FULL:
        raise DisclosureError("your agency already sees this record in full")
    if not purpose.strip() or not legal_basis.strip():
        raise DisclosureError("a purpose and a legal basis are required")
    urgency = Urgency(urgency)
    wanted = sorted(set(fields or []))
    unknown = set(wanted) - releasable_fields(entity)
    if unknown:
        raise DisclosureError(f"unknown fields for {entity.proxy.schema.name}: {sorted(unknown)}")
    if hit_id is not None:
        hit = conn.execute(select(Hit).where(Hit.id == hit_id)).first()
        if (
            hit is None
            or entity.id not in (hit.left_id, hit.right_id)
            or user.agency not in (hit.left_agency, hit.right_agency)
        ):
            raise DisclosureError("the hit does not connect your agency to this record")
    already = conn.execute(
        select(DisclosureRequest.id).where(
            DisclosureRequest.entity_id == entity.id,
            DisclosureRequest.requesting_agency == user.agency,
            DisclosureRequest.status.in_([s.value for s in OPEN]),
        )
    ).first()
    if already is not None:
        raise DisclosureError(f"your agency already has an open request for it: {already.id}")
    request_id = str(uuid.uuid4())
    conn.execute(
        insert(DisclosureRequest).values(
            id=request_id,
            entity_id=entity.id,
            hit_id=hit_id,
            schema=entity.proxy.schema.name,
            owner_agency=entity.meta.agency,
            requesting_agency=user.agency,
            requested_by=user.username,
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            urgency=urgency.value,
            fields_requested=wanted,
            status=Status.PENDING.value,
            due_at=now + DEADLINES[urgency],
            created_at=now,
            updated_at=now,
        )
    )
    _event(conn, request_id, "requested", user, purpose.strip(), now)
    notify(
        conn,
        entity.meta.agency,
        "disclosure.requested",
        "disclosure_request",
        request_id,
        data={"urgency": urgency.value, "from": user.agency},
    )
    audit.record(
        conn,
        actor,
        "disclosure.request",
        object_type="disclosure_request",
        object_id=request_id,
        purpose=purpose.strip(),
        details={"entity": entity.id, "urgency": urgency.value, "legal_basis": legal_basis},
    )
    return get_request(conn, user, request_id)


def get_request(conn: Connection, user: UserInfo, request_id: str) -> RequestInfo:
    return _info(conn, _row(conn, user, request_id))


def list_requests(
    conn: Connection,
    user: UserInfo,
    direction: str = "all",
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[RequestInfo]:
    """``incoming`` (for the user's agency to decide), ``outgoing`` (its own) or ``all``."""
    stmt = select(DisclosureRequest)
    if direction == "incoming":
        stmt = stmt.where(DisclosureRequest.owner_agency == user.agency)
    elif direction == "outgoing":
        stmt = stmt.where(DisclosureRequest.requesting_agency == user.agency)
    else:
        stmt = stmt.where(
            or_(
                DisclosureRequest.owner_agency == user.agency,
                DisclosureRequest.requesting_agency == user.agency,
            )
        )
    if status:
        stmt = stmt.where(DisclosureRequest.status == status)
    rows = conn.execute(
        stmt.order_by(DisclosureRequest.due_at, DisclosureRequest.id).limit(limit).offset(offset)
    ).all()
    return [_info(conn, r) for r in rows]


def decide(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    request_id: str,
    decision: Decision | str,
    *,
    fields: list[str] | None = None,
    reason: str = "",
    judicial_use: bool = False,
    now: dt.datetime | None = None,
) -> RequestInfo:
    """The owner's supervisor answers a request."""
    now = now or utcnow()
    decision = Decision(decision)
    row = _row(conn, user, request_id)
    if row.owner_agency != user.agency:
        raise PermissionError("only the record's owner agency decides")
    if Role.SUPERVISOR not in user.roles or not user.is_active:
        raise PermissionError("only a supervisor of the owner agency decides")
    if row.status not in OPEN:
        raise DisclosureError(f"the request is already {row.status}")
    entity = get_entity(conn, row.entity_id) if row.entity_id else None
    if entity is None:
        raise DisclosureError("the record no longer exists")
    new_status: Status
    if decision is Decision.ASK_INFO:
        if not reason.strip():
            raise DisclosureError("say what information is needed")
        new_status = Status.INFO_REQUESTED
    elif decision is Decision.DECLINE:
        if not reason.strip():
            raise DisclosureError("a declined request needs a reason")
        new_status = Status.DECLINED
    else:
        if decision is Decision.APPROVE:
            if policy.is_protected(entity):
                raise DisclosureError(
                    "the record concerns a victim, witness, informant or minor: "
                    "release it field by field"
                )
            granted = [policy.ALL_FIELDS]
            new_status = Status.APPROVED
        else:
            granted = sorted(set(fields or []))
            if not granted:
                raise DisclosureError("choose the fields to release")
            unknown = set(granted) - releasable_fields(entity)
            if unknown:
                raise DisclosureError(f"unknown fields: {sorted(unknown)}")
            new_status = Status.PARTIALLY_APPROVED
        conn.execute(
            insert(Release).values(
                entity_id=entity.id,
                agency_code=row.requesting_agency,
                request_id=request_id,
                fields=granted,
                judicial_use=judicial_use,
                granted_by=user.username,
                granted_at=now,
            )
        )
    final = new_status not in OPEN
    conn.execute(
        update(DisclosureRequest)
        .where(DisclosureRequest.id == request_id)
        .values(
            status=new_status.value,
            updated_at=now,
            decided_by=user.username if final else None,
            decided_at=now if final else None,
            decision_reason=reason.strip() or None,
        )
    )
    _event(conn, request_id, decision.value, user, reason.strip(), now)
    notify(
        conn,
        row.requesting_agency,
        f"disclosure.{new_status.value}",
        "disclosure_request",
        request_id,
        username=row.requested_by,
    )
    audit.record(
        conn,
        actor,
        "disclosure.decide",
        object_type="disclosure_request",
        object_id=request_id,
        details={
            "decision": decision.value,
            "entity": entity.id,
            "fields": fields or [],
            "judicial_use": judicial_use,
        },
    )
    return get_request(conn, user, request_id)


def _requester_step(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    request_id: str,
    *,
    allowed_from: frozenset[Status],
    to: Status,
    event: str,
    text: str,
    now: dt.datetime | None,
) -> RequestInfo:
    """A step the requesting agency takes on its own request; the owner is told and it is on the
    record."""
    now = now or utcnow()
    row = _row(conn, user, request_id)
    if row.requesting_agency != user.agency:
        raise PermissionError("only the requesting agency may do that")
    if row.status not in allowed_from:
        raise DisclosureError(f"not possible: the request is {row.status}")
    conn.execute(
        update(DisclosureRequest)
        .where(DisclosureRequest.id == request_id)
        .values(status=to.value, updated_at=now)
    )
    _event(conn, request_id, event, user, text.strip(), now)
    notify(conn, row.owner_agency, f"disclosure.{event}", "disclosure_request", request_id)
    audit.record(
        conn, actor, f"disclosure.{event}", object_type="disclosure_request", object_id=request_id
    )
    return get_request(conn, user, request_id)


def provide_info(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    request_id: str,
    text: str,
    now: dt.datetime | None = None,
) -> RequestInfo:
    """The requester answers the owner's question; the request is pending again."""
    if not text.strip():
        raise DisclosureError("the answer is empty")
    return _requester_step(
        conn, user, actor, request_id, allowed_from=frozenset({Status.INFO_REQUESTED}),
        to=Status.PENDING, event="info_provided", text=text, now=now,
    )  # fmt: skip


def withdraw(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    request_id: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RequestInfo:
    return _requester_step(
        conn, user, actor, request_id, allowed_from=OPEN, to=Status.WITHDRAWN,
        event="withdrawn", text=reason, now=now,
    )  # fmt: skip


def revoke_release(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    release_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> None:
    """The owner withdraws what it released (new information, a court order)."""
    now = now or utcnow()
    row = conn.execute(select(Release).where(Release.id == release_id)).first()
    entity = get_entity(conn, row.entity_id) if row else None
    if row is None or entity is None or entity.meta.agency != user.agency:
        raise NotFound(str(release_id))
    if Role.SUPERVISOR not in user.roles:
        raise PermissionError("only a supervisor of the owner agency revokes a release")
    conn.execute(update(Release).where(Release.id == release_id).values(revoked_at=now))
    notify(conn, row.agency_code, "release.revoked", "entity", row.entity_id)
    audit.record(
        conn,
        actor,
        "release.revoke",
        object_type="entity",
        object_id=row.entity_id,
        details={"release": release_id, "agency": row.agency_code, "reason": reason},
    )


def releases_for(conn: Connection, user: UserInfo, entity_id: str) -> list[dict[str, Any]]:
    """Every release of a record, for its owner's overview (others: LookupError, as if absent)."""
    owner = conn.execute(select(Entity.agency_code).where(Entity.id == entity_id)).scalar()
    if owner is None or owner != user.agency:
        raise LookupError(entity_id)
    if not policy.works_with_records(user):
        raise PermissionError("role without access to records")
    return [
        {
            "id": r.id,
            "agency": r.agency_code,
            "request_id": r.request_id,
            "fields": list(r.fields or []),
            "judicial_use": bool(r.judicial_use),
            "granted_by": r.granted_by,
            "granted_at": r.granted_at.isoformat(),
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in conn.execute(
            select(Release).where(Release.entity_id == entity_id).order_by(Release.id)
        )
    ]


def send_reminders(conn: Connection, now: dt.datetime | None = None) -> int:
    """Remind owners of open requests half-way to their deadline, and again when overdue.

    Idempotent: run it as often as you like (``vinculo requests remind`` from cron)."""
    now = now or utcnow()
    sent = 0
    rows = conn.execute(
        select(DisclosureRequest).where(
            DisclosureRequest.status == Status.PENDING.value,
        )
    ).all()
    for row in rows:
        halfway = row.created_at + (row.due_at - row.created_at) / 2
        kind: str | None = None
        if now >= row.due_at and (row.reminded_at is None or row.reminded_at < row.due_at):
            kind = "disclosure.overdue"
        elif now >= halfway and row.reminded_at is None:
            kind = "disclosure.reminder"
        if kind is None:
            continue
        notify(
            conn,
            row.owner_agency,
            kind,
            "disclosure_request",
            row.id,
            data={"due_at": row.due_at.isoformat(), "urgency": row.urgency},
        )
        if kind == "disclosure.overdue":
            notify(
                conn,
                row.requesting_agency,
                kind,
                "disclosure_request",
                row.id,
                username=row.requested_by,
                data={"due_at": row.due_at.isoformat()},
            )
        conn.execute(
            update(DisclosureRequest).where(DisclosureRequest.id == row.id).values(reminded_at=now)
        )
        _event(conn, row.id, kind.split(".")[1], None, "", now)
        sent += 1
    return sent


def count_waiting(conn: Connection, agency: str) -> int:
    """Disclosure requests the agency must act on: incoming ones to decide (``pending``), and
    its own ones on which the owner asked for more information (``info_requested``)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(DisclosureRequest)
            .where(
                or_(
                    and_(
                        DisclosureRequest.owner_agency == agency,
                        DisclosureRequest.status == Status.PENDING.value,
                    ),
                    and_(
                        DisclosureRequest.requesting_agency == agency,
                        DisclosureRequest.status == Status.INFO_REQUESTED.value,
                    ),
                )
            )
        ).scalar_one()
    )
