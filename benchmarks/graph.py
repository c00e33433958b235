"""Network analysis at scale: building the network from the store, the first analyses, a path
between two entities and a depth-2 expansion for the link chart, each beside the raw igraph call
on the same graph in the same run, so that vinculo's own overhead is a ratio.

    .venv/bin/python benchmarks/graph.py                          # 1M nodes, 5M links, SQLite
    .venv/bin/python benchmarks/graph.py --nodes 100000 --edges 500000

The store is generated straight into a SQLite database (``--db``, kept and reused when it has the
asked size): ``--nodes`` people of eight agencies in planted groups of 100, and ``--edges`` link
records (calls 60 %, associates 30 %, payments 10 %; nine in ten inside a group), each a record of
its own as an import would write it, with its references in ``entity_link``. One record in five
stays with its agency; the rest is shared with all, so that the reader's policy has work to do.

Measured (seconds, or milliseconds for the interactive ones):

* build: ``vinculo.graph.store.build_store_graph`` (read every record, parse the link
  records, arrays and incidence lists) — raw: ``igraph.Graph(n, edges)`` from the same edge
  array (igraph's load);
* analyses: components + PageRank + Leiden + betweenness from 16 sampled sources, vinculo's
  ``store_projection`` + ``overview`` — raw: the same four igraph calls on the raw graph;
* path: ``vinculo.graph.network.find_path`` for an analyst of one agency, through the policy
  (median of 30 pairs) — raw: ``Graph.get_shortest_paths`` on the raw graph;
* expansion: ``neighbourhood(depth=2)`` for the same analyst, through the policy (median of 30) —
  raw: ``Graph.neighborhood(order=2)``;
* networkit (bench dependency group), in the same run on the same edge array, for the engine
  choice: load, components, PageRank, Leiden (``ParallelLeiden``) and betweenness estimated from
  16 sampled sources (``EstimateBetweenness``).

The one-minute load average is recorded before the build and after the build and the analyses:
on shared cores every figure is inflated by it, the ratios less so.

Results: a Markdown table (for docs/benchmarks.md) and benchmarks/out/graph.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import igraph as ig  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy import insert, select, text

from matching_support.machine import machine, versions
from vinculo.graph import analysis
from vinculo.graph.network import find_path, neighbourhood
from vinculo.graph.store import store_graph
from vinculo.sharing.directory import add_agency, add_user, get_user
from vinculo.store.db import make_engine, migrate
from vinculo.store.entities import reference_props
from vinculo.store.tables import Entity

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
AGENCIES = ["ES-CNP", "BR-PF", "FR-PN", "CO-DIJIN", "PT-PJ", "IT-DCSA", "MX-FGR", "NL-NP"]
READER = "ES-CNP"
GROUP = 100
COLUMNS = (
    "id",
    "schema",
    "agency_code",
    "caption",
    "properties",
    "content_hash",
    "markets",
    "handling_code",
    "source_reliability",
    "information_credibility",
    "minor",
    "distribution",
    "flags",
    "created_at",
    "updated_at",
)


def generate(db: Path, nodes: int, edges: int, seed: int = 1, shared_share: float = 0.8) -> None:
    """The synthetic store, written with sqlite3 directly (the import pipeline would take hours
    for six million records; what is measured is reading them)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.unlink()
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        for code in AGENCIES:
            add_agency(conn, code, code, code[:2], "police", ["EUROPOL"])
        add_user(conn, "reader", READER, "benchmark password 1", ["analyst"])
        # One record through SQLAlchemy: its timestamp text is what the raw rows copy.
        conn.execute(
            insert(Entity).values(
                id="probe",
                schema="Person",
                agency_code=READER,
                properties={},
                content_hash="0" * 40,
            )
        )
        stamp = conn.execute(text("SELECT created_at FROM entity WHERE id='probe'")).scalar()
        conn.execute(text("DELETE FROM entity WHERE id='probe'"))
    engine.dispose()
    rng = np.random.default_rng(seed)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * len(COLUMNS))
    sql = f"INSERT INTO entity ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608 - constants
    agency = rng.integers(0, len(AGENCIES), nodes)
    shared = rng.random(nodes) < shared_share

    def person(i: int) -> tuple[Any, ...]:
        return (
            f"bn.{i:07d}",
            "Person",
            AGENCIES[agency[i]],
            f"Person {i}",
            f'{{"name": ["Person {i}"]}}',
            "0" * 40,
            "[]",
            "H0",
            "X",
            "4",
            0,
            "all" if shared[i] else "agency",
            "[]",
            stamp,
            stamp,
        )

    raw.executemany(sql, (person(i) for i in range(nodes)))
    # Nine links in ten inside a planted group of GROUP people, one in ten anywhere.
    src = rng.integers(0, nodes, edges)
    inside = rng.random(edges) < 0.9
    offset = rng.integers(1, GROUP, edges)
    dst = np.where(
        inside, src - src % GROUP + (src % GROUP + offset) % GROUP, rng.integers(0, nodes, edges)
    )
    dst = np.minimum(dst, nodes - 1)
    kind = rng.random(edges)
    link_shared = rng.random(edges) < shared_share
    days = rng.integers(0, 3650, edges)

    def link(j: int) -> tuple[Any, ...]:
        a, b = f"bn.{src[j]:07d}", f"bn.{dst[j]:07d}"
        day = f"{2015 + days[j] // 365}-{1 + days[j] % 12:02d}-{1 + days[j] % 28:02d}"
        if kind[j] < 0.6:
            schema, props = "Call", f'{{"caller": ["{a}"], "receiver": ["{b}"], "date": ["{day}"]}}'
        elif kind[j] < 0.9:
            schema, props = "Associate", f'{{"person": ["{a}"], "associate": ["{b}"]}}'
        else:
            schema = "Payment"
            props = f'{{"payer": ["{a}"], "beneficiary": ["{b}"], "amount": ["{100 + j % 9000}"], "date": ["{day}"]}}'  # noqa: E501
        return (
            f"bl.{j:08d}",
            schema,
            AGENCIES[agency[src[j]]],
            schema,
            props,
            "0" * 40,
            "[]",
            "H0",
            "X",
            "4",
            0,
            "all" if link_shared[j] else "agency",
            "[]",
            stamp,
            stamp,
        )

    raw.executemany(sql, (link(j) for j in range(edges)))
    # The references of each link record, as ``store.entities.write_records`` keeps them
    # (``entity_link``, one row per property and record named, properties in name order).
    # The target index is built after the rows: sorting once beats ten million B-tree inserts.
    for schema, props in {
        "Call": ("caller", "receiver"),
        "Associate": ("associate", "person"),
        "Payment": ("beneficiary", "payer"),
    }.items():
        assert set(props) <= set(reference_props(schema)), schema
    raw.execute("DROP INDEX ix_entity_link_target_id")

    def references(j: int) -> Iterator[tuple[str, str, str]]:
        a, b = f"bn.{src[j]:07d}", f"bn.{dst[j]:07d}"
        record = f"bl.{j:08d}"
        if kind[j] < 0.6:
            yield from ((record, "caller", a), (record, "receiver", b))
        elif kind[j] < 0.9:
            yield from ((record, "associate", b), (record, "person", a))
        else:
            yield from ((record, "beneficiary", b), (record, "payer", a))

    raw.executemany(
        "INSERT INTO entity_link (source_id, prop, target_id) VALUES (?, ?, ?)",
        (row for j in range(edges) for row in references(j)),
    )
    raw.execute("CREATE INDEX ix_entity_link_target_id ON entity_link (target_id)")
    raw.commit()
    raw.execute("ANALYZE")
    raw.close()
    np.save(db.with_suffix(".edges.npy"), np.column_stack([src, dst]).astype(np.int64))


