"""The structure of the whole store as a graph: which record links which, and nothing else.

A ``StoreGraph`` holds ids, schemata, owner agencies, edge kinds, dates and weights — never a
name, a property value shown to anyone, or a decision about who may see what. It is the index
that lets a chart expand or a path be found without scanning the store; every node and edge
taken from it for a user passes through ``vinculo.sharing.policy`` (see ``network``).

Edges come from:

- link records (FtM edge schemata: Family, Associate, Membership, Ownership, Directorship,
  Employment, Payment, ... and Call), from their source to their target;
- records that name others (an Event's ``involved``, a Seizure's ``seizedFrom``, a Custody's
  ``person``, a Passport's ``holder``, ...), from the record to each one named;
- shared identifiers (the same phone, e-mail, national id, passport, account, wallet, vehicle,
  vessel, container, firearm): each holder is linked to one identifier node;
- confirmed hits (the same person or object recorded by two agencies).

Each edge keeps the record it comes from, so that the policy can decide on it, and so that every
result can be explained by the records behind it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from sqlalchemy import Connection, Engine, func, select

from vinculo.model.schemata import get_model
from vinculo.store.tables import Entity, EntityValue, Hit

#: Properties naming other entities that say nothing about a relation between them.
IGNORED_REFS = frozenset({"proof", "riskSource"})
#: Link schemata FtM does not declare as edges but which are edges to an analyst.
EXTRA_EDGES: dict[str, tuple[str, str]] = {"Call": ("caller", "receiver")}
#: Identifier kinds (``entity_value.kind``) that link the records holding the same value.
LINK_IDENTIFIERS = (
    "phone",
    "email",
    "national_id",
    "passport",
    "iban",
    "crypto",
    "vehicle_registration",
    "imo",
    "mmsi",
    "container",
    "firearm_serial",
)
#: An identifier held by more records than this says nothing (a switchboard, a placeholder).
MAX_IDENTIFIER_HOLDERS = 50
SAME_AS = "same_as"
IDENTIFIER_PREFIX = "idf:"
#: Day number of an unknown date.
NO_DATE = -1
_EPOCH = dt.date(1970, 1, 1).toordinal()


def day_number(value: str | None) -> int:
    """Days since 1970-01-01 of an ISO date, full or partial (``2021-05`` is 1 May 2021)."""
    if not value:
        return NO_DATE
    text_ = value.strip()[:10]
    parts = text_.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and parts[1] else 1
        day = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        return dt.date(year, month, day).toordinal() - _EPOCH
    except (ValueError, IndexError):
        return NO_DATE


def day_to_iso(day: int) -> str | None:
    if day == NO_DATE:
        return None
    return dt.date.fromordinal(day + _EPOCH).isoformat()


@dataclass(frozen=True, slots=True)
class LinkRule:
    """How one schema's records become edges: between two of its properties (a link record), or
    from the record to each entity it names."""

    source: str | None
    target: str | None
    refs: tuple[str, ...]


def link_rule(schema_name: str) -> LinkRule | None:
    schema = get_model().get(schema_name)
    if schema is None:
        return None
    if schema_name in EXTRA_EDGES:
        source, target = EXTRA_EDGES[schema_name]
        return LinkRule(source, target, ())
    if schema.edge and schema.edge_source and schema.edge_target:
        return LinkRule(schema.edge_source, schema.edge_target, ())
    refs = tuple(
        sorted(
            p.name
            for p in schema.properties.values()
            if p.type.name == "entity" and not p.stub and p.name not in IGNORED_REFS
        )
    )
    return LinkRule(None, None, refs) if refs else None


_RULES: dict[str, LinkRule | None] = {}


def rule_of(schema_name: str) -> LinkRule | None:
    if schema_name not in _RULES:
        _RULES[schema_name] = link_rule(schema_name)
    return _RULES[schema_name]


def is_link_schema(schema_name: str) -> bool:
    rule = rule_of(schema_name)
    return rule is not None and rule.source is not None


def _first_number(values: Iterable[str]) -> float | None:
    for value in values:
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


@dataclass(slots=True)
class _Builder:
    ids: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    schema_of: list[int] = field(default_factory=list)
    agency_of: list[int] = field(default_factory=list)
    is_node: list[bool] = field(default_factory=list)
    schemata: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    # Edges before their endpoints are all known, column by column: source id, target id, kind,
    # record index, start, end, amount.
    p_src: list[str] = field(default_factory=list)
    p_dst: list[str] = field(default_factory=list)
    p_kind: list[int] = field(default_factory=list)
    p_rec: list[int] = field(default_factory=list)
    p_start: list[int] = field(default_factory=list)
    p_end: list[int] = field(default_factory=list)
    p_amount: list[float] = field(default_factory=list)
    #: Position in the columns -> hit id.
    hit_ids: dict[int, str] = field(default_factory=dict)

    def columns(
        self,
    ) -> tuple[list[str], list[str], list[int], list[int], list[int], list[int], list[float]]:
        return (
            self.p_src,
            self.p_dst,
            self.p_kind,
            self.p_rec,
            self.p_start,
            self.p_end,
            self.p_amount,
        )

    def pend(
        self, source: str, target: str, kind: int, rec: int, start: int, end: int, amount: float
    ) -> None:
        self.p_src.append(source)
        self.p_dst.append(target)
        self.p_kind.append(kind)
        self.p_rec.append(rec)
        self.p_start.append(start)
        self.p_end.append(end)
        self.p_amount.append(amount)

    def code(self, table: list[str], value: str, memo: dict[str, int]) -> int:
        found = memo.get(value)
        if found is None:
            found = memo[value] = len(table)
            table.append(value)
        return found

    def add_record(self, entity_id: str, schema: int, agency: int, node: bool) -> int:
        position = len(self.ids)
        self.ids.append(entity_id)
        self.index[entity_id] = position
        self.schema_of.append(schema)
        self.agency_of.append(agency)
        self.is_node.append(node)
        return position


@dataclass(slots=True)
class StoreGraph:
    """The store's link structure, in arrays (a million nodes and five million edges fit)."""

    #: Every record id, then the identifier nodes' ids (``idf:phone:+34...``).
    ids: list[str]
    index: dict[str, int]
    schema_of: npt.NDArray[np.int16]
    agency_of: npt.NDArray[np.int16]
    #: False for link records (they are edges, not nodes).
    is_node: npt.NDArray[np.bool_]
    schemata: list[str]
    agencies: list[str]
    kinds: list[str]
    src: npt.NDArray[np.int32]
    dst: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int16]
    #: The record an edge comes from (index into ``ids``), -1 for a hit.
    record: npt.NDArray[np.int32]
    start: npt.NDArray[np.int32]
    end: npt.NDArray[np.int32]
    #: Amount of a payment (0 otherwise).
    amount: npt.NDArray[np.float64]
    hit_ids: dict[int, str]
    # Incidence lists in CSR form: the edges of node i are inc_edges[inc_ptr[i]:inc_ptr[i+1]].
    inc_ptr: npt.NDArray[np.int64]
    inc_edges: npt.NDArray[np.int32]
    version: tuple[Any, ...] = ()
    built_seconds: float = 0.0

    @property
    def node_count(self) -> int:
        return int(self.is_node.sum())

    @property
    def edge_count(self) -> int:
        return len(self.src)

    def edges_of(self, node: int) -> npt.NDArray[np.int32]:
        return self.inc_edges[self.inc_ptr[node] : self.inc_ptr[node + 1]]

    def other_end(self, edge: int, node: int) -> int:
        a = int(self.src[edge])
        return int(self.dst[edge]) if a == node else a

    def is_identifier(self, node: int) -> bool:
        return self.ids[node].startswith(IDENTIFIER_PREFIX)


