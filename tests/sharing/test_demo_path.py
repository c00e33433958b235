"""On the demo installation: two agencies in different countries go from a hit to a released
record through the API; a third agency sees nothing of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from vinculo.api import create_app
from vinculo.demo.install import DemoResult, install_demo
from vinculo.sharing.directory import list_agencies
from vinculo.store.db import make_engine
from vinculo.store.tables import Hit


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoResult]]:
    tmp = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{tmp / 'demo.sqlite3'}")
    result = install_demo(engine, seed=3, scale=800, scenario_dir=tmp / "scenario")
    yield engine, result
    engine.dispose()


def _login(client: TestClient, demo: DemoResult, agency: str) -> dict[str, str]:
    user = next(u for u in demo.users if u.agency == agency and u.username.endswith(".analyst"))
    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": user.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_demo_hit_to_release_between_two_countries(demo: tuple[Engine, DemoResult]) -> None:
    engine, result = demo
    assert result.hits > 0
    with engine.connect() as conn:
        country = {a.code: a.country for a in list_agencies(conn)}
        hits = conn.execute(select(Hit.left_agency, Hit.right_agency)).all()
    pairs = {
        (h.left_agency, h.right_agency)
        for h in hits
        if country[h.left_agency] != country[h.right_agency]
    }
    assert pairs, "the demo should hold hits across borders"
    with TestClient(create_app(engine)) as client:
        # Find a cross-border hit whose other record the requester sees only as a hit.
        for left, right in sorted(pairs):
            requester = _login(client, result, left)
            inbox = client.get("/api/v1/hits", params={"limit": 500}, headers=requester).json()
            candidates = [
                h for h in inbox
                if h["other"]["agency"] == right and h["other"]["view"] == "hit_only"
            ]  # fmt: skip
            if candidates:
                break
        else:
            pytest.fail("no cross-border hit-only hit in the demo")
        hit = candidates[0]
        record = hit["other"]["id"]
        owner = hit["other"]["agency"]
        asked = client.post(
            "/api/v1/disclosure-requests",
            json={"entity_id": record, "hit_id": hit["id"], "purpose": "Demo: joint case",
                  "legal_basis": "Bilateral agreement", "urgency": "urgent"},
            headers=requester,
        )  # fmt: skip
        assert asked.status_code == 201, asked.text
        owner_headers = _login(client, result, owner)
        incoming = client.get(
            "/api/v1/disclosure-requests", params={"direction": "incoming"}, headers=owner_headers
        ).json()
        assert asked.json()["id"] in {r["id"] for r in incoming}
        decided = client.post(
            f"/api/v1/disclosure-requests/{asked.json()['id']}/decision",
            json={"decision": "approve_fields", "fields": ["name", "birthDate"]},
            headers=owner_headers,
        )
        assert decided.status_code == 200, decided.text
        seen = client.get(f"/api/v1/entities/{record}", headers=requester).json()
        assert seen["view"] == "released"
        assert set(seen["properties"]) <= {"name", "birthDate"} and "name" in seen["properties"]
        # A third agency, in neither country: no request, no release.
        third = next(
            code for code in sorted(country)
            if country[code] not in (country[left], country[right])
        )  # fmt: skip
        outsider = _login(client, result, third)
        request_url = f"/api/v1/disclosure-requests/{asked.json()['id']}"
        assert client.get(request_url, headers=outsider).status_code == 404
        view = client.get(f"/api/v1/entities/{record}", headers=outsider).json()
        assert "properties" not in view
