"""Review and retention (extend with a reason, delete with everything made from the record),
sharing groups with MISP's extend right, and the owner's distribution changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.sharing.test_disclosure import PERSON, _csv
from tests.sharing.world import PASSWORD
from vinculo import audit
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing import disclosure, exports, groups, policy, retention
from vinculo.sharing.directory import UserInfo, add_agency, add_user, list_users
from vinculo.store.entities import get_entity
from vinculo.store.tables import (
    AuditEntry,
    DisclosureRequest,
    EntityValue,
    Hit,
    MatchKey,
    Notification,
    Release,
)

ACTOR = audit.Actor("test", None, "test")


@pytest.fixture
def users(engine: Engine, tmp_path: Path) -> dict[str, UserInfo]:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "CO-PONAL", "Policía Nacional", "CO", "police", ["AMERIPOL"])
        add_agency(conn, "AR-PFA", "Policía Federal Argentina", "AR", "police", ["AMERIPOL"])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        for name, agency, role in [
            ("ana.pf", "BR-PF", "analyst"), ("chefe.pf", "BR-PF", "supervisor"),
            ("juan.ponal", "CO-PONAL", "investigator"), ("jefe.ponal", "CO-PONAL", "supervisor"),
            ("jefa.pfa", "AR-PFA", "supervisor"), ("luc.pn", "FR-PN", "analyst"),
        ]:  # fmt: skip
            add_user(conn, name, agency, PASSWORD, [role])
    today = dt.date(2026, 11, 28)
    rows = [
        {"id": "pf-1", **PERSON, "review_by": "2026-11-01"},
        {"id": "pf-2", "name": "Outra Pessoa", "review_by": "2027-06-01"},
    ]
    run_import(_csv(tmp_path / "pf.csv", rows), "BR-PF", engine=engine, today=today)
    run_import(_csv(tmp_path / "co.csv", [{"id": "co-9", **PERSON}]), "CO-PONAL", engine=engine)
    with engine.connect() as conn:
        return {u.username: u for u in list_users(conn)}


RECORD = make_entity_id("BR-PF", "pf-1")
LATER = make_entity_id("BR-PF", "pf-2")


def test_due_for_review_lists_only_own_records_past_their_date(
    engine: Engine, users: dict[str, UserInfo]
) -> None:
    with engine.connect() as conn:
        due = retention.due_for_review(conn, users["ana.pf"], today=dt.date(2026, 11, 28))
        assert [d.id for d in due] == [RECORD]
        assert (
            retention.due_for_review(conn, users["juan.ponal"], today=dt.date(2026, 11, 28)) == []
        )
        assert retention.count_due(conn, "BR-PF", dt.date(2027, 7, 1)) == 2


def test_extension_needs_a_reason_a_future_date_and_at_most_three_years(
    engine: Engine, users: dict[str, UserInfo]
) -> None:
    ana, today = users["ana.pf"], dt.date(2026, 11, 28)
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="why"):
            retention.extend_review(conn, ana, ACTOR, RECORD, dt.date(2027, 1, 1), " ", today)
        with pytest.raises(ValueError, match="future"):
            retention.extend_review(conn, ana, ACTOR, RECORD, today, "needed", today)
        with pytest.raises(ValueError, match="three years"):
            retention.extend_review(conn, ana, ACTOR, RECORD, dt.date(2030, 1, 1), "x", today)
        with pytest.raises(LookupError):  # not the owner
            retention.extend_review(
                conn, users["juan.ponal"], ACTOR, RECORD, dt.date(2027, 1, 1), "x", today
            )
        retention.extend_review(
            conn, ana, ACTOR, RECORD, dt.date(2028, 11, 1), "Proceso penal en curso", today
        )
        entity = get_entity(conn, RECORD)
        assert entity is not None and entity.meta.review_by == dt.date(2028, 11, 1)
        entry = audit.search(conn, audit.Query(action="entity.review.extend"))[0]
        assert entry.purpose == "Proceso penal en curso"
        assert entry.details["from"] == "2026-11-01" and entry.details["to"] == "2028-11-01"


def test_deletion_reaches_hits_releases_requests_and_exports(
    engine: Engine, users: dict[str, UserInfo]
) -> None:
    juan, chefe = users["juan.ponal"], users["chefe.pf"]
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Hit)).scalar_one() == 1
        first = disclosure.request_disclosure(
            conn, juan, ACTOR, RECORD, purpose="p", legal_basis="b"
        )
        disclosure.decide(conn, chefe, ACTOR, first.id, "approve_fields", fields=["name"])
        made = exports.export_records(conn, juan, ACTOR, [RECORD], "análisis")
        assert [r["id"] for r in made.records] == [RECORD]
        # A second, still open request from another agency.
        pfa = users["jefa.pfa"]
        second = disclosure.request_disclosure(
            conn, pfa, ACTOR, RECORD, purpose="p2", legal_basis="b2"
        )
    with engine.begin() as conn, pytest.raises(PermissionError, match="supervisor"):
        retention.delete_record(conn, users["ana.pf"], ACTOR, RECORD, "caducado")
    with engine.begin() as conn, pytest.raises(LookupError):
        retention.delete_record(conn, users["jefe.ponal"], ACTOR, RECORD, "x")
    with engine.begin() as conn:
        report = retention.delete_record(conn, chefe, ACTOR, RECORD, "Plazo de conservación")
    assert (report.hits_removed, report.releases_removed, report.requests_closed,
            report.exports_notified) == (1, 1, 1, 1)  # fmt: skip
    with engine.connect() as conn:
        assert get_entity(conn, RECORD) is None
        for table in (Hit, Release):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table
        for table in (EntityValue, MatchKey):
            left = conn.execute(
                select(func.count()).select_from(table).where(table.entity_id == RECORD)
            ).scalar_one()
            assert left == 0, table
        statuses = {
            r.id: r.status
            for r in conn.execute(select(DisclosureRequest.id, DisclosureRequest.status))
        }
        assert statuses == {first.id: "partially_approved", second.id: "closed"}
        told = {(n.agency_code, n.kind, n.ref_id) for n in conn.execute(select(Notification))}
        kinds = {(a, k) for a, k, _ in told}
        assert ("CO-PONAL", "hit.withdrawn") in kinds
        assert ("CO-PONAL", "record.deleted") in kinds
        assert ("CO-PONAL", "export.record_deleted") in kinds
        assert ("AR-PFA", "disclosure.closed") in kinds
        # The audit entry says what happened, not to whom: no name, no identifier.
        entry = audit.search(conn, audit.Query(action="entity.delete"))[0]
        text = str(entry.as_dict())
        assert entry.object_id == RECORD and entry.purpose == "Plazo de conservación"
        for personal in ("Maria", "Ferreira", "1979", "98765"):
            assert personal not in text
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() > 0
        assert audit.verify(conn).ok


def test_group_extend_right_and_distribution(engine: Engine, users: dict[str, UserInfo]) -> None:
    chefe, jefe, jefa = users["chefe.pf"], users["jefe.ponal"], users["jefa.pfa"]
    luc = users["luc.pn"]
    with engine.begin() as conn:
        with pytest.raises(PermissionError):  # analysts do not manage sharing
            groups.create_group(conn, users["ana.pf"], ACTOR, "g", {})
        group = groups.create_group(conn, chefe, ACTOR, "Caravela", {"CO-PONAL": True})
        assert group.members == {"BR-PF": True, "CO-PONAL": True}
        with pytest.raises(LookupError):  # a non-member does not see the group
            groups.add_member(conn, jefa, ACTOR, group.id, "AR-PFA")
        with pytest.raises(PermissionError, match="only the owner grants"):
            groups.add_member(conn, jefe, ACTOR, group.id, "AR-PFA", can_extend=True)
        grown = groups.add_member(conn, jefe, ACTOR, group.id, "AR-PFA")
        assert grown.members["AR-PFA"] is False
        with pytest.raises(PermissionError, match="may not extend"):
            groups.add_member(conn, jefa, ACTOR, group.id, "FR-PN")
        with pytest.raises(PermissionError, match="only the owner removes"):
            groups.remove_member(conn, jefe, ACTOR, group.id, "AR-PFA")
        with pytest.raises(ValueError, match="unknown sharing group"):
            groups.set_distribution(conn, users["ana.pf"], ACTOR, LATER, "group", "nope")
        with pytest.raises(LookupError):  # only the owner sets distribution
            groups.set_distribution(conn, jefe, ACTOR, LATER, "all")
        groups.set_distribution(conn, users["ana.pf"], ACTOR, LATER, "group", group.id)

    def view(user: UserInfo) -> str:
        with engine.connect() as conn:
            entity = get_entity(conn, LATER)
            assert entity is not None
            return policy.decide(user, entity, policy.load_context(conn, user)).view.value

    assert view(jefa) == "full" and view(users["juan.ponal"]) == "full"  # both members
    assert view(luc) == "hit_only"
    with engine.begin() as conn:
        groups.remove_member(conn, chefe, ACTOR, group.id, "AR-PFA")
    assert view(jefa) == "hit_only"
    with engine.begin() as conn:
        groups.set_distribution(conn, users["ana.pf"], ACTOR, LATER, "network", "ameripol")
    assert view(users["juan.ponal"]) == "full" and view(luc) == "hit_only"