def _iter_rows(conn: Connection, batch: int = 50000) -> Iterator[Any]:
    """(id, schema, agency, properties) of every record, streamed (JSON as text on SQLite: orjson
    parses it several times faster than the dialect would)."""
    sql = "SELECT id, schema, agency_code, properties FROM entity"
    if conn.dialect.name == "sqlite":
        # The DBAPI cursor straight away: plain tuples, no result-row objects for millions.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            cursor.close()
        return
    # Elsewhere (PostgreSQL) in id order, a batch at a time: constant memory, and no
    # server-side cursor held open while the caller's transaction goes on.
    last = ""
    while True:
        rows = conn.execute(
            select(Entity.id, Entity.schema, Entity.agency_code, Entity.properties)
            .where(Entity.id > last)
            .order_by(Entity.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def store_version(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever a record, an identifier or a hit is written. Each part is an indexed
    maximum (migration 0004 indexes the timestamps), so that asking costs next to nothing on
    millions of records. A deleted record is not seen here, and needs not be: a snapshot still
    naming it finds nothing when the policy reads it, and leaves it out."""
    entities = conn.execute(select(func.max(Entity.updated_at))).scalar()
    hits = conn.execute(select(func.max(Hit.updated_at))).scalar()
    values = conn.execute(select(func.max(EntityValue.id))).scalar()
    return (str(entities), str(hits), values)


def build_store_graph(conn: Connection) -> StoreGraph:
    started = time.perf_counter()
    version = store_version(conn)
    b = _Builder()
    schema_memo: dict[str, int] = {}
    agency_memo: dict[str, int] = {}
    kind_memo: dict[str, int] = {}
    # Per schema: (rule, schema code, is a node, edge kind code or ref kind codes).
    schema_info: dict[str, tuple[LinkRule | None, int, bool, int, tuple[tuple[str, int], ...]]] = {}
    days: dict[str | None, int] = {None: NO_DATE}
    ids, index, schema_of, agency_of, is_node = b.ids, b.index, b.schema_of, b.agency_of, b.is_node
    p_src, p_dst, p_kind, p_rec, p_start, p_end, p_amount = b.columns()
    loads = orjson.loads
    for entity_id, schema_name, agency, raw in _iter_rows(conn):
        info = schema_info.get(schema_name)
        if info is None:
            rule = rule_of(schema_name)
            edge_kind = (
                b.code(b.kinds, schema_name, kind_memo)
                if rule is not None and rule.source is not None
                else -1
            )
            refs = tuple(
                (prop, b.code(b.kinds, f"{schema_name}:{prop}", kind_memo))
                for prop in (rule.refs if rule is not None else ())
            )
            info = schema_info[schema_name] = (
                rule,
                b.code(b.schemata, schema_name, schema_memo),
                rule is None or rule.source is None,
                edge_kind,
                refs,
            )
        rule, schema_code, node, edge_kind, refs = info
        agency_code = agency_memo.get(agency)
        if agency_code is None:
            agency_code = b.code(b.agencies, agency, agency_memo)
        position = len(ids)
        ids.append(entity_id)
        index[entity_id] = position
        schema_of.append(schema_code)
        agency_of.append(agency_code)
        is_node.append(node)
        if rule is None:
            continue
        props: dict[str, list[str]] = loads(raw) if isinstance(raw, str | bytes) else raw
        if not props:
            continue
        when = props.get("startDate") or props.get("date")
        first = when[0] if when else None
        start = days.get(first)
        if start is None:
            start = days[first] = day_number(first)
        until = props.get("endDate")
        last = until[0] if until else None
        end = days.get(last)
        if end is None:
            end = days[last] = day_number(last)
        if edge_kind >= 0:
            assert rule.source is not None and rule.target is not None
            amount = _first_number(props.get("amount") or ()) or 0.0
            for source in props.get(rule.source) or ():
                for target in props.get(rule.target) or ():
                    if source != target:
                        p_src.append(source)
                        p_dst.append(target)
                        p_kind.append(edge_kind)
                        p_rec.append(position)
                        p_start.append(start)
                        p_end.append(end)
                        p_amount.append(amount)
        else:
            for prop, kind in refs:
                for target in props.get(prop) or ():
                    if target != entity_id:
                        p_src.append(entity_id)
                        p_dst.append(target)
                        p_kind.append(kind)
                        p_rec.append(position)
                        p_start.append(start)
                        p_end.append(end)
                        p_amount.append(0.0)
    _add_identifiers(conn, b, kind_memo)
    _add_hits(conn, b, kind_memo)
    n = len(ids)
    node_mask = np.asarray(is_node, dtype=np.bool_)
    get = index.get
    s_all = np.fromiter((get(x, -1) for x in p_src), dtype=np.int64, count=len(p_src))
    t_all = np.fromiter((get(x, -1) for x in p_dst), dtype=np.int64, count=len(p_dst))
    # A reference to a record that is not in the store, or to a link record, is no edge.
    keep = (s_all >= 0) & (t_all >= 0)
    keep[keep] &= node_mask[s_all[keep]] & node_mask[t_all[keep]]
    final = np.cumsum(keep) - 1
    hit_ids = {int(final[p]): h for p, h in b.hit_ids.items() if keep[p]}
    src_a = s_all[keep].astype(np.int32)
    dst_a = t_all[keep].astype(np.int32)
    ends = np.concatenate([src_a, dst_a])
    edge_numbers = np.concatenate([np.arange(len(src_a), dtype=np.int32)] * 2)
    order = np.argsort(ends, kind="stable")
    counts = np.bincount(ends, minlength=n) if len(ends) else np.zeros(n, dtype=np.int64)
    inc_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=inc_ptr[1:])
    graph = StoreGraph(
        ids=ids,
        index=index,
        schema_of=np.asarray(schema_of, dtype=np.int16),
        agency_of=np.asarray(agency_of, dtype=np.int16),
        is_node=node_mask,
        schemata=b.schemata,
        agencies=b.agencies,
        kinds=b.kinds,
        src=src_a,
        dst=dst_a,
        kind=np.asarray(p_kind, dtype=np.int16)[keep],
        record=np.asarray(p_rec, dtype=np.int32)[keep],
        start=np.asarray(p_start, dtype=np.int32)[keep],
        end=np.asarray(p_end, dtype=np.int32)[keep],
        amount=np.asarray(p_amount, dtype=np.float64)[keep],
        hit_ids=hit_ids,
        inc_ptr=inc_ptr,
        inc_edges=edge_numbers[order].astype(np.int32),
        version=version,
    )
    graph.built_seconds = time.perf_counter() - started
    return graph


def _add_identifiers(conn: Connection, b: _Builder, kind_memo: dict[str, int]) -> None:
    holders: dict[tuple[str, str], set[str]] = {}
    stmt = (
        select(EntityValue.entity_id, EntityValue.kind, EntityValue.value)
        .where(EntityValue.kind.in_(LINK_IDENTIFIERS))
        .where(EntityValue.valid.is_(True))
    )
    for entity_id, kind, value in conn.execute(stmt):
        holders.setdefault((kind, value), set()).add(entity_id)
    identifier_schema = b.code(b.schemata, "Identifier", {s: i for i, s in enumerate(b.schemata)})
    for (kind, value), who in holders.items():
        if not 2 <= len(who) <= MAX_IDENTIFIER_HOLDERS:
            continue
        node_id = f"{IDENTIFIER_PREFIX}{kind}:{value}"
        b.add_record(node_id, identifier_schema, -1, True)
        edge_kind = b.code(b.kinds, f"identifier:{kind}", kind_memo)
        for holder in sorted(who):
            rec = b.index.get(holder)
            if rec is None:
                continue
            b.pend(holder, node_id, edge_kind, rec, NO_DATE, NO_DATE, 0.0)


def _add_hits(conn: Connection, b: _Builder, kind_memo: dict[str, int]) -> None:
    kind = b.code(b.kinds, SAME_AS, kind_memo)
    stmt = select(Hit.id, Hit.left_id, Hit.right_id).where(Hit.status == "confirmed")
    for hit_id, left, right in conn.execute(stmt):
        b.hit_ids[len(b.p_src)] = hit_id
        b.pend(left, right, kind, -1, NO_DATE, NO_DATE, 0.0)


# One snapshot per database, rebuilt when the store has changed.
_graphs: weakref.WeakKeyDictionary[Engine, StoreGraph] = weakref.WeakKeyDictionary()
_checked: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
#: How long a snapshot is trusted without asking the store whether it changed.
CHECK_SECONDS = 2.0


def store_graph(conn: Connection, *, fresh: bool = False) -> StoreGraph:
    """The snapshot of the store's links for this database, rebuilt when records or hits have
    changed (checked at most every ``CHECK_SECONDS``)."""
    engine = conn.engine
    now = time.monotonic()
    with _lock:
        cached = _graphs.get(engine)
        if cached is not None and not fresh and now - _checked.get(engine, 0.0) < CHECK_SECONDS:
            return cached
        if cached is not None and not fresh and store_version(conn) == cached.version:
            _checked[engine] = now
            return cached
        graph = build_store_graph(conn)
        _graphs[engine] = graph
        _checked[engine] = time.monotonic()
        return graph


def forget_store_graphs() -> None:
    with _lock:
        _graphs.clear()
        _checked.clear()
