"""The dashboard's counts: only records the agency may know exist, hits and requests it is a side
of; the DPO's review overview; refusals for roles that may not count."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update

from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo, add_agency, add_user
from vinculo.statistics import UNSPECIFIED, agency_figures, month_keys, review_overview
from vinculo.store.tables import (
    DisclosureRequest,
    Entity,
    Hit,
    Release,
    SharingGroup,
    SharingGroupMember,
    utcnow,
)

PASSWORD = "correct horse battery staple"
TODAY = dt.date(2026, 11, 15)
NOW = dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC)

#: key -> owner, distribution, ref, protected, markets. The viewer is ES-CNP (ES, EUROPOL, member
#: of group G1 but not G2).
RECORDS: dict[str, tuple[str, str, str | None, bool, list[str]]] = {
    "e0": ("ES-CNP", "agency", None, False, ["drugs"]),
    "e1": ("ES-CNP", "agency", None, False, ["drugs", "firearms"]),
    "b0": ("BR-PF", "agency", None, False, ["drugs"]),
    "b1": ("BR-PF", "all", None, False, []),
    "b2": ("BR-PF", "all", None, True, ["drugs"]),  # a victim: hit-only whatever the distribution
    "b3": ("BR-PF", "network", "EUROPOL", False, ["cybercrime"]),
    "b4": ("BR-PF", "network", "AMERIPOL", False, ["drugs"]),
    "b5": ("BR-PF", "agency", None, False, ["firearms"]),  # the other side of a hit
    "b6": ("BR-PF", "agency", None, False, ["drugs"]),  # released to ES-CNP
    "b7": ("BR-PF", "agency", None, False, ["drugs"]),  # released, then revoked
    "g0": ("ES-GC", "country", None, False, ["drugs"]),
    "g1": ("ES-GC", "agency", None, False, ["drugs"]),
    "g2": ("ES-GC", "group", "G1", False, ["money_laundering"]),
    "g3": ("ES-GC", "group", "G2", False, ["drugs"]),
    "g4": ("ES-GC", "country", None, True, ["drugs"]),  # a minor
    "f0": ("FR-PN", "agency", None, False, ["cybercrime"]),  # the other side of a hit
    "f1": ("FR-PN", "agency", None, False, ["drugs"]),
}
#: What ES-CNP may know exists, worked out by hand from the table above.
KNOWN_TO_ES_CNP = {"e0", "e1", "b1", "b3", "b5", "b6", "g0", "g2", "f0"}


def _id(key: str) -> str:
    return make_entity_id(RECORDS[key][0], key)


def _import(engine: Engine, tmp_path: Path, agency: str, keys: list[str]) -> None:
    path = tmp_path / f"{agency}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "birth_date"])
        for n, key in enumerate(keys):
            writer.writerow([key, f"Persona Estadística {n} {agency}", f"1970-02-{n + 1:02d}"])
    report = run_import(path, agency, engine=engine, match=False)
    assert report.rows_rejected == 0, report


def _hit(left: str, right: str, status: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": f"h-{left}-{right}",
        "left_id": _id(left),
        "right_id": _id(right),
        "left_agency": RECORDS[left][0],
        "right_agency": RECORDS[right][0],
        "schema": "Person",
        "score": 9.0,
        "explanation": [],
        "levels": {},
        "status": status,
        "left_hash": "0" * 40,
        "right_hash": "0" * 40,
        "created_at": at,
        "updated_at": at,
    }


def _request(n: int, key: str, requester: str, status: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "entity_id": _id(key),
        "schema": "Person",
        "owner_agency": RECORDS[key][0],
        "requesting_agency": requester,
        "requested_by": "someone",
        "purpose": "investigation",
        "legal_basis": "treaty",
        "urgency": "routine",
        "fields_requested": [],
        "status": status,
        "due_at": at + dt.timedelta(days=10),
        "created_at": at,
        "updated_at": at,
    }


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Engine:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "ES-GC", "Guardia Civil", "ES", "police", [])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        add_user(conn, "luis.cnp", "ES-CNP", PASSWORD, ["analyst"])
        add_user(conn, "marta.gc", "ES-GC", PASSWORD, ["investigator"])
        add_user(conn, "admin.cnp", "ES-CNP", PASSWORD, ["administrator"])
        add_user(conn, "dpo.cnp", "ES-CNP", PASSWORD, ["dpo"])
    by_owner: dict[str, list[str]] = {}
    for key, (owner, *_rest) in RECORDS.items():
        by_owner.setdefault(owner, []).append(key)
    for owner, keys in by_owner.items():
        _import(engine, tmp_path, owner, keys)
    now = NOW
    with engine.begin() as conn:
        conn.execute(
            insert(SharingGroup),
            [
                {"id": "G1", "name": "Operación Alfa", "owner_agency": "ES-GC"},
                {"id": "G2", "name": "Operación Beta", "owner_agency": "ES-GC"},
            ],
        )
        conn.execute(
            insert(SharingGroupMember),
            [
                {"group_id": "G1", "agency_code": "ES-GC"},
                {"group_id": "G1", "agency_code": "ES-CNP"},
                {"group_id": "G2", "agency_code": "ES-GC"},
                {"group_id": "G2", "agency_code": "FR-PN"},
            ],
        )
        for key, (_owner, dist, ref, protected, markets) in RECORDS.items():
            values: dict[str, Any] = {
                "distribution": dist,
                "distribution_ref": ref,
                "markets": markets,
                "created_at": now - dt.timedelta(days=3),
                "review_by": None,
            }
            if protected and key == "b2":
                values["subject_category"] = "victim"
            elif protected:
                values["minor"] = True
            conn.execute(update(Entity).where(Entity.id == _id(key)).values(**values))
        # e1 is older than a year: outside a 12-month period, inside a 24-month one.
        conn.execute(
            update(Entity)
            .where(Entity.id == _id("e1"))
            .values(created_at=dt.datetime(2025, 9, 10, tzinfo=dt.UTC))
        )
        conn.execute(
            update(Entity)
            .where(Entity.id == _id("b3"))
            .values(created_at=dt.datetime(2026, 8, 2, tzinfo=dt.UTC))
        )
        conn.execute(
            insert(Release),
            [
                {"entity_id": _id("b6"), "agency_code": "ES-CNP", "fields": ["*"],
                 "granted_by": "x", "granted_at": now, "revoked_at": None},
                {"entity_id": _id("b7"), "agency_code": "ES-CNP", "fields": ["*"],
                 "granted_by": "x", "granted_at": now, "revoked_at": now},
            ],
        )  # fmt: skip
        conn.execute(
            insert(Hit),
            [
                _hit("b5", "e0", "new", now),
                _hit("f0", "e1", "confirmed", dt.datetime(2026, 10, 1, tzinfo=dt.UTC)),
                _hit("b0", "f1", "new", now),  # between two other agencies
            ],
        )
        conn.execute(
            insert(DisclosureRequest),
            [
                _request(1, "b6", "ES-CNP", "approved", now),
                _request(2, "e1", "FR-PN", "pending", now),
                _request(3, "b0", "FR-PN", "pending", now),  # between two other agencies
            ],
        )
    return engine


def _user(engine: Engine, username: str) -> UserInfo:
    from vinculo.sharing.directory import get_user

    with engine.connect() as conn:
        found = get_user(conn, username)
    assert found is not None
    return found


def test_month_keys() -> None:
    assert month_keys(dt.date(2026, 2, 28), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_keys(dt.date(2026, 2, 1), 1) == ["2026-02"]
    with pytest.raises(ValueError):
        month_keys(TODAY, 0)


def test_records_counted_are_those_the_agency_may_know_exist(world: Engine) -> None:
    luis = _user(world, "luis.cnp")
    with world.connect() as conn:
        figures = agency_figures(conn, luis, months=24, today=TODAY)
    records = figures.records
    assert records.total == len(KNOWN_TO_ES_CNP) == 9
    assert dict(records.by_agency) == {"ES-CNP": 2, "BR-PF": 4, "ES-GC": 2, "FR-PN": 1}
    assert dict(records.by_country) == {"ES": 4, "BR": 4, "FR": 1}
    assert dict(records.by_market) == {
        "drugs": 4,  # e0, e1, b6, g0
        "firearms": 2,  # e1, b5
        "cybercrime": 2,  # b3, f0
        "money_laundering": 1,  # g2
        UNSPECIFIED: 1,  # b1
    }
    assert records.by_month["2026-11"] == 7
    assert records.by_month["2026-08"] == 1
    assert records.by_month["2025-09"] == 1
    assert sum(records.by_month.values()) == 9
    assert len(records.by_month) == 24


def test_sql_condition_agrees_with_the_policy_record_by_record(world: Engine) -> None:
    """Every record the count takes without a hit is one the policy shows (full or released),
    and every other record is one it does not."""
    luis = _user(world, "luis.cnp")
    hit_partners = {"b5", "f0"}
    with world.connect() as conn:
        stored, ctx = policy.read_records(conn, luis, [_id(k) for k in RECORDS])
    views = {e.id: policy.decide(luis, e, ctx).view for e in stored}
    for key in RECORDS:
        shown = views[_id(key)] in (policy.View.FULL, policy.View.RELEASED)
        assert shown == (key in KNOWN_TO_ES_CNP - hit_partners), key


def test_period_and_market_filter(world: Engine) -> None:
    luis = _user(world, "luis.cnp")
    with world.connect() as conn:
        year = agency_figures(conn, luis, months=12, today=TODAY)
        drugs = agency_figures(conn, luis, months=24, market="drugs", today=TODAY)
        none = agency_figures(conn, luis, months=24, market=UNSPECIFIED, today=TODAY)
        with pytest.raises(ValueError):
            agency_figures(conn, luis, market="tax_fraud", today=TODAY)
    assert year.records.total == 8  # e1 is older than 12 months
    assert year.hits.total == 2
    assert drugs.records.total == 4
    assert dict(drugs.records.by_agency) == {"ES-CNP": 2, "BR-PF": 1, "ES-GC": 1}
    assert drugs.hits.total == 2  # e0 and e1 both concern drugs
    assert none.records.total == 1
    assert none.hits.total == 0


def test_hits_and_requests_of_the_agency_only(world: Engine) -> None:
    luis = _user(world, "luis.cnp")
    with world.connect() as conn:
        figures = agency_figures(conn, luis, months=3, today=TODAY)
    hits = figures.hits
    assert hits.total == 2
    assert dict(hits.by_agency) == {"BR-PF": 1, "FR-PN": 1}
    assert dict(hits.by_country) == {"BR": 1, "FR": 1}
    assert dict(hits.by_status) == {"new": 1, "confirmed": 1}
    assert dict(hits.by_market) == {"drugs": 2, "firearms": 1}
    assert hits.by_month == {"2026-09": 0, "2026-10": 1, "2026-11": 1}
    requests = figures.requests
    assert requests.total == 2
    assert dict(requests.by_agency) == {"BR-PF": 1, "FR-PN": 1}
    assert dict(requests.by_status) == {"approved": 1, "pending": 1}
    assert dict(figures.requests_by_direction) == {"outgoing": 1, "incoming": 1}


def test_another_agency_counts_differently(world: Engine) -> None:
    marta = _user(world, "marta.gc")
    with world.connect() as conn:
        figures = agency_figures(conn, marta, months=24, today=TODAY)
    # Own five; ES-CNP's records are "agency" only; BR-PF's "all" b1 (b2 is a victim).
    assert figures.records.total == 6
    assert dict(figures.records.by_agency) == {"ES-GC": 5, "BR-PF": 1}
    assert figures.hits.total == 0
    assert figures.requests.total == 0


@pytest.mark.parametrize("username", ["admin.cnp", "dpo.cnp"])
def test_roles_without_records_are_refused(world: Engine, username: str) -> None:
    with world.connect() as conn, pytest.raises(PermissionError):
        agency_figures(conn, _user(world, username), today=TODAY)


def test_inactive_account_is_refused(world: Engine) -> None:
    luis = _user(world, "luis.cnp")
    with world.connect() as conn, pytest.raises(PermissionError):
        agency_figures(
            conn, UserInfo(luis.id, luis.username, luis.agency, "", luis.roles, None, False)
        )


def test_review_overview_for_the_dpo(world: Engine) -> None:
    with world.begin() as conn:
        for key, day in {
            "e0": dt.date(2026, 11, 15),  # today: due
            "e1": dt.date(2025, 1, 1),  # long overdue
            "b0": dt.date(2026, 11, 16),  # this month, not yet
            "b1": dt.date(2027, 1, 31),
            "g0": dt.date(2027, 11, 1),  # beyond 12 months
        }.items():
            conn.execute(update(Entity).where(Entity.id == _id(key)).values(review_by=day))
    dpo = _user(world, "dpo.cnp")
    with world.connect() as conn:
        overview = review_overview(conn, dpo, today=TODAY, months=12)
    assert overview.agencies == ["BR-PF", "ES-CNP", "ES-GC", "FR-PN"]
    assert overview.overdue == {"BR-PF": 0, "ES-CNP": 2, "ES-GC": 0, "FR-PN": 0}
    assert overview.total_overdue() == 2
    assert overview.months[0] == "2026-11" and overview.months[-1] == "2027-10"
    assert overview.upcoming["BR-PF"]["2026-11"] == 1
    assert overview.upcoming["BR-PF"]["2027-01"] == 1
    assert sum(overview.upcoming["ES-GC"].values()) == 0
    assert overview.undated == {"BR-PF": 6, "ES-CNP": 0, "ES-GC": 4, "FR-PN": 2}


@pytest.mark.parametrize("username", ["luis.cnp", "admin.cnp"])
def test_review_overview_refused_to_others(world: Engine, username: str) -> None:
    with world.connect() as conn, pytest.raises(PermissionError):
        review_overview(conn, _user(world, username), today=TODAY)


def test_created_at_is_utc() -> None:
    # The period starts at midnight UTC on the first day of the oldest month.
    from vinculo.statistics.figures import _since

    assert _since(["2026-03", "2026-04"]) == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert utcnow().tzinfo is not None
