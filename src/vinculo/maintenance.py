"""Housekeeping that keeps an installation tidy, meant to run from cron (``vinculo maintenance``).

Each task is safe to run as often as one likes and at the same time as the application:

* **sessions** — browser sessions past their absolute lifetime or idle too long. A dead session
  is already refused when it is presented (``auth.sessions.find_session``); this removes those
  never presented again, so the table does not keep every session ever opened.
* **attachments** — attachment contents no message refers to any more (content is stored once
  per SHA-256 and shared; nothing is removed while any attachment row cites it). Only contents
  older than ``ORPHAN_GRACE`` are removed, so a message being written is never robbed of its file.
* **reminders** — owners of disclosure requests half-way to or past their deadline are reminded
  (``sharing.disclosure.send_reminders``, idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, or_, select

from vinculo.auth.config import AuthConfig, auth_config
from vinculo.sharing.disclosure import send_reminders
from vinculo.store.tables import Attachment, AttachmentBlob, WebSession, utcnow

ORPHAN_GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Report:
    sessions_removed: int
    attachments_removed: int
    reminders_sent: int


def purge_sessions(
    conn: Connection, now: dt.datetime | None = None, config: AuthConfig | None = None
) -> int:
    """Delete the sessions past their lifetime or idle limit (the same rule as ``find_session``)."""
    now = now or utcnow()
    config = config or auth_config()
    idle_since = now - dt.timedelta(minutes=config.session_idle_minutes)
    result = conn.execute(
        delete(WebSession).where(
            or_(WebSession.expires_at <= now, WebSession.last_seen_at <= idle_since)
        )
    )
    return int(result.rowcount or 0)


def purge_orphan_attachments(conn: Connection, now: dt.datetime | None = None) -> int:
    """Delete attachment contents no attachment cites, older than the grace period."""
    now = now or utcnow()
    cited = exists().where(Attachment.sha256 == AttachmentBlob.sha256)
    orphans = list(
        conn.execute(
            select(AttachmentBlob.sha256).where(
                ~cited, AttachmentBlob.created_at <= now - ORPHAN_GRACE
            )
        ).scalars()
    )
    if not orphans:
        return 0
    # The "not cited" test is repeated in the delete: a message citing the content may have been
    # committed since the select.
    result = conn.execute(delete(AttachmentBlob).where(AttachmentBlob.sha256.in_(orphans), ~cited))
    return int(result.rowcount or 0)


def run(conn: Connection, now: dt.datetime | None = None) -> Report:
    now = now or utcnow()
    return Report(
        sessions_removed=purge_sessions(conn, now),
        attachments_removed=purge_orphan_attachments(conn, now),
        reminders_sent=send_reminders(conn, now),
    )
