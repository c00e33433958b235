"""REST API: health, token authentication, agencies, entity search and read — denied paths first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from tests.ingest.broken_file import write_broken_file
from vinculo.api import create_app
from vinculo.ingest.pipeline import run_import
from vinculo.sharing.directory import add_agency, add_user
from vinculo.store.db import head_revision
from vinculo.store.tables import ApiToken, utcnow

PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst"])
        add_user(conn, "luis.cnp", "ES-CNP", PASSWORD, ["analyst"])
    run_import(write_broken_file(tmp_path / "people.csv").path, "BR-PF", engine=engine)
    with TestClient(create_app(engine)) as test_client:
        yield test_client


def _token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_health_reports_database_and_revision(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["schema_revision"] == head_revision()


@pytest.mark.parametrize(
    "path", ["/api/v1/agencies", "/api/v1/entities?q=silva", "/api/v1/entities/x"]
)
def test_every_data_endpoint_requires_a_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    bad = client.get(path, headers={"Authorization": "Bearer vin_not-a-token"})
    assert bad.status_code == 401


def test_wrong_password_is_refused_and_account_locks(client: TestClient) -> None:
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/token", json={"username": "ana.pf", "password": "wrong"}
        )
        assert response.status_code == 401
    # Locked now: even the right password is refused.
    locked = client.post("/api/v1/auth/token", json={"username": "ana.pf", "password": PASSWORD})
    assert locked.status_code == 401
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401


def test_expired_token_is_refused(client: TestClient, engine: Engine) -> None:
    headers = _token(client, "ana.pf")
    assert client.get("/api/v1/agencies", headers=headers).status_code == 200
    with engine.begin() as conn:
        conn.execute(update(ApiToken).values(expires_at=utcnow()))
    assert client.get("/api/v1/agencies", headers=headers).status_code == 401


def test_agencies_listed(client: TestClient) -> None:
    body = client.get("/api/v1/agencies", headers=_token(client, "ana.pf")).json()
    assert {a["code"] for a in body} == {"BR-PF", "ES-CNP"}
    assert next(a for a in body if a["code"] == "ES-CNP")["networks"] == ["EUROPOL"]


def test_owner_sees_full_record_other_agency_only_a_hit(client: TestClient) -> None:
    owner = _token(client, "ana.pf")
    other = _token(client, "luis.cnp")
    found = client.get("/api/v1/entities", params={"q": "PF-00003"}, headers=owner).json()
    # PF-00003 is a source key, not searchable text: search by the person's name instead.
    assert found["results"] == [] or found["results"][0]["agency"] == "BR-PF"
    any_person = client.get("/api/v1/entities", params={"q": "silva"}, headers=owner).json()
    assert any_person["results"], "the demo file has Silvas"
    first = any_person["results"][0]
    assert first["view"] == "full"
    assert first["properties"]["name"]
    entity_id = first["id"]
    seen_by_other = client.get(f"/api/v1/entities/{entity_id}", headers=other).json()
    assert seen_by_other["view"] == "hit_only"
    assert seen_by_other["agency"] == "BR-PF"
    assert seen_by_other["agency_country"] == "BR"
    assert seen_by_other.get("properties") is None
    assert seen_by_other.get("caption") is None
    search_other = client.get("/api/v1/entities", params={"q": "silva"}, headers=other).json()
    assert all(
        r["view"] == "hit_only" and r.get("properties") is None for r in search_other["results"]
    )


def test_search_ignores_accents_and_case(client: TestClient) -> None:
    owner = _token(client, "ana.pf")
    lower = client.get("/api/v1/entities", params={"q": "conceicao"}, headers=owner).json()
    accented = client.get("/api/v1/entities", params={"q": "CONCEIÇÃO"}, headers=owner).json()
    assert [r["id"] for r in lower["results"]] == [r["id"] for r in accented["results"]]


def test_search_by_identifier_in_any_format(client: TestClient) -> None:
    owner = _token(client, "ana.pf")
    person = client.get("/api/v1/entities", params={"q": "silva"}, headers=owner).json()["results"][
        0
    ]
    cpf = person["properties"]["idNumber"][0]
    formatted = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    found = client.get("/api/v1/entities", params={"q": formatted}, headers=owner).json()
    assert person["id"] in [r["id"] for r in found["results"]]


def test_missing_entity_is_404_and_hostile_queries_are_harmless(client: TestClient) -> None:
    owner = _token(client, "ana.pf")
    assert client.get("/api/v1/entities/nope", headers=owner).status_code == 404
    for query in ['"', "a' OR 1=1 --", "NEAR(", "*", "silva & | !", "é:*"]:
        response = client.get("/api/v1/entities", params={"q": query}, headers=owner)
        assert response.status_code == 200, (query, response.text)


def test_hits_endpoint_shows_own_record_in_full_and_the_other_as_a_hit(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        add_agency(
            conn, "CO-DIJIN", "DIJIN", "CO", "police", [], {"drugs": "antinarcoticos@dijin.example"}
        )
        add_agency(conn, "ES-CNP", "CNP", "ES", "police", ["EUROPOL"])
        add_agency(conn, "PE-PNP", "PNP", "PE", "police")
        add_user(conn, "dora", "CO-DIJIN", PASSWORD, ["analyst"])
        add_user(conn, "luis", "ES-CNP", PASSWORD, ["analyst"])
        add_user(conn, "pablo", "PE-PNP", PASSWORD, ["analyst"])
    co = tmp_path / "co.csv"
    co.write_text(
        "id,name,birth_date,markets\nD-1,José Luis Pérez García,12/03/1980,drugs\n",
        encoding="utf-8",
    )
    es = tmp_path / "es.csv"
    es.write_text(
        'id,name,birth_date,markets\nE-1,"PEREZ GARCIA, JOSE LUIS",1980-03-12,drugs\n',
        encoding="utf-8",
    )
    run_import(co, "CO-DIJIN", engine=engine)
    run_import(es, "ES-CNP", engine=engine)
    with TestClient(create_app(engine)) as client:
        spain = _token(client, "luis")
        (hit,) = client.get("/api/v1/hits", headers=spain).json()
        assert hit["own"]["view"] == "full" and hit["own"]["agency"] == "ES-CNP"
        assert hit["other"]["view"] == "hit_only" and hit["other"]["agency"] == "CO-DIJIN"
        assert "properties" not in hit["other"]
        assert hit["other_contact"] == "antinarcoticos@dijin.example"
        assert any("birth dates agree" in line for line in hit["explanation"])
        # A third agency neither sees nor judges it.
        peru = _token(client, "pablo")
        assert client.get("/api/v1/hits", headers=peru).json() == []
        denied = client.post(
            f"/api/v1/hits/{hit['id']}/judgement", json={"status": "rejected"}, headers=peru
        )
        assert denied.status_code == 404
        bad = client.post(
            f"/api/v1/hits/{hit['id']}/judgement", json={"status": "maybe"}, headers=spain
        )
        assert bad.status_code == 422
        ok = client.post(
            f"/api/v1/hits/{hit['id']}/judgement", json={"status": "confirmed"}, headers=spain
        )
        assert ok.status_code == 204
        colombia = _token(client, "dora")
        (seen,) = client.get(
            "/api/v1/hits", params={"status": "confirmed"}, headers=colombia
        ).json()
        assert seen["id"] == hit["id"] and seen["other"]["agency"] == "ES-CNP"


def test_text_the_database_cannot_hold_is_a_client_error(client: TestClient) -> None:
    """Found by schemathesis: PostgreSQL refuses NUL characters in text."""
    response = client.post("/api/v1/auth/token", json={"username": "\x00", "password": "x"})
    assert response.status_code in (400, 401)
    headers = _token(client, "ana.pf")
    search = client.get("/api/v1/entities", params={"q": "a\x00b"}, headers=headers)
    assert search.status_code in (200, 400)
