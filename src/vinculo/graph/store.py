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

import contextlib
import datetime as dt
import itertools
import queue
import threading
import time
import weakref
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.json as pj  # type: ignore[import-untyped]
from sqlalchemy import BindParameter, Connection, Engine, bindparam, func, select, text

from vinculo.model.schemata import get_model
from vinculo.runtime import collector_paused
from vinculo.store.tables import Entity, EntityValue, Hit

_T = TypeVar("_T")

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
    #: Things derived from the snapshot once and kept with it (the analyses' projection), so
    #: that they go when the snapshot is rebuilt.
    derived: dict[str, Any] = field(default_factory=dict)

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


def store_version(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever a record, an identifier or a hit is written. Each part is an indexed
    maximum (migration 0004 indexes the timestamps), so that asking costs next to nothing on
    millions of records. A deleted record is not seen here, and needs not be: a snapshot still
    naming it finds nothing when the policy reads it, and leaves it out."""
    entities = conn.execute(select(func.max(Entity.updated_at))).scalar()
    hits = conn.execute(select(func.max(Hit.updated_at))).scalar()
    values = conn.execute(select(func.max(EntityValue.id))).scalar()
    return (str(entities), str(hits), values)


#: Records per query when the snapshot is built. Each query answers with one row whose columns
#: are the chunk's values joined by ``SEP``: the whole chunk is made in the database, which does
#: not hold the interpreter meanwhile, so that reading overlaps parsing (``_ahead``).
CHUNK = 100_000
#: JSON text escapes every control character and record ids hold none (``make_entity_id``), so
#: this cannot occur inside a joined value.
SEP = "\x1f"
_SEP_BYTE = SEP.encode()
#: Ids put in the index per call (see ``_build``).
_SLICE = 8192
#: What the chunk query says of a record whose properties it sends (``.`` for the others).
_BODY = "b"


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the build does with the records of one schema."""

    code: int
    node: bool
    rule: LinkRule | None
    #: Kind code of a link record's edge (-1 for other schemata).
    edge_kind: int
    #: (property, kind code) of each reference a record of the schema makes.
    refs: tuple[tuple[str, int], ...]
    #: Whether the schema has an ``amount`` (a payment's value).
    amount: bool


class _Codes(dict[str, int]):
    """Strings numbered in order of first sight; ``names`` keeps them by number."""

    def __init__(self, names: list[str]) -> None:
        super().__init__((n, i) for i, n in enumerate(names))
        self.names = names

    def __missing__(self, key: str) -> int:
        self[key] = code = len(self.names)
        self.names.append(key)
        return code


def _body_case() -> tuple[str, dict[str, Any]]:
    """SQL deciding, per record, whether the build needs its properties: always for a link
    record (its two ends, dates and amount are there); for a record of a schema that can name
    others (an Event's ``involved``, a Passport's ``holder``) only when it names some, which
    ``entity_link`` answers with one index probe — most such records are people and
    organisations naming no one, and they are not parsed at all."""
    links: list[str] = []
    naming: list[str] = []
    for name in sorted(get_model().schemata):
        rule = rule_of(name)
        if rule is not None:
            (links if rule.source is not None else naming).append(name)
    case = (
        "CASE WHEN schema IN :links THEN 'b' "
        "WHEN schema IN :naming AND EXISTS (SELECT 1 FROM entity_link "
        "WHERE entity_link.source_id = entity.id) THEN 'b' ELSE '.' END"
    )
    return case, {"links": links, "naming": naming}


_Chunk = tuple[int, str, str, str, str, bytes | None]


def _chunks(conn: Connection) -> Iterator[_Chunk]:
    """The store's records a chunk at a time: (count, ids, schemata, agencies, one character
    per record — ``b`` when its properties follow —, the properties wanted), each column joined
    by ``SEP``. The properties come as UTF-8 bytes, which is what the JSON parser reads: tens of
    megabytes a chunk are neither decoded into text nor encoded back."""
    dialect = conn.dialect.name
    case, params = _body_case()
    lists: list[BindParameter[Any]] = [bindparam(name, expanding=True) for name in params]
    inner = (
        "SELECT id, schema, agency_code, CAST(properties AS TEXT) AS body, "  # noqa: S608
        f"{case} AS wanted FROM entity"
    )
    if dialect == "sqlite":
        # Rowid ranges: the table's own order, read sequentially (the id order would be an
        # index walk with a table lookup per record).
        low, high = conn.execute(text("SELECT min(rowid), max(rowid) FROM entity")).one()
        if low is None:
            return
        stmt = text(
            "SELECT count(*), group_concat(id, :sep), group_concat(schema, :sep), "  # noqa: S608
            "group_concat(agency_code, :sep), "
            "group_concat(wanted, ''), "
            f"CAST(group_concat(CASE WHEN wanted = '{_BODY}' THEN body END, :sep) AS BLOB) "
            f"FROM ({inner} WHERE rowid >= :low AND rowid < :high)"
        ).bindparams(*lists)
        for start in range(int(low), int(high) + 1, CHUNK):
            row = conn.execute(stmt, {**params, "sep": SEP, "low": start, "high": start + CHUNK})
            count, ids, schemata, agencies, flags, bodies = row.one()
            if count:
                yield count, ids, schemata, agencies, flags, bodies
        return
    # Elsewhere (PostgreSQL) by id, a chunk at a time: constant memory, and no server-side
    # cursor held open while the caller's transaction goes on.
    order = "ORDER BY id"
    stmt = text(
        f"SELECT count(*), max(id), string_agg(id, :sep {order}), "  # noqa: S608
        f"string_agg(schema, :sep {order}), string_agg(agency_code, :sep {order}), "
        f"string_agg(wanted, '' {order}), "
        f"convert_to(string_agg(CASE WHEN wanted = '{_BODY}' THEN body END, :sep {order}), "
        "'UTF8') "
        f"FROM ({inner} WHERE id > :last ORDER BY id LIMIT :limit) AS chunk"
    ).bindparams(*lists)
    last = ""
    while True:
        row = conn.execute(stmt, {**params, "sep": SEP, "last": last, "limit": CHUNK})
        count, last, ids, schemata, agencies, flags, bodies = row.one()
        if not count:
            return
        yield count, ids, schemata, agencies, flags, bodies


@dataclass(slots=True)
class _Batch:
    """Edges of many link records at once, their ends still ids (Arrow string arrays)."""

    src: pa.Array
    dst: pa.Array
    kind: npt.NDArray[np.int16]
    rec: npt.NDArray[np.int32]
    start: pa.Array
    end: pa.Array
    amount: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.rec)

    @staticmethod
    def empty() -> _Batch:
        none = pa.array([], pa.string())
        return _Batch(
            none,
            none,
            np.empty(0, np.int16),
            np.empty(0, np.int32),
            none,
            none,
            np.empty(0, np.float64),
        )


