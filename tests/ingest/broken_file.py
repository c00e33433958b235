"""A CSV of 1,000 synthetic Brazilian people with a dozen deliberately broken rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from faker import Faker
from stdnum.br import cpf

HEADER = ",".join(
    [
        "id",
        "name",
        "birth_date",
        "nationality",
        "id_number",
        "phone",
        "markets",
        "handling_code",
        "source_evaluation",
        "subject_category",
    ]
)


def cpf_check_digits(base: str) -> str:
    """The two CPF check digits (Receita Federal's mod-11 rule), computed here independently."""
    digits = [int(c) for c in base]
    for weight_start in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight_start, 1, -1), strict=False))
        digits.append((total * 10) % 11 % 10)
    return "".join(str(d) for d in digits[-2:])


def make_cpf(rng: random.Random) -> str:
    base = f"{rng.randrange(10**8, 10**9):09d}"
    number = base + cpf_check_digits(base)
    assert cpf.is_valid(number)
    return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"


def break_cpf(value: str) -> str:
    last = int(value[-1])
    return value[:-1] + str((last + 1) % 10)


@dataclass(frozen=True)
class BrokenFile:
    path: Path
    rows: int
    #: line number -> (column or None, "rejected" | "flagged")
    broken: dict[int, tuple[str | None, str]]


def write_broken_file(path: Path, rows: int = 1000, seed: int = 7) -> BrokenFile:
    rng = random.Random(seed)
    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    lines: list[bytes] = [HEADER.encode()]
    records: list[list[str]] = []
    for n in range(rows):
        birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2000)}"
        phone = f"(11) 9{rng.randint(6000, 9999)}-{rng.randint(1000, 9999)}"
        name = f"{fake.first_name()} {fake.last_name()} {fake.last_name()}"
        records.append(
            [
                f"PF-{n:05d}",
                name,
                birth,
                "Brasil",
                make_cpf(rng),
                phone,
                "drugs",
                "H1",
                "B2",
                "suspect",
            ]
        )
    broken: dict[int, tuple[str | None, str]] = {}

    def line_of(index: int) -> int:
        return index + 2  # header is line 1, rows are one per line

    # Value-level problems: the row is stored with the value flagged, and quarantined.
    records[10][2] = "31/02/1990"
    broken[line_of(10)] = ("birth_date", "flagged")
    records[20][2] = "1985-13-01"
    broken[line_of(20)] = ("birth_date", "flagged")
    records[30][4] = break_cpf(records[30][4])
    broken[line_of(30)] = ("id_number", "flagged")
    records[40][4] = break_cpf(records[40][4])
    broken[line_of(40)] = ("id_number", "flagged")
    records[50][3] = "Atlântida"
    broken[line_of(50)] = ("nationality", "flagged")
    records[60][3] = "Reino de Narnia"
    broken[line_of(60)] = ("nationality", "flagged")
    # Row-level problems: the row cannot be stored, it is rejected into the quarantine.
    records[70][1] = ""
    broken[line_of(70)] = ("name", "rejected")
    records[80][0] = records[79][0]
    broken[line_of(80)] = ("id", "rejected")
    records[90][1] = '=HYPERLINK("http://example.org/x","Ver ficha")'
    broken[line_of(90)] = ("name", "rejected")
    records[100][5] = "@SUM(1+1)"
    broken[line_of(100)] = ("phone", "rejected")
    for record in records:
        lines.append(",".join(_quote(v) for v in record).encode("utf-8"))
    # Bad encoding: stray Latin-1 bytes inside an otherwise UTF-8 file.
    for index in (110, 120):
        lines[line_of(index) - 1] = lines[line_of(index) - 1].replace(b",Brasil,", b",Bras\xedl,")
        broken[line_of(index)] = (None, "rejected")
    path.write_bytes(b"\n".join(lines) + b"\n")
    return BrokenFile(path, rows, broken)


def _quote(value: str) -> str:
    if any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value
