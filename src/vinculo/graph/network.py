"""A network as one user may see it: built from the store's link structure through the policy.

Every record taken into a network is read with ``policy.read_records`` and shown as
``policy.present`` says:

- a record the user sees (``full``, or ``released`` with the fields that make the link) is a
  node with its caption, markets and handling code;
- a ``hit_only`` record is a *placeholder*: its id, schema, owner agency and country, markets and
  contact point, never its content;
- a record the user may not know of at all is left out.

An edge is taken only when the user sees the record it comes from with the properties that make
it (a link record's two ends, an Event's ``involved``, the holder's identifier); an edge between
two records the user sees is never hidden, and a link the user may not see never shows, even
between placeholders. A confirmed hit is an edge when the user sees at least one of its two
records (that is what a hit tells the other side: that a record on the same person exists, and
whose it is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection

from vinculo.graph.store import (
    IDENTIFIER_PREFIX,
    NO_DATE,
    SAME_AS,
    StoreGraph,
    day_number,
    day_to_iso,
    rule_of,
    store_graph,
)
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.entities import StoredEntity

#: The most nodes one chart or one analysis takes, unless asked otherwise.
DEFAULT_MAX_NODES = 5000
MAX_DEPTH = 6


@dataclass(slots=True)
class Node:
    id: str
    schema: str
    agency: str | None
    country: str | None
    markets: list[str]
    #: ``full``, ``released``, ``hit_only`` or ``identifier``.
    view: str
    caption: str | None = None
    handling_code: str | None = None
    handling_text: str | None = None
    contact_point: str | None = None
    #: For identifier nodes: the kind (phone, iban, ...).
    kind: str | None = None

    @property
    def placeholder(self) -> bool:
        return self.view == policy.View.HIT_ONLY.value

    @property
    def label(self) -> str:
        if self.caption:
            return self.caption
        return f"[{self.agency}] {self.schema}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "schema": self.schema,
            "agency": self.agency,
            "country": self.country,
            "markets": self.markets,
            "view": self.view,
            "placeholder": self.placeholder,
            "caption": self.caption,
            "handling_code": self.handling_code,
            "handling_text": self.handling_text,
            "contact_point": self.contact_point,
            "kind": self.kind,
        }


@dataclass(slots=True)
class Edge:
    id: str
    source: str
    target: str
    #: Link schema (``Call``, ``Family``), ``Schema:property`` for a record naming another
    #: (``Event:involved``), ``identifier:phone``, or ``same_as`` for a confirmed hit.
    kind: str
    #: The record the edge comes from (None for a hit).
    record: str | None
    #: The agency that recorded it (both agencies, ``A|B``, for a hit).
    agency: str | None
    hit: str | None = None
    start: str | None = None
    end: str | None = None
    amount: float = 0.0
    handling_code: str | None = None
    directed: bool = False

    @property
    def family(self) -> str:
        """The filter group: ``Call``, ``Event``, ``identifier``, ``same_as``..."""
        return self.kind.split(":", 1)[0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "family": self.family,
            "record": self.record,
            "agency": self.agency,
            "hit": self.hit,
            "start": self.start,
            "end": self.end,
            "amount": self.amount,
            "handling_code": self.handling_code,
            "directed": self.directed,
        }


@dataclass(slots=True)
class Filters:
    """What a chart or an analysis keeps. Seeds are always kept."""

    schemata: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    #: Edge families (``Call``, ``Family``, ``identifier``, ``same_as``, ``Event``...).
    kinds: frozenset[str] = frozenset()
    #: The period: an edge is kept when its dates, where known, overlap [start, end].
    start: dt.date | None = None
    end: dt.date | None = None

    def keeps_node(self, node: Node) -> bool:
        if node.view == "identifier":
            if self.schemata and "Identifier" not in self.schemata:
                return False
            return not self.kinds or "identifier" in self.kinds
        if self.schemata and node.schema not in self.schemata:
            return False
        if self.agencies and node.agency not in self.agencies:
            return False
        if self.countries and node.country not in self.countries:
            return False
        return not self.markets or bool(self.markets.intersection(node.markets))

    def day_range(self) -> tuple[int, int]:
        low = day_number(self.start.isoformat()) if self.start else NO_DATE
        high = day_number(self.end.isoformat()) if self.end else NO_DATE
        return low, high


@dataclass(slots=True)
class Network:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    seeds: list[str] = field(default_factory=list)
    #: True when ``max_nodes`` stopped the expansion.
    truncated: bool = False
    #: Records read for the user (for exports and the judicial check): id -> (record, context).
    records: dict[str, tuple[StoredEntity, policy.Context]] = field(default_factory=dict)

    @classmethod
    def from_edges(
        cls, edges: Iterable[tuple[str, str] | tuple[str, str, dict[str, Any]]]
    ) -> Network:
        """A network of plain nodes (for analyses on graphs from elsewhere, and tests)."""
        net = cls()
        for number, item in enumerate(edges):
            a, b = str(item[0]), str(item[1])
            extra: dict[str, Any] = item[2] if len(item) > 2 else {}
            for node_id in (a, b):
                if node_id not in net.nodes:
                    net.nodes[node_id] = Node(node_id, "Thing", None, None, [], "full", node_id)
            edge_id = str(extra.get("id", f"e{number}"))
            net.edges[edge_id] = Edge(
                edge_id,
                a,
                b,
                str(extra.get("kind", "UnknownLink")),
                extra.get("record"),
                extra.get("agency"),
                start=extra.get("start"),
                end=extra.get("end"),
                amount=float(extra.get("amount", 0.0)),
            )
        return net

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.as_dict() for n in self.nodes.values()],
            "edges": [e.as_dict() for e in self.edges.values()],
            "seeds": self.seeds,
            "truncated": self.truncated,
        }

    def neighbours(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {n: set() for n in self.nodes}
        for edge in self.edges.values():
            out[edge.source].add(edge.target)
            out[edge.target].add(edge.source)
        return out

    def subnetwork(self, node_ids: Iterable[str]) -> Network:
        keep = set(node_ids) & set(self.nodes)
        return Network(
            nodes={i: n for i, n in self.nodes.items() if i in keep},
            edges={i: e for i, e in self.edges.items() if e.source in keep and e.target in keep},
            seeds=[s for s in self.seeds if s in keep],
            truncated=self.truncated,
            records={i: r for i, r in self.records.items() if i in keep},
        )


def _content_visible(decision: policy.Decision | None) -> bool:
    return decision is not None and decision.view in (policy.View.FULL, policy.View.RELEASED)


def _shows(decision: policy.Decision, props: Sequence[str]) -> bool:
    """Whether a view of a record includes the properties an edge is made of."""
    if decision.view is policy.View.FULL:
        return True
    if decision.view is policy.View.RELEASED:
        return policy.ALL_FIELDS in decision.fields or all(p in decision.fields for p in props)
    return False


class Sight:
    """The policy's decisions on the records of one network, read in batches and remembered."""

    def __init__(self, conn: Connection, user: UserInfo) -> None:
        self.conn = conn
        self.user = user
        self.records: dict[str, tuple[StoredEntity, policy.Context]] = {}
        self.decisions: dict[str, policy.Decision] = {}
        self.missing: set[str] = set()

    def read(self, ids: Iterable[str]) -> None:
        wanted = [
            i
            for i in dict.fromkeys(ids)
            if i not in self.decisions
            and i not in self.missing
            and not i.startswith(IDENTIFIER_PREFIX)
        ]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found, ctx = policy.read_records(self.conn, self.user, chunk)
            for entity in found:
                self.records[entity.id] = (entity, ctx)
                self.decisions[entity.id] = policy.decide(self.user, entity, ctx)
            self.missing.update(set(chunk) - {e.id for e in found})

    def decision(self, entity_id: str) -> policy.Decision | None:
        return self.decisions.get(entity_id)

    def visible(self, entity_id: str) -> bool:
        found = self.decisions.get(entity_id)
        return found is not None and found.view is not policy.View.NONE

    def node(self, entity_id: str) -> Node | None:
        if entity_id.startswith(IDENTIFIER_PREFIX):
            _, kind, value = entity_id.split(":", 2)
            return Node(entity_id, "Identifier", None, None, [], "identifier", value, kind=kind)
        item = self.records.get(entity_id)
        if item is None:
            return None
        entity, ctx = item
        shown = policy.present(self.user, entity, ctx)
        if shown.view is policy.View.NONE:
            return None
        data = shown.data
        return Node(
            entity_id,
            data["schema"],
            data["agency"],
            data.get("agency_country"),
            list(data.get("markets") or []),
            shown.view.value,
            data.get("caption"),
            data.get("handling_code"),
            data.get("handling_text"),
            data.get("contact_point"),
        )