@dataclass(slots=True)
class _Edges:
    """Edges before their ends are all known: batches of link records' edges, made in Arrow,
    and the few edges made one at a time (references, identifiers, hits) in between, kept in
    the order they were added."""

    batches: list[_Batch] = field(default_factory=list)
    src: list[str] = field(default_factory=list)
    dst: list[str] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    rec: list[int] = field(default_factory=list)
    start: list[str | None] = field(default_factory=list)
    end: list[str | None] = field(default_factory=list)
    amount: list[float] = field(default_factory=list)
    #: Edges in the batches so far.
    batched: int = 0
    #: Position in the columns -> hit id.
    hit_ids: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.batched + len(self.src)

    def add(
        self,
        source: str,
        target: str,
        kind: int,
        rec: int,
        start: str | None = None,
        end: str | None = None,
        amount: float = 0.0,
    ) -> None:
        self.src.append(source)
        self.dst.append(target)
        self.kind.append(kind)
        self.rec.append(rec)
        self.start.append(start)
        self.end.append(end)
        self.amount.append(amount)

    def add_batch(self, batch: _Batch) -> None:
        self._flush()
        self.batches.append(batch)
        self.batched += len(batch)

    def _flush(self) -> None:
        if not self.src:
            return
        batch = _Batch(
            pa.array(self.src, pa.string()),
            pa.array(self.dst, pa.string()),
            np.asarray(self.kind, dtype=np.int16),
            np.asarray(self.rec, dtype=np.int32),
            pa.array(self.start, pa.string()),
            pa.array(self.end, pa.string()),
            np.asarray(self.amount, dtype=np.float64),
        )
        for column in (self.src, self.dst, self.kind, self.rec, self.start, self.end, self.amount):
            column.clear()
        self.batches.append(batch)
        self.batched += len(batch)

    def columns(self) -> _Batch:
        """All edges so far, each column in one piece."""
        self._flush()
        parts = self.batches or [_Batch.empty()]
        return _Batch(
            pa.chunked_array([b.src for b in parts], pa.string()),
            pa.chunked_array([b.dst for b in parts], pa.string()),
            np.concatenate([b.kind for b in parts]),
            np.concatenate([b.rec for b in parts]),
            pa.chunked_array([b.start for b in parts], pa.string()),
            pa.chunked_array([b.end for b in parts], pa.string()),
            np.concatenate([b.amount for b in parts]),
        )


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _first_values(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The first value of each list (null for a missing or empty one)."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(column) == 0:
        return pa.array([], pa.string())
    # list_element refuses an empty list; an empty list has no first value, as a missing one.
    empty = pc.equal(pc.list_value_length(column), 0)
    if pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, column.type), column)
    return pc.list_element(column, 0)


