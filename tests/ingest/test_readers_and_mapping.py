"""Readers (encodings, delimiters, XLSX, FtM lines) and mappings (YAML and default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from vinculo.ingest.mapping import (
    MappingError,
    default_mapping,
    load_mapping,
    parse_mapping,
    suggest_columns,
)
from vinculo.ingest.pipeline import ImportFailed, run_import
from vinculo.ingest.readers import CsvReader, detect_encoding
from vinculo.sharing.directory import add_agency
from vinculo.store.tables import Entity, QuarantineRow

SPANISH_ROWS = [
    [
        "Código",
        "Nombres",
        "Apellido paterno",
        "Apellido materno",
        "Fecha de nacimiento",
        "Cédula",
        "Teléfono",
        "Nacionalidad",
    ],
    [
        "DIJIN-1",
        "José María",
        "Peña",
        "Ñúñez",
        "03/05/1980",
        "79512345",
        "300 555 1234",
        "Colombia",
    ],
    ["DIJIN-2", "Lucía", "Gómez", "", "1975", "", "+57 301 555 9876", "Venezuela"],
]


def _agency(engine: Engine, code: str = "CO-DIJIN", country: str = "CO") -> None:
    with engine.begin() as conn:
        add_agency(conn, code, "Agency", country, "police")


def _write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("cp1252", ";"), ("latin-1", "\t"), ("utf-8-sig", ";")],
)
def test_csv_encodings_and_delimiters_are_detected(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = tmp_path / "p.csv"
    _write_csv(path, SPANISH_ROWS, encoding, delimiter)
    reader = CsvReader(path)
    rows = list(reader.rows())
    assert reader.delimiter == delimiter
    assert reader.headers[0] == "Código"
    assert rows[0].values["Apellido materno"] == "Ñúñez"
    assert rows[0].line == 2 and rows[1].line == 3
    assert not rows[0].errors


def test_one_bad_line_does_not_make_a_utf8_file_latin1() -> None:
    lines = [f"{n},Jo\u00e3o Concei\u00e7\u00e3o".encode() for n in range(50)]
    lines.append("99,Jos\u00e9".encode("latin-1"))
    assert detect_encoding(b"\n".join(lines)) == "utf-8"
    assert detect_encoding("Jos\u00e9;Pe\u00f1a\n".encode("cp1252") * 10) == "cp1252"


def test_quoted_newlines_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,name,address\n1,Ana,"Rua A\n2o andar"\n2,Bia,Rua B\n', encoding="utf-8")
    rows = list(CsvReader(path).rows())
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].values["address"] == "Rua A\n2o andar"


def test_wrong_field_count_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("id,name\n1,Ana\n2,Bia,extra\n", encoding="utf-8")
    rows = list(CsvReader(path).rows())
    assert rows[1].errors and "expected 2 fields" in rows[1].errors[0][1]


def test_spanish_headers_are_recognised_by_the_default_mapping() -> None:
    suggestion = suggest_columns(SPANISH_ROWS[0])
    assert suggestion == {
        "Código": "id",
        "Nombres": "first_name",
        "Apellido paterno": "last_name",
        "Apellido materno": "second_last_name",
        "Fecha de nacimiento": "birth_date",
        "Cédula": "id_number",
        "Teléfono": "phone",
        "Nacionalidad": "nationality",
    }
    for header, standard in [
        ("data de nascimento", "birth_date"),
        ("Prénom", "first_name"),
        ("CPF", "id_number"),
        ("nom de famille", "last_name"),
        ("Date of birth", "birth_date"),
    ]:
        assert suggest_columns([header]) == {header: standard}


def test_import_with_spanish_headers_joins_both_surnames(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    path = tmp_path / "dijin.csv"
    _write_csv(path, SPANISH_ROWS, "cp1252", ";")
    report = run_import(path, "CO-DIJIN", engine=engine)
    assert report.rows_rejected == 0 and report.rows_flagged == 0, report.to_dict()
    with engine.connect() as conn:
        rows = {r.source_key: r for r in conn.execute(select(Entity))}
    jose = rows["DIJIN-1"].properties
    assert jose["lastName"] == ["Peña Ñúñez"]
    assert jose["name"] == ["José María Peña Ñúñez"]
    assert jose["birthDate"] == ["1980-05-03"]  # day first
    assert jose["phone"] == ["+573005551234"]  # national number, agency's country
    assert jose["nationality"] == ["co"]
    assert rows["DIJIN-2"].properties["birthDate"] == ["1975"]  # partial date kept as a year
    assert rows["DIJIN-2"].properties["nationality"] == ["ve"]


def test_xlsx_import(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in SPANISH_ROWS:
        sheet.append(row)
    sheet.append(["DIJIN-3", "=1+1", "Ruiz", "", "", "", "", ""])
    path = tmp_path / "dijin.xlsx"
    book.save(path)
    report = run_import(path, "CO-DIJIN", engine=engine)
    assert report.rows_read == 3
    assert report.rows_rejected == 1
    assert report.problems[0].line == 4 and report.problems[0].column == "Nombres"


YAML_MAPPING = """
entities:
  person:
    schema: Person
    keys: [expediente, doc]
    properties:
      name: nombre
      idNumber: {column: doc}
      phone: {columns: [tel1, tel2]}
  vehicle:
    schema: Vehicle
    keys: [placa]
    properties:
      registrationNumber: placa
      name: {literal: Vehículo}
  ownership:
    schema: Ownership
    keys: [placa]
    properties:
      owner: {entity: person}
      asset: {entity: vehicle}
