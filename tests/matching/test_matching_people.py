"""Entity resolution on Ibero-American identities, through the whole scoring path: rows →
profiles → comparison levels → the trained model's calibrated probability.

Each case states what a careful analyst would conclude; the model must agree."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from vinculo.matching.compare import compare_people
from vinculo.matching.files import profile_from_row
from vinculo.matching.model import Model

MODEL = Model.load()


def score(a: dict[str, str], b: dict[str, str]) -> float:
    # A Colombian agency's record against a Spanish agency's, unless the case says otherwise.
    b = dict(b)
    country_b = b.pop("_country", "ES")
    left = profile_from_row({"id": "a", **a}, "A", "CO")
    right = profile_from_row({"id": "b", **b}, "B", country_b)
    return MODEL.score(compare_people(left, right)).probability


SAME_PERSON = [
    pytest.param(
        {"name": "José Luis Pérez García", "birth_date": "12/03/1980"},
        {"name": "PEREZ GARCIA, JOSE LUIS", "birth_date": "1980-03-12"},
        id="surnames-first-upper-case-no-accents",
    ),
    pytest.param(
        {"name": "María Fernanda Rodríguez Ospina", "birth_date": "05/11/1979"},
        {"name": "María Fernanda Rodríguez", "birth_date": "05/11/1979"},
        id="second-surname-missing",
    ),
    pytest.param(
        {"name": "Francisco Javier Gómez Castaño", "birth_date": "1975-07-21"},
        {"name": "Paco Gómez Castaño", "birth_date": "21/07/1975"},
        id="hypocoristic-paco",
    ),
    pytest.param(
        {"name": "João Pedro da Silva Santos", "birth_date": "02/02/1988"},
        {"name": "Joao Pedro Silva Santos", "birth_date": "02/02/1988"},
        id="portuguese-particle-and-tilde-dropped",
    ),
    pytest.param(
        {"name": "Guadalupe Torres Méndez", "birth_date": "1990-04-08"},
        {"name": "Lupe Torres Mendez", "birth_date": "08/04/1990"},
        id="hypocoristic-lupe",
    ),
    pytest.param(
        {
            "name": "Carlos Andrés Muñoz Rincón",
            "id_number": "79.512.345",
            "birth_date": "1970-01-02",
        },
        {"name": "Carlos Munoz", "id_number": "79512345", "birth_date": "02/01/1970"},
        id="cedula-in-two-formats",
    ),
    pytest.param(
        {
            "name": "Jesús Alberto Quintero Lugo",
            "birth_date": "03/09/1972",
            "phone": "310 555 1234",
        },
        {"name": "Chucho Quintero", "birth_date": "03/09/1972", "phone": "+573105551234"},
        id="nickname-and-shared-phone",
    ),
]

#: Plausible but not conclusive: a human must look (at least the review threshold). Two valid
#: cédulas under one name and birth date is a typing error, a second identity (which analysts
#: want to see) or, rarely, two people: exactly what review is for.
FOR_REVIEW = [
    pytest.param(
        {"name": "Pedro Martínez López", "birth_date": "1970-03-03", "id_number": "79512345"},
        {
            "name": "Pedro Martínez López",
            "birth_date": "1970-03-03",
            "id_number": "80123456",
            "_country": "CO",
        },
        id="same-name-and-birth-date-but-two-cedulas",
    ),
    pytest.param(
        {"name": "Ana Lucía Herrera Vidal", "birth_date": "1983"},
        {"name": "Ana Lucía Herrera Vidal", "birth_date": "14/06/1983"},
        id="same-full-name-birth-year-only",
    ),
    pytest.param(
        {"name": "Gustavo Adolfo Salcedo Paz", "birth_date": "1990-04-08"},
        {"name": "Gustavo Adolfo Salcedo Paz", "birth_date": "1990-08-04"},
        id="day-and-month-swapped",
    ),
]

DIFFERENT_PEOPLE = [
    pytest.param(
        {"name": "Juan Pablo Ríos Mejía", "birth_date": "1961-05-03"},
        {"name": "Juan Pablo Ríos Mejía", "birth_date": "1987-09-14"},
        id="father-and-son",
    ),
    pytest.param(
        {"name": "Andrés Felipe Cárdenas Toro", "birth_date": "1990-02-10", "phone": "3005550000"},
        {"name": "Santiago Cárdenas Toro", "birth_date": "1993-06-22", "phone": "3005550000"},
        id="siblings-sharing-surnames-and-a-phone",
    ),
    pytest.param(
        {"name": "Luis Pérez García", "birth_date": "1985-01-01"},
        {"name": "Luis García Pérez", "birth_date": "1985-01-01"},
        id="cousins-with-surnames-swapped",
    ),
    pytest.param(
        {"name": "Juan Carlos Bermúdez Lara", "birth_date": "1978-10-10"},
        {"name": "Juana Bermúdez Lara", "birth_date": "1978-10-10"},
        id="juan-and-juana-twins",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME_PERSON)
def test_same_person_written_differently_is_a_match(a: dict[str, str], b: dict[str, str]) -> None:
    assert score(a, b) >= MODEL.match_threshold


@pytest.mark.parametrize(("a", "b"), FOR_REVIEW)
def test_plausible_pairs_reach_human_review(a: dict[str, str], b: dict[str, str]) -> None:
    assert score(a, b) >= MODEL.review_threshold


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_look_alikes_stay_apart(a: dict[str, str], b: dict[str, str]) -> None:
    assert score(a, b) < MODEL.review_threshold


def test_explanation_names_each_feature_with_its_weight() -> None:
    left = profile_from_row(
        {"id": "a", "name": "María Fernanda Rodríguez Ospina", "birth_date": "1979-11-05"},
        "A",
        "CO",
    )
    right = profile_from_row(
        {"id": "b", "name": "Maria Fernanda Rodriguez", "birth_date": "1960-01-01"}, "B", "ES"
    )
    scored = MODEL.score(compare_people(left, right))
    lines = scored.explanation()
    assert any(
        line.startswith("surnames agree, second surname missing on one side: +") for line in lines
    )
    assert any(line.startswith("birth dates conflict: -") for line in lines)
    # The explanation adds up: prior plus contributions is the log-odds.
    import math

    total = math.log2(MODEL.prior / (1 - MODEL.prior)) + sum(c.weight for c in scored.contributions)
    assert total == pytest.approx(scored.log_odds)


def test_probability_is_monotonic_in_evidence() -> None:
    base = {"name": "Rosa Elena Vargas Pinto"}
    weaker = score(base, {"name": "Rosa Vargas"})
    stronger = score(
        {**base, "birth_date": "1966-06-06"}, {"name": "Rosa Vargas", "birth_date": "06/06/1966"}
    )
    assert stronger > weaker


def test_xref_files_contract(tmp_path: Path) -> None:
    """Two files in, one links file out: header left_id,right_id,score, one row per match."""
    left = tmp_path / "left.csv"
    right = tmp_path / "right.csv"
    left.write_text(
        "id,name,birth_date,id_number\n"
        "L1,José Luis Pérez García,12/03/1980,\n"
        "L2,Juan Pablo Ríos Mejía,1961-05-03,\n"
        "L3,Marta Lucía Gil Rojas,1990-01-01,\n",
        encoding="utf-8",
    )
    right.write_text(
        "id,name,birth_date,id_number\n"
        'R1,"PEREZ GARCIA, JOSE LUIS",1980-03-12,\n'
        "R2,Juan Pablo Ríos Mejía,1987-09-14,\n",
        encoding="utf-8",
    )
    out = tmp_path / "links.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vinculo.cli",
            "xref-files",
            str(left),
            str(right),
            "-o",
            str(out),
            "--no-em",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(result.stdout.strip().splitlines()) == 1  # one summary line, nothing else
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["left_id", "right_id", "score"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("L1", "R1")]
    assert float(rows[1][2]) >= MODEL.match_threshold


def test_xref_files_dedupe_lists_each_pair_once(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text(
        "id,name,birth_date\n"
        "A,Rosa Elena Vargas Pinto,1966-06-06\n"
        "B,ROSA ELENA VARGAS PINTO,06/06/1966\n"
        "C,Rosa Vargas Pinto,1966-06-06\n"
        "D,Rosa Elena Vargas Pinto,1991-02-02\n",
        encoding="utf-8",
    )
    out = tmp_path / "links.csv"
    subprocess.run(
        [sys.executable, "-m", "vinculo.cli", "xref-files", str(one), "-o", str(out), "--no-em"],
        capture_output=True,
        text=True,
        check=True,
    )
    with out.open(encoding="utf-8", newline="") as fh:
        pairs = {frozenset((r["left_id"], r["right_id"])) for r in csv.DictReader(fh)}
    # A, B and C are one woman; D (born 1991) is another, her daughter perhaps.
    assert pairs == {frozenset("AB"), frozenset("AC"), frozenset("BC")}
