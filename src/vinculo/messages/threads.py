"""Sending: opening a thread with other agencies, replying in one, threading by hit.

Everything a message carries (text, handling code, evaluation, references, attachments) is checked
before anything is written, and all of it is written in the caller's transaction: a refused or
failed send leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from vinculo import audit
from vinculo.messages import attachments, refs
from vinculo.messages.access import SEND, participants, require_record_role, thread_of_participant
from vinculo.messages.attachments import AttachmentInfo, Prepared
from vinculo.messages.drafts import (
    MAX_RECIPIENTS,
    MAX_SUBJECT,
    CleanDraft,
    Draft,
    clean,
    priority_rank,
)
from vinculo.messages.errors import Invalid
from vinculo.sharing.directory import UserInfo
from vinculo.sharing.notify import notify
from vinculo.store.tables import Agency, Hit, Message, MessageThread, ThreadParticipant, utcnow


@dataclass(frozen=True, slots=True)
class Sent:
    thread_id: str
    message_id: str
    #: False when the message went into the thread that already exists about the same hit.
    created: bool
    participants: list[str]
    attachments: list[AttachmentInfo]


@dataclass(frozen=True, slots=True)
class _Checked:
    draft: CleanDraft
    entities: list[str]
    hits: list[str]
    files: list[Prepared]


def _check(
    conn: Connection, user: UserInfo, agencies: Sequence[str], draft: Draft, action: str
) -> _Checked:
    cleaned = clean(draft, action)
    entities, hits = refs.check(conn, user, agencies, draft.entity_refs, draft.hit_refs, action)
    files = attachments.prepare(list(draft.attachments), action)
    return _Checked(cleaned, entities, hits, files)


def recipient_agencies(conn: Connection, user: UserInfo, recipients: Iterable[str]) -> list[str]:
    """Recipient agency codes, deduplicated, the sender's own left out; each must exist."""
    codes = list(dict.fromkeys(r.strip().upper() for r in recipients if r and r.strip()))
    codes = [c for c in codes if c != user.agency]
    if not codes:
        raise Invalid("name at least one recipient agency other than your own", action=SEND)
    if len(codes) > MAX_RECIPIENTS:
        raise Invalid(f"at most {MAX_RECIPIENTS} recipient agencies", action=SEND)
    known = set(conn.execute(select(Agency.code).where(Agency.code.in_(codes))).scalars())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(f"unknown agency {', '.join(unknown)}", action=SEND)
    return codes


def thread_for_hit(conn: Connection, hit_id: str, agencies: Iterable[str]) -> str | None:
    """The thread about ``hit_id`` between exactly these agencies, if there is one (the oldest)."""
    pair = set(agencies)
    candidates = conn.execute(
        select(MessageThread.id)
        .where(MessageThread.hit_id == hit_id)
        .order_by(MessageThread.created_at, MessageThread.id)
    ).scalars()
    for thread_id in list(candidates):
        if set(participants(conn, thread_id)) == pair:
            return str(thread_id)
    return None


def _check_hit_thread(conn: Connection, user: UserInfo, hit_id: str, to: list[str]) -> None:
    """A thread about a hit is between the hit's two agencies, opened by one of them."""
    row = conn.execute(select(Hit.left_agency, Hit.right_agency).where(Hit.id == hit_id)).first()
    if row is None or user.agency not in (row.left_agency, row.right_agency):
        raise Invalid(
            f"unknown hit {hit_id!r}",
            action=SEND,
            object_type="hit",
            object_id=hit_id,
            reason="hit missing or not one of the sender's agency",
        )
    other = row.right_agency if row.left_agency == user.agency else row.left_agency
    if to != [other]:
        raise Invalid(
            f"a thread about a hit is between the hit's two agencies: send it to {other} only",
            action=SEND,
            object_type="hit",
            object_id=hit_id,
        )