#: Date properties of links and of records naming others.
_DATES = ("date", "startDate", "endDate")


def _has_amount(schema_name: str) -> bool:
    """Whether records of the schema carry an ``amount`` (a payment's value)."""
    schema = get_model().get(schema_name)
    return schema is not None and "amount" in schema.properties


def _fields(schema_name: str) -> pa.Schema | None:
    """The properties the build reads from a record of a schema: a link record's ends, dates and
    amount, or what a record names and its dates (None: nothing, the schema makes no edge).
    Everything else in the text is skipped by the parser, which costs per column asked for, so
    each schema asks for its own."""
    rule = rule_of(schema_name)
    if rule is None:
        return None
    names = [p for p in (rule.source, rule.target) if p is not None] + list(rule.refs)
    names += _DATES
    if _has_amount(schema_name):
        names.append("amount")
    return pa.schema([(n, pa.list_(pa.string())) for n in dict.fromkeys(names)])


def _parse_bodies(bodies: list[bytes], fields: pa.Schema) -> pa.Table:
    """The ``fields`` of records given as JSON texts without raw line breaks, parsed by Arrow's
    JSON reader (in C++, without holding the interpreter), one line a record. Should Arrow
    refuse the text, each record is parsed by orjson and written again as one line."""
    options = pj.ParseOptions(explicit_schema=fields, unexpected_field_behavior="ignore")
    reading = pj.ReadOptions(block_size=1 << 24)
    try:
        lines = b"\n".join(bodies)
        table = pj.read_json(pa.BufferReader(lines), read_options=reading, parse_options=options)
        if table.num_rows == len(bodies):
            return table
    except pa.ArrowInvalid:
        pass
    lines = b"\n".join(orjson.dumps(_lists_only(orjson.loads(body))) for body in bodies)
    table = pj.read_json(pa.BufferReader(lines), read_options=reading, parse_options=options)
    if table.num_rows != len(bodies):
        raise RuntimeError("a record's properties could not be read for the network")
    return table


