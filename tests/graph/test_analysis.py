"""Analyses against known answers: networkx's Florentine families and LFR benchmark graphs, and
small graphs whose answers can be worked out by hand."""

from __future__ import annotations

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import pytest

from vinculo.graph import analysis
from vinculo.graph.network import Network


@pytest.fixture(scope="module")
def florentine() -> Network:
    return Network.from_edges(nx.florentine_families_graph().edges())


def test_medici_have_the_highest_betweenness(florentine: Network) -> None:
    values, info = analysis.metrics(florentine)
    assert info["betweenness"] == "exact"
    assert analysis.ranking(values, "betweenness", 1) == ["Medici"]
    # Checked against networkx's own (unnormalised) betweenness on the same graph.
    expected = nx.betweenness_centrality(nx.florentine_families_graph(), normalized=False)
    for family, value in expected.items():
        assert values[family]["betweenness"] == pytest.approx(value)
    assert values["Medici"]["degree"] == 6
    assert analysis.ranking(values, "degree", 1) == ["Medici"]
    assert analysis.ranking(values, "pagerank", 1) == ["Medici"]


def test_sampled_betweenness_ranks_the_medici_first(florentine: Network) -> None:
    values, info = analysis.metrics(florentine, samples=15)
    # Fifteen sources of fifteen: the estimate is the exact figure.
    assert info["betweenness"] == "sampled (15 sources)"
    assert values["Medici"]["betweenness"] == pytest.approx(47.5)


def test_kcore_and_weighted_degree() -> None:
    # A triangle with a tail; the tail's link recorded three times.
    net = Network.from_edges(
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("c", "d"), ("c", "d")]
    )
    values, _ = analysis.metrics(net)
    assert {n: v["kcore"] for n, v in values.items()} == {"a": 2, "b": 2, "c": 2, "d": 1}
    assert values["c"]["degree"] == 3
    assert values["c"]["weighted_degree"] == 5  # a, b, and d three times
    assert values["d"]["betweenness"] == 0


NEEDS_NETWORKIT = pytest.mark.skipif(
    not analysis.networkit_installed(), reason="networkit has no wheel for this platform"
)


@pytest.mark.parametrize("engine", ["igraph", pytest.param("networkit", marks=NEEDS_NETWORKIT)])
@pytest.mark.parametrize(("mu", "seed"), [(0.1, 7), (0.2, 11), (0.3, 7)])
def test_leiden_recovers_lfr_communities(mu: float, seed: int, engine: str) -> None:
    graph = nx.LFR_benchmark_graph(
        1000,
        2.5,
        1.5,
        mu,
        average_degree=20,
        max_degree=50,
        min_community=40,
        max_community=100,
        seed=seed,
    )
    truth = {str(v): min(graph.nodes[v]["community"]) for v in graph}
    net = Network.from_edges((str(a), str(b)) for a, b in graph.edges())
    found = analysis.communities(net, engine=engine)
    ids = sorted(found.membership)
    score = analysis.nmi([found.membership[i] for i in ids], [truth[i] for i in ids])
    assert score >= 0.9, score
    assert 0.3 < found.modularity < 1
    # Communities numbered 0, 1, 2... whichever engine found them.
    assert set(found.membership.values()) == set(range(len(found.sizes)))
    assert sum(found.sizes) == len(ids)


def _planted(groups: int, size: int, seed: int) -> Network:
    """Groups of ``size`` people, each dense inside, joined in a ring by one link each."""
    rng = np.random.default_rng(seed)
    edges: list[tuple[str, str]] = []
    for g in range(groups):
        members = [f"g{g}.{i}" for i in range(size)]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if rng.random() < 0.6:
                    edges.append((a, b))
        edges.append((members[0], f"g{(g + 1) % groups}.1"))
    return Network.from_edges(edges)


