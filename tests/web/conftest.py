"""A small installation for the web pages: three agencies, users in several languages, records,
hits, disclosure requests, notifications and records due for review for the home page."""

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update

from vinculo.api import create_app
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_agency, add_user
from vinculo.sharing.notify import notify
from vinculo.store.tables import (
    AuditEntry,
    DisclosureRequest,
    Entity,
    Hit,
    Notification,
    utcnow,
)

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _import(engine: Engine, tmp_path: Path, agency: str, n: int) -> list[str]:
    path = tmp_path / f"{agency}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "birth_date"])
        for i in range(n):
            writer.writerow(
                [f"{agency.lower()}-{i}", f"Persona Prueba {i} {agency}", "1980-01-0" + str(i + 1)]
            )
    report = run_import(path, agency, engine=engine, match=False)
    assert report.rows_rejected == 0, report
    return [make_entity_id(agency, f"{agency.lower()}-{i}") for i in range(n)]


def _hit(left: str, right: str, left_agency: str, right_agency: str, status: str) -> dict[str, Any]:
    return {
        "id": f"h-{left[-8:]}-{right[-8:]}",
        "left_id": left,
        "right_id": right,
        "left_agency": left_agency,
        "right_agency": right_agency,
        "schema": "Person",
        "score": 9.5,
        "explanation": [],
        "levels": {},
        "status": status,
        "left_hash": "0" * 40,
        "right_hash": "0" * 40,
    }


def _request(n: int, owner: str, requester: str, status: str) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "entity_id": None,
        "schema": "Person",
        "owner_agency": owner,
        "requesting_agency": requester,
        "requested_by": "someone",
        "purpose": "investigation",
        "legal_basis": "treaty",
        "urgency": "routine",
        "fields_requested": [],
        "status": status,
        "due_at": utcnow() + dt.timedelta(days=10),
    }


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Engine:
    """BR-PF (the home page's agency) has: 2 new hits (one with ES-CNP, one with FR-PN), besides a
    confirmed one and a new one between other agencies; 2 requests to act on (one incoming
    pending, one outgoing with information requested), besides requests that wait on others; 2
    unread notifications for ana.pf (one to her, one to the agency), besides a read one and one
    to a colleague; 3 records past their review date, besides one of ES-CNP."""
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst"], display_name="Ana Souza")
        add_user(conn, "rui.pf", "BR-PF", PASSWORD, ["analyst"], locale="pt-BR")
        add_user(conn, "admin.pf", "BR-PF", PASSWORD, ["administrator"])
        add_user(conn, "luis.cnp", "ES-CNP", PASSWORD, ["analyst"], locale="es")
        add_user(conn, "eve.pf", "BR-PF", PASSWORD, ["analyst"],
                 display_name='<script>alert("x")</script>')  # fmt: skip
    br = _import(engine, tmp_path, "BR-PF", 4)
    es = _import(engine, tmp_path, "ES-CNP", 3)
    fr = _import(engine, tmp_path, "FR-PN", 2)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(
            insert(Hit),
            [
                _hit(br[0], es[0], "BR-PF", "ES-CNP", "new"),
                _hit(fr[0], br[1], "FR-PN", "BR-PF", "new"),
                _hit(br[2], es[1], "BR-PF", "ES-CNP", "confirmed"),
                _hit(br[3], es[2], "BR-PF", "ES-CNP", "needs_review"),
                _hit(es[0], fr[1], "ES-CNP", "FR-PN", "new"),
            ],
        )
        conn.execute(
            insert(DisclosureRequest),
            [
                _request(1, "BR-PF", "ES-CNP", "pending"),
                _request(2, "ES-CNP", "BR-PF", "info_requested"),
                _request(3, "ES-CNP", "BR-PF", "pending"),  # waits on ES-CNP
                _request(4, "BR-PF", "FR-PN", "approved"),
                _request(5, "FR-PN", "ES-CNP", "pending"),
            ],
        )
        notify(conn, "BR-PF", "hit", "hit", "h1", username="ana.pf")
        notify(conn, "BR-PF", "request", "disclosure_request", "r1")
        notify(conn, "BR-PF", "hit", "hit", "h2", username="rui.pf")
        notify(conn, "ES-CNP", "hit", "hit", "h3")
        notify(conn, "BR-PF", "hit", "hit", "h4", username="ana.pf")
        conn.execute(
            update(Notification).where(Notification.ref_id == "h4").values(read_at=utcnow())
        )
        conn.execute(
            update(Entity).where(Entity.id.in_(br[:3] + es[:1])).values(review_by=yesterday)
        )
    return engine


@pytest.fixture
def client(site: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(site)) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, html
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, **headers: str) -> Any:
    form = client.get("/login", headers=headers)
    assert form.status_code == 200
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        headers=headers,
        follow_redirects=False,
    )


def audit_entries(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
        )