def edge_id(record: str, source: str, target: str) -> str:
    digest = hashlib.sha1(f"{record}|{source}|{target}".encode(), usedforsecurity=False)
    return "e" + digest.hexdigest()[:16]


def _edge_props(graph_kind: str) -> tuple[str, ...]:
    if graph_kind.startswith("identifier:"):
        # The identifier's property is not kept in the snapshot: only a whole view shows it.
        return (policy.ALL_FIELDS,)
    if ":" in graph_kind:
        return (graph_kind.split(":", 1)[1],)
    rule = rule_of(graph_kind)
    if rule is None or rule.source is None or rule.target is None:
        return (policy.ALL_FIELDS,)
    return (rule.source, rule.target)


class Expander:
    """Grows a user's network from seeds through the store's links, one depth at a time."""

    def __init__(
        self,
        conn: Connection,
        user: UserInfo,
        filters: Filters | None = None,
        max_nodes: int = DEFAULT_MAX_NODES,
        graph: StoreGraph | None = None,
    ) -> None:
        if not policy.works_with_records(user):
            raise PermissionError("role without access to records")
        self.graph = graph or store_graph(conn)
        self.sight = Sight(conn, user)
        self.filters = filters or Filters()
        self.max_nodes = max_nodes
        self.net = Network()
        self.net.records = self.sight.records
        self._low, self._high = self.filters.day_range()

    def seed(self, ids: Iterable[str]) -> list[str]:
        """Put the seeds in the network; unknown ids, and records the user may not know of, are
        refused alike (LookupError), so that a refusal confirms nothing."""
        ids = list(dict.fromkeys(ids))
        self.sight.read(ids)
        for entity_id in ids:
            node = self.sight.node(entity_id) if entity_id in self.graph.index else None
            if node is None:
                raise LookupError(entity_id)
            if entity_id not in self.net.nodes:
                self.net.nodes[entity_id] = node
                self.net.seeds.append(entity_id)
        return ids

    def _edge_ok(self, e: int) -> bool:
        g = self.graph
        filters = self.filters
        if filters.kinds and g.kinds[int(g.kind[e])].split(":", 1)[0] not in filters.kinds:
            return False
        start, end = int(g.start[e]), int(g.end[e])
        if self._high != NO_DATE and start != NO_DATE and start > self._high:
            return False
        last = end if end != NO_DATE else start
        return not (self._low != NO_DATE and last != NO_DATE and last < self._low)

    def expand(
        self, frontier: Iterable[str], depth: int = 1, within: set[str] | None = None
    ) -> list[str]:
        """Add the neighbours of ``frontier`` to ``depth`` (only those in ``within``, when
        given); returns the nodes added."""
        g = self.graph
        added: list[str] = []
        current = [g.index[i] for i in frontier if i in g.index]
        for _ in range(max(0, min(depth, MAX_DEPTH))):
            if not current or self.net.truncated:
                break
            incident = (
                np.unique(np.concatenate([g.edges_of(n) for n in current]))
                if current
                else np.empty(0, dtype=np.int32)
            )
            candidates = [int(e) for e in incident if self._edge_ok(int(e))]
            if within is not None:
                # Only links among the given nodes: skip the rest before reading any record.
                inside = {g.index[i] for i in within if i in g.index}
                candidates = [
                    e for e in candidates if int(g.src[e]) in inside and int(g.dst[e]) in inside
                ]
            ids: list[str] = []
            for e in candidates:
                rec = int(g.record[e])
                if rec >= 0:
                    ids.append(g.ids[rec])
                ids.append(g.ids[int(g.src[e])])
                ids.append(g.ids[int(g.dst[e])])
            self.sight.read(ids)
            nxt: list[int] = []
            for e in candidates:
                edge = self._edge(e)
                if edge is None:
                    continue
                for end_id in (edge.source, edge.target):
                    if end_id in self.net.nodes:
                        continue
                    if within is not None and end_id not in within:
                        break
                    if len(self.net.nodes) >= self.max_nodes:
                        self.net.truncated = True
                        break
                    node = self.sight.node(end_id)
                    if node is None or not self.filters.keeps_node(node):
                        break
                    self.net.nodes[end_id] = node
                    added.append(end_id)
                    nxt.append(g.index[end_id])
                if edge.source in self.net.nodes and edge.target in self.net.nodes:
                    self.net.edges.setdefault(edge.id, edge)
                if self.net.truncated:
                    break
            current = nxt
        return added

    def _edge(self, e: int) -> Edge | None:
        g = self.graph
        source = g.ids[int(g.src[e])]
        target = g.ids[int(g.dst[e])]
        graph_kind = g.kinds[int(g.kind[e])]
        rec = int(g.record[e])
        if rec < 0:
            # A confirmed hit: shown to whoever sees one of its two records.
            decisions = [self.sight.decision(i) for i in (source, target)]
            views = [d.view for d in decisions if d is not None]
            if len(views) < 2 or policy.View.NONE in views:
                return None
            if not any(v in (policy.View.FULL, policy.View.RELEASED) for v in views):
                return None
            agencies = [self.sight.records[i][0].meta.agency for i in (source, target)]
            hit = g.hit_ids.get(e)
            return Edge(
                hit or edge_id("hit", source, target),
                source,
                target,
                SAME_AS,
                None,
                "|".join(agencies),
                hit=hit,
            )
        record = g.ids[rec]
        decision = self.sight.decision(record)
        if decision is None or not _shows(decision, _edge_props(graph_kind)):
            return None
        entity = self.sight.records[record][0]
        schema = graph_kind.split(":", 1)[0]
        return Edge(
            edge_id(record, source, target),
            source,
            target,
            graph_kind,
            record,
            entity.meta.agency,
            start=day_to_iso(int(g.start[e])),
            end=day_to_iso(int(g.end[e])),
            amount=float(g.amount[e]),
            handling_code=entity.meta.handling_code.value,
            directed=schema in _DIRECTED,
        )


