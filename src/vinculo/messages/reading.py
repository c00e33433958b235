"""Reading: thread lists with unread counts, a thread with its messages, receipts and
acknowledgements, attachment downloads.

Opening a thread marks its incoming messages (those from other agencies) read for the user. The
sending agency sees who of which agency read and acknowledged each of its messages; a recipient
sees only their own receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, select, update

from vinculo import audit
from vinculo.messages import refs
from vinculo.messages._sql import insert_ignoring_duplicates
from vinculo.messages.access import (
    ACK,
    DOWNLOAD,
    LIST,
    READ,
    participants,
    require_record_role,
    thread_of_participant,
)
from vinculo.messages.attachments import (
    AttachmentInfo,
    Download,
    for_messages,
    is_executable,
    may_show_inline,
)
from vinculo.messages.drafts import pick_translation
from vinculo.messages.errors import Invalid, NotFound
from vinculo.messages.refs import HitRef
from vinculo.sharing.directory import UserInfo
from vinculo.sharing.notify import notify
from vinculo.store.tables import (
    Attachment,
    AttachmentBlob,
    Message,
    MessageReceipt,
    MessageThread,
    ThreadParticipant,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class Receipt:
    username: str
    agency: str
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Translation:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class MessageView:
    id: str
    thread_id: str
    sender: str
    sender_agency: str
    created_at: dt.datetime
    #: The original text, always.
    body: str
    language: str | None
    #: The sender's translation into the reader's language, beside the original; None when none.
    translation: Translation | None
    translations_available: list[str]
    handling_code: str
    handling_text: str | None
    evaluation: str
    priority: str
    #: From another agency: it can be read and acknowledged.
    incoming: bool
    #: Referenced records, each as the reader's policy shows it.
    entities: list[dict[str, Any]]
    unavailable_entities: list[str]
    hits: list[HitRef]
    attachments: list[AttachmentInfo]
    #: Everyone's receipts on the reader's agency's messages; the reader's own on others'.
    receipts: list[Receipt]


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    id: str
    subject: str
    hit_id: str | None
    participants: list[str]
    created_by: str
    created_agency: str
    handling_code: str
    handling_text: str | None
    priority: str
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: int
    unread: int


@dataclass(frozen=True, slots=True)
class ThreadView:
    thread: ThreadSummary
    messages: list[MessageView]


def unread_by(user: UserInfo) -> ColumnElement[bool]:
    """Condition on ``Message``: from another agency and not read by the user yet."""
    return and_(
        Message.sender_agency != user.agency,
        ~exists().where(
            MessageReceipt.message_id == Message.id,
            MessageReceipt.username == user.username,
            MessageReceipt.read_at.is_not(None),
        ),
    )


def _summaries(conn: Connection, user: UserInfo, rows: Sequence[Any]) -> list[ThreadSummary]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    counted = select(Message.thread_id, func.count(Message.id)).group_by(Message.thread_id)
    counts: dict[str, int] = {
        t: int(n) for t, n in conn.execute(counted.where(Message.thread_id.in_(ids)))
    }
    unread: dict[str, int] = {
        t: int(n)
        for t, n in conn.execute(counted.where(Message.thread_id.in_(ids), unread_by(user)))
    }
    members: dict[str, list[str]] = {i: [] for i in ids}
    for thread_id, agency in conn.execute(
        select(ThreadParticipant.thread_id, ThreadParticipant.agency_code)
        .where(ThreadParticipant.thread_id.in_(ids))
        .order_by(ThreadParticipant.agency_code)
    ):
        members[thread_id].append(agency)
    return [
        ThreadSummary(
            id=r.id, subject=r.subject, hit_id=r.hit_id, participants=members[r.id],
            created_by=r.created_by, created_agency=r.created_agency,
            handling_code=r.handling_code, handling_text=r.handling_text, priority=r.priority,
            created_at=r.created_at, updated_at=r.updated_at, messages=counts.get(r.id, 0),
            unread=unread.get(r.id, 0),
        )
        for r in rows
    ]  # fmt: skip


def list_threads(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    *,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[ThreadSummary]:
    """The threads of the user's agency, most recently active first."""
    require_record_role(user, LIST)
    stmt = (
        select(MessageThread)
        .join(ThreadParticipant, ThreadParticipant.thread_id == MessageThread.id)
        .where(ThreadParticipant.agency_code == user.agency)
    )
    if unread_only:
        stmt = stmt.where(exists().where(Message.thread_id == MessageThread.id, unread_by(user)))
    rows = conn.execute(
        stmt.order_by(MessageThread.updated_at.desc(), MessageThread.id).limit(limit).offset(offset)
    ).all()
    found = _summaries(conn, user, rows)
    audit.record(
        conn,
        actor,
        LIST,
        details={"count": len(found), "unread_only": unread_only, "offset": offset},
    )
    return found


