"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any entry breaks the chain from that point on, and ``verify`` says where. The newest
entry's number and hash are also kept in ``audit_head``, which catches a log cut short at its end;
an operator who keeps the head (``vinculo audit head``) somewhere else can prove even a rewrite of
the whole tail. The database refuses UPDATE and DELETE on the log (triggers); vinculo has no code
path that edits it.

Entries never carry personal data: they name records by id, users by username, and say what was
done, by whom, from where and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, insert, select, update

from vinculo.store.tables import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64
#: Outcomes an entry may record.
OUTCOMES = ("ok", "denied", "failed")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts and from where: a user of an agency over HTTP, or an operator at the CLI."""

    username: str | None
    agency: str | None
    origin: str | None = None


SYSTEM = Actor(None, None, "system")


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: dt.datetime
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "username": self.username,
            "agency": self.agency,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "origin": self.origin,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }


def _timestamp(at: dt.datetime) -> str:
    # Microseconds and UTC spelled out: both databases return the same instant, and the hash
    # must not depend on how a driver renders it.
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    username: str | None,
    agency: str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    purpose: str | None,
    outcome: str,
    origin: str | None,
    details: Mapping[str, Any],
) -> str:
    payload = orjson.dumps(
        [
            prev_hash,
            seq,
            _timestamp(at),
            username,
            agency,
            action,
            object_type,
            object_id,
            purpose,
            outcome,
            origin,
            details,
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(payload).hexdigest()


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    purpose: str | None = None,
    outcome: str = "ok",
    details: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Append one entry in the caller's transaction (it stands or falls with the act it records);
    returns its sequence number."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    at = at or utcnow()
    # Bump the head first: the row lock (PostgreSQL) or write lock (SQLite) taken here queues
    # other writers of the log until this transaction ends, so two entries never share a number.
    bumped = conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    if bumped.rowcount != 1:
        raise RuntimeError(
            "the audit log has no head row: the database was not migrated or was tampered with"
        )
    head = conn.execute(select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == 1)).one()
    seq = int(head.seq)
    prev_hash = str(head.entry_hash)
    clean = _jsonable(dict(details or {}))
    digest = entry_digest(
        prev_hash,
        seq,
        at,
        actor.username,
        actor.agency,
        action,
        object_type,
        object_id,
        purpose,
        outcome,
        actor.origin,
        clean,
    )
    conn.execute(
        insert(AuditEntry).values(
            seq=seq,
            at=at,
            username=actor.username,
            agency_code=actor.agency,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=purpose,
            outcome=outcome,
            origin=actor.origin,
            details=clean,
            prev_hash=prev_hash,
            entry_hash=digest,
        )
    )
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(entry_hash=digest))
    return seq


_INT64 = 2**63


def _jsonable(value: Any) -> Any:
    """Details as plain JSON the hash can cover: what a client sent may be anything (an integer
    beyond 64 bits, a date), and must not make the refusal itself fail."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else str(value)
    return str(value)


def record_now(engine: Engine, actor: Actor, action: str, **kwargs: Any) -> int:
    """Append one entry in a transaction of its own: for refusals, which must be on the record
    even though the request that caused them fails and is rolled back."""
    with engine.begin() as conn:
        return record(conn, actor, action, **kwargs)


def _entry(row: Any) -> Entry:
    return Entry(
        seq=int(row.seq),
        at=row.at,
        username=row.username,
        agency=row.agency_code,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        purpose=row.purpose,
        outcome=row.outcome,
        origin=row.origin,
        details=dict(row.details or {}),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def iter_entries(conn: Connection, batch: int = 5000) -> Iterator[Entry]:
    last = 0
    while True:
        rows = conn.execute(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        last = int(rows[-1].seq)


def _seq_of(conn: Connection, entry_hash: str) -> int | None:
    found = conn.execute(
        select(AuditEntry.seq).where(AuditEntry.entry_hash == entry_hash)
    ).scalar_one_or_none()
    return int(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    #: ``altered``, ``removed``, ``reordered``, ``inserted`` or ``truncated``.
    kind: str
    message: str


@dataclass(slots=True)
class Verification:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, expected_head: str | None = None) -> Verification:
    """Recompute the chain from the first entry; name every entry where it breaks and why.

    ``expected_head`` is a head hash kept outside the database (``vinculo audit head``): the log
    must still contain it, or the entries after it were rewritten.
    """
    result = Verification()
    prev_hash = GENESIS
    expected_seq = 1
    for entry in iter_entries(conn):
        result.entries += 1
        recomputed = entry_digest(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.username,
            entry.agency,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.purpose,
            entry.outcome,
            entry.origin,
            entry.details,
        )
        if recomputed != entry.entry_hash:
            result.problems.append(
                Problem(entry.seq, "altered", f"entry {entry.seq}: content does not match its hash")
            )
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                missing = (
                    str(expected_seq)
                    if entry.seq == expected_seq + 1
                    else f"{expected_seq}–{entry.seq - 1}"
                )
                result.problems.append(
                    Problem(entry.seq, "removed", f"entries {missing} missing before {entry.seq}")
                )
        elif entry.prev_hash != prev_hash:
            # Looked up only when the chain breaks: the log may be far larger than memory.
            before = _seq_of(conn, entry.prev_hash)
            if before is not None:
                result.problems.append(
                    Problem(
                        entry.seq,
                        "reordered",
                        f"entry {entry.seq} follows entry {before}, not entry {entry.seq - 1}",
                    )
                )
            else:
                result.problems.append(
                    Problem(
                        entry.seq,
                        "inserted",
                        f"entry {entry.seq}: its predecessor is not in the log "
                        "(an entry before it was replaced or removed)",
                    )
                )
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
    head = conn.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == 1)
    ).first()
    last_seq = expected_seq - 1
    if head is None:
        result.problems.append(Problem(last_seq, "truncated", "the log's head row is missing"))
        return result
    result.head_seq = int(head.seq)
    result.head_hash = str(head.entry_hash)
    if result.head_seq != last_seq or result.head_hash != prev_hash:
        result.problems.append(
            Problem(
                last_seq,
                "truncated",
                f"the log ends at entry {last_seq} but its head says {result.head_seq}: "
                "entries at the end were removed or the head was changed",
            )
        )
    if expected_head and expected_head != GENESIS and _seq_of(conn, expected_head) is None:
        result.problems.append(
            Problem(
                last_seq,
                "truncated",
                "the head hash kept outside the database is not in the log: "
                "entries were removed or rewritten",
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class Query:
    username: str | None = None
    agency: str | None = None
    action: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def search(conn: Connection, query: Query, limit: int = 100, offset: int = 0) -> list[Entry]:
    """Newest first; every condition given must hold."""
    stmt = select(AuditEntry)
    if query.username:
        stmt = stmt.where(AuditEntry.username == query.username)
    if query.agency:
        stmt = stmt.where(AuditEntry.agency_code == query.agency)
    if query.action:
        # A family of actions: ``entity`` matches ``entity.read`` and ``entity.search``.
        stmt = stmt.where(
            (AuditEntry.action == query.action) | AuditEntry.action.startswith(query.action + ".")
        )
    if query.object_id:
        stmt = stmt.where(AuditEntry.object_id == query.object_id)
    if query.outcome:
        stmt = stmt.where(AuditEntry.outcome == query.outcome)
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    rows = conn.execute(stmt.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)).all()
    return [_entry(r) for r in rows]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())
