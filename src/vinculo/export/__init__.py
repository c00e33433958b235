"""Exports of an agency's records: FtM JSON lines (lossless), CSV and XLSX.

Spreadsheet formats neutralise formula injection: a cell starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return gets a leading apostrophe, so a spreadsheet shows it as text and never
evaluates it (OWASP's recommendation for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import orjson
from sqlalchemy import Engine, select

from vinculo.model.schemata import get_schema
from vinculo.store.entities import StoredEntity, iter_entities
from vinculo.store.tables import Entity

FORMATS = ("ftm", "csv", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
META_HEADERS = [
    "id",
    "schema",
    "caption",
    "agency",
    "markets",
    "handling_code",
    "handling_text",
    "source_evaluation",
    "subject_category",
    "minor",
    "review_by",
    "distribution",
    "source_ref",
]
VALUE_SEPARATOR = "; "


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _property_columns(engine: Engine, agency: str) -> list[str]:
    with engine.connect() as conn:
        schemata = [
            r[0]
            for r in conn.execute(
                select(Entity.schema).where(Entity.agency_code == agency).distinct()
            )
        ]
    columns: dict[str, None] = {}
    for name in sorted(schemata):
        for prop in get_schema(name).sorted_properties:
            if not prop.hidden and not prop.stub:
                columns[prop.name] = None
    return list(columns)


def _flat_row(entity: StoredEntity, columns: list[str]) -> list[str]:
    meta = entity.meta
    head = [
        entity.id,
        entity.proxy.schema.name,
        entity.proxy.caption,
        meta.agency,
        VALUE_SEPARATOR.join(m.value for m in meta.markets),
        meta.handling_code.value,
        meta.handling_text or "",
        meta.evaluation,
        meta.subject_category.value if meta.subject_category else "",
        "true" if meta.minor else "false",
        meta.review_by.isoformat() if meta.review_by else "",
        meta.distribution_label,
        meta.source_ref or "",
    ]
    props = [VALUE_SEPARATOR.join(entity.proxy.get(c, quiet=True)) for c in columns]
    return [neutralise(v) for v in head + props]


def _entities(engine: Engine, agency: str) -> Iterator[StoredEntity]:
    with engine.connect() as conn:
        yield from iter_entities(conn, agency=agency)


def export_agency(engine: Engine, agency: str, fmt: str, path: Path) -> int:
    """Write the agency's records to ``path``; returns how many. Written to a temporary file and
    renamed at the end, so a failed export never leaves a half-written file under the name."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    tmp = path.with_name(path.name + ".part")
    count = 0
    try:
        if fmt == "ftm":
            with tmp.open("wb") as fh:
                for entity in _entities(engine, agency):
                    fh.write(orjson.dumps(entity.to_ftm(), option=orjson.OPT_SORT_KEYS) + b"\n")
                    count += 1
        elif fmt == "csv":
            columns = _property_columns(engine, agency)
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(META_HEADERS + columns)
                for entity in _entities(engine, agency):
                    writer.writerow(_flat_row(entity, columns))
                    count += 1
        else:
            from openpyxl import Workbook

            columns = _property_columns(engine, agency)
            book = Workbook(write_only=True)
            sheet = book.create_sheet(agency[:31])
            sheet.append(META_HEADERS + columns)
            for entity in _entities(engine, agency):
                sheet.append(_flat_row(entity, columns))
                count += 1
            book.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count
