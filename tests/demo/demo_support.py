from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson

from vinculo.demo.agencies import AGENCY_BY_CODE


def read_people(out: Path, code: str) -> list[dict[str, str]]:
    habits = AGENCY_BY_CODE[code].habits
    text = (out / code / "people.csv").read_bytes().decode(habits.encoding)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=habits.delimiter))


def read_entities(out: Path, code: str) -> list[dict[str, object]]:
    with open(out / code / "entities.ftm.jsonl", "rb") as handle:
        return [orjson.loads(line) for line in handle]


def read_truth(out: Path, name: str) -> list[dict[str, str]]:
    with open(out / "ground_truth" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def agency_codes(out: Path) -> list[str]:
    with open(out / "agencies.csv", encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]
