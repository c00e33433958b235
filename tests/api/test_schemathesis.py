"""Property-based API tests generated from the OpenAPI schema (schemathesis): whatever a client
sends within or against the schema, vinculo answers without a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import BACKENDS, truncate_all
from tests.sharing.world import build, token
from vinculo.api import create_app
from vinculo.store.db import make_engine, migrate

# The engine is set per backend below; loading the schema needs none.
APP = create_app()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).exclude(
    # Logging out would revoke the token every other case uses; it is tested in tests/auth.
    path="/api/v1/auth/logout"
)


@pytest.fixture(scope="module", params=BACKENDS)
def headers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """One populated installation per backend, shared by every operation's test."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'vinculo.sqlite3'}")
        migrate(engine)
    else:
        engine = request.getfixturevalue("postgres_engine")
        truncate_all(engine)
    build(engine, tmp)
    APP.state.engine = engine
    with TestClient(APP) as client:
        yield token(client, "own.supervisor")
    APP.state.engine = None


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors(case: Any, headers: dict[str, str]) -> None:
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