def networkit_figures(edge_array: np.ndarray[Any, Any], nodes: int) -> dict[str, Any]:
    """The same load and analyses with networkit on the same edge array (both cores), for the
    engine choice in docs/graph.md: load (and removing parallel links and loops, as igraph's
    simplify), components, PageRank, Leiden (ParallelLeiden, modularity) and betweenness
    estimated from 16 sampled sources (EstimateBetweenness, igraph's sampled sources)."""
    try:
        import networkit as nk  # type: ignore[import-untyped]
    except ImportError:
        return {"error": "networkit not installed (uv sync --group bench)"}
    nk.setNumberOfThreads(os.cpu_count() or 1)
    nk.engineering.setSeed(1, True)
    out: dict[str, Any] = {"version": nk.__version__, "threads": nk.getMaxNumberOfThreads()}
    t = time.perf_counter()
    g = nk.Graph(nodes)
    g.addEdges((edge_array[:, 0].astype(np.uint64), edge_array[:, 1].astype(np.uint64)))
    g.removeMultiEdges()
    g.removeSelfLoops()
    out["load_s"] = round(time.perf_counter() - t, 2)
    out["edges"] = g.numberOfEdges()
    steps: dict[str, float] = {}
    t = time.perf_counter()
    nk.components.ConnectedComponents(g).run()
    steps["components"] = time.perf_counter() - t
    t = time.perf_counter()
    nk.centrality.PageRank(g).run()
    steps["pagerank"] = time.perf_counter() - t
    t = time.perf_counter()
    parts = nk.community.ParallelLeiden(g).run().getPartition()
    steps["leiden"] = time.perf_counter() - t
    t = time.perf_counter()
    nk.centrality.EstimateBetweenness(g, 16, False, True).run()
    steps["betweenness_16"] = time.perf_counter() - t
    out["steps_s"] = {k: round(v, 2) for k, v in steps.items()}
    out["analyses_s"] = round(sum(steps.values()), 2)
    # vinculo runs Leiden on one thread (repeatable communities): the raw call that way too.
    nk.setNumberOfThreads(1)
    nk.engineering.setSeed(1, True)
    t = time.perf_counter()
    one = nk.community.ParallelLeiden(g).run().getPartition()
    out["leiden_one_thread_s"] = round(time.perf_counter() - t, 2)
    out["leiden_one_thread_communities"] = one.numberOfSubsets()
    nk.setNumberOfThreads(os.cpu_count() or 1)
    out["communities"] = parts.numberOfSubsets()
    out["modularity"] = round(nk.community.Modularity().getQuality(parts, g), 3)
    return out


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def measure(db: Path, nodes: int, pairs: int, seed: int = 7) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)  # a store generated before migration 0004 gets its indexes
    results: dict[str, Any] = {}
    edge_array = np.load(db.with_suffix(".edges.npy"))

    results["load_average_before"] = os.getloadavg()[0]
    with engine.connect() as conn:
        started = time.perf_counter()
        # Built as the faces build it, and kept for the interactive measurements below.
        store = store_graph(conn, fresh=True)
        results["build_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    raw = ig.Graph(n=nodes, edges=edge_array)
    raw.simplify()
    results["raw_load_s"] = round(time.perf_counter() - started, 2)
    results["nodes"], results["edges"] = store.node_count, store.edge_count
    results["load_average_after_build"] = os.getloadavg()[0]

    # The four analyses, vinculo's way (projection from the snapshot + overview) and raw.
    started = time.perf_counter()
    proj = analysis.store_projection(store)
    results["projection_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    found = analysis.overview(proj, samples=16)
    results["overview_s"] = round(time.perf_counter() - started, 2)
    results["overview_steps_s"] = {k: round(v, 2) for k, v in found.seconds.items()}
    results["communities"], results["modularity"] = found.communities, round(found.modularity, 3)
    results["overview_engine"] = found.engine
    steps: dict[str, float] = {}
    rng = random.Random(seed)
    t = time.perf_counter()
    raw.connected_components()
    steps["components"] = time.perf_counter() - t
    t = time.perf_counter()
    raw.pagerank(directed=False)
    steps["pagerank"] = time.perf_counter() - t
    t = time.perf_counter()
    raw_parts = raw.community_leiden(objective_function="modularity", n_iterations=2)
    steps["leiden"] = time.perf_counter() - t
    t = time.perf_counter()
    raw.betweenness(directed=False, sources=rng.sample(range(nodes), 16))
    steps["betweenness_16"] = time.perf_counter() - t
    results["raw_steps_s"] = {k: round(v, 2) for k, v in steps.items()}
    results["raw_analyses_s"] = round(sum(steps.values()), 2)
    results["raw_communities"] = len(raw_parts)
    results["raw_modularity"] = round(raw.modularity(raw_parts.membership), 3)
    results["networkit"] = networkit_figures(edge_array, nodes)
    results["load_average_after_analyses"] = os.getloadavg()[0]

    # Interactive: a path between two entities and a depth-2 expansion, for a user.
    with engine.connect() as conn:
        user = get_user(conn, "reader")
        assert user is not None
        ids = [
            r[0]
            for r in conn.execute(
                select(Entity.id)
                .where(Entity.agency_code == READER, Entity.schema == "Person")
                .limit(pairs * 3)
            )
        ]
        rng.shuffle(ids)
        vin_path: list[float] = []
        raw_path: list[float] = []
        lengths: list[int] = []
        for a in ids[:pairs]:
            # A partner three links away in the raw graph: a path to find, not a search that
            # gives up at the hop limit.
            ia = int(a[3:])
            ring = raw.neighborhood(ia, order=3, mindist=3)
            ib = rng.choice(ring) if ring else (ia + 1) % nodes
            b = f"bn.{ib:07d}"
            t = time.perf_counter()
            net = find_path(conn, user, a, b)
            vin_path.append(time.perf_counter() - t)
            lengths.append(len(net.edges))
            t = time.perf_counter()
            raw.get_shortest_paths(ia, to=ib)
            raw_path.append(time.perf_counter() - t)
        vin_expand: list[float] = []
        raw_expand: list[float] = []
        sizes: list[int] = []
        for a in ids[2 * pairs : 3 * pairs]:
            t = time.perf_counter()
            net = neighbourhood(conn, user, [a], depth=2, max_nodes=2000)
            vin_expand.append(time.perf_counter() - t)
            sizes.append(len(net.nodes))
            t = time.perf_counter()
            raw.neighborhood(int(a[3:]), order=2)
            raw_expand.append(time.perf_counter() - t)
    results["path_ms"], results["raw_path_ms"] = _ms(vin_path), _ms(raw_path)
    results["path_links_median"] = statistics.median(lengths)
    results["paths_found"] = sum(1 for n in lengths if n)
    results["expand_ms"], results["raw_expand_ms"] = _ms(vin_expand), _ms(raw_expand)
    results["expand_nodes_median"] = statistics.median(sizes)
    engine.dispose()
    return results


def table(r: dict[str, Any]) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}×" if b else "–"

    raw = r["raw_steps_s"]
    nk = r.get("networkit", {})
    nk_steps = nk.get("steps_s", {})
    analyses = r["projection_s"] + r["overview_s"]
    mine = r.get("overview_steps_s", {})

    def steps(values: dict[str, float]) -> str:
        keys = ("components", "pagerank", "leiden", "betweenness_16")
        return " + ".join(str(values.get(k, values.get(k.split("_")[0], "–"))) for k in keys)

    rows = [
        (
            "Build the network from the store",
            "≤ 30 s",
            f"{r['build_s']} s",
            f"{r['raw_load_s']} s (load + simplify)",
            f"{nk.get('load_s', '–')} s (load + remove multi-edges)",
            ratio(r["build_s"], r["raw_load_s"]),
        ),
        (
            "Components + PageRank + Leiden + betweenness (16 sources)",
            "≤ 45 s",
            f"{analyses:.2f} s ({r['projection_s']} projection + {r['overview_s']}: "
            f"{steps({k: round(v, 2) for k, v in mine.items()})})",
            f"{r['raw_analyses_s']} s ({steps(raw)})",
            f"{nk.get('analyses_s', '–')} s ({steps(nk_steps)})",
            ratio(analyses, r["raw_analyses_s"]),
        ),
        (
            "Shortest path between two entities (median)",
            "≤ 10 ms",
            f"{r['path_ms']} ms",
            f"{r['raw_path_ms']} ms",
            "",
            ratio(r["path_ms"], r["raw_path_ms"]),
        ),
        (
            "Depth-2 expansion for the chart (median)",
            "≤ 50 ms",
            f"{r['expand_ms']} ms",
            f"{r['raw_expand_ms']} ms",
            "",
            ratio(r["expand_ms"], r["raw_expand_ms"]),
        ),
    ]
    lines = [
        "| measure | target | vinculo | raw igraph | raw networkit | vinculo / igraph |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    db = args.db or ROOT / "var" / "bench" / f"graph-{args.nodes}-{args.edges}.sqlite3"
    if args.regenerate or not db.exists() or not db.with_suffix(".edges.npy").exists():
        started = time.perf_counter()
        generate(db, args.nodes, args.edges)
        print(f"generated {db} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results = measure(db, args.nodes, args.pairs)
    results["machine"] = machine()
    results["versions"] = versions(("igraph", "networkit", "numpy", "sqlalchemy"))
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "graph.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