@dataclass(slots=True)
class _Read:
    """A chunk as the reading thread hands it over: the ids still joined (the build makes its
    own strings of them), schemata and agencies as indices into the chunk's distinct values,
    and the properties it sent parsed, schema by schema."""

    count: int
    ids: str
    schema_names: list[str]
    schema_index: npt.NDArray[np.intp]
    agency_names: list[str]
    agency_index: npt.NDArray[np.intp]
    #: Schema name -> (rows of the chunk, their properties being parsed).
    bodies: dict[str, tuple[npt.NDArray[np.intp], Future[pa.Table]]]


def _coded(joined: str) -> tuple[list[str], npt.NDArray[np.intp]]:
    """The distinct values of a joined column in order of first sight, and each row's index
    into them, in C++."""
    values = pc.split_pattern(pa.array([joined], pa.string()), SEP).flatten()
    encoded = pc.dictionary_encode(values)
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy().astype(np.intp)


def _prepared(chunks: Iterable[_Chunk], parser: ThreadPoolExecutor) -> Iterator[_Read]:
    """Each chunk made ready for the build on the reading thread, where it costs the build
    little: that thread waits on the database most of the time, and Arrow's work here lets go
    of the interpreter. The properties are parsed on ``parser``'s thread meanwhile."""
    fields: dict[str, pa.Schema | None] = {}
    for count, id_text, schema_text, agency_text, flag_text, body in chunks:
        schema_names, schema_index = _coded(schema_text)
        agency_names, agency_index = _coded(agency_text)
        flags = np.frombuffer(flag_text.encode("ascii"), dtype=np.uint8) == ord(_BODY)
        rows = np.flatnonzero(flags)
        # A raw line break can only be whitespace between JSON tokens (inside a string it is
        # escaped): a space instead keeps each record on one line for the parser.
        texts = body.replace(b"\r", b" ").replace(b"\n", b" ").split(_SEP_BYTE) if body else []
        if not (
            len(schema_index) == len(agency_index) == len(flags) == count
            and len(texts) == len(rows)
        ):
            raise RuntimeError("a record id or schema holds the build's separator character")
        bodies: dict[str, tuple[npt.NDArray[np.intp], Future[pa.Table]]] = {}
        sending = schema_index[rows]
        for k in np.unique(sending).tolist():
            name = schema_names[k]
            if name not in fields:
                fields[name] = _fields(name)
            wanted = fields[name]
            if wanted is None:
                continue
            group = np.flatnonzero(sending == k)
            parsed = parser.submit(_parse_bodies, [texts[i] for i in group.tolist()], wanted)
            bodies[name] = (rows[group], parsed)
        yield _Read(count, id_text, schema_names, schema_index, agency_names, agency_index, bodies)


def _lists_only(props: Any) -> dict[str, list[str]]:
    """A record's properties as the build reads them: lists of strings (anything else, which
    the store never writes, is left out rather than failing the whole build)."""
    if not isinstance(props, dict):
        return {}
    return {
        k: v for k, v in props.items() if isinstance(v, list) and all(isinstance(x, str) for x in v)
    }


