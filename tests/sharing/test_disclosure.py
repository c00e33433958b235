"""Hit → request → decision → release between two agencies on two continents... well, two
countries; a third agency sees nothing of it. Through the API, the services and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from stdnum.br import cpf
from typer.testing import CliRunner

from tests.sharing.world import PASSWORD, token
from vinculo import audit
from vinculo.api import create_app
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing import disclosure, policy
from vinculo.sharing.directory import add_agency, add_user, list_users
from vinculo.store.entities import get_entity
from vinculo.store.tables import Hit, Notification

CPF = "123456789" + cpf._calc_check_digits("123456789")
PERSON = {
    "name": "Maria Aparecida Souza Ferreira",
    "birth_date": "1979-04-12",
    "nationality": "BR",
    "id_number": CPF,
    "phone": "+55 11 98765-4321",
    "markets": "drugs",
}


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def setup(engine: Engine, tmp_path: Path) -> dict[str, str]:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"],
                   {"drugs": "cgpre@pf.example"})  # fmt: skip
        add_agency(conn, "CO-PONAL", "Policía Nacional", "CO", "police", ["AMERIPOL"])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst"])
        add_user(conn, "chefe.pf", "BR-PF", PASSWORD, ["supervisor"])
        add_user(conn, "juan.ponal", "CO-PONAL", PASSWORD, ["investigator"])
        add_user(conn, "jefe.ponal", "CO-PONAL", PASSWORD, ["supervisor"])
        add_user(conn, "luc.pn", "FR-PN", PASSWORD, ["analyst"])
    owner_rows = [
        {"id": "pf-1", **PERSON, "handling_code": "H1", "source_ref": "IPL 2024.0042"},
        {"id": "pf-2", "name": "Testemunha Protegida Lima", "birth_date": "1990-01-01",
         "subject_category": "witness", "markets": "drugs"},
    ]  # fmt: skip
    run_import(_csv(tmp_path / "pf.csv", owner_rows), "BR-PF", engine=engine)
    run_import(
        _csv(tmp_path / "ponal.csv", [{"id": "co-9", **PERSON, "name": "FERREIRA, Maria A."}]),
        "CO-PONAL",
        engine=engine,
    )
    with engine.connect() as conn:
        hit = conn.execute(select(Hit.id)).scalar_one()
    return {
        "hit": hit,
        "record": make_entity_id("BR-PF", "pf-1"),
        "witness": make_entity_id("BR-PF", "pf-2"),
    }


@pytest.fixture
def client(engine: Engine, setup: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as test_client:
        yield test_client


def test_hit_to_partial_release_and_a_third_agency_sees_nothing(
    client: TestClient, engine: Engine, setup: dict[str, str]
) -> None:
    juan, chefe, luc = (token(client, u) for u in ("juan.ponal", "chefe.pf", "luc.pn"))
    record = setup["record"]
    # 1. The hit: Colombia sees that the Federal Police hold a record, and whom to contact.
    hits = client.get("/api/v1/hits", headers=juan).json()
    assert len(hits) == 1
    other = hits[0]["other"]
    assert other["view"] == "hit_only" and other["agency"] == "BR-PF"
    assert other["contact_point"] == "cgpre@pf.example"
    assert "properties" not in other
    # 2. The request.
    created = client.post(
        "/api/v1/disclosure-requests",
        json={"entity_id": record, "purpose": "Investigación 2026-117, red de cocaína",
              "legal_basis": "Convenio AMERIPOL art. 4", "urgency": "urgent",
              "hit_id": setup["hit"]},
        headers=juan,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    due = dt.datetime.fromisoformat(created.json()["due_at"])
    made = dt.datetime.fromisoformat(created.json()["created_at"])
    assert due - made == dt.timedelta(hours=48)
    # The owner is told; the third agency is not.
    with engine.connect() as conn:
        told = {n.agency_code for n in conn.execute(select(Notification))}
    assert told == {"BR-PF"}
    # 3. A partial release by the owner's supervisor.
    decided = client.post(
        f"/api/v1/disclosure-requests/{request_id}/decision",
        json={"decision": "approve_fields", "fields": ["name", "birthDate"],
              "reason": "Datos de identificación únicamente"},
        headers=chefe,
    )  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "partially_approved"
    # 4. The requester sees exactly what was released, with the owner's handling code.
    seen = client.get(f"/api/v1/entities/{record}", headers=juan).json()
    assert seen["view"] == "released"
    assert set(seen["properties"]) == {"name", "birthDate"}
    assert seen["properties"]["birthDate"] == ["1979-04-12"]
    assert seen["handling_code"] == "H1"
    assert "source_ref" not in seen
    via_request = client.get(f"/api/v1/disclosure-requests/{request_id}", headers=juan).json()
    assert via_request["record"]["view"] == "released"
    assert [e["kind"] for e in via_request["events"]] == ["requested", "approve_fields"]
    # 5. The third agency: no request, no release, no content.
    assert client.get(f"/api/v1/disclosure-requests/{request_id}", headers=luc).status_code == 404
    assert client.get("/api/v1/disclosure-requests", headers=luc).json() == []
    third = client.get(f"/api/v1/entities/{record}", headers=luc).json()
    assert third["view"] == "hit_only" and "properties" not in third
    assert client.get("/api/v1/notifications", headers=luc).json() == []
    # 6. H1: the released record may not go into a judicial package without permission...
    package = client.post(
        "/api/v1/exports", json={"ids": [record], "purpose": "Fiscalía 11", "judicial": True},
        headers=juan,
    ).json()  # fmt: skip
    assert package["records"] == [] and "H1" in package["refused"][record]
    # ...but into an ordinary export, as released.
    plain = client.post(
        "/api/v1/exports", json={"ids": [record], "purpose": "análisis"}, headers=juan
    ).json()
    assert set(plain["records"][0]["properties"]) == {"name", "birthDate"}
    # 7. Everything is on the record.
    with engine.connect() as conn:
        actions = [e.action for e in reversed(audit.search(conn, audit.Query(), limit=1000))]
    for action in ("hit.list", "disclosure.request", "disclosure.decide", "entity.read",
                   "export.judicial", "export"):  # fmt: skip
        assert action in actions, action
    assert any(
        e.outcome == "denied" and e.username == "luc.pn"
        for e in audit.search(engine.connect(), audit.Query(action="disclosure.read"))
    )


def test_only_the_owner_supervisor_decides(client: TestClient, setup: dict[str, str]) -> None:
    juan = token(client, "juan.ponal")
    request_id = client.post(
        "/api/v1/disclosure-requests",
        json={"entity_id": setup["record"], "purpose": "p", "legal_basis": "b"},
        headers=juan,
    ).json()["id"]
    body = {"decision": "approve"}
    url = f"/api/v1/disclosure-requests/{request_id}/decision"
    # The owner's analyst: not a supervisor. The requester's own supervisor: not the owner.
    assert client.post(url, json=body, headers=token(client, "ana.pf")).status_code == 403
    assert client.post(url, json=body, headers=token(client, "jefe.ponal")).status_code == 403
    # A third agency does not even learn the request exists.
    assert client.post(url, json=body, headers=token(client, "luc.pn")).status_code == 404
    assert client.post(url, json=body, headers=token(client, "chefe.pf")).status_code == 200
    # Decided once: not again.
    again = client.post(url, json={"decision": "decline", "reason": "x"},
                        headers=token(client, "chefe.pf"))  # fmt: skip
    assert again.status_code == 422 and "already approved" in again.json()["detail"]
    full = client.get(f"/api/v1/entities/{setup['record']}", headers=juan).json()
    assert full["view"] == "released" and "idNumber" in full["properties"]
    assert full["source_ref"] == "IPL 2024.0042"


def test_protected_subject_is_released_only_field_by_field(
    client: TestClient, setup: dict[str, str]
) -> None:
    juan, chefe = token(client, "juan.ponal"), token(client, "chefe.pf")
    witness = setup["witness"]
    assert client.get(f"/api/v1/entities/{witness}", headers=juan).json()["view"] == "hit_only"
    request_id = client.post(
        "/api/v1/disclosure-requests",
        json={"entity_id": witness, "purpose": "p", "legal_basis": "b"},
        headers=juan,
    ).json()["id"]
    url = f"/api/v1/disclosure-requests/{request_id}/decision"
    refused = client.post(url, json={"decision": "approve"}, headers=chefe)
    assert refused.status_code == 422 and "field by field" in refused.json()["detail"]
    ok = client.post(url, json={"decision": "approve_fields", "fields": ["name"]}, headers=chefe)
    assert ok.status_code == 200
    seen = client.get(f"/api/v1/entities/{witness}", headers=juan).json()
    assert seen["view"] == "released" and set(seen["properties"]) == {"name"}
    assert "subject_category" not in seen


def test_request_refusals(client: TestClient, setup: dict[str, str]) -> None:
    juan, ana = token(client, "juan.ponal"), token(client, "ana.pf")
    url = "/api/v1/disclosure-requests"
    body = {"entity_id": setup["record"], "purpose": "p", "legal_basis": "b"}
    # Own record; unknown record; unknown field; missing legal basis (validation).
    assert client.post(url, json=body, headers=ana).status_code == 422
    assert (
        client.post(url, json={**body, "entity_id": "br-pf.nope"}, headers=juan).status_code == 404
    )
    unknown = client.post(url, json={**body, "fields": ["shoeSize"]}, headers=juan)
    assert unknown.status_code == 422 and "shoeSize" in unknown.json()["detail"]
    assert client.post(url, json={**body, "legal_basis": ""}, headers=juan).status_code == 422
    assert client.post(url, json=body, headers=juan).status_code == 201
    duplicate = client.post(url, json=body, headers=juan)
    assert duplicate.status_code == 422 and "already has an open request" in duplicate.text


def test_ask_info_answer_and_decline(engine: Engine, setup: dict[str, str]) -> None:
    with engine.connect() as conn:
        users = {u.username: u for u in list_users(conn)}
    juan, chefe = users["juan.ponal"], users["chefe.pf"]
    actor = audit.Actor("x", "y", "test")
    with engine.begin() as conn:
        info = disclosure.request_disclosure(
            conn, juan, actor, setup["record"], purpose="p", legal_basis="b"
        )
        with pytest.raises(ValueError, match="what information"):
            disclosure.decide(conn, chefe, actor, info.id, "ask_info")
        asked = disclosure.decide(
            conn, chefe, actor, info.id, "ask_info", reason="¿Número de proceso?"
        )
        assert asked.status == "info_requested"
        with pytest.raises(PermissionError):
            disclosure.provide_info(conn, chefe, actor, info.id, "x")
        answered = disclosure.provide_info(conn, juan, actor, info.id, "Proceso 2026-117")
        assert answered.status == "pending"
        with pytest.raises(ValueError, match="reason"):
            disclosure.decide(conn, chefe, actor, info.id, "decline")
        declined = disclosure.decide(
            conn, chefe, actor, info.id, "decline", reason="Investigación en curso"
        )
        assert declined.status == "declined"
        assert declined.decision_reason == "Investigación en curso"
        assert [e["kind"] for e in declined.events] == [
            "requested", "ask_info", "info_provided", "decline",
        ]  # fmt: skip
        entity = get_entity(conn, setup["record"])
        assert entity is not None
        ctx = policy.load_context(conn, juan, [entity.id])
        assert policy.decide(juan, entity, ctx).view is policy.View.HIT_ONLY


def test_reminders_half_way_and_overdue_once_each(engine: Engine, setup: dict[str, str]) -> None:
    with engine.connect() as conn:
        juan = next(u for u in list_users(conn) if u.username == "juan.ponal")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        info = disclosure.request_disclosure(
            conn, juan, audit.SYSTEM, setup["record"], purpose="p", legal_basis="b",
            urgency="immediate", now=start,
        )  # fmt: skip
        assert info.due_at == start + dt.timedelta(hours=8)
        assert disclosure.send_reminders(conn, start + dt.timedelta(hours=3)) == 0
        assert disclosure.send_reminders(conn, start + dt.timedelta(hours=4)) == 1
        assert disclosure.send_reminders(conn, start + dt.timedelta(hours=5)) == 0
        assert disclosure.send_reminders(conn, start + dt.timedelta(hours=8)) == 1
        assert disclosure.send_reminders(conn, start + dt.timedelta(hours=20)) == 0
        kinds = [
            (n.agency_code, n.kind)
            for n in conn.execute(select(Notification).order_by(Notification.id))
        ]
    assert kinds == [
        ("BR-PF", "disclosure.requested"),
        ("BR-PF", "disclosure.reminder"),
        ("BR-PF", "disclosure.overdue"),
        ("CO-PONAL", "disclosure.overdue"),
    ]


def test_the_whole_path_at_the_command_line(
    engine: Engine, setup: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vinculo import cli
    from vinculo.store import db

    monkeypatch.setattr(db, "get_engine", lambda: engine)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli.app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    created = run("requests", "create", setup["record"], "--as", "juan.ponal",
                  "--purpose", "Investigación 2026-117", "--legal-basis", "AMERIPOL")  # fmt: skip
    request_id = created.split()[0]
    assert "pending" in created
    listed = run("requests", "list", "--as", "chefe.pf", "--direction", "incoming")
    assert request_id in listed
    refused = runner.invoke(cli.app, ["requests", "decide", request_id, "--as", "ana.pf",
                                      "--decision", "approve"])  # fmt: skip
    assert refused.exit_code == 1 and "supervisor" in refused.output
    decided = run("requests", "decide", request_id, "--as", "chefe.pf", "--decision",
                  "approve_fields", "--field", "name", "--field", "nationality")  # fmt: skip
    assert "partially_approved" in decided
    with engine.connect() as conn:
        juan = next(u for u in list_users(conn) if u.username == "juan.ponal")
        entity = get_entity(conn, setup["record"])
        assert entity is not None
        ctx = policy.load_context(conn, juan, [entity.id])
        shown = policy.present(juan, entity, ctx).data
    assert set(shown["properties"]) == {"name", "nationality"}
