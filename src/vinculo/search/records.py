"""What the entity profile and the search results show beside a record's properties: where it
came from, the values as originally given, the records it links to, its dates and its places.

These helpers read bookkeeping (import jobs) and the normalised values of records the caller has
already shown through ``sharing.policy``; link and event helpers take the *presented* properties
(``policy.present(...).data["properties"]``), so that nothing the policy left out comes back in
through them. Ids they return are to be read through the policy again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select

from vinculo.identifiers import fold_name
from vinculo.model.schemata import get_model
from vinculo.store.tables import Entity, EntityLink, EntityValue, ImportJob

#: At most this many linked records are listed on a profile.
MAX_LINKS = 200


@dataclass(frozen=True, slots=True)
class Provenance:
    job_id: str | None
    source_name: str | None
    imported_at: dt.datetime | None
    line: int | None


def provenance(conn: Connection, entity_ids: Iterable[str]) -> dict[str, Provenance]:
    """The import (file name, date, line) each record came from; records entered otherwise have
    no job."""
    ids = list(dict.fromkeys(entity_ids))
    out: dict[str, Provenance] = {}
    stmt = (
        select(
            Entity.id,
            Entity.import_job_id,
            Entity.source_line,
            ImportJob.source_name,
            ImportJob.started_at,
        )
        .outerjoin(ImportJob, ImportJob.id == Entity.import_job_id)
        .where(Entity.id.in_(bindparam("ids", expanding=True)))
    )
    for start in range(0, len(ids), 500):
        for row in conn.execute(stmt, {"ids": ids[start : start + 500]}):
            out[row.id] = Provenance(
                row.import_job_id, row.source_name, row.started_at, row.source_line
            )
    return out


@dataclass(frozen=True, slots=True)
class ShownValue:
    """One value of a property: as stored, as originally given, and what normalising made of it."""

    value: str
    original: str | None
    kind: str | None
    valid: bool
    scheme: str | None

    @property
    def differs(self) -> bool:
        return self.original is not None and self.original.strip() != self.value


def original_values(
    conn: Connection, entity_id: str, properties: Mapping[str, Sequence[str]]
) -> dict[str, list[ShownValue]]:
    """Each shown property value with the original it was normalised from (``entity_value``),
    for the properties given only (those the policy showed)."""
    rows: dict[str, list[Any]] = {}
    for row in conn.execute(
        select(EntityValue).where(EntityValue.entity_id == entity_id).order_by(EntityValue.id)
    ):
        rows.setdefault(row.prop, []).append(row)
    out: dict[str, list[ShownValue]] = {}
    for prop, values in properties.items():
        candidates = list(rows.get(prop, []))
        shown: list[ShownValue] = []
        for position, value in enumerate(values):
            match = next(
                (
                    r
                    for r in candidates
                    if value in (r.value, r.original.strip())
                    or fold_name(value) == r.value
                    or r.value.lower() == value.lower()
                ),
                None,
            )
            if match is None and len(candidates) == len(values) - position and candidates:
                match = candidates[0]
            if match is not None:
                candidates.remove(match)
                shown.append(
                    ShownValue(value, match.original, match.kind, match.valid, match.scheme)
                )
            else:
                shown.append(ShownValue(value, None, None, True, None))
        out[prop] = shown
    return out


@cache
def _props_of_type(schema: str, type_name: str) -> tuple[str, ...]:
    found = get_model().get(schema)
    if found is None:
        return ()
    return tuple(name for name, prop in found.properties.items() if prop.type.name == type_name)


def referenced_ids(schema: str, properties: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Records a record refers to, by property (``owner``, ``holder``, ``subjects``...)."""
    out: dict[str, list[str]] = {}
    for prop in _props_of_type(schema, "entity"):
        for value in properties.get(prop, []):
            out.setdefault(value, []).append(prop)
    return out


def referencing_ids(conn: Connection, entity_id: str, agency: str) -> list[str]:
    """Records of the owner agency that refer to ``entity_id`` (memberships, calls, payments,
    cases...). Imported references stay inside one agency's data, so only its records are read."""
    stmt = (
        select(EntityLink.source_id)
        .join(Entity, Entity.id == EntityLink.source_id)
        .where(
            EntityLink.target_id == entity_id,
            Entity.agency_code == agency,
            EntityLink.source_id != entity_id,
        )
        .distinct()
        .order_by(EntityLink.source_id)
        .limit(MAX_LINKS)
    )
    return [r[0] for r in conn.execute(stmt)]


@dataclass(frozen=True, slots=True)
class Dated:
    """A date on the timeline: the day (or month, or year) and what happened."""

    when: str
    prop: str
    schema: str
    entity_id: str
    caption: str


def dates_of(
    entity_id: str, schema: str, caption: str, properties: Mapping[str, Sequence[str]]
) -> list[Dated]:
    return [
        Dated(value, prop, schema, entity_id, caption)
        for prop in _props_of_type(schema, "date")
        for value in properties.get(prop, [])
    ]


def countries_of(schema: str, properties: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Country codes (upper case) of a record, by property (nationality, country, jurisdiction)."""
    out: dict[str, list[str]] = {}
    for prop in _props_of_type(schema, "country"):
        for value in properties.get(prop, []):
            out.setdefault(value.upper(), []).append(prop)
    return out
