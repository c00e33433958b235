"""Link-chart workspaces through the API and the CLI: shared with the colleagues of one agency,
answered as missing to another, audited, refused where they must be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.graph.conftest import Store
from tests.graph.test_api import auth
from tests.graph.test_cli import cli_store  # noqa: F401 - the CLI's fixture
from vinculo.api import create_app
from vinculo.cli import app
from vinculo.graph import workspaces
from vinculo.store.tables import AuditEntry

ES, BR = "ES-CNP", "BR-PF"
URL = "/api/v1/graph/workspaces"
runner = CliRunner()


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store.engine)) as test_client:
        yield test_client


def workspace_audit(store: Store) -> list[tuple[str, str, str | None, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                AuditEntry.action, AuditEntry.outcome, AuditEntry.username, AuditEntry.object_id
            ).order_by(AuditEntry.seq)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows if r[0].startswith("graph.workspace.")]


def state(store: Store) -> dict[str, object]:
    carlos, carlos_br = store.id(ES, "p1"), store.id(BR, "p1")
    return {
        "ids": [carlos, carlos_br],
        "pinned": {carlos: [10.0, 20.0]},
        "notes": {carlos_br: "ask BR-PF about the payments"},
    }


def test_api_workspace_shared_within_the_agency(client: TestClient, store: Store) -> None:
    luis, eva = auth(client, "luis.cnp"), auth(client, "eva.cnp")
    created = client.post(URL, json={"name": "Operación Sur", "state": state(store)}, headers=luis)
    assert created.status_code == 201, created.text
    body = created.json()
    number = body["id"]
    assert body["name"] == "Operación Sur" and body["created_by"] == "luis.cnp"
    assert body["ids"] == [store.id(ES, "p1"), store.id(BR, "p1")]
    assert body["pinned"] == {store.id(ES, "p1"): [10.0, 20.0]}
    # A colleague of the same agency finds it, reads it, renames it and changes it.
    listed = client.get(URL, headers=eva).json()
    assert [(w["id"], w["name"]) for w in listed] == [(number, "Operación Sur")]
    shown = client.get(f"{URL}/{number}", headers=eva)
    assert shown.status_code == 200
    assert shown.json()["notes"] == {store.id(BR, "p1"): "ask BR-PF about the payments"}
    renamed = client.patch(f"{URL}/{number}", json={"name": "Operación Norte"}, headers=eva)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Operación Norte"
    assert renamed.json()["ids"] == body["ids"]  # the state stays as it was
    assert renamed.json()["updated_by"] == "eva.cnp"
    changed = client.patch(
        f"{URL}/{number}", json={"state": {"ids": [store.id(ES, "p2")]}}, headers=eva
    )
    assert changed.status_code == 200
    assert changed.json()["ids"] == [store.id(ES, "p2")] and changed.json()["pinned"] == {}
    assert changed.json()["name"] == "Operación Norte"
    # Deleted by the colleague (anyone of the agency may, as on the web page).
    assert client.delete(f"{URL}/{number}", headers=eva).status_code == 204
    assert client.get(f"{URL}/{number}", headers=luis).status_code == 404
    assert client.get(URL, headers=luis).json() == []
    assert [a[:3] for a in workspace_audit(store)] == [
        ("graph.workspace.save", "ok", "luis.cnp"),
        ("graph.workspace.list", "ok", "eva.cnp"),
        ("graph.workspace.open", "ok", "eva.cnp"),
        ("graph.workspace.update", "ok", "eva.cnp"),
        ("graph.workspace.update", "ok", "eva.cnp"),
        ("graph.workspace.delete", "ok", "eva.cnp"),
        ("graph.workspace.open", "denied", "luis.cnp"),
        ("graph.workspace.list", "ok", "luis.cnp"),
    ]
    assert {a[3] for a in workspace_audit(store) if a[0] != "graph.workspace.list"} == {str(number)}


def test_api_workspace_refusals(client: TestClient, store: Store) -> None:
    luis = auth(client, "luis.cnp")
    number = client.post(URL, json={"name": "Sur", "state": state(store)}, headers=luis).json()[
        "id"
    ]
    other = client.post(URL, json={"name": "Norte", "state": state(store)}, headers=luis).json()[
        "id"
    ]
    # Not logged in.
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{number}").status_code == 401
    assert client.delete(f"{URL}/{number}").status_code == 401
    # A role without records (FR-PN's administrator).
    admin = auth(client, "admin.pn")
    assert client.get(URL, headers=admin).status_code == 403
    assert (
        client.post(URL, json={"name": "x", "state": state(store)}, headers=admin).status_code
        == 403
    )
    # Another agency: as if it did not exist, whatever it tries.
    jean = auth(client, "jean.pn")
    assert client.get(URL, headers=jean).json() == []
    assert client.get(f"{URL}/{number}", headers=jean).status_code == 404
    assert client.patch(f"{URL}/{number}", json={"name": "mine"}, headers=jean).status_code == 404
    assert client.delete(f"{URL}/{number}", headers=jean).status_code == 404
    # The same name in another agency is another workspace.
    assert (
        client.post(URL, json={"name": "Sur", "state": state(store)}, headers=jean).status_code
        == 201
    )
    # Names taken in the agency, and states that are not a chart.
    taken = client.post(URL, json={"name": "Sur", "state": state(store)}, headers=luis)
    assert taken.status_code == 409 and "Sur" in taken.json()["detail"]
    clash = client.patch(f"{URL}/{other}", json={"name": "Sur"}, headers=luis)
    assert clash.status_code == 409
    blank = client.post(URL, json={"name": "   ", "state": state(store)}, headers=luis)
    assert blank.status_code == 422 and "name" in blank.json()["detail"]
    empty = client.post(URL, json={"name": "Vacío", "state": {"ids": []}}, headers=luis)
    assert empty.status_code == 422
    bad_pin = client.patch(
        f"{URL}/{number}",
        json={"state": {"ids": [store.id(ES, "p1")], "pinned": {store.id(ES, "p1"): [1]}}},
        headers=luis,
    )
    assert bad_pin.status_code == 422
    assert client.get(f"{URL}/0", headers=luis).status_code == 422
    # Nothing was changed by any of that.
    mine = client.get(URL, headers=luis).json()
    assert sorted(w["name"] for w in mine) == ["Norte", "Sur"]
    audited = [(a[0], a[1], a[2]) for a in workspace_audit(store)]
    assert ("graph.workspace.list", "denied", "admin.pn") in audited
    assert ("graph.workspace.save", "denied", "admin.pn") in audited
    assert audited.count(("graph.workspace.open", "denied", "jean.pn")) == 1
    assert ("graph.workspace.update", "denied", "jean.pn") in audited
    assert ("graph.workspace.delete", "denied", "jean.pn") in audited
    assert ("graph.workspace.save", "failed", "luis.cnp") in audited  # name taken, blank
    assert ("graph.workspace.update", "failed", "luis.cnp") in audited  # rename clash


def test_service_rename_keeps_the_agency_boundary(store: Store) -> None:
    luis, jean = store.user("luis.cnp"), store.user("jean.pn")
    with store.engine.begin() as conn:
        created = workspaces.create(conn, luis, "Sur", state(store))
        with pytest.raises(LookupError):
            workspaces.update(conn, jean, created.id, name="Robado")
        with pytest.raises(workspaces.NameTaken):
            workspaces.create(conn, luis, " Sur ", state(store))
        same = workspaces.update(conn, luis, created.id, name="Sur")  # its own name again
        assert same.name == "Sur"
        with pytest.raises(ValueError, match="pinned"):
            workspaces.update(
                conn,
                luis,
                created.id,
                state={
                    "ids": [store.id(ES, "p1")],
                    "pinned": {store.id(ES, "p1"): [1, float("nan")]},
                },
            )
        assert workspaces.get(conn, luis, created.id).state == created.state


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_workspaces(cli_store: Store, tmp_path: Path) -> None:  # noqa: F811
    carlos = cli_store.id(ES, "p1")
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(state(cli_store)), encoding="utf-8")
    saved = run(
        "graph",
        "workspaces",
        "save",
        "--as",
        "luis.cnp",
        "--name",
        "Sur",
        "--state",
        str(state_file),
    )
    assert "2 ids" in saved
    run("graph", "workspaces", "save", "--as", "luis.cnp", "--name", "Norte", "--ids", carlos)
    listed = json.loads(run("graph", "workspaces", "list", "--as", "eva.cnp", "--json"))
    assert sorted(w["name"] for w in listed) == ["Norte", "Sur"]
    number = next(w["id"] for w in listed if w["name"] == "Sur")
    shown = json.loads(run("graph", "workspaces", "show", "--as", "eva.cnp", str(number), "--json"))
    assert shown["pinned"] == {carlos: [10.0, 20.0]}
    assert "ask BR-PF about the payments" in run(
        "graph", "workspaces", "show", "--as", "eva.cnp", str(number)
    )
    # Saving under the same name replaces the content.
    run("graph", "workspaces", "save", "--as", "eva.cnp", "--name", "Sur", "--ids", carlos)
    again = json.loads(
        run("graph", "workspaces", "show", "--as", "luis.cnp", str(number), "--json")
    )
    assert again["ids"] == [carlos] and again["updated_by"] == "eva.cnp"
    # Refusals: another agency, a role without records, a bad state, an unknown id.
    other = runner.invoke(app, ["graph", "workspaces", "show", "--as", "jean.pn", str(number)])
    assert other.exit_code != 0 and "no workspace" in other.output
    gone = runner.invoke(app, ["graph", "workspaces", "delete", "--as", "jean.pn", str(number)])
    assert gone.exit_code != 0 and "no workspace" in gone.output
    assert "no workspace in your agency" in run("graph", "workspaces", "list", "--as", "jean.pn")
    admin = runner.invoke(app, ["graph", "workspaces", "list", "--as", "admin.pn"])
    assert admin.exit_code != 0 and "role" in admin.output
    empty = runner.invoke(
        app, ["graph", "workspaces", "save", "--as", "luis.cnp", "--name", "Vacío"]
    )
    assert empty.exit_code != 0 and "empty" in empty.output
    assert "deleted" in run("graph", "workspaces", "delete", "--as", "eva.cnp", str(number))
    missing = runner.invoke(app, ["graph", "workspaces", "show", "--as", "luis.cnp", str(number)])
    assert missing.exit_code != 0
    audited = [a[:3] for a in workspace_audit(cli_store)]
    assert audited == [
        ("graph.workspace.save", "ok", "luis.cnp"),
        ("graph.workspace.save", "ok", "luis.cnp"),
        ("graph.workspace.list", "ok", "eva.cnp"),
        ("graph.workspace.open", "ok", "eva.cnp"),
        ("graph.workspace.open", "ok", "eva.cnp"),
        ("graph.workspace.save", "ok", "eva.cnp"),
        ("graph.workspace.open", "ok", "luis.cnp"),
        ("graph.workspace.open", "denied", "jean.pn"),
        ("graph.workspace.delete", "denied", "jean.pn"),
        ("graph.workspace.list", "ok", "jean.pn"),
        ("graph.workspace.list", "denied", "admin.pn"),
        ("graph.workspace.save", "failed", "luis.cnp"),
        ("graph.workspace.delete", "ok", "eva.cnp"),
        ("graph.workspace.open", "denied", "luis.cnp"),
    ]
