"""Counts for the dashboard and the DPO's review overview.

Who may count what, and why it is lawful:

- **A user who works with records** (``policy.works_with_records``) gets the figures of their
  agency: the records their agency *may know exist*, the hits their agency is a side of, and the
  disclosure requests their agency made or received. A record may be known to exist when the
  policy gives the agency any view of it: its own records, records whose content it sees through
  their distribution (a protected data subject never counts this way: the policy makes those
  hit-only), records released to it, and the other side of one of its hits (which the hit itself
  already told it). The distribution test is the policy's own (``policy.load_context`` and the
  rules of ``policy.in_distribution`` / ``policy.is_protected``) written as one SQL condition, so
  that counting does not read every record's content; ``tests/statistics`` checks the two agree
  record by record. Counting a record outside that set would disclose its existence, which the
  policy refuses (the ``none``/no-hit case), so it is never counted.
- **Administrators** get no record figures: their role is accounts and agencies, and the policy
  gives them the ``none`` view. A count of records is still information about intelligence
  holdings, and least privilege says they need none of it.
- **The data-protection officer** gets one overview, installation-wide: how many records each
  agency holds whose review date has passed or falls in each coming month, and no other figure.
  That is the DPO's supervisory task (storage limitation and periodic review, Directive (EU)
  2016/680 arts. 4(1)(e), 5 and 34): it needs the numbers per agency, never a record's id, name or
  content, and the counts carry no personal data.

Nothing here reads a record's properties or caption: only the metadata columns that say whose a
record is, which markets it concerns, when it was created and until when it may be kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from vinculo.model.metadata import PROTECTED_SUBJECT_CATEGORIES, CriminalMarket, Role
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import Agency, DisclosureRequest, Entity, Hit, Release

#: The market key of records, hits and requests whose record names no criminal market.
UNSPECIFIED = "unspecified"
#: How many months back a trend may reach.
MAX_MONTHS = 60


@dataclass(slots=True)
class Breakdown:
    """One kind of thing counted four ways. A record in two markets counts once in each market
    (so ``by_market`` may add up to more than ``total``), once everywhere else."""

    total: int = 0
    by_market: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    by_agency: Counter[str] = field(default_factory=Counter)
    #: ``YYYY-MM`` -> count, every month of the period present (zero when nothing happened).
    by_month: dict[str, int] = field(default_factory=dict)
    #: Hits: ``new``, ``confirmed``...; requests: ``pending``, ``approved``...; records: empty.
    by_status: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        markets: Iterable[str],
        country: str | None,
        agency: str,
        month: str,
        status: str | None = None,
    ) -> None:
        self.total += 1
        for market in set(markets) or {UNSPECIFIED}:
            self.by_market[market] += 1
        self.by_country[country or UNSPECIFIED] += 1
        self.by_agency[agency] += 1
        if month in self.by_month:
            self.by_month[month] += 1
        if status is not None:
            self.by_status[status] += 1


@dataclass(slots=True)
class Figures:
    agency: str
    months: list[str]
    market: str | None
    records: Breakdown
    hits: Breakdown
    requests: Breakdown
    #: Requests split by whether the agency asked (``outgoing``) or was asked (``incoming``).
    requests_by_direction: Counter[str]


def month_keys(today: dt.date, months: int) -> list[str]:
    """The ``months`` calendar months ending with ``today``'s, oldest first (``YYYY-MM``)."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months: between 1 and {MAX_MONTHS}")
    year, month = today.year, today.month
    keys: list[str] = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _month_of(at: dt.datetime | dt.date) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def _since(keys: Sequence[str]) -> dt.datetime:
    year, month = (int(part) for part in keys[0].split("-"))
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def _market(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value != UNSPECIFIED and value not in {m.value for m in CriminalMarket}:
        raise ValueError(f"unknown criminal market {value!r}")
    return value


def known_records_condition(ctx: policy.Context) -> ColumnElement[bool]:
    """SQL for "the viewer's agency may know this record exists" (see the module's docstring);
    needs ``Entity`` joined with the owner's ``Agency``."""
    agency = ctx.user.agency
    protected = or_(
        Entity.minor.is_(True),
        # COALESCE: with a NULL category, NOT (... IN ...) would be NULL, never true.
        func.coalesce(Entity.subject_category, "").in_(
            sorted(c.value for c in PROTECTED_SUBJECT_CATEGORIES)
        ),
    )
    dist = policy.Distribution
    in_distribution = or_(
        Entity.distribution == dist.ALL.value,
        and_(Entity.distribution == dist.COUNTRY.value, Agency.country == ctx.country)
        if ctx.country is not None
        else false(),
        and_(
            Entity.distribution == dist.NETWORK.value,
            Entity.distribution_ref.in_(sorted(ctx.networks)),
        ),
        and_(
            Entity.distribution == dist.GROUP.value,
            Entity.distribution_ref.in_(sorted(ctx.groups)),
        ),
    )
    released = Entity.id.in_(
        select(Release.entity_id).where(Release.agency_code == agency, Release.revoked_at.is_(None))
    )
    other_side_of_a_hit = or_(
        Entity.id.in_(select(Hit.right_id).where(Hit.left_agency == agency)),
        Entity.id.in_(select(Hit.left_id).where(Hit.right_agency == agency)),
    )
    return or_(
        Entity.agency_code == agency,
        and_(~protected, in_distribution),
        released,
        other_side_of_a_hit,
    )


def _require_records_role(user: UserInfo) -> None:
    if not policy.works_with_records(user):
        raise PermissionError("role without access to records")


def agency_figures(
    conn: Connection,
    user: UserInfo,
    *,
    months: int = 12,
    market: str | None = None,
    today: dt.date | None = None,
) -> Figures:
    """The figures of the user's agency over the last ``months`` calendar months (created in
    that period), for one criminal market or all. PermissionError for roles without records."""
    _require_records_role(user)
    keys = month_keys(today or dt.date.today(), months)
    since = _since(keys)
    wanted = _market(market)
    ctx = policy.load_context(conn, user)
    countries = dict(ctx.agency_countries)

    def markets_match(markets: Sequence[str]) -> bool:
        if wanted is None:
            return True
        return wanted in markets if wanted != UNSPECIFIED else not markets

    records = Breakdown(by_month=dict.fromkeys(keys, 0))
    rows = conn.execute(
        select(Entity.agency_code, Entity.markets, Entity.created_at, Agency.country)
        .join(Agency, Agency.code == Entity.agency_code)
        .where(known_records_condition(ctx), Entity.created_at >= since)
    )
    for owner, markets, created, country in rows:
        found = [str(m) for m in markets or []]
        if markets_match(found):
            records.add(found, country, owner, _month_of(created))

    hits = Breakdown(by_month=dict.fromkeys(keys, 0))
    hit_rows = conn.execute(
        select(
            Hit.left_agency,
            Hit.right_agency,
            Hit.left_id,
            Hit.right_id,
            Hit.status,
            Hit.created_at,
        ).where(
            or_(Hit.left_agency == user.agency, Hit.right_agency == user.agency),
            Hit.created_at >= since,
        )
    ).all()
    own_ids = {r.left_id if r.left_agency == user.agency else r.right_id for r in hit_rows}
    own_markets = _markets_of(conn, own_ids)
    for row in hit_rows:
        mine, other = (
            (row.left_id, row.right_agency)
            if row.left_agency == user.agency
            else (row.right_id, row.left_agency)
        )
        found = own_markets.get(mine, [])
        if markets_match(found):
            hits.add(found, countries.get(other), other, _month_of(row.created_at), row.status)

    requests = Breakdown(by_month=dict.fromkeys(keys, 0))
    directions: Counter[str] = Counter()
    request_rows = conn.execute(
        select(
            DisclosureRequest.owner_agency,
            DisclosureRequest.requesting_agency,
            DisclosureRequest.entity_id,
            DisclosureRequest.status,
            DisclosureRequest.created_at,
        ).where(
            or_(
                DisclosureRequest.owner_agency == user.agency,
                DisclosureRequest.requesting_agency == user.agency,
            ),
            DisclosureRequest.created_at >= since,
        )
    ).all()
    # Both sides know the record a request is about exists (a hit told the requester).
    request_markets = _markets_of(conn, {r.entity_id for r in request_rows if r.entity_id})
    for req in request_rows:
        incoming = req.owner_agency == user.agency
        other = req.requesting_agency if incoming else req.owner_agency
        found = request_markets.get(req.entity_id, []) if req.entity_id else []
        if markets_match(found):
            requests.add(found, countries.get(other), other, _month_of(req.created_at), req.status)
            directions["incoming" if incoming else "outgoing"] += 1
    return Figures(user.agency, keys, wanted, records, hits, requests, directions)


def _markets_of(conn: Connection, ids: Iterable[str]) -> dict[str, list[str]]:
    wanted = sorted(ids)
    found: dict[str, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for entity_id, markets in conn.execute(
            select(Entity.id, Entity.markets).where(Entity.id.in_(chunk))
        ):
            found[entity_id] = [str(m) for m in markets or []]
    return found


@dataclass(slots=True)
class ReviewOverview:
    """Records per agency whose review date has passed (``overdue``) or falls in each of the
    coming months; counts only."""

    today: dt.date
    months: list[str]
    #: agency code -> records whose review date is today or earlier.
    overdue: dict[str, int]
    #: agency code -> ``YYYY-MM`` -> records whose review date falls in that month (after today).
    upcoming: dict[str, dict[str, int]]
    #: agency code -> records with no review date at all.
    undated: dict[str, int]
    agencies: list[str]

    def total_overdue(self) -> int:
        return sum(self.overdue.values())


def _months_ahead(today: dt.date, months: int) -> list[str]:
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months: between 1 and {MAX_MONTHS}")
    year, month = today.year, today.month
    keys: list[str] = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return keys


def review_overview(
    conn: Connection, user: UserInfo, *, today: dt.date | None = None, months: int = 12
) -> ReviewOverview:
    """For the data-protection officer only (PermissionError for anyone else): every agency's
    records due for review, overdue and by month for ``months`` months from this one."""
    if not user.is_active or Role.DPO not in user.roles:
        raise PermissionError("only the data-protection officer sees the review overview")
    today = today or dt.date.today()
    keys = _months_ahead(today, months)
    agencies = [code for (code,) in conn.execute(select(Agency.code).order_by(Agency.code))]
    overdue: dict[str, int] = dict.fromkeys(agencies, 0)
    undated: dict[str, int] = dict.fromkeys(agencies, 0)
    upcoming: dict[str, dict[str, int]] = {a: dict.fromkeys(keys, 0) for a in agencies}
    for agency, count in conn.execute(
        select(Entity.agency_code, func.count())
        .where(Entity.review_by <= today)
        .group_by(Entity.agency_code)
    ):
        overdue[agency] = int(count)
    for agency, count in conn.execute(
        select(Entity.agency_code, func.count())
        .where(Entity.review_by.is_(None))
        .group_by(Entity.agency_code)
    ):
        undated[agency] = int(count)
    year, month = (int(p) for p in keys[-1].split("-"))
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    # Grouped by day in SQL (portable), by month here: at most one row per agency and day.
    for agency, review_by, count in conn.execute(
        select(Entity.agency_code, Entity.review_by, func.count())
        .where(Entity.review_by > today, Entity.review_by < end)
        .group_by(Entity.agency_code, Entity.review_by)
    ):
        if review_by is not None:
            upcoming[agency][_month_of(review_by)] += int(count)
    return ReviewOverview(today, keys, overdue, upcoming, undated, agencies)
