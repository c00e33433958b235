"""Every cell of role × agency × distribution × handling code × subject category, checked against
rules written out here independently of the policy's code — through the service and the API."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import BACKENDS, truncate_all
from tests.sharing.world import (
    AGENCIES,
    CATEGORIES,
    DISTRIBUTIONS,
    HANDLING,
    OWNER,
    World,
    build,
    token,
)
from vinculo.api import create_app
from vinculo.sharing import policy
from vinculo.sharing.directory import list_users
from vinculo.store.db import make_engine, migrate
from vinculo.store.entities import get_entity

#: distribution -> relations (besides the owner's own agency) inside it
INSIDE = {
    "agency": set(),
    "country": {"same_country"},
    "network": {"network"},
    "all": {"same_country", "network", "group", "other"},
    "group": {"group"},
}
ROLES = ("analyst", "admin")


def expected_view(role: str, relation: str, dist: str, category: str) -> str:
    if role != "analyst":  # administrators (and the DPO) do not see record content
        return "none"
    if relation == "own":
        return "full"
    if category in ("victim", "minor"):
        return "hit_only"
    return "full" if relation in INSIDE[dist] else "hit_only"


def expected_judicial(view: str, relation: str, handling: str) -> bool:
    if relation == "own":
        return view == "full"
    return view == "full" and handling != "H1"


def expected_onward(view: str, relation: str, handling: str) -> bool:
    """May pass the content to a third agency."""
    if relation == "own":
        return view == "full"
    return view == "full" and handling != "H2"


CELLS = list(itertools.product(DISTRIBUTIONS, HANDLING, CATEGORIES))


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, World]]:
    """Built once per backend for the module: reads change nothing the next test relies on."""
    tmp = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp / 'vinculo.sqlite3'}")
        migrate(eng)
    else:
        eng = request.getfixturevalue("postgres_engine")
        truncate_all(eng)
    yield eng, build(eng, tmp)
    if request.param == "sqlite":
        eng.dispose()


@pytest.fixture
def engine(matrix: tuple[Engine, World]) -> Engine:
    return matrix[0]


@pytest.fixture
def world(matrix: tuple[Engine, World]) -> World:
    return matrix[1]


def _user(engine: Engine, username: str) -> policy.UserInfo:
    with engine.connect() as conn:
        return next(u for u in list_users(conn) if u.username == username)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("relation", list(AGENCIES))
def test_service_matrix(engine: Engine, world: World, relation: str, role: str) -> None:
    user = _user(engine, f"{relation.replace('_', '')}.{role}")
    with engine.connect() as conn:
        ctx = policy.load_context(conn, user, world.records.values())
        for dist, handling, category in CELLS:
            entity = get_entity(conn, world.records[(dist, handling, category)])
            assert entity is not None
            cell = (relation, role, dist, handling, category)
            view = policy.decide(user, entity, ctx).view.value
            want = expected_view(role, relation, dist, category)
            assert view == want, cell
            assert policy.may_use_judicially(user, entity, ctx) == expected_judicial(
                want, relation, handling
            ), cell
            assert policy.may_disseminate(
                user, entity, ctx, [user.agency, OWNER, "XX-THIRD"]
            ) == expected_onward(want, relation, handling), cell
            shown = policy.present(user, entity, ctx)
            if want == "full":
                assert shown.data["handling_code"] == handling
                assert shown.data["properties"]["name"]
                if handling == "H3":
                    assert shown.data["handling_text"] == "Somente para a Operação Caravela"
            elif want == "hit_only":
                assert set(shown.data) == {
                    "id", "schema", "agency", "agency_country", "markets", "view", "contact_point",
                }  # fmt: skip
                assert shown.data["contact_point"] == "cgpre@pf.example"
                assert shown.data["agency_country"] == "BR"
            else:
                assert shown.data == {}


def test_inactive_account_sees_nothing(engine: Engine, world: World) -> None:
    user = dataclasses.replace(_user(engine, "own.analyst"), is_active=False)
    with engine.connect() as conn:
        ctx = policy.load_context(conn, user)
        entity = get_entity(conn, world.records[("all", "H0", "suspect")])
        assert entity is not None
        assert policy.decide(user, entity, ctx).view is policy.View.NONE


def test_dpo_sees_no_record_content(engine: Engine, world: World) -> None:
    user = _user(engine, "own.dpo")
    with engine.connect() as conn:
        ctx = policy.load_context(conn, user)
        for entity_id in world.records.values():
            entity = get_entity(conn, entity_id)
            assert entity is not None
            assert policy.decide(user, entity, ctx).view is policy.View.NONE


@pytest.fixture
def client(engine: Engine, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as test_client:
        yield test_client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("relation", list(AGENCIES))
def test_api_matrix(client: TestClient, world: World, relation: str, role: str) -> None:
    headers = token(client, f"{relation.replace('_', '')}.{role}")
    for dist, handling, category in CELLS:
        entity_id = world.records[(dist, handling, category)]
        response = client.get(f"/api/v1/entities/{entity_id}", headers=headers)
        want = expected_view(role, relation, dist, category)
        cell = (relation, role, dist, handling, category)
        if want == "none":
            assert response.status_code == 404, cell
            continue
        assert response.status_code == 200, cell
        body = response.json()
        assert body["view"] == want, cell
        if want == "full":
            assert body["handling_code"] == handling, cell
            assert body["properties"]["phone"], cell
        else:
            assert "properties" not in body and "caption" not in body, cell
            assert "handling_code" not in body and "subject_category" not in body, cell
    # Search answers with the same views: one record of each kind found by name.
    found = client.get("/api/v1/entities", params={"q": "Pessoa Teste", "limit": 200},
                       headers=headers)  # fmt: skip
    if role != "analyst":
        assert found.status_code == 403
        return
    views = {r["id"]: r["view"] for r in found.json()["results"]}
    for (dist, _handling, category), entity_id in world.records.items():
        assert views[entity_id] == expected_view(role, relation, dist, category)


def test_api_dpo_and_admin_cannot_list_hits(client: TestClient) -> None:
    for username in ("own.dpo", "own.admin"):
        assert client.get("/api/v1/hits", headers=token(client, username)).status_code == 403
