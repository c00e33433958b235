"""Crash safety, resume, and the lossless FtM round trip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
from sqlalchemy import Engine, func, select

from tests.ingest.broken_file import write_broken_file
from vinculo.export import export_agency
from vinculo.ingest.pipeline import FAULT_ENV, run_import
from vinculo.sharing.directory import add_agency
from vinculo.store.db import make_engine, migrate
from vinculo.store.tables import Entity, ImportJob

CHILD = """
import sys
from pathlib import Path
from vinculo.ingest.pipeline import run_import
from vinculo.store.db import make_engine
run_import(Path(sys.argv[2]), "BR-PF", schema="Person", engine=make_engine(sys.argv[1]),
           batch_size=100)
"""


def _entity_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Entity)).scalar_one())


def test_killed_import_leaves_whole_batches_and_resumes(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
    broken = write_broken_file(tmp_path / "people.csv")
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, FAULT_ENV: "450"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(broken.path)],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 137, child.stderr.decode()
    # Batches of 100 rows: four committed (lines 2-401), the fifth died before its commit.
    with engine.connect() as conn:
        job = conn.execute(select(ImportJob)).one()
        lines = [r[0] for r in conn.execute(select(Entity.source_line))]
    assert job.status == "running"
    assert job.line_committed == 401
    assert job.rows_read == 400
    assert max(lines) <= 401
    rejected_before = sum(
        1 for line, (_, kind) in broken.broken.items() if kind == "rejected" and line <= 401
    )
    assert _entity_count(engine) == 400 - rejected_before

    report = run_import(broken.path, "BR-PF", schema="Person", engine=engine, batch_size=100)
    assert report.resumed_from_line == 401
    assert report.rows_read == 1000
    assert {p.line for p in report.problems} == set(broken.broken)
    assert _entity_count(engine) == 1000 - 6


def test_ftm_export_then_import_into_empty_database_is_lossless(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
    broken = write_broken_file(tmp_path / "people.csv")
    run_import(broken.path, "BR-PF", schema="Person", engine=engine)
    ftm_lines = [
        {
            "id": "org-1",
            "schema": "Organization",
            "properties": {"name": ["Comando Vermelho do Sul"]},
            "vinculo": {"markets": ["drugs"], "handling_code": "H2", "source_evaluation": "A1"},
        },
        {
            "id": "m-1",
            "schema": "Membership",
            "properties": {
                "organization": ["org-1"],
                "member": ["PF-00001"],
                "role": ["tesoureiro"],
            },
        },
        {
            "id": "fa-1",
            "schema": "Firearm",
            "properties": {"serialNumber": ["TX-99812"], "make": ["Taurus"], "status": ["seized"]},
        },
    ]
    extra = tmp_path / "extra.ftm.jsonl"
    extra.write_bytes(b"\n".join(orjson.dumps(line) for line in ftm_lines) + b"\n")
    extra_report = run_import(extra, "BR-PF", engine=engine)
    assert extra_report.rows_rejected == 0, extra_report.to_dict()
    # The membership points at the person imported from the CSV (same agency namespace).
    export_path = tmp_path / "export.jsonl"
    count = export_agency(engine, "BR-PF", "ftm", export_path)
    assert count == 994 + 3

    target = make_engine(f"sqlite:///{tmp_path / 'second.sqlite3'}")
    migrate(target)
    with target.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
    report = run_import(export_path, "BR-PF", engine=target)
    assert report.rows_rejected == 0
    again = tmp_path / "again.jsonl"
    export_agency(target, "BR-PF", "ftm", again)
    assert export_path.read_bytes() == again.read_bytes()
    exported = [orjson.loads(line) for line in export_path.read_bytes().splitlines()]
    membership = next(e for e in exported if e["schema"] == "Membership")
    person_ids = {e["id"] for e in exported if e["schema"] == "Person"}
    assert membership["properties"]["member"][0] in person_ids
    org = next(e for e in exported if e["schema"] == "Organization")
    assert org["vinculo"]["handling_code"] == "H2"
    assert org["vinculo"]["source_evaluation"] == "A1"


def test_another_agencys_ftm_export_keeps_its_links(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police")
    lines = [
        {"id": "p-1", "schema": "Person", "properties": {"name": ["Rui Costa"]}},
        {"id": "v-1", "schema": "Vehicle", "properties": {"registrationNumber": ["ABC1D23"]}},
        {"id": "o-1", "schema": "Ownership", "properties": {"owner": ["p-1"], "asset": ["v-1"]}},
    ]
    source = tmp_path / "pf.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    run_import(source, "BR-PF", engine=engine)
    exported = tmp_path / "pf-export.jsonl"
    export_agency(engine, "BR-PF", "ftm", exported)
    report = run_import(exported, "ES-CNP", engine=engine)
    assert report.rows_rejected == 0
    with engine.connect() as conn:
        cnp = {r.id: r for r in conn.execute(select(Entity).where(Entity.agency_code == "ES-CNP"))}
    ownership = next(r for r in cnp.values() if r.schema == "Ownership")
    assert ownership.properties["owner"][0] in cnp
    assert ownership.properties["asset"][0] in cnp
    assert all(i.startswith("es-cnp.") for i in cnp)