def _amounts(column: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """``_first_number`` of each record's amounts, or 0: cast in Arrow when every record has at
    most one amount and each is a number, value by value otherwise."""
    lengths = pc.fill_null(pc.list_value_length(column), 0)
    if pc.max(lengths).as_py() in (None, 0, 1):
        try:
            numbers = pc.cast(_first_values(column), pa.float64())
            return np.asarray(pc.fill_null(numbers, 0.0).to_numpy(zero_copy_only=False))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return np.array([_first_number(v or ()) or 0.0 for v in column.to_pylist()], np.float64)


def _link_edges(plan: _Plan, recs: npt.NDArray[np.int64], table: pa.Table, out: _Edges) -> None:
    """The edges of link records (a Call from its caller to its receiver): every source to every
    target, with the record's dates (``startDate``, else ``date``; ``endDate``) and amount.
    Millions of link records go through here: when each has one source and one target, as nearly
    always, the columns are made in Arrow; otherwise record by record."""
    rule = plan.rule
    assert rule is not None and rule.source is not None and rule.target is not None
    count = len(recs)
    sources, targets = table[rule.source], table[rule.target]
    starts = pc.coalesce(_first_values(table["startDate"]), _first_values(table["date"]))
    ends = _first_values(table["endDate"])
    amounts = _amounts(table["amount"]) if plan.amount else np.zeros(count, np.float64)
    single = pc.and_(
        pc.equal(pc.fill_null(pc.list_value_length(sources), 0), 1),
        pc.equal(pc.fill_null(pc.list_value_length(targets), 0), 1),
    )
    if pc.all(single).as_py():
        out.add_batch(
            _Batch(
                _first_values(sources),
                _first_values(targets),
                np.full(count, plan.edge_kind, np.int16),
                recs.astype(np.int32),
                starts,
                ends,
                amounts,
            )
        )
        return
    for rec, many, others, start, end, amount in zip(
        recs.tolist(),
        sources.to_pylist(),
        targets.to_pylist(),
        starts.to_pylist(),
        ends.to_pylist(),
        amounts.tolist(),
        strict=True,
    ):
        for source in many or ():
            for target in others or ():
                out.add(source, target, plan.edge_kind, rec, start, end, amount)


def _ref_edges(
    plan: _Plan, recs: list[int], ids: list[str], bodies: list[dict[str, Any]], out: _Edges
) -> None:
    """The edges of records naming others (an Event's ``involved``): from the record to each
    entity it names, with the record's dates."""
    for rec, props in zip(recs, bodies, strict=True):
        own = ids[rec]
        start = _first(props.get("startDate") or props.get("date"))
        end = _first(props.get("endDate"))
        for prop, kind in plan.refs:
            for target in props.get(prop) or ():
                if target != own:
                    out.add(own, target, kind, rec, start, end)


def _ahead(items: Iterator[_T], depth: int = 2) -> Generator[_T, None, None]:
    """``items``, produced by a thread of their own up to ``depth`` ahead of the consumer. The
    chunk queries spend their time in the database driver, which lets go of the interpreter
    while the database works, so the next chunk is read while this one is parsed: on two cores
    the build takes about as long as the longer of the two, not their sum. The caller must not
    use the connection the items come from until this is exhausted or closed."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            box.put(("error", exc))

    worker = threading.Thread(target=produce, name="store-graph-reader", daemon=True)
    worker.start()
    try:
        while True:
            what, value = box.get()
            if what == "end":
                return
            if what == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():
            # Unblock a producer waiting on a full queue, then let it finish its query.
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.1)
        worker.join()


def build_store_graph(conn: Connection) -> StoreGraph:
    """Read the store's structure into a snapshot (see the module's docstring for what becomes an
    edge). The records are read a chunk at a time (``_chunks``); only link records and records
    that name others have their properties parsed."""
    started = time.perf_counter()
    # Millions of short-lived containers (parsed properties), none in a cycle.
    with collector_paused():
        graph = _build(conn)
    graph.built_seconds = time.perf_counter() - started
    return graph


def _build(conn: Connection) -> StoreGraph:
    version = store_version(conn)
    schemata = _Codes([])
    agencies = _Codes([])
    kinds = _Codes([])
    plans: dict[int, _Plan] = {}

    def plan_of(code: int) -> _Plan:
        found = plans.get(code)
        if found is None:
            name = schemata.names[code]
            rule = rule_of(name)
            link = rule is not None and rule.source is not None
            found = plans[code] = _Plan(
                code,
                not link,
                rule,
                kinds[name] if link else -1,
                tuple((p, kinds[f"{name}:{p}"]) for p in (rule.refs if rule else ())),
                _has_amount(name),
            )
        return found

    ids: list[str] = []
    index: dict[str, int] = {}
    schema_parts: list[npt.NDArray[np.int16]] = []
    agency_parts: list[npt.NDArray[np.int16]] = []
    edges = _Edges()
    # Closed on the way out, whatever happens: the reading thread stops before the connection
    # is used for anything else.
    with (
        ThreadPoolExecutor(1, thread_name_prefix="store-graph-parser") as parser,
        contextlib.closing(_ahead(_prepared(_chunks(conn), parser))) as chunks,
    ):
        for read in chunks:
            chunk_ids = read.ids.split(SEP)
            if len(chunk_ids) != read.count:
                raise RuntimeError("a record id holds the build's separator character")
            schema_codes = np.array([schemata[n] for n in read.schema_names], np.int16)
            agency_codes = np.array([agencies[n] for n in read.agency_names], np.int16)
            base = len(ids)
            ids.extend(chunk_ids)
            # Made while the next chunk is read, rather than all at once at the end, and a slice
            # at a time: one call over a whole chunk holds the interpreter for tens of
            # milliseconds, which the reading thread would spend waiting to hand over a chunk.
            pairs = zip(chunk_ids, range(base, base + read.count), strict=True)
            for _ in range(0, read.count, _SLICE):
                index.update(itertools.islice(pairs, _SLICE))
            schema_parts.append(schema_codes[read.schema_index])
            agency_parts.append(agency_codes[read.agency_index])
            # Schema by schema, in the order the schemata were first seen in the store.
            for name in sorted(read.bodies, key=schemata.__getitem__):
                rows, parsed = read.bodies[name]
                table = parsed.result()
                plan = plan_of(schemata[name])
                recs = rows + base
                if plan.edge_kind >= 0:
                    _link_edges(plan, recs, table, edges)
                elif plan.refs:
                    _ref_edges(plan, recs.tolist(), ids, table.to_pylist(), edges)
    # Every schema seen is a node unless it is a link schema.
    for code in range(len(schemata.names)):
        plan_of(code)
    node_of = np.array([plans[c].node for c in range(len(schemata.names))], dtype=np.bool_)
    schema_of = (
        np.concatenate(schema_parts) if schema_parts else np.empty(0, dtype=np.int16)
    ).astype(np.int16)
    agency_of = (
        np.concatenate(agency_parts) if agency_parts else np.empty(0, dtype=np.int16)
    ).astype(np.int16)
    is_node = node_of[schema_of] if len(schema_of) else np.empty(0, dtype=np.bool_)
    extra = _add_identifiers(conn, ids, index, schemata, kinds, edges)
    _add_hits(conn, kinds, edges)
    n = len(ids)
    if extra:
        schema_of = np.concatenate([schema_of, np.full(extra, schemata["Identifier"], np.int16)])
        agency_of = np.concatenate([agency_of, np.full(extra, -1, np.int16)])
        is_node = np.concatenate([is_node, np.ones(extra, dtype=np.bool_)])
    columns = edges.columns()
    # Ends are looked up among the nodes only: a reference to a record that is not in the
    # store, or to a link record, is no edge.
    nodes = np.flatnonzero(is_node)
    node_ids = pa.array(list(itertools.compress(ids, is_node.tolist())), pa.string())
    # Four independent passes in Arrow and NumPy, which let go of the interpreter: on two
    # threads they take the time of the longer two.
    with ThreadPoolExecutor(2, thread_name_prefix="store-graph") as pool:
        ends = [pool.submit(_positions, c, node_ids, nodes) for c in (columns.src, columns.dst)]
        days = [pool.submit(_day_numbers, c) for c in (columns.start, columns.end)]
        s_all, t_all = (f.result() for f in ends)
        start, end = (f.result() for f in days)
    # Nor is a record naming itself.
    keep = (s_all >= 0) & (t_all >= 0) & (s_all != t_all)
    final = np.cumsum(keep) - 1
    hit_ids = {int(final[p]): h for p, h in edges.hit_ids.items() if keep[p]}
    src, dst = s_all[keep].astype(np.int32), t_all[keep].astype(np.int32)
    inc_ptr, inc_edges = _incidence(src, dst, n)
    return StoreGraph(
        ids=ids,
        index=index,
        schema_of=schema_of,
        agency_of=agency_of,
        is_node=is_node,
        schemata=schemata.names,
        agencies=agencies.names,
        kinds=kinds.names,
        src=src,
        dst=dst,
        kind=columns.kind[keep],
        record=columns.rec[keep],
        start=start[keep],
        end=end[keep],
        amount=columns.amount[keep],
        hit_ids=hit_ids,
        inc_ptr=inc_ptr,
        inc_edges=inc_edges,
        version=version,
    )


def _positions(
    ends: pa.ChunkedArray, node_ids: pa.Array, nodes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Position in ``ids`` of each end among the nodes (-1 where it is none), by one hash
    lookup each in Arrow."""
    found = pc.fill_null(pc.index_in(ends, value_set=node_ids), -1)
    where = np.asarray(found.to_numpy(), dtype=np.int64)
    return np.where(where >= 0, nodes[np.maximum(where, 0)] if len(nodes) else -1, -1)


