"""The foundation's promise on bad input: exactly the broken rows reported, the rest stored,
the broken ones quarantined, and nothing changed by a second import."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from tests.ingest.broken_file import write_broken_file
from vinculo.ingest.pipeline import run_import
from vinculo.sharing.directory import add_agency
from vinculo.store.tables import Entity, QuarantineRow


def _agency(engine: Engine) -> None:
    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])


def _counts(engine: Engine) -> tuple[int, int, list[tuple[int, str]]]:
    with engine.connect() as conn:
        entities = conn.execute(select(func.count()).select_from(Entity)).scalar_one()
        latest = conn.execute(select(func.max(Entity.updated_at))).scalar_one()
        quarantine = sorted(
            (r.line, r.status)
            for r in conn.execute(select(QuarantineRow.line, QuarantineRow.status))
        )
    return entities, hash(latest), quarantine


def test_broken_rows_are_reported_quarantined_and_the_rest_stored(
    engine: Engine, tmp_path: Path
) -> None:
    _agency(engine)
    broken = write_broken_file(tmp_path / "people.csv")
    report = run_import(broken.path, "BR-PF", schema="Person", engine=engine, batch_size=128)

    problem_lines = {p.line for p in report.problems}
    assert problem_lines == set(broken.broken), report.to_dict()["problems"]
    for line, (column, _) in broken.broken.items():
        if column is not None:
            assert column in {p.column for p in report.problems if p.line == line}, line
    rejected = {line for line, (_, kind) in broken.broken.items() if kind == "rejected"}
    flagged = {line for line, (_, kind) in broken.broken.items() if kind == "flagged"}
    assert report.rows_read == 1000
    assert report.rows_rejected == len(rejected) == 6
    assert report.rows_flagged == len(flagged) == 6
    assert report.entities_written == 1000 - len(rejected)

    entities, _, quarantine = _counts(engine)
    assert entities == 1000 - len(rejected)
    assert quarantine == sorted(
        [(line, "rejected") for line in rejected] + [(line, "flagged") for line in flagged]
    )
    # Every problem names its line, a reason and a severity; the JSON report has the contract.
    data = report.to_dict()
    assert set(data) >= {
        "rows_read",
        "entities_written",
        "rows_rejected",
        "rows_flagged",
        "problems",
    }
    for problem in data["problems"]:
        assert set(problem) == {"line", "column", "value", "reason", "severity"}
        assert problem["reason"]
    json.dumps(data)


def test_reimport_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    broken = write_broken_file(tmp_path / "people.csv")
    first = run_import(broken.path, "BR-PF", schema="Person", engine=engine)
    before = _counts(engine)
    second = run_import(broken.path, "BR-PF", schema="Person", engine=engine)
    assert _counts(engine) == before
    assert second.entities_written == 0
    assert {p.line for p in second.problems} == {p.line for p in first.problems}
    assert second.rows_rejected == first.rows_rejected


def test_flagged_values_are_kept_not_fixed(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    broken = write_broken_file(tmp_path / "people.csv")
    run_import(broken.path, "BR-PF", schema="Person", engine=engine)
    with engine.connect() as conn:
        row = conn.execute(select(Entity).where(Entity.source_line == 32)).one()  # bad CPF
    # The CPF with a wrong check digit stays on the record as given, flagged.
    assert row.properties["idNumber"][0].count(".") == 2
    assert any(f["column"] == "id_number" for f in row.flags)
    with engine.connect() as conn:
        bad_date = conn.execute(select(Entity).where(Entity.source_line == 12)).one()
    assert "birthDate" not in bad_date.properties
    assert any(f["value"] == "31/02/1990" for f in bad_date.flags)
