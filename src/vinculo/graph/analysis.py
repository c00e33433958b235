"""Analyses of a network: igraph for everything, except PageRank and Leiden on large networks,
which run on networkit (docs/graph.md, *Engines*, says why and how it was measured).

Every function takes a ``Network`` (already reduced to what the user may see) and returns plain
data naming nodes by id, so that the page, the API and the CLI can show which links, which
records and which agencies a result rests on.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import os
import random
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import igraph as ig  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from vinculo.graph.network import Edge, Network
from vinculo.graph.store import StoreGraph

#: Above this many nodes betweenness is estimated from sampled sources.
EXACT_BETWEENNESS_LIMIT = 5000
DEFAULT_SAMPLES = 256
MEASURES = ("degree", "weighted_degree", "betweenness", "eigenvector", "pagerank", "kcore")
ORGANISATION_LINKS = frozenset({"Membership"})
ENGINES = ("igraph", "networkit")
#: From this many nodes PageRank and Leiden run on networkit: on the 1M-node benchmark network
#: its Leiden is 2-3 times faster than igraph's, even on one thread. Below it igraph, whose
#: answers the known-answer tests were first checked with, and where either takes milliseconds.
NETWORKIT_FROM = 100_000

_rng_lock = threading.Lock()
_nk_lock = threading.Lock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph draws from one process-wide generator: give it a seeded one for the duration, so
    that the same network gives the same communities."""
    with _rng_lock:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def _weight(g: ig.Graph) -> str | None:
    """The edge attribute igraph weighs a projection's links by (none on a graph without edges,
    where igraph has no attribute to name)."""
    return "weight" if g.ecount() else None


@functools.cache
def networkit_installed() -> bool:
    return importlib.util.find_spec("networkit") is not None


@functools.cache
def networkit() -> Any:
    """networkit, imported when first needed: importing it takes seconds (it loads scikit-learn
    and SciPy), which no page, command or test on a network below ``NETWORKIT_FROM`` should pay."""
    import networkit as nk  # type: ignore[import-untyped]

    return nk


@contextmanager
def networkit_threads(threads: int, seed: int) -> Iterator[None]:
    """networkit's thread count and generator are process-wide (OpenMP): set both for the
    duration of one call, one call at a time."""
    nk = networkit()
    with _nk_lock:
        before = nk.getMaxNumberOfThreads()
        nk.setNumberOfThreads(threads)
        nk.engineering.setSeed(seed, True)
        try:
            yield
        finally:
            nk.setNumberOfThreads(before)


@dataclass(slots=True)
class Projection:
    """The network as a simple undirected igraph graph: parallel links summed into one edge
    (``weight`` = how many links, ``amount`` = summed payments)."""

    graph: ig.Graph
    ids: list[str]
    position: dict[str, int]
    #: For each igraph edge, the network edges behind it.
    behind: list[list[str]] = field(default_factory=list)
    #: The edges' ends and weights as arrays, when the projection was made from arrays.
    arrays: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
    #: The same graph for networkit, made when first asked for (``networkit_graph``).
    nk_graph: Any = None

    def engine(self, engine: str | None) -> str:
        """The engine for PageRank and Leiden: the one asked for, else by size (igraph where
        networkit is not installed: it has no wheel for every platform)."""
        if engine is None:
            large = self.graph.vcount() >= NETWORKIT_FROM
            return "networkit" if large and networkit_installed() else "igraph"
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
        return engine


def networkit_graph(proj: Projection) -> Any:
    """The projection as a weighted networkit graph (each edge once, its ``weight``), from the
    arrays it was made from or else igraph's edge list."""
    if proj.nk_graph is None:
        g = proj.graph
        if proj.arrays is not None:
            a, b, weight = proj.arrays
        else:
            ends = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
            a, b = ends[:, 0], ends[:, 1]
            weight = np.asarray(g.es["weight"] if g.ecount() else [], dtype=np.float64)
        made = networkit().Graph(g.vcount(), weighted=True)
        if len(a):
            made.addEdges((weight.astype(np.float64), (a.astype(np.uint64), b.astype(np.uint64))))
        proj.nk_graph = made
    return proj.nk_graph