@NEEDS_NETWORKIT
def test_networkit_leiden_gives_the_same_communities_every_time() -> None:
    # networkit's parallel Leiden runs on one thread for this: the same network and seed, the
    # same communities, as with igraph's seeded generator.
    net = _planted(40, 12, 5)
    runs = [analysis.communities(net, engine="networkit").membership for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    truth = {n: n.split(".")[0] for n in net.nodes}
    ids = sorted(truth)
    assert analysis.nmi([runs[0][i] for i in ids], [truth[i] for i in ids]) > 0.95


def test_the_engine_is_chosen_by_size_or_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    proj = analysis.project(_planted(3, 5, 1))
    assert proj.engine(None) == "igraph"
    assert proj.engine("networkit") == "networkit"
    with pytest.raises(ValueError, match="unknown engine"):
        proj.engine("gephi")
    monkeypatch.setattr(analysis, "NETWORKIT_FROM", 10)
    assert proj.engine(None) == "networkit"
    # Where networkit is not installed, igraph runs them whatever the size.
    monkeypatch.setattr(analysis, "networkit_installed", lambda: False)
    assert proj.engine(None) == "igraph"


@NEEDS_NETWORKIT
def test_pagerank_agrees_between_engines(florentine: Network) -> None:
    proj = analysis.project(florentine)
    by_igraph = analysis.pagerank(proj, "igraph")
    by_networkit = analysis.pagerank(proj, "networkit")
    # The Pucci are isolated: both engines hand an isolated node the same share.
    assert by_networkit == pytest.approx(by_igraph, abs=1e-6)
    assert proj.ids[int(np.argmax(by_networkit))] == "Medici"


def test_communities_compared_with_recorded_organisations() -> None:
    # Two cliques joined by one link; each clique's members recorded in one organisation.
    edges: list[tuple[str, str] | tuple[str, str, dict[str, str]]] = []
    for group in ("a", "b"):
        members = [f"{group}{i}" for i in range(5)]
        edges += [(x, y) for i, x in enumerate(members) for y in members[i + 1 :]]
        edges += [(m, f"org-{group}", {"kind": "Membership"}) for m in members]
    edges.append(("a0", "b0"))
    found = analysis.communities(Network.from_edges(edges))
    assert len(found.sizes) == 2
    assert found.organisations["members"] == 10
    assert found.organisations["nmi"] == pytest.approx(1.0)
    assert found.membership["a1"] != found.membership["b1"]


def test_nmi_known_values() -> None:
    assert analysis.nmi([0, 0, 1, 1], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert analysis.nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)


def test_key_players_fragment_a_barbell() -> None:
    # Two triangles joined through a middle node m: removing m cuts the network in two.
    net = Network.from_edges(
        [
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "m"),
            ("m", "x"),
            ("x", "y"),
            ("y", "z"),
            ("z", "x"),
        ]
    )
    result = analysis.key_players(net, k=1)
    assert result["players"] == ["m"]
    assert result["fragmentation_before"] == 0
    # 7 nodes: two groups of 3 and m alone: 1 - (6 + 6) / 42.
    assert result["fragmentation_after"] == pytest.approx(1 - 12 / 42)


def test_paths(florentine: Network) -> None:
    one = analysis.shortest_paths(florentine, "Medici", "Strozzi")
    assert len(one) == 1 and len(one[0]["nodes"]) == 3
    every = analysis.shortest_paths(florentine, "Medici", "Strozzi", all_paths=True)
    # Ridolfi is the only family linked to both.
    assert [p["nodes"][1] for p in every] == ["Ridolfi"]
    assert all(len(p["edges"]) == 2 for p in every)
    with pytest.raises(LookupError):
        analysis.shortest_paths(florentine, "Medici", "Borgia")


def test_connecting_network(florentine: Network) -> None:
    sub = analysis.connecting_network(florentine, ["Acciaiuoli", "Pazzi"])
    # Acciaiuoli - Medici - Salviati - Pazzi is the only shortest path.
    assert set(sub.nodes) == {"Acciaiuoli", "Medici", "Salviati", "Pazzi"}
    assert len(sub.edges) == 3


def test_time_respecting_path() -> None:
    net = Network.from_edges(
        [
            ("a", "b", {"start": "2023-01-01"}),
            ("b", "c", {"start": "2022-06-01"}),  # earlier: cannot follow a-b
            ("b", "d", {"start": "2023-02-01"}),
            ("d", "c", {"start": "2023-03-01"}),
        ]
    )
    path = analysis.time_respecting_path(net, "a", "c")
    assert path is not None and path["nodes"] == ["a", "b", "d", "c"]
    # Without time the direct way is shorter.
    assert analysis.shortest_paths(net, "a", "c")[0]["nodes"] == ["a", "b", "c"]
    back = analysis.time_respecting_path(net, "c", "a")
    assert back is not None and back["nodes"] == ["c", "b", "a"]
    assert analysis.time_respecting_path(net, "d", "a") is None  # b-a came before d-b


def test_most_connected() -> None:
    net = Network.from_edges(
        [
            ("a", "b", {"kind": "Call"}),
            ("a", "b", {"kind": "Call"}),
            ("a", "c", {"kind": "Payment", "amount": 100.0}),
            ("c", "d", {"kind": "Payment", "amount": 50.0}),
        ]
    )
    top = analysis.most_connected(net, top=2)
    assert top[0] == {"id": "a", "links": 3, "calls": 2, "amount": 100.0, "meetings": 0}
    assert top[1]["id"] in ("b", "c") and top[1]["links"] == 2


def test_brokerage_roles() -> None:
    # b sits between a and c (not linked to each other).
    net = Network.from_edges([("a", "b"), ("b", "c")])
    net.edges["e0"].directed = net.edges["e1"].directed = True
    cases = {
        "coordinator": {"a": "X", "b": "X", "c": "X"},
        "itinerant": {"a": "X", "b": "Y", "c": "X"},
        "gatekeeper": {"a": "X", "b": "Y", "c": "Y"},
        "representative": {"a": "X", "b": "X", "c": "Y"},
        "liaison": {"a": "X", "b": "Y", "c": "Z"},
    }
    for role, groups in cases.items():
        result = analysis.brokerage(net, groups)
        assert result == {"b": {r: int(r == role) for r in analysis.ROLES}}, role


def test_networkit_is_imported_only_when_used() -> None:
    # Importing networkit takes seconds (scikit-learn, SciPy): the web application and the CLI
    # must not pay for it on networks igraph handles.
    import subprocess
    import sys

    code = (
        "import sys; from vinculo.graph import analysis; from vinculo.graph.network import "
        "Network; analysis.communities(Network.from_edges([('a', 'b'), ('b', 'c')])); "
        "print('networkit' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
