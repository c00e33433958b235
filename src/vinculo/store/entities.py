"""Writing and reading entities: the repository every service goes through."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from followthemoney.proxy import EntityProxy
from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update

from vinculo.identifiers import fold_name
from vinculo.model.metadata import (
    CriminalMarket,
    HandlingCode,
    InformationCredibility,
    IntelligenceMeta,
    SourceReliability,
    SubjectCategory,
)
from vinculo.model.normalise import ValueRow
from vinculo.model.records import Problem, Record, content_hash
from vinculo.model.schemata import get_model
from vinculo.store.tables import Entity, EntityLink, EntityText, EntityValue, Release, utcnow

CHUNK = 500
_WORD_RE = re.compile(r"\w+")
TEXT_KINDS = frozenset(
    {
        "name",
        "phone",
        "national_id",
        "passport",
        "iban",
        "imo",
        "mmsi",
        "container",
        "vin",
        "crypto",
        "email",
        "firearm_serial",
        "vehicle_registration",
        "registration",
        "reference",
        "bic",
    }
)


def meta_columns(meta: IntelligenceMeta) -> dict[str, Any]:
    return {
        "agency_code": meta.agency,
        "markets": [m.value for m in meta.markets],
        "handling_code": meta.handling_code.value,
        "handling_text": meta.handling_text,
        "source_reliability": meta.source_reliability.value,
        "information_credibility": meta.information_credibility.value,
        "subject_category": meta.subject_category.value if meta.subject_category else None,
        "minor": meta.minor,
        "review_by": meta.review_by,
        "distribution": meta.distribution,
        "distribution_ref": meta.distribution_ref,
        "source_ref": meta.source_ref,
        "source_key": meta.source_key,
    }


@cache
def reference_props(schema: str) -> tuple[str, ...]:
    """The properties of a schema whose values are other records' ids."""
    found = get_model().get(schema)
    if found is None:
        return ()
    return tuple(sorted(n for n, p in found.properties.items() if p.type.name == "entity"))


