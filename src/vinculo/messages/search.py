"""Search over the subjects and texts of the threads the user's agency takes part in.

A case-folded ``LIKE`` (the same on SQLite and PostgreSQL), with ``%`` and ``_`` in the query
taken literally. SQLite folds the case of ASCII letters only; accents are not folded on either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from vinculo import audit
from vinculo.messages._sql import like_pattern
from vinculo.messages.access import SEARCH, require_record_role
from vinculo.messages.drafts import PRIORITIES
from vinculo.messages.errors import Invalid
from vinculo.messages.reading import unread_by
from vinculo.model.metadata import HandlingCode
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import Message, MessageThread, ThreadParticipant

MAX_QUERY = 200
EXCERPT = 160


@dataclass(frozen=True, slots=True)
class Filters:
    priority: str | None = None
    handling_code: str | None = None
    hit_id: str | None = None
    unread_only: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    thread_id: str
    subject: str
    message_id: str
    sender: str
    sender_agency: str
    created_at: dt.datetime
    priority: str
    handling_code: str
    hit_id: str | None
    unread: bool
    #: Text around the first occurrence in the message (its start when the subject matched).
    excerpt: str


def _excerpt(body: str, query: str | None) -> str:
    at = body.lower().find(query.lower()) if query else -1
    start = max(0, at - EXCERPT // 3) if at >= 0 else 0
    text = body[start : start + EXCERPT]
    return ("…" if start else "") + text + ("…" if start + EXCERPT < len(body) else "")


def search(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    query: str | None,
    filters: Filters | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Found]:
    """Messages whose thread subject or text contains ``query`` (every message when None), newest
    first, in threads of the user's agency only."""
    require_record_role(user, SEARCH)
    filters = filters or Filters()
    query = (query or "").strip() or None
    if query and len(query) > MAX_QUERY:
        raise Invalid(f"query longer than {MAX_QUERY} characters", action=SEARCH)
    if filters.priority and filters.priority not in PRIORITIES:
        raise Invalid(f"priority: one of {', '.join(PRIORITIES)}", action=SEARCH)
    if filters.handling_code and filters.handling_code not in set(HandlingCode):
        raise Invalid("handling code: one of H0, H1, H2, H3", action=SEARCH)
    mine = select(ThreadParticipant.thread_id).where(ThreadParticipant.agency_code == user.agency)
    stmt = (
        select(
            Message, MessageThread.subject, MessageThread.hit_id, unread_by(user).label("unread")
        )
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .where(Message.thread_id.in_(mine))
    )
    if query:
        pattern = like_pattern(query)
        stmt = stmt.where(
            or_(
                func.lower(MessageThread.subject).like(pattern, escape="\\"),
                func.lower(Message.body).like(pattern, escape="\\"),
            )
        )
    if filters.priority:
        stmt = stmt.where(Message.priority == filters.priority)
    if filters.handling_code:
        stmt = stmt.where(Message.handling_code == filters.handling_code)
    if filters.hit_id:
        stmt = stmt.where(MessageThread.hit_id == filters.hit_id)
    if filters.unread_only:
        stmt = stmt.where(unread_by(user))
    rows = conn.execute(
        stmt.order_by(Message.created_at.desc(), Message.id).limit(limit).offset(offset)
    ).all()
    found = [
        Found(
            thread_id=r.thread_id, subject=r.subject, message_id=r.id, sender=r.sender,
            sender_agency=r.sender_agency, created_at=r.created_at, priority=r.priority,
            handling_code=r.handling_code, hit_id=r.hit_id, unread=bool(r.unread),
            excerpt=_excerpt(r.body, query),
        )
        for r in rows
    ]  # fmt: skip
    # Oversight needs the terms of a search, as for records.
    audit.record(
        conn,
        actor,
        SEARCH,
        details={
            "query": query,
            "priority": filters.priority,
            "handling_code": filters.handling_code,
            "hit": filters.hit_id,
            "unread_only": filters.unread_only,
            "results": len(found),
        },
    )
    return found
