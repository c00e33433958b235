"""A small store of three agencies with links of every kind, written through the real import.

ES-CNP: Carlos (network EUROPOL) and Marta (agency only) share a phone; Carlos called Marta (the
call shared with EUROPOL) and is an associate of a protected witness (shared with EUROPOL); both
are members of "Clan Sur" (memberships kept by ES-CNP; Marta's is H1, and so is the association
with the witness). BR-PF: Carlos again (a confirmed hit with
ES-CNP's record), who called João and was paid by him; nothing shared. FR-PN (the third agency,
EUROPOL): Jean, unrelated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from vinculo.graph.store import forget_store_graphs
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import UserInfo, add_agency, add_user, get_user
from vinculo.store.tables import Hit

PASSWORD = "correct horse battery staple"
EUROPOL = {"distribution": "network:EUROPOL"}


def _line(key: str, schema: str, props: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {"id": key, "schema": schema, "properties": props, "vinculo": meta}


ES_LINES = [
    _line("p1", "Person", {"name": ["Carlos Ruiz"], "phone": ["+34 600 123 456"]}, **EUROPOL),
    _line("p2", "Person", {"name": ["Marta Gil"], "phone": ["+34600123456"]}),
    _line("p3", "Person", {"name": ["Testigo Protegido"]}, subject_category="witness", **EUROPOL),
    _line("org", "Organization", {"name": ["Clan Sur"]}),
    _line(
        "call1", "Call", {"caller": ["p1"], "receiver": ["p2"], "date": ["2023-01-10"]}, **EUROPOL
    ),
    _line(
        "assoc", "Associate", {"person": ["p1"], "associate": ["p3"]}, handling_code="H1", **EUROPOL
    ),
    _line("mem1", "Membership", {"member": ["p1"], "organization": ["org"]}),
    _line("mem2", "Membership", {"member": ["p2"], "organization": ["org"]}, handling_code="H1"),
]
BR_LINES = [
    _line("p1", "Person", {"name": ["Carlos Ruiz Souza"]}),
    _line("p2", "Person", {"name": ["João Lima"]}),
    _line("call", "Call", {"caller": ["p1"], "receiver": ["p2"], "date": ["2023-02-01"]}),
    _line(
        "pay",
        "Payment",
        {"payer": ["p2"], "beneficiary": ["p1"], "amount": ["5000"], "date": ["2023-03-01"]},
    ),
]
FR_LINES = [_line("p1", "Person", {"name": ["Jean Martin"]})]


@dataclass(frozen=True, slots=True)
class Store:
    engine: Engine

    @staticmethod
    def id(agency: str, key: str) -> str:
        return make_entity_id(agency, key)

    def user(self, username: str) -> UserInfo:
        with self.engine.connect() as conn:
            found = get_user(conn, username)
        assert found is not None
        return found


def _import(engine: Engine, tmp_path: Path, agency: str, lines: list[dict[str, Any]]) -> None:
    path = tmp_path / f"{agency}.ftm.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    report = run_import(path, agency, engine=engine, match=False)
    assert report.rows_rejected == 0, report


def populate(engine: Engine, tmp_path: Path) -> Store:
    forget_store_graphs()
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "FR-PN", "Police nationale", "FR", "police", ["EUROPOL"])
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst"])
        add_user(conn, "luis.cnp", "ES-CNP", PASSWORD, ["analyst"], locale="es")
        add_user(conn, "eva.cnp", "ES-CNP", PASSWORD, ["investigator"])
        add_user(conn, "jean.pn", "FR-PN", PASSWORD, ["investigator"])
        add_user(conn, "admin.pn", "FR-PN", PASSWORD, ["administrator"])
    _import(engine, tmp_path, "ES-CNP", ES_LINES)
    _import(engine, tmp_path, "BR-PF", BR_LINES)
    _import(engine, tmp_path, "FR-PN", FR_LINES)
    es, br = make_entity_id("ES-CNP", "p1"), make_entity_id("BR-PF", "p1")
    with engine.begin() as conn:
        conn.execute(
            insert(Hit),
            [
                {
                    "id": "hit-carlos",
                    "left_id": es,
                    "right_id": br,
                    "left_agency": "ES-CNP",
                    "right_agency": "BR-PF",
                    "schema": "Person",
                    "score": 9.0,
                    "status": "confirmed",
                    "left_hash": "0" * 40,
                    "right_hash": "0" * 40,
                }
            ],
        )
    forget_store_graphs()
    return Store(engine)


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Iterator[Store]:
    yield populate(engine, tmp_path)
    forget_store_graphs()
