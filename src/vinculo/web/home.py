"""What the home page counts: work waiting for the user and their agency. Counts only: no
record's content is shown, and users whose role does not work with records (administrators, the
DPO: the policy's "none" view) get no record counts at all."""

from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, or_, select

from vinculo.sharing import notify, policy, retention
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import DisclosureRequest, Hit


@dataclass(frozen=True, slots=True)
class Counts:
    #: None where the user's role does not work with records.
    new_hits: int | None
    requests_waiting: int | None
    unread_notifications: int
    due_for_review: int | None


def new_hits(conn: Connection, agency: str) -> int:
    """Hits involving the agency that nobody has judged yet (status ``new``)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Hit)
            .where(
                or_(Hit.left_agency == agency, Hit.right_agency == agency),
                Hit.status == "new",
            )
        ).scalar_one()
    )


def requests_waiting(conn: Connection, agency: str) -> int:
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
                        DisclosureRequest.status == "pending",
                    ),
                    and_(
                        DisclosureRequest.requesting_agency == agency,
                        DisclosureRequest.status == "info_requested",
                    ),
                )
            )
        ).scalar_one()
    )


def counts(conn: Connection, user: UserInfo) -> Counts:
    unread = notify.count_unread(conn, user.agency, user.username)
    if not policy.works_with_records(user):
        return Counts(None, None, unread, None)
    return Counts(
        new_hits(conn, user.agency),
        requests_waiting(conn, user.agency),
        unread,
        retention.count_due(conn, user.agency),
    )
