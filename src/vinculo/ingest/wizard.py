"""The import wizard's services: an uploaded file kept safely, a suggested column mapping the user
edits, a preview that writes nothing, the import run in the background with its progress, and the
correction of a quarantined row imported again through the same pipeline.

An upload lives in its own folder under ``<var>/imports/uploads/<token>/``: the file (named by
its sniffed type, never by the name the browser gave; never executed) and ``state.json`` (owner
agency, the user's choices, progress). The state is a file rather than a table so that any
process serving the pages can follow an import another started. Imports themselves are
``pipeline.run_import``: same checks, same transactions, same audit entries as the command line.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
import secrets
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filetype  # type: ignore[import-untyped]
import orjson
from sqlalchemy import Engine, func, or_, select, update

from vinculo.ingest.mapping import (
    META_COLUMNS,
    STANDARD_COLUMNS,
    Mapping,
    MappingError,
    PropertySpec,
    default_mapping,
    parse_mapping,
    suggest_columns,
)
from vinculo.ingest.pipeline import ImportFailed, run_import
from vinculo.ingest.readers import ReadError, Row, open_source
from vinculo.ingest.rows import AgencyContext, MappedRow, RowMapper
from vinculo.model.metadata import HandlingCode, parse_evaluation
from vinculo.model.records import Problem
from vinculo.settings import get_settings
from vinculo.sharing.notify import notify
from vinculo.store.tables import (
    Agency,
    Entity,
    Hit,
    ImportJob,
    ImportProblem,
    QuarantineRow,
    utcnow,
)

MAX_BYTES_ENV = "VINCULO_IMPORT_MAX_BYTES"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 50
#: Kinds of record a table can hold, for the wizard's choice.
SCHEMAS = ("Person", "Company", "Organization", "Vehicle", "Vessel")
#: Everything a column can be mapped to: standard columns, then metadata.
TARGETS = (*STANDARD_COLUMNS, *META_COLUMNS)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TEXT_CONTROL = frozenset(set(range(0x00, 0x20)) - {0x09, 0x0A, 0x0D}) | {0x7F}
_IGNORED = "\x1fignored:"


class WizardError(ValueError):
    """An upload or a choice the wizard refuses; ``code`` names the reason for the page."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def max_upload_bytes() -> int:
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    value = int(raw) if raw.isdigit() else 0
    if value <= 0:
        raise ValueError(f"{MAX_BYTES_ENV}={raw!r}: give a positive number of bytes")
    return value


def sniff_table(data: bytes) -> str | None:
    """``xlsx`` or ``csv`` judged from the content alone (never the file name), or None."""
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in ("application/zip", XLSX_MIME):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as book:
                    names = set(book.namelist())
            except zipfile.BadZipFile:
                return None
            return "xlsx" if "xl/workbook.xml" in names else None
        return None
    if data.startswith(b"PK\x03\x04"):
        return None
    if _TEXT_CONTROL.intersection(data[: 1 << 16]):
        return None
    return "csv"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(slots=True)
class Wizard:
    token: str
    agency: str
    username: str
    filename: str
    file_format: str
    size: int
    created_at: str
    schema: str = "Person"
    #: Header -> standard column (``""``: not imported).
    columns: dict[str, str] = field(default_factory=dict)
    handling_code: str = "H2"
    evaluation: str = "B2"
    status: str = "uploaded"
    done: int = 0
    total: int = 0
    job_id: str | None = None
    error: str | None = None

    @property
    def source_name(self) -> str:
        return "source.xlsx" if self.file_format == "xlsx" else "source.csv"

    def path(self, root: Path) -> Path:
        return root / self.token / self.source_name

    def defaults(self) -> dict[str, Any]:
        """Metadata for every row that says nothing itself, as ``vinculo import`` options."""
        return {"handling_code": self.handling_code, "source_evaluation": self.evaluation}


def _state(root: Path, token: str) -> Path:
    return root / token / "state.json"