def pagerank(proj: Projection, engine: str | None = None) -> npt.NDArray[np.float64]:
    """PageRank of every node of the projection, weighted by link multiplicity (undirected, as
    igraph's: an isolated node keeps a share)."""
    g = proj.graph
    if g.vcount() == 0:
        return np.zeros(0)
    if proj.engine(engine) == "igraph":
        return np.asarray(g.pagerank(directed=False, weights=_weight(g)))
    centrality = networkit().centrality
    with networkit_threads(os.cpu_count() or 1, 1):
        run = centrality.PageRank(
            networkit_graph(proj), distributeSinks=centrality.SinkHandling.DistributeSinks
        )
        run.run()
    return np.asarray(run.scores(), dtype=np.float64)


def leiden(
    proj: Projection,
    resolution: float = 1.0,
    seed: int = 1,
    iterations: int = -1,
    engine: str | None = None,
) -> list[int]:
    """Leiden communities optimising modularity (``resolution``: γ), weighted by link
    multiplicity; the same network and seed give the same communities on either engine.
    ``iterations``: passes over the nodes (-1: until nothing moves, igraph only; networkit
    stops after three at most or when nothing moves)."""
    g = proj.graph
    if g.vcount() == 0:
        return []
    if proj.engine(engine) == "igraph":
        with seeded(seed):
            parts = g.community_leiden(
                objective_function="modularity",
                weights=_weight(g),
                resolution=resolution,
                n_iterations=iterations,
            )
        return [int(c) for c in parts.membership]
    # One thread: networkit's parallel Leiden gives different communities from run to run on
    # two threads (the order the threads move nodes in); on one it is still 2-3 times faster
    # than igraph here (docs/graph.md).
    with networkit_threads(1, seed):
        run = networkit().community.ParallelLeiden(
            networkit_graph(proj),
            randomize=True,
            iterations=3 if iterations < 0 else iterations,
            gamma=resolution,
        )
        run.run()
        membership = np.asarray(run.getPartition().getVector(), dtype=np.int64)
    # networkit numbers communities by one of their nodes: renumber them 0, 1, 2... as igraph.
    dense: list[int] = np.unique(membership, return_inverse=True)[1].tolist()
    return dense


def project(net: Network) -> Projection:
    ids = list(net.nodes)
    position = {node_id: i for i, node_id in enumerate(ids)}
    pairs: dict[tuple[int, int], list[str]] = {}
    for edge in net.edges.values():
        a, b = position[edge.source], position[edge.target]
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        pairs.setdefault(key, []).append(edge.id)
    graph = ig.Graph(n=len(ids), edges=list(pairs))
    graph.es["weight"] = [float(len(v)) for v in pairs.values()]
    graph.es["amount"] = [sum(net.edges[e].amount for e in v) for v in pairs.values()]
    return Projection(graph, ids, position, list(pairs.values()))


def _betweenness(graph: ig.Graph, samples: int | None, seed: int) -> tuple[list[float], str]:
    n = graph.vcount()
    if n <= 2:
        return [0.0] * n, "exact"
    if samples is None and n <= EXACT_BETWEENNESS_LIMIT:
        return list(graph.betweenness(directed=False)), "exact"
    k = min(n, samples or DEFAULT_SAMPLES)
    sources = random.Random(seed).sample(range(n), k)
    # Paths from k of the n sources, scaled up: an unbiased estimate of the exact figure.
    partial = graph.betweenness(directed=False, sources=sources)
    scale = n / k
    return [float(v) * scale for v in partial], f"sampled ({k} sources)"