#: Link schemata whose direction means something (who paid whom, who called whom).
_DIRECTED = frozenset({"Call", "Payment", "Ownership", "Directorship", "Employment", "Membership"})


def neighbourhood(
    conn: Connection,
    user: UserInfo,
    ids: Sequence[str],
    depth: int = 1,
    filters: Filters | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Network:
    """The records around ``ids`` to ``depth`` links, as the user may see them."""
    expander = Expander(conn, user, filters, max_nodes)
    seeds = expander.seed(ids)
    expander.expand(seeds, depth)
    return expander.net


@dataclass(frozen=True, slots=True)
class Selection:
    """What a network is built from: ids, an agency's records, a case, or a search."""

    ids: tuple[str, ...] = ()
    agency: str | None = None
    case: str | None = None
    query: str | None = None
    depth: int = 1
    #: Only the given ids and the links among them (a chart as it stands), no neighbours.
    closed: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "ids": list(self.ids)[:50],
            "agency": self.agency,
            "case": self.case,
            "query": self.query,
            "depth": self.depth,
            "closed": self.closed,
        }


def build(
    conn: Connection,
    user: UserInfo,
    selection: Selection,
    filters: Filters | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Network:
    """The network of a selection as the user may see it."""
    expander = Expander(conn, user, filters, max_nodes)
    g = expander.graph
    seeds: list[str] = list(selection.ids)
    if selection.case:
        seeds.append(selection.case)
    if selection.agency:
        code = selection.agency
        if code in g.agencies:
            number = g.agencies.index(code)
            members = np.flatnonzero((g.agency_of == number) & g.is_node)
            seeds.extend(g.ids[int(i)] for i in members)
    found: list[str] = []
    if selection.query:
        from vinculo.store.entities import search_ids

        found = search_ids(conn, selection.query, limit=200)
        seeds.extend(found)
    if not seeds:
        raise ValueError("the selection names no records (give ids, an agency, a case or a query)")
    if selection.agency or selection.query:
        # Records found by an agency or a search are taken as far as the user may see them;
        # those the user may not know of are skipped rather than refused. An agency's records
        # are taken only where the user sees their content: listing another agency's holdings
        # as placeholders would enumerate them (a search names what it looks for; this would not).
        expander.sight.read(seeds)
        named = set(selection.ids) | ({selection.case} if selection.case else set())
        searched = set(found) if selection.query else set()
        seeds = [
            s
            for s in seeds
            if s in named
            or (s in searched and expander.sight.visible(s))
            or _content_visible(expander.sight.decision(s))
        ]
        if not seeds and not selection.ids and not selection.case:
            return expander.net
    if selection.closed:
        # Ids the user may no longer see (or that are gone) simply drop out of a chart.
        expander.sight.read(seeds)
        seeds = [s for s in seeds if expander.sight.visible(s) or s.startswith(IDENTIFIER_PREFIX)]
        expander.seed([s for s in seeds if s in g.index][:max_nodes])
        expander.expand(expander.net.seeds, 1, within=set(expander.net.seeds))
        return expander.net
    expander.seed(seeds[:max_nodes])
    expander.expand(expander.net.seeds, selection.depth)
    return expander.net


def whole_store(graph: StoreGraph) -> Network:
    """Every node and edge of the store, with ids, schemata and agencies only: the operator's
    view for benchmarks and for evaluating the analyses on a generated scenario. Never served to
    a user (the faces build networks with ``build`` and ``neighbourhood``)."""
    net = Network()
    for i in np.flatnonzero(graph.is_node):
        node_id = graph.ids[int(i)]
        agency = None if graph.is_identifier(int(i)) else graph.agencies[int(graph.agency_of[i])]
        schema = graph.schemata[int(graph.schema_of[i])]
        net.nodes[node_id] = Node(node_id, schema, agency, None, [], "full")
    for e in range(graph.edge_count):
        rec = int(graph.record[e])
        source, target = graph.ids[int(graph.src[e])], graph.ids[int(graph.dst[e])]
        edge = Edge(
            graph.hit_ids.get(e) or edge_id(graph.ids[rec] if rec >= 0 else "hit", source, target),
            source,
            target,
            graph.kinds[int(graph.kind[e])],
            graph.ids[rec] if rec >= 0 else None,
            None,
            hit=graph.hit_ids.get(e),
            start=day_to_iso(int(graph.start[e])),
            amount=float(graph.amount[e]),
        )
        net.edges[edge.id] = edge
    return net


def merge_profiles(net: Network) -> tuple[Network, dict[str, list[str]]]:
    """Records joined by confirmed hits merged into one node (a profile), named after its first
    record the user sees in full; every edge keeps its record and agency. Returns the merged
    network and, for each profile, its records."""
    parent: dict[str, str] = {n: n for n in net.nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for edge in net.edges.values():
        if edge.kind == SAME_AS:
            a, b = find(edge.source), find(edge.target)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for node_id in net.nodes:
        groups.setdefault(find(node_id), []).append(node_id)
    rename: dict[str, str] = {}
    merged = Network(truncated=net.truncated, records=net.records)
    for members in groups.values():
        # The profile is shown as the record the user sees best.
        best = min(members, key=lambda m: (net.nodes[m].view != "full", m))
        for m in members:
            rename[m] = best
        merged.nodes[best] = net.nodes[best]
    for edge in net.edges.values():
        if edge.kind == SAME_AS:
            continue
        source, target = rename[edge.source], rename[edge.target]
        if source == target:
            continue
        merged.edges[edge.id] = Edge(
            edge.id,
            source,
            target,
            edge.kind,
            edge.record,
            edge.agency,
            edge.hit,
            edge.start,
            edge.end,
            edge.amount,
            edge.handling_code,
            edge.directed,
        )
    merged.seeds = list(dict.fromkeys(rename.get(s, s) for s in net.seeds))
    profiles = {rename[m]: ms for ms in groups.values() for m in ms[:1]}
    return merged, profiles


def _bfs_path(
    graph: StoreGraph,
    source: int,
    target: int,
    max_hops: int,
    blocked_edges: set[int],
    blocked_nodes: set[int],
) -> list[int] | None:
    """Edges of a shortest path between two nodes of the snapshot (bidirectional BFS), avoiding
    the blocked edges and nodes; None when there is none within ``max_hops``."""
    if source == target:
        return []
    # node -> (previous node, edge) for each side.
    seen = [{source: (-1, -1)}, {target: (-1, -1)}]
    frontiers: list[list[int]] = [[source], [target]]
    for _ in range(max_hops):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        mine, other = seen[side], seen[1 - side]
        nxt: list[int] = []
        meeting: tuple[int, int, int] | None = None
        for node in frontiers[side]:
            for e in graph.edges_of(node):
                edge = int(e)
                if edge in blocked_edges:
                    continue
                a = int(graph.src[edge])
                nb = int(graph.dst[edge]) if a == node else a
                if nb in mine or nb in blocked_nodes:
                    continue
                mine[nb] = (node, edge)
                if nb in other:
                    meeting = (nb, node, edge)
                    break
                nxt.append(nb)
            if meeting:
                break
        if meeting:
            middle = meeting[0]
            edges: list[int] = []
            for table in (seen[0], seen[1]):
                half: list[int] = []
                node = middle
                while table[node][1] != -1:
                    previous, edge = table[node]
                    half.append(edge)
                    node = previous
                edges.extend(half[::-1] if table is seen[0] else half)
            return edges
        frontiers[side] = nxt
        if not nxt:
            return None
    return None


def find_path(
    conn: Connection,
    user: UserInfo,
    source: str,
    target: str,
    max_hops: int = 6,
    max_rounds: int = 50,
) -> Network:
    """The shortest path between two records that the user may see link by link, without
    building the network around them: a path is found in the store's structure, its records are
    put to the policy, and what the user may not see is taken out before searching again, so the
    first path that passes is the shortest the user may see. Returns the path's network (empty of
    edges when there is none)."""
    expander = Expander(conn, user)
    g = expander.graph
    expander.seed([source, target])
    a, b = g.index[source], g.index[target]
    blocked_edges: set[int] = set()
    blocked_nodes: set[int] = set()
    for _ in range(max_rounds):
        path = _bfs_path(g, a, b, max_hops, blocked_edges, blocked_nodes)
        if path is None:
            return expander.net
        ids: list[str] = []
        for e in path:
            rec = int(g.record[e])
            if rec >= 0:
                ids.append(g.ids[rec])
            ids += [g.ids[int(g.src[e])], g.ids[int(g.dst[e])]]
        expander.sight.read(ids)
        found: list[Edge] = []
        for e in path:
            edge = expander._edge(e)
            if edge is None:
                blocked_edges.add(e)
                continue
            for end in (edge.source, edge.target):
                if end not in expander.net.nodes and expander.sight.node(end) is None:
                    blocked_nodes.add(g.index[end])
                    edge = None
                    break
            if edge is not None:
                found.append(edge)
        if len(found) == len(path):
            for edge in found:
                for end in (edge.source, edge.target):
                    if end not in expander.net.nodes:
                        node = expander.sight.node(end)
                        assert node is not None
                        expander.net.nodes[end] = node
                expander.net.edges[edge.id] = edge
            return expander.net
    return expander.net