def save(root: Path, wizard: Wizard) -> None:
    path = _state(root, wizard.token)
    tmp = path.with_name("state.json.part")
    tmp.write_bytes(orjson.dumps(dataclasses.asdict(wizard)))
    tmp.replace(path)


def load(root: Path, token: str, agency: str) -> Wizard:
    """An upload of the user's agency; LookupError for any other (or none)."""
    if not _TOKEN.match(token):
        raise LookupError(token)
    try:
        data = orjson.loads(_state(root, token).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        raise LookupError(token) from None
    wizard = Wizard(**data)
    if wizard.agency != agency:
        raise LookupError(token)
    return wizard


#: Uploads not imported within this time are deleted (they may hold personal data).
KEEP_UPLOADS = dt.timedelta(days=7)


def purge(root: Path, now: dt.datetime | None = None) -> int:
    """Delete upload folders older than ``KEEP_UPLOADS``; returns how many."""
    if not root.is_dir():
        return 0
    limit = (now or dt.datetime.now(dt.UTC)).timestamp() - KEEP_UPLOADS.total_seconds()
    removed = 0
    for folder in root.iterdir():
        state = folder / "state.json"
        known = folder.is_dir() and _TOKEN.match(folder.name) and state.is_file()
        if known and state.stat().st_mtime < limit:
            for item in folder.iterdir():
                item.unlink()
            folder.rmdir()
            removed += 1
    return removed


def create(root: Path, agency: str, username: str, filename: str, data: bytes) -> Wizard:
    """Keep an uploaded table for the wizard: size and type checked, stored with no execute
    permission under a random folder name."""
    limit = max_upload_bytes()
    if not data:
        raise WizardError("empty", "the file is empty")
    if len(data) > limit:
        raise WizardError("too_large", f"the file is larger than {limit} bytes")
    kind = sniff_table(data)
    if kind is None:
        raise WizardError("not_tabular", "not a CSV or XLSX file (judged from its content)")
    purge(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(parents=True, mode=0o700)
    name = Path(filename.replace("\\", "/")).name[:200] or "upload"
    wizard = Wizard(
        token=token,
        agency=agency,
        username=username,
        filename=name,
        file_format=kind,
        size=len(data),
        created_at=utcnow().isoformat(),
    )
    target = wizard.path(root)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        headers = headers_of(root, wizard)
    except WizardError:
        target.unlink(missing_ok=True)
        folder.rmdir()
        raise
    wizard.columns = {h: suggest_columns(headers).get(h, "") for h in headers}
    save(root, wizard)
    return wizard


def headers_of(root: Path, wizard: Wizard) -> list[str]:
    try:
        _info, reader = open_source(wizard.path(root), wizard.file_format)
        rows = reader.rows()
        next(rows, None)
        headers = list(getattr(reader, "headers", []))
    except ReadError as exc:
        raise WizardError("unreadable", str(exc)) from exc
    if not headers or not any(headers):
        raise WizardError("no_columns", "the file has no header row")
    return headers


def choose(
    root: Path,
    wizard: Wizard,
    columns: dict[str, str],
    schema: str,
    handling_code: str,
    evaluation: str,
) -> Wizard:
    """The user's mapping and metadata for the file, checked."""
    headers = headers_of(root, wizard)
    if schema not in SCHEMAS:
        raise WizardError("bad_schema", f"unknown kind of record {schema!r}")
    try:
        HandlingCode(handling_code)
        parse_evaluation(evaluation)
    except ValueError as exc:
        raise WizardError("bad_meta", str(exc)) from None
    chosen = {h: columns.get(h, "") for h in headers}
    bad = sorted({t for t in chosen.values() if t and t not in TARGETS})
    if bad:
        raise WizardError("bad_target", f"unknown standard columns {bad}")
    taken = [t for t in chosen.values() if t]
    twice = sorted({t for t in taken if taken.count(t) > 1})
    if twice:
        raise WizardError("twice", f"columns mapped twice: {twice}")
    wizard.columns = chosen
    wizard.schema = schema
    wizard.handling_code = handling_code
    wizard.evaluation = evaluation
    mapping_of(wizard)  # refuses a mapping that maps nothing
    save(root, wizard)
    return wizard


def mapping_of(wizard: Wizard) -> Mapping:
    """The pipeline's mapping for the user's choices: the default mapping of the standard column
    names, pointed back at the file's own headers."""
    headers = list(wizard.columns)
    synthetic = [wizard.columns[h] or f"{_IGNORED}{i}" for i, h in enumerate(headers)]
    back = dict(zip(synthetic, headers, strict=True))
    base = default_mapping(wizard.schema, synthetic)

    def spec(p: PropertySpec) -> PropertySpec:
        return dataclasses.replace(p, columns=tuple(back.get(c, c) for c in p.columns))

    entities = tuple(
        dataclasses.replace(
            e,
            keys=tuple(back.get(k, k) for k in e.keys),
            properties={k: spec(v) for k, v in e.properties.items()},
        )
        for e in base.entities
    )
    mapping = Mapping(
        entities,
        {k: spec(v) for k, v in base.meta.items()},
        base.day_first,
        tuple(back.get(c, c) for c in base.unmapped),
    )
    if not mapping.entities[0].properties:
        raise WizardError("nothing_mapped", f"no column is mapped to a field of {wizard.schema}")
    return mapping


@dataclass(frozen=True, slots=True)
class PreviewRow:
    line: int
    values: list[str]
    problems: list[Problem]

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def flagged(self) -> bool:
        return not self.rejected and bool(self.problems)


@dataclass(frozen=True, slots=True)
class Preview:
    headers: list[str]
    rows: list[PreviewRow]
    #: Rows of the whole file, counted without mapping them.
    more: bool


def _mapper(engine: Engine, agency: str, mapping: Mapping, defaults: dict[str, Any]) -> RowMapper:
    with engine.connect() as conn:
        country = conn.execute(select(Agency.country).where(Agency.code == agency)).scalar()
    if country is None:
        raise WizardError("unknown_agency", f"unknown agency {agency!r}")
    context = AgencyContext(
        agency, country, get_settings().review_years, today=dt.datetime.now(dt.UTC).date(),
        defaults=dict(defaults),
    )  # fmt: skip
    return RowMapper(mapping, context)


def _check_rows(mapper: RowMapper, rows: list[Row]) -> list[MappedRow]:
    seen: set[str] = set()
    out = []
    for row in rows:
        mapped = mapper.map_row(row)
        if not mapped.rejected and mapped.entity_key is not None:
            if mapped.entity_key in seen:
                mapped.problems.append(
                    Problem(row.line, None, None,
                            "duplicate id: this key already appears earlier in the file", "error")
                )  # fmt: skip
            seen.add(mapped.entity_key)
        out.append(mapped)
    return out


def preview(engine: Engine, root: Path, wizard: Wizard, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows as the import would take them, each with its problems. Writes nothing."""
    mapper = _mapper(engine, wizard.agency, mapping_of(wizard), wizard.defaults())
    headers = list(wizard.columns)
    try:
        _info, reader = open_source(wizard.path(root), wizard.file_format)
        rows: list[Row] = []
        more = False
        for row in reader.rows():
            if len(rows) >= limit:
                more = True
                break
            rows.append(row)
    except ReadError as exc:
        raise WizardError("unreadable", str(exc)) from exc
    mapped = _check_rows(mapper, rows)
    return Preview(
        headers,
        [
            PreviewRow(r.line, [r.values.get(h, "") for h in headers], m.problems)
            for r, m in zip(rows, mapped, strict=True)
        ],
        more,
    )


# --- running ----------------------------------------------------------------------------------


def _count_rows(path: Path, file_format: str) -> int:
    if file_format == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return max(0, int(book.worksheets[0].max_row or 0) - 1)
        finally:
            book.close()
    with path.open("rb") as fh:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)


def _job_defaults(root: Path, job_id: str) -> Path:
    return root.parent / "jobs" / f"{job_id}.json"


def run(engine: Engine, root: Path, token: str, agency: str, *, match: bool = True) -> Wizard:
    """Import the upload now, writing progress to its state (the background thread's work)."""
    wizard = load(root, token, agency)
    path = wizard.path(root)
    wizard.status, wizard.done, wizard.error = "running", 0, None
    save(root, wizard)

    def progress(line: int, _total: int) -> None:
        wizard.done = min(max(0, line - 1), wizard.total)
        save(root, wizard)

    try:
        if not path.is_file():
            raise ReadError(f"{wizard.filename}: no such file (already imported or removed)")
        wizard.total = _count_rows(path, wizard.file_format)
        save(root, wizard)
        report = run_import(
            path,
            agency,
            schema=wizard.schema,
            mapping=mapping_of(wizard),
            file_format=wizard.file_format,
            engine=engine,
            defaults=wizard.defaults(),
            progress=progress,
            user=wizard.username,
            match=match,
        )
    except (ImportFailed, ReadError, WizardError, MappingError, OSError) as exc:
        wizard.status, wizard.error = "failed", str(exc)
        save(root, wizard)
        return wizard
    except Exception as exc:  # the thread must leave a trace for the page, whatever happened
        wizard.status, wizard.error = "failed", f"{type(exc).__name__}: {exc}"
        save(root, wizard)
        raise
    sidecar = _job_defaults(root, report.job_id)
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    sidecar.write_bytes(orjson.dumps({"defaults": wizard.defaults(), "source": wizard.filename}))
    with engine.begin() as conn:
        # The job's name is the user's file name, not the stored copy's.
        conn.execute(
            update(ImportJob)
            .where(ImportJob.id == report.job_id)
            .values(source_name=wizard.filename[:200])
        )
        notify(conn, agency, "import.completed", "import_job", report.job_id,
               username=wizard.username)  # fmt: skip
    wizard.status, wizard.job_id, wizard.done = "completed", report.job_id, wizard.total
    save(root, wizard)
    # Imported: the records and the quarantine hold what the file said; no copy stays behind.
    path.unlink(missing_ok=True)
    return wizard


def start(
    engine: Engine,
    root: Path,
    wizard: Wizard,
    *,
    match: bool = True,
    runner: Callable[..., Any] | None = None,
) -> threading.Thread:
    """Run the import in a background thread; the page follows ``state.json``."""
    if wizard.status in ("queued", "running"):
        raise WizardError("running", "the import is already running")
    wizard.status = "queued"
    save(root, wizard)
    thread = threading.Thread(
        target=runner or run,
        args=(engine, root, wizard.token, wizard.agency),
        kwargs={"match": match},
        name=f"import-{wizard.token[:8]}",
        daemon=True,
    )
    thread.start()
    return thread


# --- after the import -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobSummary:
    id: str
    source: str
    file_format: str
    status: str
    rows_read: int
    entities_written: int
    rows_rejected: int
    rows_flagged: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    created_by: str | None


def _summary(row: Any) -> JobSummary:
    return JobSummary(
        row.id, row.source_name, row.file_format, row.status, row.rows_read,
        row.entities_written, row.rows_rejected, row.rows_flagged, row.started_at,
        row.finished_at, row.created_by,
    )  # fmt: skip


def jobs(engine: Engine, agency: str, limit: int = 100) -> list[JobSummary]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ImportJob)
            .where(ImportJob.agency_code == agency)
            .order_by(ImportJob.started_at.desc(), ImportJob.id)
            .limit(limit)
        ).all()
    return [_summary(r) for r in rows]


def job(engine: Engine, agency: str, job_id: str) -> JobSummary:
    with engine.connect() as conn:
        row = conn.execute(select(ImportJob).where(ImportJob.id == job_id)).first()
    if row is None or row.agency_code != agency:
        raise LookupError(job_id)
    return _summary(row)


def hits_raised(engine: Engine, job_id: str) -> int:
    """Hits touching a record this import wrote (the last import of a record is its job)."""
    with engine.connect() as conn:
        ids = select(Entity.id).where(Entity.import_job_id == job_id)
        return int(
            conn.execute(
                select(func.count())
                .select_from(Hit)
                .where(or_(Hit.left_id.in_(ids), Hit.right_id.in_(ids)))
            ).scalar_one()
        )


def problems(engine: Engine, job_id: str, limit: int) -> list[Problem]:
    """The problems an import found, by line (at most ``limit``)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ImportProblem)
            .where(ImportProblem.job_id == job_id)
            .order_by(ImportProblem.line, ImportProblem.id)
            .limit(limit)
        ).all()
    return [Problem(r.line, r.column, r.value, r.reason, r.severity) for r in rows]


@dataclass(frozen=True, slots=True)
class Correction:
    """The outcome of a corrected row: its problems (when any is an error nothing is written and
    the quarantine keeps the row), and whether its import was started."""

    problems: list[Problem]
    started: bool
    thread: threading.Thread | None = None


def quarantined(engine: Engine, agency: str, job_id: str, line: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(
            select(QuarantineRow).where(
                QuarantineRow.job_id == job_id,
                QuarantineRow.line == line,
                QuarantineRow.agency_code == agency,
                QuarantineRow.status.in_(("rejected", "flagged")),
            )
        ).first()
    if row is None:
        raise LookupError(f"{job_id}:{line}")
    return row


def correct(
    engine: Engine,
    root: Path,
    agency: str,
    username: str,
    job_id: str,
    line: int,
    values: dict[str, str],
    *,
    match: bool = True,
    background: bool = True,
) -> Correction:
    """Import a corrected quarantined row through the same pipeline, with the original import's
    mapping and metadata. A row still in error is not imported (its problems are returned, the
    quarantine keeps it); one that passes is imported (in a background thread unless
    ``background`` is False: the caller's request may hold the database) and its quarantined
    original leaves the quarantine (``resolved`` by the pipeline, or ``corrected``); a warning
    left goes with it to its own import's quarantine."""
    job(engine, agency, job_id)
    row = quarantined(engine, agency, job_id, line)
    columns = [c for c in row.raw if c not in ("_raw", "_json")]
    if not columns:
        raise WizardError("not_tabular", "this row could not be split into columns")
    with engine.connect() as conn:
        stored = conn.execute(select(ImportJob.mapping).where(ImportJob.id == job_id)).scalar_one()
    mapping = parse_mapping(stored, f"import {job_id}")
    sidecar = _job_defaults(root, job_id)
    defaults: dict[str, Any] = {}
    if sidecar.is_file():
        defaults = dict(orjson.loads(sidecar.read_bytes()).get("defaults") or {})
    corrected = {c: str(values.get(c, ""))[:10_000] for c in columns}
    checked = _check_rows(_mapper(engine, agency, mapping, defaults), [Row(line, dict(corrected))])[
        0
    ]
    if checked.rejected:
        return Correction(checked.problems, False)
    folder = root.parent / "corrections"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id}-line{line}-{secrets.token_hex(4)}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerow([corrected[c] for c in columns])

    def apply() -> None:
        try:
            run_import(
                path, agency, mapping=mapping, file_format="csv", engine=engine,
                defaults=defaults, user=username, match=match,
            )  # fmt: skip
        finally:
            path.unlink(missing_ok=True)
        with engine.begin() as conn:
            # A clean row with a key has resolved its original already (the pipeline does);
            # one without, or with a warning left, is marked here.
            conn.execute(
                update(QuarantineRow)
                .where(
                    QuarantineRow.id == row.id,
                    QuarantineRow.status.in_(("rejected", "flagged")),
                )
                .values(status="corrected", resolved_at=utcnow())
            )

    if not background:
        apply()
        return Correction(checked.problems, True)
    thread = threading.Thread(target=apply, name=f"correct-{job_id[:8]}-{line}", daemon=True)
    thread.start()
    return Correction(checked.problems, True, thread)
