"""The import pipeline: read → map → clean → store, one transaction per batch, resumable.

Guarantees (tested in tests/ingest/):
- every rejected or flagged row is reported with its line, column and reason;
- good rows are stored; rejected rows (and flagged ones) are kept in the quarantine;
- each batch commits together with the job's progress, so a crash loses at most the batch in
  flight, and running the same import again resumes after the last committed batch;
- re-importing the same file changes nothing (ids derive from agency + source key, and an entity
  whose content is unchanged is not written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from vinculo import audit
from vinculo.ingest.mapping import Mapping, default_mapping, load_mapping
from vinculo.ingest.readers import CsvReader, FtmReader, ReadError, Row, XlsxReader, open_source
from vinculo.ingest.rows import AgencyContext, MappedRow, RowMapper
from vinculo.matching.hits import Indexed, Matcher
from vinculo.model.normalise import ValueRow
from vinculo.model.records import Problem, Record
from vinculo.settings import get_settings
from vinculo.store.db import get_engine
from vinculo.store.entities import write_records
from vinculo.store.tables import Agency, Entity, ImportJob, ImportProblem, QuarantineRow, utcnow

Progress = Callable[[int, int], None]
#: Fault injection for the crash tests: the process dies in the middle of the batch that would
#: take the committed row count past this number, before that batch commits.
FAULT_ENV = "VINCULO_FAULT_AFTER_ROWS"


class ImportFailed(Exception):
    """An import that cannot start (unknown agency, unreadable file or mapping)."""


@dataclass(slots=True)
class ImportReport:
    job_id: str
    source: str
    agency: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    rows_read: int = 0
    entities_written: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    problems: list[Problem] = field(default_factory=list)
    resumed_from_line: int = 0
    unmapped_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    preview: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "source": self.source,
            "agency": self.agency,
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "dry_run": self.dry_run,
            "resumed_from_line": self.resumed_from_line,
            "unmapped_columns": self.unmapped_columns,
            "rows_read": self.rows_read,
            "entities_written": self.entities_written,
            "rows_rejected": self.rows_rejected,
            "rows_flagged": self.rows_flagged,
            "problems": [p.as_dict() for p in self.problems],
        }


def count_lines(path: Path) -> int:
    total = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            total += chunk.count(b"\n")
    return total


def _headers(reader: CsvReader | XlsxReader | FtmReader) -> list[str]:
    if isinstance(reader, FtmReader):
        return []
    rows = reader.rows()
    next(rows, None)
    return list(reader.headers)


def _quarantine_raw(row: Row) -> dict[str, Any]:
    if row.values and "_json" not in row.values:
        return dict(row.values)
    if row.values:
        return {"_json": row.values["_json"]}
    return {"_raw": row.raw or ""}


class _Batch:
    def __init__(self) -> None:
        self.rows: list[tuple[Row, MappedRow]] = []

    def records(self) -> tuple[list[Record], dict[str, list[ValueRow]]]:
        records: list[Record] = []
        values: dict[str, list[ValueRow]] = {}
        for _, mapped in self.rows:
            if not mapped.rejected:
                records.extend(mapped.records)
                values.update(mapped.values)
        return records, values


def run_import(
    path: Path,
    agency: str,
    schema: str | None = None,
    mapping_path: Path | None = None,
    mapping: Mapping | None = None,
    file_format: str | None = None,
    sheet: str | None = None,
    engine: Engine | None = None,
    dry_run: bool = False,
    defaults: dict[str, Any] | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    preview_rows: int = 20,
    user: str | None = None,
    today: dt.date | None = None,
    matcher: Matcher | None = None,
    match: bool = True,
) -> ImportReport:
    engine = engine or get_engine()
    settings = get_settings()
    batch_size = batch_size or settings.import_batch_size
    try:
        info, reader = open_source(path, file_format, sheet)
    except ReadError as exc:
        raise ImportFailed(str(exc)) from exc
    with engine.connect() as conn:
        agency_row = conn.execute(select(Agency).where(Agency.code == agency)).first()
    if agency_row is None:
        raise ImportFailed(f"unknown agency {agency!r}: add it with 'vinculo agencies add'")
    if info.file_format != "ftm" and mapping is None:
        try:
            headers = _headers(reader)
        except ReadError as exc:
            raise ImportFailed(str(exc)) from exc
        if mapping_path is not None:
            mapping = load_mapping(mapping_path)
        else:
            try:
                mapping = default_mapping(schema or "Person", headers)
            except KeyError as exc:
                raise ImportFailed(str(exc)) from exc
        missing = sorted(
            {c for e in mapping.entities for p in e.properties.values() for c in p.columns}
            - set(headers)
        )
        if missing:
            raise ImportFailed(f"{path.name}: mapping names columns not in the file: {missing}")
    mapping = mapping or Mapping(())
    if info.file_format != "ftm" and not mapping.entities[0].properties:
        raise ImportFailed(f"{path.name}: no column could be mapped to {schema or 'Person'}")
    context = AgencyContext(
        agency,
        agency_row.country,
        settings.review_years,
        today=today or dt.datetime.now(dt.UTC).date(),
        defaults=dict(defaults or {}),
    )
    mapper = RowMapper(mapping, context)
    map_row = mapper.map_ftm if info.file_format == "ftm" else mapper.map_row
    defaults_digest = hashlib.sha256(repr(sorted((defaults or {}).items())).encode()).hexdigest()
    job_key = hashlib.sha256(
        "|".join(
            [agency, info.sha256, info.file_format, schema or "", mapping.digest(), defaults_digest]
        ).encode()
    ).hexdigest()
    report = ImportReport(
        job_id="",
        source=path.name,
        agency=agency,
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        unmapped_columns=list(mapping.unmapped),
        dry_run=dry_run,
    )
    total = count_lines(path) if progress else 0
    if dry_run:
        return _dry_run(reader.rows(), map_row, report, preview_rows, progress, total)
    job_id, resume_line = _open_job(engine, job_key, info, agency, schema, mapping, user)
    if match and matcher is None:
        with engine.connect() as conn:
            matcher = Matcher.load(conn)
    matcher = matcher if match else None
    report.job_id = job_id
    report.resumed_from_line = resume_line
    seen = _committed_ids(engine, job_id, resume_line)
    fault_after = int(os.environ.get(FAULT_ENV, "0") or 0)
    committed_rows = 0
    batch = _Batch()
    for row in reader.rows():
        if row.line <= resume_line:
            continue
        mapped = map_row(row)
        if not mapped.rejected and mapped.entity_key is not None:
            if mapped.entity_key in seen:
                mapped.problems.append(
                    Problem(
                        row.line,
                        _key_column(mapping),
                        _key_value(row, mapping),
                        "duplicate id: this key already appears earlier in the file",
                        "error",
                    )
                )
            else:
                seen.add(mapped.entity_key)
        batch.rows.append((row, mapped))
        if len(batch.rows) >= batch_size:
            committed_rows += len(batch.rows)
            _commit_batch(
                engine, job_id, agency, batch, matcher, fault_after and committed_rows > fault_after
            )
            batch = _Batch()
            if progress:
                progress(row.line, total)
    if batch.rows:
        committed_rows += len(batch.rows)
        _commit_batch(
            engine, job_id, agency, batch, matcher, fault_after and committed_rows > fault_after
        )
    with engine.begin() as conn:
        conn.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="completed", finished_at=utcnow())
        )
        job = conn.execute(select(ImportJob).where(ImportJob.id == job_id)).one()
        report.rows_read = job.rows_read
        report.entities_written = job.entities_written
        report.rows_rejected = job.rows_rejected
        report.rows_flagged = job.rows_flagged
        # A write to the store like any other: on the record, in the same transaction as the
        # job's completion.
        audit.record(
            conn,
            audit.Actor(user, agency, "import"),
            "import",
            object_type="import_job",
            object_id=job_id,
            details={
                "file": Path(path).name,
                "sha256": job.source_sha256,
                "rows_read": job.rows_read,
                "entities_written": job.entities_written,
                "rows_rejected": job.rows_rejected,
            },
        )
        report.problems = [
            Problem(p.line, p.column, p.value, p.reason, p.severity)
            for p in conn.execute(
                select(ImportProblem)
                .where(ImportProblem.job_id == job_id)
                .order_by(ImportProblem.line, ImportProblem.id)
            )
        ]
    if progress:
        progress(total, total)
    return report


def _key_column(mapping: Mapping) -> str | None:
    return mapping.entities[0].keys[0] if mapping.entities and mapping.entities[0].keys else "id"


def _key_value(row: Row, mapping: Mapping) -> str | None:
    if "_json" in row.values:
        data: Any = row.values["_json"]
        return str(data.get("id"))
    column = _key_column(mapping)
    return row.values.get(column or "", None)


def _dry_run(
    rows: Iterator[Row],
    map_row: Callable[[Row], MappedRow],
    report: ImportReport,
    preview_rows: int,
    progress: Progress | None,
    total: int,
) -> ImportReport:
    seen: set[str] = set()
    for row in rows:
        mapped = map_row(row)
        if not mapped.rejected and mapped.entity_key is not None:
            if mapped.entity_key in seen:
                mapped.problems.append(
                    Problem(
                        row.line,
                        None,
                        None,
                        "duplicate id: this key already appears earlier in the file",
                        "error",
                    )
                )
            seen.add(mapped.entity_key)
        report.rows_read += 1
        report.problems.extend(mapped.problems)
        if mapped.rejected:
            report.rows_rejected += 1
        else:
            report.rows_flagged += int(mapped.flagged)
            report.entities_written += len(mapped.records)
            if len(report.preview) < preview_rows:
                report.preview.extend(
                    {
                        "line": row.line,
                        "schema": r.proxy.schema.name,
                        "caption": r.proxy.caption,
                        "properties": r.proxy.to_dict()["properties"],
                    }
                    for r in mapped.records
                )
        if progress and report.rows_read % 1000 == 0:
            progress(row.line, total)
    return report


def _open_job(
    engine: Engine,
    job_key: str,
    info: Any,
    agency: str,
    schema: str | None,
    mapping: Mapping,
    user: str | None,
) -> tuple[str, int]:
    """The job for this exact import: resumed where it stopped, or restarted if it completed."""
    with engine.begin() as conn:
        job = conn.execute(select(ImportJob).where(ImportJob.job_key == job_key)).first()
        if job is None:
            job_id = str(uuid.uuid4())
            conn.execute(
                insert(ImportJob).values(
                    id=job_id,
                    job_key=job_key,
                    agency_code=agency,
                    source_name=info.path.name,
                    source_sha256=info.sha256,
                    file_format=info.file_format,
                    schema=schema,
                    mapping=mapping.to_dict(),
                    status="running",
                    started_at=utcnow(),
                    created_by=user,
                    rows_read=0,
                    line_committed=0,
                    entities_written=0,
                    rows_rejected=0,
                    rows_flagged=0,
                )
            )
            return job_id, 0
        if job.status != "completed":
            conn.execute(update(ImportJob).where(ImportJob.id == job.id).values(status="running"))
            return str(job.id), int(job.line_committed)
        # A completed import run again: every row is read again (nothing changes if the data did
        # not), and its counts and problems are recounted from scratch.
        conn.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id)
            .values(
                status="running",
                rows_read=0,
                line_committed=0,
                entities_written=0,
                rows_rejected=0,
                rows_flagged=0,
                started_at=utcnow(),
                finished_at=None,
            )
        )
        conn.execute(delete(ImportProblem).where(ImportProblem.job_id == job.id))
        return str(job.id), 0


def _committed_ids(engine: Engine, job_id: str, resume_line: int) -> set[str]:
    if resume_line == 0:
        return set()
    with engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                select(Entity.id).where(
                    Entity.import_job_id == job_id, Entity.source_line <= resume_line
                )
            )
        }


def _commit_batch(
    engine: Engine,
    job_id: str,
    agency: str,
    batch: _Batch,
    matcher: Matcher | None,
    die: bool | int,
) -> None:
    records, values = batch.records()
    first_line = batch.rows[0][0].line
    last_line = batch.rows[-1][0].line
    rejected = sum(1 for _, m in batch.rows if m.rejected)
    flagged = sum(1 for _, m in batch.rows if m.flagged)
    with engine.begin() as conn:
        result = write_records(conn, records, values, job_id)
        if matcher is not None:
            changed = set(result.inserted) | set(result.updated)
            matcher.match_entities(
                conn,
                [
                    Indexed(r.id, agency, r.proxy.schema.name, result.hashes[r.id],
                            r.proxy.to_dict()["properties"], values.get(r.id, []))
                    for r in records
                    if r.id in changed
                ],
            )  # fmt: skip
        if die:
            conn.execute(select(1))
            os._exit(137)  # simulated crash: the open transaction is never committed
        _write_problems(conn, job_id, agency, batch, first_line, last_line)
        clean_keys = [m.entity_key for _, m in batch.rows if m.entity_key and not m.problems]
        _resolve_quarantine(conn, job_id, agency, clean_keys)
        job = conn.execute(select(ImportJob).where(ImportJob.id == job_id)).one()
        conn.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                rows_read=job.rows_read + len(batch.rows),
                entities_written=job.entities_written + result.written,
                rows_rejected=job.rows_rejected + rejected,
                rows_flagged=job.rows_flagged + flagged,
                line_committed=last_line,
            )
        )


def _write_problems(
    conn: Connection, job_id: str, agency: str, batch: _Batch, first_line: int, last_line: int
) -> None:
    conn.execute(
        delete(ImportProblem).where(
            ImportProblem.job_id == job_id, ImportProblem.line.between(first_line, last_line)
        )
    )
    problems = [
        {
            "job_id": job_id,
            "line": p.line,
            "column": p.column,
            "value": p.value,
            "reason": p.reason,
            "severity": p.severity,
        }
        for _, mapped in batch.rows
        for p in mapped.problems
    ]
    if problems:
        conn.execute(insert(ImportProblem), problems)
    quarantined = [(row, mapped) for row, mapped in batch.rows if mapped.problems]
    lines = [row.line for row, _ in quarantined]
    if lines:
        conn.execute(
            delete(QuarantineRow).where(
                QuarantineRow.job_id == job_id, QuarantineRow.line.in_(lines)
            )
        )
        now = utcnow()
        conn.execute(
            insert(QuarantineRow),
            [
                {
                    "job_id": job_id,
                    "agency_code": agency,
                    "line": row.line,
                    "raw": _quarantine_raw(row),
                    "entity_key": mapped.entity_key,
                    "reasons": [p.as_dict() for p in mapped.problems],
                    "status": "rejected" if mapped.rejected else "flagged",
                    "created_at": now,
                }
                for row, mapped in quarantined
            ],
        )


def _resolve_quarantine(conn: Connection, job_id: str, agency: str, keys: list[str]) -> None:
    """A row imported cleanly resolves what other imports had quarantined for the same record."""
    for start in range(0, len(keys), 500):
        conn.execute(
            update(QuarantineRow)
            .where(
                QuarantineRow.agency_code == agency,
                QuarantineRow.job_id != job_id,
                QuarantineRow.status.in_(("rejected", "flagged")),
                QuarantineRow.entity_key.in_(keys[start : start + 500]),
            )
            .values(status="resolved", resolved_at=dt.datetime.now(dt.UTC))
        )