def metrics(
    net: Network, samples: int | None = None, seed: int = 1
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Degree, weighted degree (links counted with their multiplicity), betweenness (exact up to
    ``EXACT_BETWEENNESS_LIMIT`` nodes, else sampled), eigenvector centrality, PageRank and k-core
    of every node; and how they were computed."""
    proj = project(net)
    g = proj.graph
    if g.vcount() == 0:
        return {}, {"nodes": 0, "edges": 0, "betweenness": "exact"}
    between, how = _betweenness(g, samples, seed)
    weights = g.es["weight"] if g.ecount() else None
    with warnings.catch_warnings():
        # Disconnected networks are the rule here; igraph warns about each one.
        warnings.simplefilter("ignore", RuntimeWarning)
        eigen = g.eigenvector_centrality(scale=True, weights=weights)
    rank = pagerank(proj)
    core = g.coreness()
    strength = g.strength(weights=weights) if weights else [0.0] * g.vcount()
    out: dict[str, dict[str, float]] = {}
    for i, node_id in enumerate(proj.ids):
        out[node_id] = {
            "degree": float(g.degree(i)),
            "weighted_degree": float(strength[i]),
            "betweenness": float(between[i]),
            "eigenvector": float(eigen[i]),
            "pagerank": float(rank[i]),
            "kcore": float(core[i]),
        }
    info = {"nodes": g.vcount(), "edges": g.ecount(), "betweenness": how}
    return out, info


def ranking(values: dict[str, dict[str, float]], measure: str, top: int = 20) -> list[str]:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r} (one of {', '.join(MEASURES)})")
    return sorted(values, key=lambda n: (-values[n][measure], n))[:top]


@dataclass(slots=True)
class Communities:
    membership: dict[str, int]
    modularity: float
    sizes: list[int]
    #: Comparison with the organisations agencies recorded (Membership links).
    organisations: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "membership": self.membership,
            "modularity": self.modularity,
            "sizes": self.sizes,
            "count": len(self.sizes),
            "organisations": self.organisations,
        }


def recorded_organisations(net: Network) -> dict[str, str]:
    """Member id -> the organisation a Membership link puts it in (the first, by id)."""
    out: dict[str, str] = {}
    for edge in sorted(net.edges.values(), key=lambda e: e.id):
        if edge.kind in ORGANISATION_LINKS:
            out.setdefault(edge.source, edge.target)
    return out


def nmi(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Normalised mutual information of two labellings of the same items."""
    if len(a) != len(b):
        raise ValueError("labellings of different lengths")
    if not a:
        return 0.0
    codes_a = {v: i for i, v in enumerate(dict.fromkeys(a))}
    codes_b = {v: i for i, v in enumerate(dict.fromkeys(b))}
    return float(
        ig.compare_communities([codes_a[v] for v in a], [codes_b[v] for v in b], method="nmi")
    )


def communities(
    net: Network, resolution: float = 1.0, seed: int = 1, engine: str | None = None
) -> Communities:
    """Leiden communities (modularity), with their modularity, compared with the organisations
    recorded by agencies (NMI over the members of a recorded organisation)."""
    proj = project(net)
    g = proj.graph
    if g.vcount() == 0:
        return Communities({}, 0.0, [], {"members": 0, "nmi": None})
    labels = leiden(proj, resolution=resolution, seed=seed, engine=engine)
    membership = {proj.ids[i]: c for i, c in enumerate(labels)}
    modularity = float(g.modularity(labels, weights=_weight(g)))
    orgs = recorded_organisations(net)
    members = sorted(m for m in orgs if m in membership)
    comparison: dict[str, Any] = {"members": len(members), "nmi": None, "organisations": {}}
    if members:
        comparison["nmi"] = nmi([membership[m] for m in members], [orgs[m] for m in members])
        by_org: dict[str, list[int]] = {}
        for m in members:
            by_org.setdefault(orgs[m], []).append(membership[m])
        for org, found in by_org.items():
            best = max(set(found), key=found.count)
            comparison["organisations"][org] = {
                "members": len(found),
                "community": best,
                "share": found.count(best) / len(found),
            }
    sizes = np.bincount(np.asarray(labels, dtype=np.int64))
    return Communities(membership, modularity, [int(n) for n in sizes if n], comparison)


def fragmentation(graph: ig.Graph) -> float:
    """Borgatti's fragmentation: the share of pairs of nodes that cannot reach each other."""
    n = int(graph.vcount())
    if n < 2:
        return 0.0
    sizes: list[int] = graph.connected_components().sizes()
    return 1.0 - sum(s * (s - 1) for s in sizes) / (n * (n - 1))


def key_players(net: Network, k: int = 3, candidates: int = 60) -> dict[str, Any]:
    """Borgatti's key-player problem (KPP-Neg): the ``k`` nodes whose removal fragments the
    network most, chosen greedily among the ``candidates`` of highest betweenness."""
    proj = project(net)
    g = proj.graph
    if k < 1:
        raise ValueError("k must be at least 1")
    before = fragmentation(g)
    between, _ = _betweenness(g, None if g.vcount() <= EXACT_BETWEENNESS_LIMIT else 64, 1)
    pool = sorted(range(g.vcount()), key=lambda i: (-between[i], proj.ids[i]))[:candidates]
    chosen: list[int] = []
    steps: list[float] = []
    for _ in range(min(k, g.vcount())):
        best: tuple[float, int] | None = None
        for candidate in pool:
            if candidate in chosen:
                continue
            rest = g.copy()
            rest.delete_vertices([*chosen, candidate])
            # Fragmentation over the original nodes: removed ones are cut off from everyone.
            score = _fragmentation_with_removed(rest, len(chosen) + 1, g.vcount())
            if best is None or score > best[0] + 1e-12:
                best = (score, candidate)
        if best is None:
            break
        chosen.append(best[1])
        steps.append(best[0])
    return {
        "players": [proj.ids[i] for i in chosen],
        "fragmentation_before": before,
        "fragmentation_after": steps[-1] if steps else before,
        "steps": steps,
    }


def _fragmentation_with_removed(rest: ig.Graph, removed: int, n: int) -> float:
    if n < 2:
        return 0.0
    sizes = rest.connected_components().sizes() + [1] * removed
    return 1.0 - float(sum(s * (s - 1) for s in sizes)) / (n * (n - 1))


def _edges_between(net: Network, proj: Projection, path: Sequence[int]) -> list[str]:
    out: list[str] = []
    eids = proj.graph.get_eids(list(itertools.pairwise(path)), directed=False)
    for eid in eids:
        out.append(sorted(proj.behind[eid])[0])
    return out


def shortest_paths(
    net: Network, source: str, target: str, all_paths: bool = False, limit: int = 50
) -> list[dict[str, list[str]]]:
    """The shortest path (or all shortest paths, up to ``limit``) between two nodes, each as its
    nodes and the edges (records) it goes through."""
    proj = project(net)
    for node in (source, target):
        if node not in proj.position:
            raise LookupError(node)
    a, b = proj.position[source], proj.position[target]
    g = proj.graph
    if all_paths:
        found = g.get_all_shortest_paths(a, to=b)[:limit]
    else:
        found = [p for p in g.get_shortest_paths(a, to=b) if p]
    found = [p for p in found if p and p[-1] == b]
    return [
        {"nodes": [proj.ids[i] for i in p], "edges": _edges_between(net, proj, p)} for p in found
    ]


def _day(edge: Edge) -> str | None:
    return edge.start or edge.end


def time_respecting_path(
    net: Network, source: str, target: str, max_hops: int = 12
) -> dict[str, list[str]] | None:
    """The path with fewest links from ``source`` to ``target`` whose links follow each other in
    time (each dated no earlier than the one before); undated links are not taken."""
    if source not in net.nodes or target not in net.nodes:
        raise LookupError(source if source not in net.nodes else target)
    adjacency: dict[str, list[tuple[str, str, str]]] = {}
    for edge in net.edges.values():
        day = _day(edge)
        if day is None:
            continue
        adjacency.setdefault(edge.source, []).append((edge.target, day, edge.id))
        if not edge.directed:
            adjacency.setdefault(edge.target, []).append((edge.source, day, edge.id))
    # Earliest arrival at each node after h links dominates every later one: layer by layer.
    arrival: dict[str, str] = {source: ""}
    layers: list[dict[str, tuple[str, str]]] = []
    for _ in range(max_hops):
        nxt: dict[str, str] = {}
        back: dict[str, tuple[str, str]] = {}
        for node, at in arrival.items():
            for other, day, eid in adjacency.get(node, []):
                if day >= at and (other not in nxt or day < nxt[other]):
                    nxt[other] = day
                    back[other] = (node, eid)
        layers.append(back)
        if target in nxt:
            nodes = [target]
            edges: list[str] = []
            current = target
            for layer in reversed(layers):
                previous, eid = layer[current]
                edges.append(eid)
                nodes.append(previous)
                current = previous
            return {"nodes": nodes[::-1], "edges": edges[::-1]}
        if not nxt:
            return None
        arrival = nxt
    return None


def connecting_network(net: Network, ids: Sequence[str]) -> Network:
    """i2's Find Connecting Network: every node and link on a shortest path between any two of
    ``ids``."""
    keep: set[str] = set(ids)
    edges: set[str] = set()
    for a, b in itertools.combinations(dict.fromkeys(ids), 2):
        for path in shortest_paths(net, a, b, all_paths=True):
            keep.update(path["nodes"])
            edges.update(path["edges"])
    sub = net.subnetwork(keep)
    proj_edges = {e for e in sub.edges if e in edges or _between_path_nodes(sub.edges[e], keep)}
    sub.edges = {e: sub.edges[e] for e in proj_edges}
    return sub


def _between_path_nodes(edge: Edge, keep: set[str]) -> bool:
    return edge.source in keep and edge.target in keep


def most_connected(net: Network, top: int = 20) -> list[dict[str, Any]]:
    """i2's List Most Connected: nodes by the sum of their link values — links, calls, summed
    payment amounts and meetings (events they were involved in)."""
    totals: dict[str, dict[str, float]] = {}
    for edge in net.edges.values():
        for end, other in ((edge.source, edge.target), (edge.target, edge.source)):
            row = totals.setdefault(
                end, {"links": 0.0, "calls": 0.0, "amount": 0.0, "meetings": 0.0}
            )
            row["links"] += 1
            if edge.kind == "Call":
                row["calls"] += 1
            if edge.kind == "Payment":
                row["amount"] += edge.amount
            if edge.kind.startswith("Event:") and net.nodes[other].schema == "Event":
                row["meetings"] += 1
    ordered = sorted(totals, key=lambda n: (-totals[n]["links"], -totals[n]["amount"], n))
    return [{"id": n, **totals[n]} for n in ordered[:top]]


ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def brokerage(net: Network, groups: dict[str, str]) -> dict[str, dict[str, int]]:
    """Gould and Fernandez's brokerage roles of each node between ``groups`` (node -> agency,
    country or community): for every open two-step a→b→c through b (a and c not linked), b is a
    coordinator (a, b, c in one group), itinerant (a and c in one group, b outside), gatekeeper
    (b and c in one group), representative (a and b in one group) or liaison (three groups).
    Undirected links count in both directions."""
    out_links: dict[str, set[str]] = {n: set() for n in net.nodes}
    in_links: dict[str, set[str]] = {n: set() for n in net.nodes}
    for edge in net.edges.values():
        if edge.source == edge.target:
            continue
        out_links[edge.source].add(edge.target)
        in_links[edge.target].add(edge.source)
        if not edge.directed:
            out_links[edge.target].add(edge.source)
            in_links[edge.source].add(edge.target)
    result: dict[str, dict[str, int]] = {}
    for b in net.nodes:
        counts = dict.fromkeys(ROLES, 0)
        gb = groups.get(b)
        for a in in_links[b]:
            ga = groups.get(a)
            for c in out_links[b]:
                if c == a or c in out_links[a]:
                    continue
                gc = groups.get(c)
                if ga is None or gb is None or gc is None:
                    continue
                if ga == gb == gc:
                    counts["coordinator"] += 1
                elif ga == gc:
                    counts["itinerant"] += 1
                elif gb == gc:
                    counts["gatekeeper"] += 1
                elif ga == gb:
                    counts["representative"] += 1
                else:
                    counts["liaison"] += 1
        if any(counts.values()):
            result[b] = counts
    return result


def group_of(net: Network, by: str, membership: dict[str, int] | None = None) -> dict[str, str]:
    """Node -> its agency, country or community, for brokerage."""
    if by == "agency":
        return {n: node.agency for n, node in net.nodes.items() if node.agency}
    if by == "country":
        return {n: node.country for n, node in net.nodes.items() if node.country}
    if by == "community":
        found = membership if membership is not None else communities(net).membership
        return {n: str(c) for n, c in found.items()}
    raise ValueError(f"unknown grouping {by!r} (agency, country or community)")


def simple_edges(
    src: npt.NDArray[np.integer[Any]], dst: npt.NDArray[np.integer[Any]], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The simple undirected graph of a multigraph's edge arrays, in NumPy: each pair of nodes
    once (lower end first, in order), with how many links join them; no loops."""
    a = np.minimum(src, dst).astype(np.int64)
    b = np.maximum(src, dst).astype(np.int64)
    loop = a == b
    if loop.any():
        a, b = a[~loop], b[~loop]
    pairs, weight = np.unique(a * max(n, 1) + b, return_counts=True)
    return pairs // max(n, 1), pairs % max(n, 1), weight


def igraph_from_arrays(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], weight: npt.NDArray[np.int64]
) -> ig.Graph:
    # igraph reads a list of tuples about twice as fast as a NumPy array (which it converts
    # row by row): 0.2 s against 0.85 s for a million edges.
    g = ig.Graph(n=n, edges=list(zip(a.tolist(), b.tolist(), strict=True)))
    g.es["weight"] = weight.astype(np.float64).tolist()
    return g


def store_projection(graph: StoreGraph) -> Projection:
    """The whole store's structure as a projection, straight from the snapshot's arrays: parallel
    links summed into one weighted edge in NumPy, no per-node Python objects. Built once per
    snapshot and kept with it (a new snapshot, after any write, builds its own). For operators
    and benchmarks; users' analyses go through their network."""
    cached = graph.derived.get("projection")
    if isinstance(cached, Projection):
        return cached
    nodes = np.flatnonzero(graph.is_node)
    remap = np.full(len(graph.ids), -1, dtype=np.int64)
    remap[nodes] = np.arange(len(nodes))
    a, b, weight = simple_edges(remap[graph.src], remap[graph.dst], len(nodes))
    g = igraph_from_arrays(len(nodes), a, b, weight)
    ids = [graph.ids[i] for i in nodes.tolist()]
    proj = Projection(g, ids, {}, arrays=(a, b, weight))
    graph.derived["projection"] = proj
    return proj


@dataclass(frozen=True, slots=True)
class Overview:
    """Components, PageRank, Leiden communities and sampled betweenness of a projection: the
    first look at a large network."""

    components: int
    largest_component: int
    pagerank_top: list[str]
    communities: int
    modularity: float
    betweenness_top: list[str]
    betweenness: str
    #: Seconds each step took (components, pagerank, leiden, betweenness).
    seconds: dict[str, float] = field(default_factory=dict)
    #: The engine PageRank and Leiden ran on.
    engine: str = "igraph"


def overview(
    proj: Projection, samples: int = 16, top: int = 10, seed: int = 1, engine: str | None = None
) -> Overview:
    """PageRank and Leiden weighted by link multiplicity: on a projection the weights cost
    next to nothing (docs/benchmarks.md) and they are what a network of summed links means.
    Leiden optimises modularity in two passes over the nodes (igraph's default, and the raw
    call's in benchmarks/graph.py). On a large projection both run on networkit (``leiden``);
    its graph is made once and counted in the first of the two."""
    g = proj.graph
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    components = g.connected_components()
    seconds["components"] = time.perf_counter() - started
    started = time.perf_counter()
    rank = pagerank(proj, engine)
    seconds["pagerank"] = time.perf_counter() - started
    started = time.perf_counter()
    membership = leiden(proj, seed=seed, iterations=2, engine=engine)
    seconds["leiden"] = time.perf_counter() - started
    modularity = float(g.modularity(membership, weights=_weight(g)))
    started = time.perf_counter()
    between, how = _betweenness(g, samples, seed)
    seconds["betweenness"] = time.perf_counter() - started
    by_rank = np.argsort(-rank, kind="stable")[:top]
    by_between = np.argsort(-np.asarray(between), kind="stable")[:top]
    return Overview(
        len(components),
        max(components.sizes()) if g.vcount() else 0,
        [proj.ids[int(i)] for i in by_rank],
        max(membership) + 1 if membership else 0,
        modularity,
        [proj.ids[int(i)] for i in by_between],
        how,
        seconds,
        proj.engine(engine),
    )


def layout_positions(net: Network, seed: int = 1, spacing: float = 60.0) -> dict[str, list[float]]:
    """Positions for drawing the network (Fruchterman-Reingold, in igraph's C code): a chart of
    thousands of nodes is laid out in a fraction of a second here, where the browser's
    force-directed layout takes many seconds."""
    proj = project(net)
    g = proj.graph
    if g.vcount() == 0:
        return {}
    with seeded(seed):
        coords = g.layout_fruchterman_reingold(
            weights=_weight(g),
            niter=500,
            grid="auto",
        ).coords
    # Spread over a square whose side grows with the square root of the node count: about
    # ``spacing`` pixels per node, whatever scale the layout came out in.
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    side = spacing * max(1.0, float(np.sqrt(g.vcount())))
    return {
        node_id: [round((x - min(xs)) * side / span, 1), round((y - min(ys)) * side / span, 1)]
        for node_id, (x, y) in zip(proj.ids, coords, strict=True)
    }