def create_thread(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    subject: str,
    recipients: Iterable[str],
    draft: Draft,
    hit_id: str | None = None,
) -> Sent:
    """Open a thread with ``recipients`` (agency codes) with a first message.

    About a hit (``hit_id``), the thread is between the hit's two agencies, and there is one: when
    it exists already the message goes into it (``Sent.created`` is False)."""
    require_record_role(user, SEND)
    subject = " ".join(subject.split())
    if not subject:
        raise Invalid("the thread needs a subject", action=SEND)
    if len(subject) > MAX_SUBJECT:
        raise Invalid(f"subject longer than {MAX_SUBJECT} characters", action=SEND)
    to = recipient_agencies(conn, user, recipients)
    agencies = [user.agency, *to]
    if hit_id is not None:
        _check_hit_thread(conn, user, hit_id, to)
        existing = thread_for_hit(conn, hit_id, agencies)
        if existing is not None:
            checked = _check(conn, user, agencies, draft, SEND)
            return _write(conn, user, actor, existing, agencies, checked, created=False)
    checked = _check(conn, user, agencies, draft, SEND)
    thread_id = str(uuid.uuid4())
    now = utcnow()
    conn.execute(
        insert(MessageThread).values(
            id=thread_id,
            subject=subject,
            created_by=user.username,
            created_agency=user.agency,
            hit_id=hit_id,
            handling_code=checked.draft.handling_code,
            handling_text=checked.draft.handling_text,
            priority=checked.draft.priority,
            created_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        insert(ThreadParticipant), [{"thread_id": thread_id, "agency_code": a} for a in agencies]
    )
    return _write(conn, user, actor, thread_id, agencies, checked, created=True)


def reply(
    conn: Connection, user: UserInfo, actor: audit.Actor, thread_id: str, draft: Draft
) -> Sent:
    """Add a message to a thread the user's agency takes part in."""
    require_record_role(user, SEND, "message_thread", thread_id)
    _, agencies = thread_of_participant(conn, user, thread_id, SEND)
    checked = _check(conn, user, agencies, draft, SEND)
    return _write(conn, user, actor, thread_id, agencies, checked, created=False)


def _write(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    thread_id: str,
    agencies: Sequence[str],
    checked: _Checked,
    *,
    created: bool,
) -> Sent:
    d = checked.draft
    message_id = str(uuid.uuid4())
    now = utcnow()
    conn.execute(
        insert(Message).values(
            id=message_id,
            thread_id=thread_id,
            sender=user.username,
            sender_agency=user.agency,
            body=d.body,
            language=d.language,
            translations=d.translations,
            handling_code=d.handling_code,
            handling_text=d.handling_text,
            source_reliability=d.source_reliability,
            information_credibility=d.information_credibility,
            priority=d.priority,
            refs={"entities": checked.entities, "hits": checked.hits},
            created_at=now,
        )
    )
    stored = attachments.store(conn, message_id, checked.files)
    thread = conn.execute(
        select(MessageThread.priority, MessageThread.hit_id).where(MessageThread.id == thread_id)
    ).one()
    # A thread is as pressing as its most pressing message.
    priority = max(thread.priority, d.priority, key=priority_rank)
    conn.execute(
        update(MessageThread)
        .where(MessageThread.id == thread_id)
        .values(updated_at=now, priority=priority)
    )
    recipients = [a for a in agencies if a != user.agency]
    for agency in recipients:
        # Ids and codes only: a notification never carries the subject or the text.
        notify(
            conn,
            agency,
            "message.new_thread" if created else "message.new",
            "message_thread",
            thread_id,
            data={
                "message": message_id,
                "from": user.agency,
                "priority": d.priority,
                "handling_code": d.handling_code,
            },
        )
    audit.record(
        conn,
        actor,
        SEND,
        object_type="message_thread",
        object_id=thread_id,
        details={
            "message": message_id,
            "new_thread": created,
            "recipients": recipients,
            "hit": thread.hit_id,
            "handling_code": d.handling_code,
            "priority": d.priority,
            "entities": checked.entities,
            "hits": checked.hits,
            "attachments": [a.sha256 for a in stored],
        },
    )
    return Sent(thread_id, message_id, created, list(agencies), stored)
