"""Hits on ingest between agencies: raised with an explanation, judged, kept judged, and never
flooded by a junk value."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from vinculo.ingest.pipeline import run_import
from vinculo.matching.hits import Matcher, judge, merged_profile
from vinculo.sharing.directory import add_agency
from vinculo.store.tables import Entity, Hit, HitJudgement, KeyExclusion

HEADER = "id,name,birth_date,id_number,phone\n"


def _agencies(engine: Engine) -> None:
    with engine.begin() as conn:
        add_agency(conn, "CO-DIJIN", "Dirección de Investigación Criminal", "CO", "police")
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police")
        add_agency(conn, "CO-FGN", "Fiscalía General de la Nación", "CO", "prosecution")


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _hits(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(conn.execute(select(Hit)))


def test_import_raises_a_hit_with_its_explanation(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    run_import(
        _csv(tmp_path / "co.csv", ["D-1,José Luis Pérez García,12/03/1980,79512345,"]),
        "CO-DIJIN",
        engine=engine,
    )
    assert _hits(engine) == []
    run_import(
        _csv(
            tmp_path / "es.csv",
            ['E-1,"PEREZ GARCIA, JOSE LUIS",1980-03-12,,', "E-2,Marta Gil Rojas,1990-01-01,,"],
        ),
        "ES-CNP",
        engine=engine,
    )
    hits = _hits(engine)
    assert len(hits) == 1
    hit = hits[0]
    assert {hit.left_agency, hit.right_agency} == {"CO-DIJIN", "ES-CNP"}  # type: ignore[attr-defined]
    assert hit.status == "new" and hit.score >= 0.9  # type: ignore[attr-defined]
    assert "birth dates agree: +" in " ".join(hit.explanation)  # type: ignore[attr-defined]


def test_no_hit_within_one_agency(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    run_import(
        _csv(tmp_path / "co.csv", ["D-1,Ana Paz Rey,1980-01-01,,", "D-2,ANA PAZ REY,01/01/1980,,"]),
        "CO-DIJIN",
        engine=engine,
    )
    assert _hits(engine) == []


def test_rejected_hit_stays_rejected_until_a_record_changes(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    run_import(
        _csv(tmp_path / "co.csv", ["D-1,José Luis Pérez García,12/03/1980,,"]),
        "CO-DIJIN",
        engine=engine,
    )
    es = _csv(tmp_path / "es.csv", ["E-1,José Luis Pérez García,1980-03-12,,"])
    run_import(es, "ES-CNP", engine=engine)
    (hit,) = _hits(engine)
    with engine.begin() as conn:
        judge(conn, hit.id, "rejected", "ana", "ES-CNP", "different person: checked fingerprints")  # type: ignore[attr-defined]
    # The same records again (a re-import, an unrelated batch): the judgement stands.
    with engine.begin() as conn:
        Matcher.load(conn)  # a new process rebuilds the index from the store
    run_import(
        _csv(
            tmp_path / "es2.csv",
            ["E-1,José Luis Pérez García,1980-03-12,,", "E-9,Otra Persona Distinta,1970-01-01,,"],
        ),
        "ES-CNP",
        engine=engine,
    )
    (again,) = _hits(engine)
    assert again.status == "rejected"  # type: ignore[attr-defined]
    # One record changes (a phone is added): the pair is raised again for a fresh look.
    run_import(
        _csv(tmp_path / "es3.csv", ["E-1,José Luis Pérez García,1980-03-12,,+34 612 345 678"]),
        "ES-CNP",
        engine=engine,
    )
    (raised,) = _hits(engine)
    assert raised.status == "new"  # type: ignore[attr-defined]
    with engine.connect() as conn:
        judgements = list(conn.execute(select(HitJudgement)))
    assert [(j.status, j.username) for j in judgements] == [("rejected", "ana")]


def test_only_the_two_agencies_may_judge(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    run_import(
        _csv(tmp_path / "co.csv", ["D-1,José Luis Pérez García,12/03/1980,,"]),
        "CO-DIJIN",
        engine=engine,
    )
    run_import(
        _csv(tmp_path / "es.csv", ["E-1,José Luis Pérez García,1980-03-12,,"]),
        "ES-CNP",
        engine=engine,
    )
    (hit,) = _hits(engine)
    with engine.begin() as conn, pytest.raises(PermissionError):
        judge(conn, hit.id, "confirmed", "eve", "CO-FGN")  # type: ignore[attr-defined]
    with engine.begin() as conn, pytest.raises(ValueError):
        judge(conn, hit.id, "maybe", "ana", "ES-CNP")  # type: ignore[attr-defined]


def test_confirmed_hits_build_a_merged_profile_across_agencies(
    engine: Engine, tmp_path: Path
) -> None:
    _agencies(engine)
    person = "José Luis Pérez García,12/03/1980,79512345,"
    run_import(_csv(tmp_path / "a.csv", [f"D-1,{person}"]), "CO-DIJIN", engine=engine)
    run_import(_csv(tmp_path / "b.csv", [f"E-1,{person}"]), "ES-CNP", engine=engine)
    run_import(_csv(tmp_path / "c.csv", [f"F-1,{person}"]), "CO-FGN", engine=engine)
    hits = _hits(engine)
    assert len(hits) == 3
    with engine.connect() as conn:
        ids = {r.source_key: r.id for r in conn.execute(select(Entity))}
    cnp_dijin = next(h for h in hits if {h.left_agency, h.right_agency} == {"CO-DIJIN", "ES-CNP"})  # type: ignore[attr-defined]
    cnp_fgn = next(h for h in hits if {h.left_agency, h.right_agency} == {"CO-FGN", "ES-CNP"})  # type: ignore[attr-defined]
    with engine.begin() as conn:
        judge(conn, cnp_dijin.id, "confirmed", "ana", "ES-CNP")  # type: ignore[attr-defined]
        assert merged_profile(conn, ids["D-1"]) == {ids["D-1"], ids["E-1"]}
        judge(conn, cnp_fgn.id, "confirmed", "ana", "ES-CNP")  # type: ignore[attr-defined]
        assert merged_profile(conn, ids["F-1"]) == {ids["D-1"], ids["E-1"], ids["F-1"]}


def test_placeholder_phone_is_excluded_not_a_flood(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    placeholder = "+57 300 000 0000"
    co = [
        f"D-{n},Persona{n} Apellido{n} Otro{n},19{50 + n % 40}-0{1 + n % 9}-1{n % 9},,{placeholder}"
        for n in range(60)
    ]
    run_import(_csv(tmp_path / "co.csv", co), "CO-DIJIN", engine=engine)
    run_import(
        _csv(tmp_path / "es.csv", [f"E-1,Alguien Distinto Nuevo,1999-09-09,,{placeholder}"]),
        "ES-CNP",
        engine=engine,
    )
    assert _hits(engine) == []
    with engine.connect() as conn:
        excluded = {r.key: r for r in conn.execute(select(KeyExclusion))}
    assert "ph:+573000000000" in excluded
    assert excluded["ph:+573000000000"].source == "auto"


def test_objects_hit_on_strong_identifiers(engine: Engine, tmp_path: Path) -> None:
    _agencies(engine)
    vessel = tmp_path / "v.csv"
    vessel.write_text(
        "id,name,imo_number,flag\nV-1,Estrella del Sur,IMO 9074729,PA\n", encoding="utf-8"
    )
    run_import(vessel, "CO-DIJIN", schema="Vessel", engine=engine)
    other = tmp_path / "w.csv"
    other.write_text("id,name,imo_number,flag\nW-7,ESTRELA DO SUL,9074729,BR\n", encoding="utf-8")
    run_import(other, "ES-CNP", schema="Vessel", engine=engine)
    (hit,) = _hits(engine)
    assert hit.schema == "Vessel" and hit.explanation == ["same IMO number (IMO9074729)"]  # type: ignore[attr-defined]


def test_manual_exclusion_is_respected_and_survives_a_restart(
    engine: Engine, tmp_path: Path
) -> None:
    _agencies(engine)
    with engine.begin() as conn:
        from vinculo.matching.hits import exclude_key

        exclude_key(conn, "ph:+573001112233", "switchboard of a prison", "admin")
    run_import(
        _csv(tmp_path / "co.csv", ["D-1,Ana Mora Ruiz,,,+57 300 111 2233"]),
        "CO-DIJIN",
        engine=engine,
    )
    run_import(
        _csv(tmp_path / "es.csv", ["E-1,Pedro Sanz Gil,,,+57 300 111 2233"]),
        "ES-CNP",
        engine=engine,
    )
    assert _hits(engine) == []
    with engine.begin() as conn:
        conn.execute(update(KeyExclusion).values(reason="checked"))
        assert Matcher.load(conn).index.excluded == {"ph:+573001112233"}


def test_batch_xref_finds_what_ingest_would_and_resumes(engine: Engine, tmp_path: Path) -> None:
    from vinculo.matching.hits import xref_agency

    _agencies(engine)
    co = _csv(
        tmp_path / "co.csv",
        [
            "D-1,José Luis Pérez García,12/03/1980,79512345,",
            "D-2,Rosa Elena Vargas Pinto,1966-06-06,,",
        ],
    )
    es = _csv(
        tmp_path / "es.csv",
        ['E-1,"PEREZ GARCIA, JOSE LUIS",1980-03-12,,', "E-2,ROSA ELENA VARGAS PINTO,06/06/1966,,"],
    )
    run_import(co, "CO-DIJIN", engine=engine, match=False)
    run_import(es, "ES-CNP", engine=engine, match=False)
    assert _hits(engine) == []
    matched, written = xref_agency(engine, "ES-CNP", batch=1)
    # Only ES-CNP's two records were matched, against the whole installation's index.
    assert matched == 2 and written == 2
    assert len(_hits(engine)) == 2
    # Run again: nothing stale, nothing to do.
    # The whole installation: the two Colombian records were indexed but not yet checked; they
    # find the same two pairs (updated, not duplicated).
    assert xref_agency(engine, None) == (2, 2)
    assert len(_hits(engine)) == 2
    assert xref_agency(engine, None) == (0, 0)
