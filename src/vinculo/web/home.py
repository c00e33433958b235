"""What the home page counts: work waiting for the user and their agency. Counts only: no
record's content is shown, and users whose role does not work with records (administrators, the
DPO: the policy's "none" view) get no record counts at all."""

from dataclasses import dataclass

from sqlalchemy import Connection

from vinculo.matching.views import count_new_hits
from vinculo.sharing import disclosure, notify, policy, retention
from vinculo.sharing.directory import UserInfo


@dataclass(frozen=True, slots=True)
class Counts:
    #: None where the user's role does not work with records.
    new_hits: int | None
    requests_waiting: int | None
    unread_notifications: int
    due_for_review: int | None


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
