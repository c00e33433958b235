"""Who may use messages, and which threads an agency takes part in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from vinculo.messages.errors import Forbidden, NotFound
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import MessageThread, ThreadParticipant

SEND = "message.send"
READ = "message.read"
LIST = "message.list"
ACK = "message.ack"
DOWNLOAD = "message.attachment.download"
SEARCH = "message.search"


def require_record_role(
    user: UserInfo, action: str, object_type: str | None = None, object_id: str | None = None
) -> None:
    """Messages carry intelligence: only roles that work with records send and read them
    (administrators and data-protection officers do not)."""
    if not policy.works_with_records(user):
        raise Forbidden(
            "this role cannot send or read messages",
            action=action,
            object_type=object_type,
            object_id=object_id,
            reason="role without access to records",
        )


def participants(conn: Connection, thread_id: str) -> list[str]:
    return sorted(
        conn.execute(
            select(ThreadParticipant.agency_code).where(ThreadParticipant.thread_id == thread_id)
        ).scalars()
    )


def thread_of_participant(
    conn: Connection, user: UserInfo, thread_id: str, action: str
) -> tuple[Row[Any], list[str]]:
    """The thread and its agencies, if the user's agency is one of them. Otherwise "no such
    thread", exactly as for a thread that does not exist: a refusal must not confirm existence."""
    row = conn.execute(select(MessageThread).where(MessageThread.id == thread_id)).first()
    agencies = participants(conn, thread_id) if row is not None else []
    if row is None or user.agency not in agencies:
        raise NotFound(
            "no such thread",
            action=action,
            object_type="message_thread",
            object_id=thread_id,
            reason="not found" if row is None else "agency not a participant",
        )
    return row, agencies