def references(schema: str, properties: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, record id) for each reference a record makes, once each."""
    seen: dict[tuple[str, str], None] = {}
    for prop in reference_props(schema):
        for target in properties.get(prop) or []:
            if isinstance(target, str) and target:
                seen[(prop, target[:64])] = None
    return list(seen)


def search_text(proxy: EntityProxy, values: Sequence[ValueRow]) -> str:
    parts: dict[str, None] = {proxy.caption: None}
    for value in values:
        if value.kind in TEXT_KINDS:
            parts[value.original.strip()] = None
            parts[value.value] = None
    return " ".join(p for p in parts if p)


@dataclass(slots=True)
class WriteResult:
    inserted: list[str]
    updated: list[str]
    unchanged: list[str]
    #: Content hash of every record written or found unchanged.
    hashes: dict[str, str]

    @property
    def written(self) -> int:
        return len(self.inserted) + len(self.updated)


def write_records(
    conn: Connection,
    records: Sequence[Record],
    values: dict[str, list[ValueRow]],
    import_job_id: str | None = None,
) -> WriteResult:
    """Insert new records, update changed ones, leave identical ones untouched (same transaction
    as the caller's: the caller decides when a batch is committed)."""
    now = utcnow()
    ids = [r.id for r in records]
    existing: dict[str, tuple[str, dt.date | None]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for entity_id, digest, review_by in conn.execute(
            select(Entity.id, Entity.content_hash, Entity.review_by).where(Entity.id.in_(chunk))
        ):
            existing[entity_id] = (digest, review_by)
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        props = record.proxy.to_dict()["properties"]
        meta = meta_columns(record.meta)
        if record.meta.review_by_default and record.id in existing:
            meta["review_by"] = existing[record.id][1]
        flags = [p.as_dict() for p in record.flags]
        digest = content_hash(
            record.proxy.schema.name,
            props,
            {**meta, "review_by": str(meta["review_by"]), "flags": flags},
        )
        rows[record.id] = {
            "id": record.id,
            "schema": record.proxy.schema.name,
            "caption": record.proxy.caption,
            "properties": props,
            "content_hash": digest,
            "flags": flags,
            "import_job_id": import_job_id,
            "source_line": record.line,
            **meta,
        }
    ids = list(rows)
    inserted = [i for i in ids if i not in existing]
    updated = [i for i in ids if i in existing and existing[i][0] != rows[i]["content_hash"]]
    unchanged = [i for i in ids if i in existing and existing[i][0] == rows[i]["content_hash"]]
    if inserted:
        conn.execute(
            insert(Entity),
            [{**rows[i], "created_at": now, "updated_at": now} for i in inserted],
        )
    if updated:
        table = Entity
        stmt = (
            update(table)
            .where(Entity.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in rows[updated[0]] if c != "id"} | {"updated_at": now})
        )
        conn.execute(
            stmt, [{**{k: v for k, v in rows[i].items() if k != "id"}, "b_id": i} for i in updated]
        )
        for start in range(0, len(updated), CHUNK):
            chunk = updated[start : start + CHUNK]
            conn.execute(delete(EntityValue).where(EntityValue.entity_id.in_(chunk)))
            conn.execute(delete(EntityLink).where(EntityLink.source_id.in_(chunk)))
            conn.execute(delete(EntityText).where(EntityText.entity_id.in_(chunk)))
    changed = inserted + updated
    if changed:
        by_id = {r.id: r for r in records}
        value_rows = [
            {
                "entity_id": i,
                "kind": v.kind,
                "prop": v.prop,
                "original": v.original,
                "value": v.value,
                "valid": v.valid,
                "scheme": v.scheme,
            }
            for i in changed
            for v in values.get(i, [])
        ]
        if value_rows:
            conn.execute(insert(EntityValue), value_rows)
        link_rows = [
            {"source_id": i, "prop": prop, "target_id": target}
            for i in changed
            for prop, target in references(rows[i]["schema"], rows[i]["properties"])
        ]
        if link_rows:
            conn.execute(insert(EntityLink), link_rows)
        conn.execute(
            insert(EntityText),
            [
                {"entity_id": i, "text": search_text(by_id[i].proxy, values.get(i, []))}
                for i in changed
            ],
        )
    return WriteResult(
        inserted, updated, unchanged, {i: str(row["content_hash"]) for i, row in rows.items()}
    )


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """An entity as stored: the FtM proxy, its metadata and its bookkeeping."""

    proxy: EntityProxy
    meta: IntelligenceMeta
    flags: list[dict[str, Any]]
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def id(self) -> str:
        assert self.proxy.id is not None
        return self.proxy.id

    @property
    def distribution(self) -> str:
        return self.meta.distribution

    @property
    def distribution_ref(self) -> str | None:
        return self.meta.distribution_ref

    def to_ftm(self) -> dict[str, Any]:
        """FtM JSON with vinculo's metadata under ``vinculo``: the lossless export format."""
        data = self.proxy.to_dict()
        meta = self.meta
        data["vinculo"] = {
            "agency": meta.agency,
            "markets": [m.value for m in meta.markets],
            "handling_code": meta.handling_code.value,
            "handling_text": meta.handling_text,
            "source_evaluation": meta.evaluation,
            "subject_category": meta.subject_category.value if meta.subject_category else None,
            "minor": meta.minor,
            "review_by": meta.review_by.isoformat() if meta.review_by else None,
            "distribution": meta.distribution_label,
            "source_ref": meta.source_ref,
            "source_key": meta.source_key,
            "flags": self.flags,
        }
        return data


def _row_to_stored(row: Any) -> StoredEntity:
    model = get_model()
    proxy = model.make_entity(row.schema)
    proxy.id = row.id
    for prop, prop_values in (row.properties or {}).items():
        for value in prop_values:
            proxy.unsafe_add(proxy.schema.properties[prop], value, cleaned=True)
    meta = IntelligenceMeta(
        agency=row.agency_code,
        markets=tuple(CriminalMarket(m) for m in row.markets or []),
        handling_code=HandlingCode(row.handling_code),
        handling_text=row.handling_text,
        source_reliability=SourceReliability(row.source_reliability),
        information_credibility=InformationCredibility(row.information_credibility),
        subject_category=SubjectCategory(row.subject_category) if row.subject_category else None,
        minor=bool(row.minor),
        review_by=row.review_by,
        distribution=row.distribution,
        distribution_ref=row.distribution_ref,
        source_ref=row.source_ref,
        source_key=row.source_key,
    )
    return StoredEntity(proxy, meta, list(row.flags or []), row.created_at, row.updated_at)


def get_entity(conn: Connection, entity_id: str) -> StoredEntity | None:
    row = conn.execute(select(Entity).where(Entity.id == entity_id)).first()
    return _row_to_stored(row) if row else None


_BY_IDS = select(Entity).where(Entity.id.in_(bindparam("ids", expanding=True)))


def get_entities(conn: Connection, entity_ids: Iterable[str]) -> list[StoredEntity]:
    ids = list(entity_ids)
    out: list[StoredEntity] = []
    for start in range(0, len(ids), CHUNK):
        out.extend(
            _row_to_stored(r) for r in conn.execute(_BY_IDS, {"ids": ids[start : start + CHUNK]})
        )
    order = {i: n for n, i in enumerate(ids)}
    return sorted(out, key=lambda e: order[e.id])


#: Entities with the releases one agency holds for them, in one query (the policy's read).
_WITH_RELEASES = (
    select(Entity, Release.fields.label("release_fields"), Release.judicial_use)
    .outerjoin(
        Release,
        (Release.entity_id == Entity.id)
        & (Release.agency_code == bindparam("agency"))
        & Release.revoked_at.is_(None),
    )
    .where(Entity.id.in_(bindparam("ids", expanding=True)))
)


def get_entities_with_releases(
    conn: Connection, entity_ids: Iterable[str], agency: str
) -> list[tuple[StoredEntity, list[tuple[list[str], bool]]]]:
    """Like ``get_entities``, each with the unrevoked releases ``agency`` holds for it
    (``[(fields, judicial_use)]``), read together so that a read through the sharing policy costs
    the same one query as a read without it."""
    ids = list(dict.fromkeys(entity_ids))
    found: dict[str, tuple[StoredEntity, list[tuple[list[str], bool]]]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(_WITH_RELEASES, {"ids": ids[start : start + CHUNK], "agency": agency})
        for row in rows:
            item = found.get(row.id)
            if item is None:
                item = found[row.id] = (_row_to_stored(row), [])
            if row.release_fields is not None:
                item[1].append((list(row.release_fields), bool(row.judicial_use)))
    return [found[i] for i in ids if i in found]


def iter_entities(
    conn: Connection, agency: str | None = None, schema: str | None = None, batch: int = 2000
) -> Iterator[StoredEntity]:
    """Stream entities in id order (keyset pagination: constant memory on millions of rows)."""
    last = ""
    while True:
        stmt = select(Entity).where(Entity.id > last).order_by(Entity.id).limit(batch)
        if agency:
            stmt = stmt.where(Entity.agency_code == agency)
        if schema:
            stmt = stmt.where(Entity.schema == schema)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        for row in rows:
            yield _row_to_stored(row)
        last = rows[-1].id


def count_entities(conn: Connection, agency: str | None = None) -> int:
    stmt = select(func.count()).select_from(Entity)
    if agency:
        stmt = stmt.where(Entity.agency_code == agency)
    return int(conn.execute(stmt).scalar_one())


def problems_from_flags(flags: list[dict[str, Any]]) -> list[Problem]:
    return [
        Problem(
            f.get("line") or 0,
            f.get("column"),
            f.get("value"),
            f.get("reason", ""),
            f.get("severity", "warning"),
        )
        for f in flags
    ]


_SQLITE_SEARCH = (
    "SELECT t.entity_id FROM entity_fts f JOIN entity_text t ON t.rowid = f.rowid "
    "JOIN entity e ON e.id = t.entity_id WHERE entity_fts MATCH :q"
    " AND (:schema IS NULL OR e.schema = :schema)"
    " AND (:agency IS NULL OR e.agency_code = :agency) ORDER BY f.rank LIMIT :limit"
)
_POSTGRES_SEARCH = (
    "SELECT t.entity_id FROM entity_text t JOIN entity e ON e.id = t.entity_id "
    "WHERE (to_tsvector('simple', t.text) @@ to_tsquery('simple', :q) OR t.text % :raw)"
    " AND (CAST(:schema AS text) IS NULL OR e.schema = :schema)"
    " AND (CAST(:agency AS text) IS NULL OR e.agency_code = :agency)"
    " ORDER BY similarity(t.text, :raw) DESC LIMIT :limit"
)


def _query_words(query: str) -> list[str]:
    # Folded word characters only: user input never reaches FTS5 or tsquery syntax, and
    # "PEREZ" finds "Pérez" because folded names are indexed too.
    return _WORD_RE.findall(fold_name(query))


def search_ids(
    conn: Connection,
    query: str,
    limit: int = 50,
    schema: str | None = None,
    agency: str | None = None,
    identifier: str | None = None,
) -> list[str]:
    """Entity ids matching ``query`` (names, identifiers) best first; ``identifier`` is an exact
    normalised identifier looked up in ``entity_value``."""
    found: dict[str, None] = {}
    if identifier:
        stmt = (
            select(EntityValue.entity_id)
            .join(Entity, Entity.id == EntityValue.entity_id)
            .where(EntityValue.value == identifier)
            .limit(limit)
        )
        if schema:
            stmt = stmt.where(Entity.schema == schema)
        if agency:
            stmt = stmt.where(Entity.agency_code == agency)
        found.update((r[0], None) for r in conn.execute(stmt))
    words = _query_words(query)
    if words:
        params: dict[str, Any] = {"limit": limit, "schema": schema, "agency": agency}
        if conn.dialect.name == "sqlite":
            params["q"] = " ".join(f'"{w}"*' for w in words)
            sql = _SQLITE_SEARCH
        else:
            params["q"] = " & ".join(f"{w}:*" for w in words)
            params["raw"] = " ".join(words)
            sql = _POSTGRES_SEARCH
        found.update((r[0], None) for r in conn.execute(text(sql), params))
    return list(found)[:limit]
