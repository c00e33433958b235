"""The audit log: appended in order, refused edits, and every kind of tampering named by verify —
including edits made straight in the database, behind vinculo's back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from vinculo import audit
from vinculo.audit.log import GENESIS, entry_digest

ANA = audit.Actor("ana.pf", "BR-PF", "10.0.0.7")


def _fill(engine: Engine, n: int = 6) -> None:
    with engine.begin() as conn:
        for i in range(n):
            audit.record(
                conn, ANA, "entity.read", object_type="entity", object_id=f"br-pf.{i:024x}",
                purpose="operación Caravela", details={"view": "full", "n": i},
            )  # fmt: skip


_DROPPED: list[Engine] = []


def _drop_guards(engine: Engine) -> None:
    """What an intruder with the database owner's rights does first."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
    _DROPPED.append(engine)


@pytest.fixture(autouse=True)
def _restore_guards() -> Iterator[None]:
    """The PostgreSQL test database is shared by the session: put the trigger back."""
    yield
    while _DROPPED:
        engine = _DROPPED.pop()
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE "
                        "ON audit_entry FOR EACH ROW EXECUTE FUNCTION vinculo_audit_append_only()"
                    )
                )


def _verify(engine: Engine, head: str | None = None) -> audit.Verification:
    with engine.connect() as conn:
        return audit.verify(conn, head)


def test_entries_are_chained_from_genesis(engine: Engine) -> None:
    _fill(engine, 3)
    with engine.connect() as conn:
        entries = list(reversed(audit.search(conn, audit.Query())))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].entry_hash
    # The hash is recomputed here from the stored fields, independently of the writer.
    first = entries[0]
    assert first.entry_hash == entry_digest(
        GENESIS, 1, first.at, "ana.pf", "BR-PF", "entity.read", "entity", first.object_id,
        "operación Caravela", "ok", "10.0.0.7", {"view": "full", "n": 0},
    )  # fmt: skip
    result = _verify(engine)
    assert result.ok and result.entries == 3 and result.head_seq == 3


def test_the_database_refuses_update_and_delete(engine: Engine) -> None:
    _fill(engine, 2)
    for statement in ("UPDATE audit_entry SET action = 'x' WHERE seq = 1",
                      "DELETE FROM audit_entry WHERE seq = 2"):  # fmt: skip
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert _verify(engine).ok


def test_altered_entry_is_named(engine: Engine) -> None:
    _fill(engine)
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET username = 'someone.else' WHERE seq = 4"))
    result = _verify(engine)
    assert [(p.seq, p.kind) for p in result.problems] == [(4, "altered")]


def test_altered_timestamp_is_named(engine: Engine) -> None:
    _fill(engine)
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entry SET at = :at WHERE seq = 2"),
            {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        )
    assert [(p.seq, p.kind) for p in _verify(engine).problems] == [(2, "altered")]


def test_removed_entry_is_named(engine: Engine) -> None:
    _fill(engine)
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    problems = _verify(engine).problems
    assert [(p.seq, p.kind) for p in problems] == [(4, "removed")]
    assert "3" in problems[0].message


def test_reordered_entries_are_named(engine: Engine) -> None:
    _fill(engine)
    _drop_guards(engine)
    # Swap entries 2 and 3 (their numbers), keeping every row's own hash intact.
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET seq = -2 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -2"))
    kinds = {(p.seq, p.kind) for p in _verify(engine).problems}
    # Each moved entry's content no longer matches its number, and the chain runs backwards:
    # the entry now second follows the one now third, which follows the first.
    assert kinds == {
        (2, "altered"), (3, "altered"), (2, "reordered"), (3, "reordered"), (4, "reordered"),
    }  # fmt: skip


def test_cut_tail_is_named(engine: Engine) -> None:
    _fill(engine)
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq >= 5"))
    assert [(p.seq, p.kind) for p in _verify(engine).problems] == [(4, "truncated")]


def test_rewritten_tail_is_caught_by_the_head_kept_outside(engine: Engine) -> None:
    _fill(engine)
    head = _verify(engine).head_hash
    _drop_guards(engine)
    # A careful intruder removes the last two entries and rewinds the head to match.
    with engine.begin() as conn:
        kept = conn.execute(text("SELECT entry_hash FROM audit_entry WHERE seq = 4")).scalar_one()
        conn.execute(text("DELETE FROM audit_entry WHERE seq >= 5"))
        conn.execute(text("UPDATE audit_head SET seq = 4, entry_hash = :h"), {"h": kept})
    assert _verify(engine).ok  # undetectable from inside the database alone...
    problems = _verify(engine, head).problems
    assert [p.kind for p in problems] == ["truncated"]  # ...but not against the kept head


def test_cli_verify_exits_non_zero_and_names_the_entry(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vinculo import cli
    from vinculo.store import db

    _fill(engine)
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    runner = CliRunner()
    ok = runner.invoke(cli.app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact: 6 entries" in ok.output
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET purpose = NULL WHERE seq = 5"))
    broken = runner.invoke(cli.app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "altered at entry 5" in broken.output


def test_search_filters_and_families(engine: Engine) -> None:
    with engine.begin() as conn:
        audit.record(conn, ANA, "entity.read", object_id="a")
        audit.record(conn, ANA, "entity.search", details={"query": "silva"})
        audit.record(conn, audit.Actor("luis", "ES-CNP", None), "entity.read", outcome="denied")
        audit.record(conn, ANA, "export", object_id="e1")
    with engine.connect() as conn:
        family = audit.search(conn, audit.Query(action="entity"))
        denied = audit.search(conn, audit.Query(outcome="denied"))
        by_agency = audit.search(conn, audit.Query(agency="BR-PF"))
    assert [e.action for e in family] == ["entity.read", "entity.search", "entity.read"]
    assert [e.username for e in denied] == ["luis"]
    assert len(by_agency) == 3


def test_unknown_outcome_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="outcome"), engine.begin() as conn:
        audit.record(conn, ANA, "entity.read", outcome="maybe")


def test_details_a_client_sent_never_break_the_record(engine: Engine) -> None:
    """Found by schemathesis: an integer beyond 64 bits in a refused request."""
    with engine.begin() as conn:
        seq = audit.record(
            conn, ANA, "auth.token", outcome="denied",
            details={"hours": 2**64, "when": dt.date(2026, 1, 2), "ids": {"a"}},
        )  # fmt: skip
    with engine.connect() as conn:
        entry = audit.search(conn, audit.Query())[0]
        assert entry.seq == seq
        assert entry.details == {"hours": str(2**64), "when": "2026-01-02", "ids": ["a"]}
        assert audit.verify(conn).ok


def test_an_import_is_on_the_record(engine: Engine, tmp_path: Path) -> None:
    from vinculo.ingest.pipeline import run_import
    from vinculo.sharing.directory import add_agency

    with engine.begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police", ["AMERIPOL"])
    path = tmp_path / "people.csv"
    path.write_text("id,name\n1,Ana Souza\n2,\n", encoding="utf-8")
    report = run_import(path, "BR-PF", engine=engine, user="ana.pf", match=False)
    with engine.connect() as conn:
        (entry,) = audit.search(conn, audit.Query(action="import"))
    assert (entry.username, entry.agency, entry.object_id) == ("ana.pf", "BR-PF", report.job_id)
    assert entry.details["rows_read"] == 2 and entry.details["entities_written"] == 1
    assert entry.details["rows_rejected"] == 1 and entry.details["file"] == "people.csv"
