"""Fixtures for authentication tests: a small directory, an API client, a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from vinculo.api import create_app
from vinculo.auth import totp
from vinculo.sharing.directory import add_agency, add_user
from vinculo.store.tables import AuditEntry

PASSWORD = "correct horse battery staple"


class Clock:
    """The TOTP clock, moved by hand: codes of distinct time steps on demand."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, steps: int = 1) -> None:
        self.now += steps * totp.STEP_SECONDS

    def code(self, secret: str, offset: int = 0) -> str:
        return totp.code_at(secret, totp.step_at(self.now) + offset)

    def wrong_code(self, secret: str) -> str:
        """A well-formed code that no step of the window accepts."""
        window = {self.code(secret, offset) for offset in (-1, 0, 1)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in window)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(totp, "clock", fake)
    return fake


@pytest.fixture
def directory(engine: Engine) -> Engine:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst", "supervisor"])
        add_user(conn, "rui.pf", "BR-PF", PASSWORD, ["analyst"])
        add_user(conn, "admin.pf", "BR-PF", PASSWORD, ["administrator"])
        add_user(conn, "luis.cnp", "ES-CNP", PASSWORD, ["analyst"])
        add_user(conn, "admin.cnp", "ES-CNP", PASSWORD, ["administrator"])
    return engine


@pytest.fixture
def client(directory: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(directory)) as test_client:
        yield test_client


def bearer(client: TestClient, username: str, otp: str | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def audit_entries(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
        )
