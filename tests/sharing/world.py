"""A small installation to test sharing on: one owner agency and one agency for each relation
the policy distinguishes, records in every distribution × handling code × subject category."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from vinculo import audit
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing import groups
from vinculo.sharing.directory import add_agency, add_user, list_users

PASSWORD = "correct horse battery staple"
OWNER = "BR-PF"
#: relation of an agency to the owner -> that agency
AGENCIES = {
    "own": OWNER,
    "same_country": "BR-MPF",
    "network": "CO-PONAL",
    "group": "ES-CNP",
    "other": "FR-PN",
}
DISTRIBUTIONS = ("agency", "country", "network", "all", "group")
HANDLING = ("H0", "H1", "H2", "H3")
CATEGORIES = ("suspect", "victim", "minor")


@dataclass(frozen=True)
class World:
    group_id: str
    #: (distribution, handling, category) -> entity id
    records: dict[tuple[str, str, str], str]


def build(engine: Engine, tmp_path: Path) -> World:
    with engine.begin() as conn:
        add_agency(conn, OWNER, "Polícia Federal", "BR", "police", ["AMERIPOL"],
                   {"drugs": "cgpre@pf.example"})  # fmt: skip
        add_agency(conn, "BR-MPF", "Ministério Público Federal", "BR", "prosecution", [])
        add_agency(conn, "CO-PONAL", "Policía Nacional", "CO", "police", ["AMERIPOL", "CLASI"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        for relation, code in AGENCIES.items():
            prefix = relation.replace("_", "")
            add_user(conn, f"{prefix}.analyst", code, PASSWORD, ["analyst"])
            add_user(conn, f"{prefix}.admin", code, PASSWORD, ["administrator"])
        add_user(conn, "own.supervisor", OWNER, PASSWORD, ["supervisor"])
        add_user(conn, "own.dpo", OWNER, PASSWORD, ["dpo"])
        add_user(conn, "other.supervisor", "FR-PN", PASSWORD, ["supervisor"])
        supervisor = next(u for u in list_users(conn) if u.username == "own.supervisor")
        group = groups.create_group(
            conn, supervisor, audit.Actor("own.supervisor", OWNER), "Operación Caravela",
            {"ES-CNP": False},
        )  # fmt: skip
    rows = []
    records: dict[tuple[str, str, str], str] = {}
    for n, (dist, handling, category) in enumerate(
        itertools.product(DISTRIBUTIONS, HANDLING, CATEGORIES)
    ):
        source_id = f"p{n:03d}"
        ref = {"network": "network:AMERIPOL", "group": f"group:{group.id}"}.get(dist, dist)
        rows.append(
            {
                "id": source_id,
                "name": f"Pessoa Teste {n:03d} da Silva",
                "birth_date": f"19{60 + n % 30}-0{1 + n % 9}-1{n % 9}",
                "phone": f"+55 61 9{n:04d}-{n:04d}",
                "markets": "drugs",
                "handling_code": handling,
                "handling_text": "Somente para a Operação Caravela" if handling == "H3" else "",
                "subject_category": "suspect" if category == "minor" else category,
                "minor": "yes" if category == "minor" else "no",
                "distribution": ref,
            }
        )
        records[(dist, handling, category)] = make_entity_id(OWNER, source_id)
    path = tmp_path / "owner.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = run_import(path, OWNER, engine=engine, match=False)
    assert report.rows_rejected == 0, report
    return World(group.id, records)


def token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
