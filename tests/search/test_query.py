"""The search service: identifiers normalised as the ingest does, names found despite typos,
accents and order, words, filters and ranking; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.search import Filters, find
from vinculo.search.query import identifier_values, word_score, words_of
from vinculo.sharing.directory import add_agency


def test_words_are_folded() -> None:
    assert words_of("SÁEZ CASTILLO, Cristopher") == ["saez", "castillo", "cristopher"]
    assert words_of("Gonçalves-Peña") == ["goncalves", "pena"]


@pytest.mark.parametrize(
    ("query", "caption", "expected"),
    [
        ("maria rodriguez", "María Rodríguez", 1.0),  # accents
        ("rodriguez maria", "María Rodríguez", 1.0),  # order
        ("rodrigez", "María Rodríguez", 0.9),  # one letter missing
        ("rodrigez", "Maria Rodrigues", 0.8),  # two edits in a long word
        ("vasquez", "Vázquez", 0.9),  # same sound, one letter apart
        ("kintero", "Quintero", 0.8),  # same sound, two letters apart
        ("rod", "Rodríguez", 0.6),  # a prefix
        ("maria lopez", "María Rodríguez", 0.5),  # one word of two
        ("perez", "María Rodríguez", 0.0),
    ],
)
def test_word_score(query: str, caption: str, expected: float) -> None:
    assert word_score(words_of(query), caption) == pytest.approx(expected)


def test_identifiers_are_normalised_as_the_ingest_does() -> None:
    values, kind = identifier_values("0034 612-345-678", "ES")
    assert "+34612345678" in values and kind == "phone"
    values, _ = identifier_values("612 345 678", "ES")  # national format, the agency's country
    assert "+34612345678" in values
    values, kind = identifier_values("es91 2100 0418 4502 0005 1332")
    assert "ES9121000418450200051332" in values and kind == "iban"
    values, _ = identifier_values("1234-bcd")  # a plate, compact and upper case
    assert "1234BCD" in values
    assert identifier_values("María Rodríguez") == (set(), None)


def _people(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "birth_date", "phone", "markets"])
        writer.writerows(rows)
    return path


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    with engine.begin() as conn:
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police")
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
    es = _people(
        tmp_path / "es.csv",
        [
            ["1", "María Rodríguez Pérez", "1985-03-12", "+34 612 345 678", "drugs"],
            ["2", "Mario Rodríguez Pérez", "1962-07-01", "", "firearms"],
            ["3", "Ana Torres", "1990-01-01", "", "drugs"],
        ],
    )
    br = _people(tmp_path / "br.csv", [["1", "Maria Rodrigues Peres", "1985-03-12", "", "drugs"]])
    assert run_import(es, "ES-CNP", engine=engine).rows_rejected == 0
    assert run_import(br, "BR-PF", engine=engine).rows_rejected == 0
    return engine


MARIA = make_entity_id("ES-CNP", "1")
MARIO = make_entity_id("ES-CNP", "2")
ANA = make_entity_id("ES-CNP", "3")
MARIA_BR = make_entity_id("BR-PF", "1")


@pytest.mark.parametrize(
    "query",
    ["María Rodríguez Pérez", "maria rodriguez", "Rodrigez Maria", "Perez Rodriguez, Maria"],
)
def test_a_person_is_found_first(store: Engine, query: str) -> None:
    with store.connect() as conn:
        found = find(conn, query)
    assert found.ids[0] == MARIA
    assert ANA not in found.ids


def test_a_phone_in_another_format(store: Engine) -> None:
    with store.connect() as conn:
        found = find(conn, "612 34 56 78", region="ES")
    assert found.ids == [MARIA]
    assert found.how == {MARIA: "identifier"}


def test_filters(store: Engine) -> None:
    with store.connect() as conn:
        everyone = set(find(conn, "Rodriguez").ids)
        assert {MARIA, MARIO, MARIA_BR} <= everyone
        assert set(find(conn, "Rodriguez", Filters(agency="BR-PF")).ids) == {MARIA_BR}
        assert set(find(conn, "Rodriguez", Filters(country="es")).ids) == {MARIA, MARIO}
        assert set(find(conn, "Rodriguez", Filters(market="firearms")).ids) == {MARIO}
        assert find(conn, "Rodriguez", Filters(schema="Vehicle")).ids == []
        today = dt.datetime.now(dt.UTC).date()
        assert MARIA in find(conn, "Rodriguez", Filters(since=today)).ids
        assert find(conn, "Rodriguez", Filters(until=today - dt.timedelta(days=1))).ids == []


def test_nothing_for_an_empty_query_or_an_unknown_name(store: Engine) -> None:
    with store.connect() as conn:
        assert find(conn, "   ").ids == []
        assert find(conn, "Zygmunt Wójcik").ids == []
