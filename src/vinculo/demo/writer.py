"""Streaming writers for the scenario's files, and the manifest.

Rows go straight to disk as they are made so a million-record run stays within a small memory
budget; counters here are the only per-agency state kept for the whole run.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from vinculo.demo.agencies import AGENCIES, Agency
from vinculo.demo.people import PEOPLE_COLUMNS, TRUTH_PEOPLE_COLUMNS

# Short codes inside agency-local entity keys ("DIJIN-VEH-000012").
ENTITY_CODES = {
    "Organization": "ORG",
    "Company": "COM",
    "Address": "ADR",
    "Passport": "PAS",
    "BankAccount": "ACC",
    "CryptoWallet": "WAL",
    "Vehicle": "VEH",
    "Vessel": "VES",
    "ShippingContainer": "CON",
    "Firearm": "ARM",
    "CulturalObject": "OBJ",
    "Seizure": "SEZ",
    "Custody": "CUS",
    "Case": "CAS",
    "Family": "FAM",
    "Associate": "ASO",
    "Membership": "MEM",
    "Ownership": "OWN",
    "Directorship": "DIR",
    "Employment": "EMP",
    "Call": "CAL",
    "Payment": "PAY",
    "Event": "EVT",
}

GROUND_TRUTH_FILES = {
    "records": ("agency", "record_id", "schema", "true_id", "organisation_id", "role"),
    "lookalikes": ("agency_left", "record_left", "agency_right", "record_right", "kind"),
    "organisations": ("organisation_id", "name", "markets", "countries", "brokers"),
    "people": TRUTH_PEOPLE_COLUMNS,
    "identifiers": ("agency", "record_id", "kind", "id_number"),
}


@dataclass
class Manifest:
    seed: int
    scale: int
    #: agency code -> schema ("Person" for people.csv rows) -> number of records
    counts: dict[str, dict[str, int]]
    #: logical name ("agencies", "CO-DIJIN/people", "ground_truth/records", ...) -> relative path
    paths: dict[str, str]
    #: agency code -> {"encoding": ..., "delimiter": ...} of its people.csv
    encodings: dict[str, dict[str, str]] = field(default_factory=dict)
    ground_truth: dict[str, int] = field(default_factory=dict)

    def write(self, out_dir: Path) -> None:
        text = json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False)
        (out_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")


class AgencyOutput:
    """The two files of one agency plus its id counters."""

    def __init__(self, agency: Agency, out_dir: Path) -> None:
        self.agency = agency
        folder = out_dir / agency.code
        folder.mkdir(parents=True, exist_ok=True)
        habits = agency.habits
        # cp1252 files replace the odd character they cannot hold, as Excel does with '?'.
        self._people: IO[str] = open(  # noqa: SIM115 - closed in close()
            folder / "people.csv", "w", encoding=habits.encoding, errors="replace", newline=""
        )
        self._csv = csv.writer(self._people, delimiter=habits.delimiter, lineterminator="\r\n")
        self._csv.writerow(PEOPLE_COLUMNS)
        self._entities: IO[bytes] = open(folder / "entities.ftm.jsonl", "wb")  # noqa: SIM115
        self.counts: Counter[str] = Counter()
        self._serial: Counter[str] = Counter()

    def record_id(self, year: int) -> str:
        self._serial["Person"] += 1
        return self.agency.record_pattern.format(year=year, n=self._serial["Person"])

    def entity_id(self, schema: str) -> str:
        self._serial[schema] += 1
        return f"{self.agency.short}-{ENTITY_CODES[schema]}-{self._serial[schema]:06d}"

    def case_reference(self, year: int) -> str:
        self._serial["case_ref"] += 1
        return self.agency.case_pattern.format(year=year, n=self._serial["case_ref"])

    def person(self, row: list[str]) -> None:
        self._csv.writerow(row)
        self.counts["Person"] += 1

    def entity(
        self, entity_id: str, schema: str, props: dict[str, list[str]], meta: dict[str, Any]
    ) -> None:
        line = {"id": entity_id, "schema": schema, "properties": props, "vinculo": meta}
        self._entities.write(orjson.dumps(line) + b"\n")
        self.counts[schema] += 1

    def close(self) -> None:
        self._people.close()
        self._entities.close()


class GroundTruth:
    def __init__(self, out_dir: Path) -> None:
        folder = out_dir / "ground_truth"
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}
        self.counts: Counter[str] = Counter()
        for name, header in GROUND_TRUTH_FILES.items():
            handle = open(folder / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._files[name] = handle
            self._writers[name] = csv.writer(handle, lineterminator="\n")
            self._writers[name].writerow(header)

    def write(self, name: str, row: list[str] | tuple[str, ...]) -> None:
        self._writers[name].writerow(row)
        self.counts[name] += 1

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()


def write_agencies(out_dir: Path) -> None:
    with open(out_dir / "agencies.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("code", "name", "country", "kind", "networks", "contact_markets"))
        for a in AGENCIES:
            writer.writerow(
                (
                    a.code,
                    a.name,
                    a.country,
                    a.kind.value,
                    ";".join(n.value for n in a.networks),
                    ";".join(m.value for m in a.contact_markets),
                )
            )