meta:
  markets: {literal: [drugs, money_laundering]}
  handling_code: {literal: H2}
  source_evaluation: {column: eval}
"""


def test_yaml_mapping_makes_several_linked_entities_per_row(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    mapping_path = tmp_path / "m.yaml"
    mapping_path.write_text(YAML_MAPPING, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(
        "expediente,doc,nombre,tel1,tel2,placa,eval\n"
        "E-1,79512345,Carlos Ruiz Soto,3005551234,,ABC123,B2\n"
        "E-2,80111222,Marta Díaz,,3015550000,,A1\n",
        encoding="utf-8",
    )
    report = run_import(data, "CO-DIJIN", mapping_path=mapping_path, engine=engine)
    assert report.rows_rejected == 0, report.to_dict()
    with engine.connect() as conn:
        entities = list(conn.execute(select(Entity)))
    by_schema: dict[str, list[object]] = {}
    for e in entities:
        by_schema.setdefault(e.schema, []).append(e)
    assert len(by_schema["Person"]) == 2
    assert len(by_schema["Vehicle"]) == 1  # the second row has no plate: no vehicle, no ownership
    ownership = by_schema["Ownership"][0]
    person_ids = {e.id for e in entities if e.schema == "Person"}
    assert ownership.properties["owner"][0] in person_ids  # type: ignore[attr-defined]
    for e in entities:
        assert e.handling_code == "H2"
        assert e.markets == ["drugs", "money_laundering"]
    carlos = next(e for e in entities if e.schema == "Person" and e.source_key == "E-1|79512345")
    assert carlos.source_reliability == "B" and carlos.information_credibility == "2"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({}, "needs an 'entities' section"),
        ({"entities": {"p": {"schema": "Nope"}}}, "unknown schema 'Nope'"),
        (
            {"entities": {"p": {"schema": "Person", "properties": {"shoeSize": "x"}}}},
            "no property 'shoeSize'",
        ),
        (
            {
                "entities": {
                    "p": {
                        "schema": "Person",
                        "properties": {"name": {"column": "a", "literal": "b"}},
                    }
                }
            },
            "exactly one of",
        ),
        (
            {"entities": {"p": {"schema": "Person", "properties": {"owner": {"entity": "ghost"}}}}},
            "no property",
        ),
        ({"entities": {"p": {"schema": "Person"}}, "meta": {"colour": "x"}}, "meta.colour"),
    ],
)
def test_bad_mappings_say_where_and_why(mapping: object, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping(mapping, "m.yaml")


def test_mapping_naming_missing_columns_is_refused(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    mapping_path = tmp_path / "m.yaml"
    mapping_path.write_text(YAML_MAPPING, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("expediente,nombre\nE-1,Ana\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="not in the file"):
        run_import(data, "CO-DIJIN", mapping_path=mapping_path, engine=engine)
    assert load_mapping(mapping_path).entities[0].schema == "Person"


def test_unknown_agency_and_missing_file_are_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="unknown agency"):
        data = tmp_path / "d.csv"
        data.write_text("id,name\n1,Ana\n", encoding="utf-8")
        run_import(data, "XX-NOPE", engine=engine)
    _agency(engine)
    with pytest.raises(ImportFailed, match="no such file"):
        run_import(tmp_path / "missing.csv", "CO-DIJIN", engine=engine)


def test_default_mapping_for_other_schemata() -> None:
    mapping = default_mapping("Vessel", ["id", "name", "imo_number", "flag", "colour"])
    props = mapping.entities[0].properties
    assert props["imoNumber"].columns == ("imo_number",)
    assert props["flag"].columns == ("flag",)
    assert mapping.unmapped == ("colour",)


def test_corrected_quarantine_row_resolves_on_reimport(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,birth_date\nX-1,,01/01/1980\nX-2,Ana Paz,31/02/1980\n", encoding="utf-8"
    )
    first = run_import(bad, "CO-DIJIN", engine=engine)
    assert first.rows_rejected == 1 and first.rows_flagged == 1
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        "id,name,birth_date\nX-1,Luz Mora,01/01/1980\nX-2,Ana Paz,28/02/1980\n", encoding="utf-8"
    )
    second = run_import(fixed, "CO-DIJIN", engine=engine)
    assert second.problems == []
    with engine.connect() as conn:
        statuses = sorted(r[0] for r in conn.execute(select(QuarantineRow.status)))
    assert statuses == ["resolved", "resolved"]


def test_dry_run_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    path = tmp_path / "dijin.csv"
    _write_csv(path, SPANISH_ROWS, "utf-8", ",")
    report = run_import(path, "CO-DIJIN", engine=engine, dry_run=True)
    assert report.entities_written == 2 and len(report.preview) == 2
    with engine.connect() as conn:
        assert conn.execute(select(Entity)).first() is None


def test_review_dates_in_the_future_are_honoured(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    path = tmp_path / "r.csv"
    path.write_text(
        "id,name,review_by\nR-1,Ana Paz,2031-05-17\nR-2,Luz Mora,17/05/2030\nR-3,Eva Sol,someday\n",
        encoding="utf-8",
    )
    report = run_import(path, "CO-DIJIN", engine=engine)
    assert [(p.line, p.column) for p in report.problems] == [(4, "review_by")]
    with engine.connect() as conn:
        dates = {r.source_key: r.review_by for r in conn.execute(select(Entity))}
    assert str(dates["R-1"]) == "2031-05-17" and str(dates["R-2"]) == "2030-05-17"


def test_reimport_keeps_the_review_date_already_set(engine: Engine, tmp_path: Path) -> None:
    _agency(engine)
    path = tmp_path / "k.csv"
    path.write_text("id,name\nK-1,Ana Paz\n", encoding="utf-8")
    import datetime as dt

    run_import(path, "CO-DIJIN", engine=engine, today=dt.date(2024, 1, 2))
    # The same file again, a year later: the record is unchanged, so is its review date.
    again = run_import(path, "CO-DIJIN", engine=engine, today=dt.date(2025, 3, 4))
    assert again.entities_written == 0
    with engine.connect() as conn:
        assert str(conn.execute(select(Entity.review_by)).scalar_one()) == "2027-01-02"