def _receipts(conn: Connection, message_ids: list[str]) -> dict[str, list[Receipt]]:
    out: dict[str, list[Receipt]] = {m: [] for m in message_ids}
    if not message_ids:
        return out
    rows = conn.execute(
        select(MessageReceipt)
        .where(MessageReceipt.message_id.in_(message_ids))
        .order_by(MessageReceipt.agency_code, MessageReceipt.username)
    )
    for r in rows:
        out[r.message_id].append(Receipt(r.username, r.agency_code, r.read_at, r.acknowledged_at))
    return out


def _mark_read(conn: Connection, user: UserInfo, message_ids: list[str], now: dt.datetime) -> int:
    """Record that the user read these messages; returns how many they had not read before."""
    if not message_ids:
        return 0
    already = set(
        conn.execute(
            select(MessageReceipt.message_id).where(
                MessageReceipt.message_id.in_(message_ids),
                MessageReceipt.username == user.username,
                MessageReceipt.read_at.is_not(None),
            )
        ).scalars()
    )
    insert_ignoring_duplicates(
        conn,
        MessageReceipt,
        [
            {"message_id": m, "username": user.username, "agency_code": user.agency,
             "read_at": now, "acknowledged_at": None}
            for m in message_ids
            if m not in already
        ],
    )  # fmt: skip
    conn.execute(
        update(MessageReceipt)
        .where(
            MessageReceipt.message_id.in_(message_ids),
            MessageReceipt.username == user.username,
            MessageReceipt.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return len(set(message_ids) - already)


def open_thread(conn: Connection, user: UserInfo, actor: audit.Actor, thread_id: str) -> ThreadView:
    """A thread with all its messages, as the user may see them; marks them read."""
    require_record_role(user, READ, "message_thread", thread_id)
    thread, _ = thread_of_participant(conn, user, thread_id, READ)
    rows = conn.execute(
        select(Message)
        .where(Message.thread_id == thread_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    ids = [r.id for r in rows]
    incoming = [r.id for r in rows if r.sender_agency != user.agency]
    newly_read = _mark_read(conn, user, incoming, utcnow())
    receipts = _receipts(conn, ids)
    files = for_messages(conn, ids)
    shown = refs.present(
        conn,
        user,
        [e for r in rows for e in (r.refs or {}).get("entities", [])],
        [h for r in rows for h in (r.refs or {}).get("hits", [])],
    )
    messages: list[MessageView] = []
    for r in rows:
        translations = dict(r.translations or {})
        picked = pick_translation(translations, r.language, user.locale)
        entity_ids = list((r.refs or {}).get("entities", []))
        mine = r.sender_agency == user.agency
        messages.append(
            MessageView(
                id=r.id, thread_id=r.thread_id, sender=r.sender, sender_agency=r.sender_agency,
                created_at=r.created_at, body=r.body, language=r.language,
                translation=Translation(*picked) if picked else None,
                translations_available=sorted(translations),
                handling_code=r.handling_code, handling_text=r.handling_text,
                evaluation=f"{r.source_reliability}{r.information_credibility}",
                priority=r.priority, incoming=not mine,
                entities=[shown.entities[e] for e in entity_ids if e in shown.entities],
                unavailable_entities=[e for e in entity_ids if e in shown.unavailable],
                hits=[shown.hits[h] for h in (r.refs or {}).get("hits", []) if h in shown.hits],
                attachments=files[r.id],
                receipts=[
                    x for x in receipts[r.id] if mine or x.username == user.username
                ],
            )
        )  # fmt: skip
    (summary,) = _summaries(conn, user, [thread])
    audit.record(
        conn,
        actor,
        READ,
        object_type="message_thread",
        object_id=thread_id,
        details={
            "messages": len(rows),
            "newly_read": newly_read,
            "entities": sorted(shown.entities),
            "views": shown.views,
        },
    )
    return ThreadView(summary, messages)


def acknowledge(
    conn: Connection, user: UserInfo, actor: audit.Actor, thread_id: str, message_id: str
) -> Receipt:
    """The user confirms, explicitly, having received a message of another agency."""
    require_record_role(user, ACK, "message", message_id)
    thread_of_participant(conn, user, thread_id, ACK)
    row = conn.execute(
        select(Message.sender, Message.sender_agency).where(
            Message.id == message_id, Message.thread_id == thread_id
        )
    ).first()
    if row is None:
        raise NotFound("no such message", action=ACK, object_type="message", object_id=message_id)
    if row.sender_agency == user.agency:
        raise Invalid(
            "a message is acknowledged by its recipients, not by its sender's agency",
            action=ACK,
            object_type="message",
            object_id=message_id,
        )
    now = utcnow()
    _mark_read(conn, user, [message_id], now)
    first = conn.execute(
        update(MessageReceipt)
        .where(
            MessageReceipt.message_id == message_id,
            MessageReceipt.username == user.username,
            MessageReceipt.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now)
    ).rowcount
    receipt = conn.execute(
        select(MessageReceipt).where(
            MessageReceipt.message_id == message_id, MessageReceipt.username == user.username
        )
    ).one()
    if first:
        notify(
            conn,
            row.sender_agency,
            "message.ack",
            "message_thread",
            thread_id,
            username=row.sender,
            data={"message": message_id, "by_agency": user.agency},
        )
    audit.record(
        conn,
        actor,
        ACK,
        object_type="message",
        object_id=message_id,
        details={"thread": thread_id, "sender_agency": row.sender_agency, "first": bool(first)},
    )
    return Receipt(receipt.username, receipt.agency_code, receipt.read_at, receipt.acknowledged_at)


def download(
    conn: Connection, user: UserInfo, actor: audit.Actor, attachment_id: int, inline: bool = False
) -> Download:
    """An attachment of a thread the user's agency takes part in. ``inline`` is honoured only for
    the safe image types; anything else is a download."""
    require_record_role(user, DOWNLOAD, "attachment", str(attachment_id))
    row = conn.execute(
        select(Attachment, Message.thread_id)
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None or user.agency not in participants(conn, row.thread_id):
        raise NotFound(
            "no such attachment",
            action=DOWNLOAD,
            object_type="attachment",
            object_id=str(attachment_id),
            reason="not found" if row is None else "agency not a participant",
        )
    data = conn.execute(
        select(AttachmentBlob.data).where(AttachmentBlob.sha256 == row.sha256)
    ).scalar_one()
    shown_inline = may_show_inline(row.mime, inline)
    info = AttachmentInfo(
        id=row.id, filename=row.filename, mime=row.mime, size=row.size, sha256=row.sha256,
        executable=is_executable(row.mime), inline_allowed=may_show_inline(row.mime, True),
    )  # fmt: skip
    audit.record(
        conn,
        actor,
        DOWNLOAD,
        object_type="attachment",
        object_id=str(attachment_id),
        details={
            "thread": row.thread_id,
            "message": row.message_id,
            "sha256": row.sha256,
            "mime": row.mime,
            "inline": shown_inline,
        },
    )
    return Download(info, bytes(data), row.message_id, row.thread_id, shown_inline)
