"""The command line, end to end against a real database file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.ingest.broken_file import write_broken_file
from vinculo import settings as settings_module
from vinculo.cli import app
from vinculo.store import db

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("VINCULO_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("VINCULO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield tmp_path
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()


def run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0
    return result.output


def _setup(home: Path) -> None:
    run("init")
    run(
        "agencies",
        "add",
        "BR-PF",
        "--country",
        "Brasil",
        "--kind",
        "police",
        "--name",
        "Polícia Federal",
        "--network",
        "AMERIPOL",
        "--contact",
        "drugs=dicor@example.org",
    )


def test_agencies_and_users(home: Path) -> None:
    _setup(home)
    listed = json.loads(run("agencies", "list", "--json"))
    assert listed == [
        {
            "code": "BR-PF",
            "name": "Polícia Federal",
            "country": "BR",
            "kind": "police",
            "networks": ["AMERIPOL"],
            "contact_points": {"drugs": "dicor@example.org"},
        }
    ]
    assert "duplicate" not in run(
        "users",
        "add",
        "ana",
        "--agency",
        "BR-PF",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert "ana" in run("users", "list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["agencies", "add", "bad code", "--country", "BR", "--kind", "police", "--name", "X"],
            "agency code",
        ),
        (
            ["agencies", "add", "BR-X", "--country", "Atlantis", "--kind", "police", "--name", "X"],
            "unknown country",
        ),
        (
            ["agencies", "add", "BR-X", "--country", "BR", "--kind", "mafia", "--name", "X"],
            "unknown agency kind",
        ),
        (
            ["agencies", "add", "BR-PF", "--country", "BR", "--kind", "police", "--name", "X"],
            "already exists",
        ),
        (
            [
                "users",
                "add",
                "bob",
                "--agency",
                "XX-NONE",
                "--role",
                "analyst",
                "--password",
                "x" * 20,
            ],
            "unknown agency",
        ),
        (
            ["users", "add", "bob", "--agency", "BR-PF", "--role", "king", "--password", "x" * 20],
            "unknown role",
        ),
        (
            [
                "users",
                "add",
                "bob",
                "--agency",
                "BR-PF",
                "--role",
                "analyst",
                "--password",
                "short",
            ],
            "too short",
        ),
        (["import", "nope.csv", "--agency", "BR-PF"], "no such file"),
        (["export", "--agency", "BR-PF", "--format", "pdf", "-o", "x.pdf"], "unknown format"),
    ],
)
def test_refusals_say_why(home: Path, args: list[str], message: str) -> None:
    _setup(home)
    assert message in fails(*args)


def test_import_report_and_exports(home: Path) -> None:
    _setup(home)
    broken = write_broken_file(home / "people.csv")
    output = run(
        "import",
        str(broken.path),
        "--agency",
        "BR-PF",
        "--schema",
        "Person",
        "--report",
        "report.json",
    )
    assert "read 1000 rows" in output and "rejected 6" in output
    report = json.loads((home / "report.json").read_text(encoding="utf-8"))
    assert report["rows_read"] == 1000 and report["entities_written"] == 994
    assert {p["line"] for p in report["problems"]} == set(broken.broken)

    run("export", "--agency", "BR-PF", "--format", "csv", "-o", "out.csv")
    with (home / "out.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 994
    # Phones start with "+": a spreadsheet would read them as formulas, so they are neutralised.
    assert all(r["phone"].startswith("'+") for r in rows if r["phone"])
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())

    run("export", "--agency", "BR-PF", "--format", "xlsx", "-o", "out.xlsx")
    sheet = load_workbook(home / "out.xlsx", read_only=True).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert sum(1 for _ in sheet.iter_rows()) == 995
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)

    run("export", "--agency", "BR-PF", "--format", "ftm", "-o", "out.jsonl")
    assert len((home / "out.jsonl").read_bytes().splitlines()) == 994


def test_dry_run_previews(home: Path) -> None:
    _setup(home)
    broken = write_broken_file(home / "people.csv", rows=200)
    output = run("import", str(broken.path), "--agency", "BR-PF", "--dry-run")
    assert "would write" in output and "preview line 2" in output


def test_commands_on_an_uninitialised_database_say_so(home: Path) -> None:
    assert "run 'vinculo init'" in fails("agencies", "list")
    assert "run 'vinculo init'" in fails("import", "x.csv", "--agency", "BR-PF")


def test_export_of_unknown_agency_is_refused_and_default_name_follows_format(home: Path) -> None:
    _setup(home)
    assert "unknown agency" in fails("export", "--agency", "XX-NONE")
    run("export", "--agency", "BR-PF", "--format", "csv")
    assert (home / "BR-PF.csv").is_file()


def test_problem_severity_is_printed(home: Path) -> None:
    _setup(home)
    broken = write_broken_file(home / "people.csv")
    output = run("import", str(broken.path), "--agency", "BR-PF")
    assert "[warning]" in output and "[error]" in output


def test_hits_judgement_exclusions_and_batch_xref(home: Path) -> None:
    _setup(home)
    run("agencies", "add", "ES-CNP", "--country", "ES", "--kind", "police", "--name", "CNP")
    run(
        "users",
        "add",
        "ana",
        "--agency",
        "BR-PF",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    run(
        "users",
        "add",
        "root",
        "--agency",
        "ES-CNP",
        "--role",
        "administrator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    (home / "pf.csv").write_text(
        "id,name,birth_date\nP-1,João Pedro da Silva Santos,02/02/1988\n", encoding="utf-8"
    )
    (home / "cnp.csv").write_text(
        "id,name,birth_date\nC-1,Joao Pedro Silva Santos,1988-02-02\n", encoding="utf-8"
    )
    run("import", "pf.csv", "--agency", "BR-PF")
    run("import", "cnp.csv", "--agency", "ES-CNP")
    listed = json.loads(run("hits", "list", "--as", "ana", "--json"))
    assert len(listed) == 1 and listed[0]["other"]["view"] == "hit_only"
    hit = listed[0]["id"]
    assert "confirmed" in run("hits", "judge", hit[:10], "--status", "confirmed", "--as", "ana")
    assert "0 hits start with" in fails(
        "hits", "judge", "zzzz", "--status", "confirmed", "--as", "ana"
    )
    # Batch xref finds nothing new: every record was matched on import.
    assert "matched 0 records" in run("xref", "--all")
    assert "only an administrator" in fails(
        "matching", "exclude", "ph:+1", "--reason", "x", "--as", "ana"
    )
    run("matching", "exclude", "ph:+34900000000", "--reason", "switchboard", "--as", "root")
    assert "switchboard" in run("matching", "exclusions")


def test_quarantine_export_corrected_and_reimported(home: Path) -> None:
    _setup(home)
    (home / "p.csv").write_text(
        "id,name,birth_date\nQ-1,,01/01/1980\nQ-2,Ana Paz,31/02/1980\nQ-3,Eva Sol,1970\n",
        encoding="utf-8",
    )
    run("import", "p.csv", "--agency", "BR-PF")
    listed = run("quarantine", "list", "--agency", "BR-PF")
    assert "2 rows in quarantine" in listed
    run("quarantine", "export", "--agency", "BR-PF", "-o", "fix.csv")
    with (home / "fix.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["id"], r["_line"]) for r in rows] == [("Q-1", "2"), ("Q-2", "3")]
    assert "name" in rows[0]["_problems"] and "birthDate" in rows[1]["_problems"]
    # The clerk corrects both rows in the exported file and imports it.
    rows[0]["name"] = "Luz Mora"
    rows[1]["birth_date"] = "28/02/1980"
    with (home / "fixed.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "name", "birth_date"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    run("import", "fixed.csv", "--agency", "BR-PF")
    assert "0 rows in quarantine" in run("quarantine", "list", "--agency", "BR-PF")


def test_bulk_import_without_matching_then_xref(home: Path) -> None:
    _setup(home)
    run("agencies", "add", "ES-CNP", "--country", "ES", "--kind", "police", "--name", "CNP")
    run(
        "users",
        "add",
        "ana",
        "--agency",
        "BR-PF",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    (home / "pf.csv").write_text(
        "id,name,birth_date\nP-1,João Pedro da Silva Santos,02/02/1988\n", encoding="utf-8"
    )
    (home / "cnp.csv").write_text(
        "id,name,birth_date\nC-1,Joao Pedro Silva Santos,1988-02-02\n", encoding="utf-8"
    )
    run("import", "pf.csv", "--agency", "BR-PF", "--no-match")
    run("import", "cnp.csv", "--agency", "ES-CNP", "--no-match")
    assert json.loads(run("hits", "list", "--as", "ana", "--json")) == []
    assert "matched 2 records" in run("xref", "--all")
    assert len(json.loads(run("hits", "list", "--as", "ana", "--json"))) == 1
