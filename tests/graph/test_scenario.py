"""The analyses on the generated EU-LAC scenario: the planted organisations come back as
communities, and the planted brokers between organisations rank at the top by betweenness.

The demo installation raises hits but confirms none; here the analysts' part is played by the
ground truth: every hit between two records of the same true person is confirmed, and the
records so joined are merged into one profile before the analyses.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from vinculo.demo.install import install_demo
from vinculo.graph import analysis
from vinculo.graph.network import Network, merge_profiles, whole_store
from vinculo.graph.store import build_store_graph
from vinculo.model.records import make_entity_id
from vinculo.store.db import make_engine
from vinculo.store.tables import Hit


class Scenario:
    def __init__(self, engine: Engine, truth: Path) -> None:
        with (truth / "records.csv").open(encoding="utf-8") as fh:
            self.records = {
                make_entity_id(r["agency"], r["record_id"]): r for r in csv.DictReader(fh)
            }
        with (truth / "organisations.csv").open(encoding="utf-8") as fh:
            self.organisations = list(csv.DictReader(fh))
        with engine.begin() as conn:
            hits = conn.execute(select(Hit.id, Hit.left_id, Hit.right_id)).all()
            right = [h.id for h in hits if self.true_id(h.left_id) == self.true_id(h.right_id)]
            assert right, "the scenario raised no true hits"
            conn.execute(update(Hit).where(Hit.id.in_(right)).values(status="confirmed"))
        with engine.connect() as conn:
            store = build_store_graph(conn)
        self.network, self.profiles = merge_profiles(whole_store(store))

    def true_id(self, record: str) -> str | None:
        row = self.records.get(record)
        return row["true_id"] if row else None

    def profile_true_id(self, node: str) -> str | None:
        found = {self.true_id(r) for r in self.profiles.get(node, [node])} - {None}
        assert len(found) <= 1, found  # only true hits were confirmed
        return found.pop() if found else None

    def organisation_of(self, node: str) -> str | None:
        for record in self.profiles.get(node, [node]):
            row = self.records.get(record)
            if row and row["organisation_id"] and row["schema"] == "Person":
                return row["organisation_id"]
        return None


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("scenario")
    engine = make_engine(f"sqlite:///{tmp / 'demo.sqlite3'}")
    install_demo(engine, seed=3, scale=800, scenario_dir=tmp / "scenario")
    yield Scenario(engine, tmp / "scenario" / "ground_truth")
    engine.dispose()


def _people(net: Network) -> list[str]:
    return [n for n, node in net.nodes.items() if node.schema == "Person"]


def test_planted_organisations_are_recovered(scenario: Scenario) -> None:
    found = analysis.communities(scenario.network)
    members = {n: o for n in _people(scenario.network) if (o := scenario.organisation_of(n))}
    ids = sorted(members)
    score = analysis.nmi([found.membership[i] for i in ids], [members[i] for i in ids])
    print(
        f"planted organisations: {len(set(members.values()))}, members {len(ids)}, "
        f"NMI {score:.3f}, modularity {found.modularity:.3f}"
    )
    assert len(set(members.values())) >= 5
    assert score >= 0.9


def test_planted_brokers_rank_in_the_top_five_percent(scenario: Scenario) -> None:
    values, _ = analysis.metrics(scenario.network)
    people = _people(scenario.network)
    ranked = sorted(people, key=lambda n: (-values[n]["betweenness"], n))
    rank = {n: i for i, n in enumerate(ranked)}
    listed: dict[str, int] = {}
    for org in scenario.organisations:
        for broker in filter(None, org["brokers"].split(";")):
            listed[broker] = listed.get(broker, 0) + 1
    # A broker listed for two organisations links its own to a partner; a "broker" of an
    # organisation without a partner has no one to broker between.
    bridging = {b for b, n in listed.items() if n >= 2}
    nodes = [n for n in people if scenario.profile_true_id(n) in bridging]
    assert len(nodes) == len(bridging) >= 3
    top = max(1, round(0.05 * len(people)))
    for node in nodes:
        assert rank[node] < top, (scenario.profile_true_id(node), rank[node], top)