def _day_numbers(dates: pa.ChunkedArray) -> npt.NDArray[np.int32]:
    """``day_number`` of each date, computed once per distinct date (a few thousand among
    millions of links)."""
    if len(dates) == 0:
        return np.empty(0, np.int32)
    coded = pc.dictionary_encode(dates.combine_chunks())
    distinct = np.fromiter(map(day_number, coded.dictionary.to_pylist()), np.int32)
    numbers = np.append(distinct, np.int32(NO_DATE))
    indices: npt.NDArray[np.intp] = pc.fill_null(coded.indices, len(distinct)).to_numpy()
    return numbers[indices].astype(np.int32)


def _incidence(
    src: npt.NDArray[np.int32], dst: npt.NDArray[np.int32], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Incidence lists in CSR form (each node's edges in edge order: first those it is the
    source of, then those it is the target of)."""
    ends = np.concatenate([src, dst])
    counts = np.bincount(ends, minlength=n) if len(ends) else np.zeros(n, dtype=np.int64)
    inc_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=inc_ptr[1:])
    # A stable sort of the ends, as one sort of distinct 64-bit keys (end, position): numpy
    # sorts those three times faster than its stable sort of the 32-bit ends (docs/graph.md).
    keys = (ends.astype(np.int64) << 32) | np.arange(len(ends), dtype=np.int64)
    keys.sort()
    positions = keys & 0xFFFFFFFF
    # Position p is edge p of src, or edge p - len(src) of dst.
    edges = np.where(positions >= len(src), positions - len(src), positions)
    return inc_ptr, edges.astype(np.int32)


def _add_identifiers(
    conn: Connection,
    ids: list[str],
    index: dict[str, int],
    schemata: _Codes,
    kinds: _Codes,
    edges: _Edges,
) -> int:
    """Identifier nodes and their holders' edges; returns how many nodes were added."""
    holders: dict[tuple[str, str], set[str]] = {}
    stmt = (
        select(EntityValue.entity_id, EntityValue.kind, EntityValue.value)
        .where(EntityValue.kind.in_(LINK_IDENTIFIERS))
        .where(EntityValue.valid.is_(True))
    )
    for entity_id, kind, value in conn.execute(stmt):
        holders.setdefault((kind, value), set()).add(entity_id)
    added = 0
    for (kind, value), who in holders.items():
        if not 2 <= len(who) <= MAX_IDENTIFIER_HOLDERS:
            continue
        node_id = f"{IDENTIFIER_PREFIX}{kind}:{value}"
        index[node_id] = len(ids)
        ids.append(node_id)
        added += 1
        edge_kind = kinds[f"identifier:{kind}"]
        for holder in sorted(who):
            rec = index.get(holder)
            if rec is None:
                continue
            edges.add(holder, node_id, edge_kind, rec)
    return added


def _add_hits(conn: Connection, kinds: _Codes, edges: _Edges) -> None:
    kind = kinds[SAME_AS]
    stmt = select(Hit.id, Hit.left_id, Hit.right_id).where(Hit.status == "confirmed")
    for hit_id, left, right in conn.execute(stmt):
        edges.hit_ids[len(edges)] = hit_id
        edges.add(left, right, kind, -1)


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
