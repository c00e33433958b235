"""What the home page counts: work waiting for the user and their agency. Counts only: no
record's content is shown, and users whose role does not work with records (administrators, the
DPO: the policy's "none" view) get no record counts at all."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from vinculo.matching.views import count_new_hits
from vinculo.sharing import disclosure, notify, policy, retention
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import ImportJob


@dataclass(frozen=True, slots=True)
class Counts:
    #: None where the user's role does not work with records.
    new_hits: int | None
    requests_waiting: int | None
    unread_notifications: int
    due_for_review: int | None


@dataclass(frozen=True, slots=True)
class RecentImport:
    id: str
    source_name: str
    started_at: dt.datetime
    status: str
    entities_written: int
    rows_rejected: int


def recent_imports(conn: Connection, user: UserInfo, limit: int = 5) -> list[RecentImport] | None:
    """The agency's latest imports (file names and counts), or None for roles without records."""
    if not policy.works_with_records(user):
        return None
    rows = conn.execute(
        select(
            ImportJob.id,
            ImportJob.source_name,
            ImportJob.started_at,
            ImportJob.status,
            ImportJob.entities_written,
            ImportJob.rows_rejected,
        )
        .where(ImportJob.agency_code == user.agency)
        .order_by(ImportJob.started_at.desc(), ImportJob.id)
        .limit(limit)
    )
    return [RecentImport(*row) for row in rows]


def counts(conn: Connection, user: UserInfo) -> Counts:
    unread = notify.count_unread(conn, user.agency, user.username)
    if not policy.works_with_records(user):
        return Counts(None, None, unread, None)
    return Counts(
        count_new_hits(conn, user.agency),
        disclosure.count_waiting(conn, user.agency),
        unread,
        retention.count_due(conn, user.agency),
    )
