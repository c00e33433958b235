"""The import wizard's services: type sniffing, the edited mapping, a preview that writes
nothing, the background run with its progress, and a corrected quarantined row."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from vinculo.ingest import wizard
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_agency
from vinculo.store.tables import Entity, ImportJob, QuarantineRow

CSV = (
    "Código;Apellidos;Nombre;Nacido el;Notas\n"
    "A1;Pérez Gómez;Juan;1980-02-03;x\n"
    "A2;;;1981-02-03;y\n"
    "A3;Ruiz;Bea;31/13/1980;z\n"
).encode()


@pytest.fixture
def agency(engine: Engine) -> Engine:
    with engine.begin() as conn:
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
    return engine


def _entities(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Entity)).scalar_one())


def test_sniffing_judges_the_content_not_the_name() -> None:
    assert wizard.sniff_table(CSV) == "csv"
    assert wizard.sniff_table("nombre;apellido\nJoão;Silva\n".encode("cp1252")) == "csv"
    assert wizard.sniff_table(b"MZ\x90\x00" + b"\0" * 100) is None
    assert wizard.sniff_table(b"%PDF-1.4\n%%EOF") is None
    assert wizard.sniff_table(b"\x89PNG\r\n\x1a\n" + b"\0" * 32) is None
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    assert wizard.sniff_table(plain_zip.getvalue()) is None  # a zip, but not a workbook
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert wizard.sniff_table(book.getvalue()) == "xlsx"


def test_upload_is_kept_private_and_only_for_its_agency(tmp_path: Path) -> None:
    made = wizard.create(tmp_path, "ES-CNP", "luis", "../../etc/pasted.csv", CSV)
    stored = made.path(tmp_path)
    assert stored.parent.parent == tmp_path and stored.name == "source.csv"
    assert stored.read_bytes() == CSV
    assert stored.stat().st_mode & 0o777 == 0o600
    assert made.filename == "pasted.csv"
    assert made.columns == {"Código": "id", "Apellidos": "last_name", "Nombre": "first_name",
                            "Nacido el": "", "Notas": ""}  # fmt: skip
    assert wizard.load(tmp_path, made.token, "ES-CNP").columns == made.columns
    with pytest.raises(LookupError):
        wizard.load(tmp_path, made.token, "BR-PF")
    with pytest.raises(LookupError):
        wizard.load(tmp_path, "../" + made.token, "ES-CNP")
    with pytest.raises(wizard.WizardError) as refused:
        wizard.create(tmp_path, "ES-CNP", "luis", "x.csv", b"MZ" + b"\0" * 10)
    assert refused.value.code == "not_tabular"


def test_choices_are_checked(tmp_path: Path) -> None:
    made = wizard.create(tmp_path, "ES-CNP", "luis", "p.csv", CSV)
    twice = {"Código": "id", "Apellidos": "name", "Nombre": "name"}
    with pytest.raises(wizard.WizardError) as refused:
        wizard.choose(tmp_path, made, twice, "Person", "H2", "B2")
    assert refused.value.code == "twice"
    with pytest.raises(wizard.WizardError) as refused:
        wizard.choose(tmp_path, made, {"Código": "id"}, "Person", "H2", "B2")
    assert refused.value.code == "nothing_mapped"
    with pytest.raises(wizard.WizardError) as refused:
        wizard.choose(tmp_path, made, {"Nombre": "name"}, "Person", "H9", "B2")
    assert refused.value.code == "bad_meta"


def test_edited_mapping_preview_run_and_correction(agency: Engine, tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    made = wizard.create(root, "ES-CNP", "luis", "personas.csv", CSV)
    columns = {**made.columns, "Nacido el": "birth_date"}  # the user maps what was missed
    wizard.choose(root, made, columns, "Person", "H1", "A2")
    mapping = wizard.mapping_of(made)
    (entity,) = mapping.entities
    assert entity.keys == ("Código",)
    assert entity.properties["birthDate"].columns == ("Nacido el",)
    assert entity.properties["firstName"].columns == ("Nombre",)
    assert "Notas" in mapping.unmapped

    before = _entities(agency)
    shown = wizard.preview(agency, root, made)
    assert _entities(agency) == before
    assert [r.line for r in shown.rows] == [2, 3, 4]
    assert [(r.rejected, r.flagged) for r in shown.rows] == [
        (False, False), (True, False), (False, True)
    ]  # fmt: skip
    assert shown.rows[0].values == ["A1", "Pérez Gómez", "Juan", "1980-02-03", "x"]

    done = wizard.run(agency, root, made.token, "ES-CNP", match=False)
    assert (done.status, done.done, done.total) == ("completed", 3, 3)
    assert done.job_id is not None
    assert wizard.load(root, made.token, "ES-CNP").job_id == done.job_id
    assert not made.path(root).exists()  # imported: no copy of the file stays behind
    summary = wizard.job(agency, "ES-CNP", done.job_id)
    assert (summary.source, summary.entities_written, summary.rows_rejected) == (
        "personas.csv", 2, 1
    )  # fmt: skip
    with pytest.raises(LookupError):
        wizard.job(agency, "BR-PF", done.job_id)
    with agency.connect() as conn:
        meta = conn.execute(
            select(Entity.handling_code, Entity.source_reliability)
            .where(Entity.id == make_entity_id("ES-CNP", "A1"))
        ).one()  # fmt: skip
    assert tuple(meta) == ("H1", "A")

    # Still wrong: nothing written, the row stays in the quarantine.
    empty = {"Código": "A2", "Apellidos": "", "Nombre": ""}
    wrong = wizard.correct(agency, root, "ES-CNP", "luis", done.job_id, 3, empty, match=False)
    assert not wrong.started and any(p.severity == "error" for p in wrong.problems)
    with pytest.raises(LookupError):  # another agency's quarantine
        wizard.correct(agency, root, "BR-PF", "ana", done.job_id, 3, {}, match=False)
    fixed = wizard.correct(
        agency, root, "ES-CNP", "luis", done.job_id, 3,
        {"Código": "A2", "Apellidos": "Lima", "Nombre": "Rosa", "Nacido el": "1981-02-03"},
        match=False, background=False,
    )  # fmt: skip
    assert fixed.started and fixed.problems == []
    with agency.connect() as conn:
        caption = conn.execute(
            select(Entity.caption).where(Entity.id == make_entity_id("ES-CNP", "A2"))
        ).scalar_one()
        statuses = {
            r.line: r.status
            for r in conn.execute(
                select(QuarantineRow.line, QuarantineRow.status).where(
                    QuarantineRow.job_id == done.job_id
                )
            )
        }
        handling = conn.execute(
            select(Entity.handling_code).where(Entity.id == make_entity_id("ES-CNP", "A2"))
        ).scalar_one()
        jobs = conn.execute(select(func.count()).select_from(ImportJob)).scalar_one()
    assert caption == "Rosa Lima"
    assert statuses == {3: "resolved", 4: "flagged"}
    assert handling == "H1"  # the file's metadata goes with its corrected rows
    assert jobs == 2


def test_uploads_left_behind_are_purged(tmp_path: Path) -> None:
    import datetime as dt
    import os

    old = wizard.create(tmp_path, "ES-CNP", "luis", "old.csv", CSV)
    week_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=8)).timestamp()
    os.utime(tmp_path / old.token / "state.json", (week_ago, week_ago))
    recent = wizard.create(tmp_path, "ES-CNP", "luis", "new.csv", CSV)  # purges on the way
    assert not (tmp_path / old.token).exists()
    assert recent.path(tmp_path).is_file()
    assert wizard.purge(tmp_path) == 0


def test_a_failed_run_leaves_its_reason_for_the_page(agency: Engine, tmp_path: Path) -> None:
    made = wizard.create(tmp_path, "ES-CNP", "luis", "p.csv", CSV)
    made.path(tmp_path).unlink()  # the stored file is gone before the import starts
    failed = wizard.run(agency, tmp_path, made.token, "ES-CNP", match=False)
    assert failed.status == "failed" and failed.job_id is None
    assert "no such file" in (wizard.load(tmp_path, made.token, "ES-CNP").error or "")
    assert _entities(agency) == 0
