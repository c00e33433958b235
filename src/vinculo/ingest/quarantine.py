"""The quarantine: rows that were rejected (or stored with flagged values), kept as they were read
so that the owner can correct them and import them again.

A corrected file imported again resolves the quarantined rows of the same records by itself
(``pipeline._resolve_quarantine``); these functions list and export what is still open.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, select

from vinculo.store.tables import ImportJob, QuarantineRow

OPEN_STATUSES = ("rejected", "flagged")


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    job_id: str
    source: str
    line: int
    status: str
    raw: dict[str, Any]
    reasons: list[dict[str, Any]]


def open_rows(
    conn: Connection, agency: str, job_id: str | None = None, include_flagged: bool = True
) -> list[QuarantinedRow]:
    statuses = OPEN_STATUSES if include_flagged else ("rejected",)
    stmt = (
        select(QuarantineRow, ImportJob.source_name)
        .join(ImportJob, ImportJob.id == QuarantineRow.job_id)
        .where(QuarantineRow.agency_code == agency, QuarantineRow.status.in_(statuses))
        .order_by(ImportJob.started_at, QuarantineRow.line)
    )
    if job_id:
        stmt = stmt.where(QuarantineRow.job_id == job_id)
    return [
        QuarantinedRow(r.job_id, r.source_name, r.line, r.status, dict(r.raw), list(r.reasons))
        for r in conn.execute(stmt)
    ]


def export_for_correction(rows: list[QuarantinedRow], path: Path) -> int:
    """Write the rows as they were read, with why each was quarantined, for correction.

    Tabular rows become a CSV with the original columns plus ``_source``, ``_line`` and
    ``_problems`` (the importer ignores unknown columns and reports them). Rows that could not be
    split into columns (bad bytes, broken quoting) or FtM lines are written under ``_raw``."""
    columns: dict[str, None] = {}
    for row in rows:
        for key in row.raw:
            if key not in ("_raw", "_json"):
                columns[key] = None
    header = [*columns, "_raw", "_source", "_line", "_problems"]
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            raw = row.raw.get("_raw")
            if "_json" in row.raw:
                raw = orjson.dumps(row.raw["_json"]).decode()
            problems = "; ".join(
                f"{p.get('column') or '-'}: {p.get('reason')}" for p in row.reasons
            )
            writer.writerow(
                [str(row.raw.get(c, "")) for c in columns]
                + [raw or "", row.source, str(row.line), problems]
            )
    tmp.replace(path)
    return len(rows)
