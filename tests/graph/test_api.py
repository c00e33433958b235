"""/api/v1/graph: through the policy, audited, refused where it must be."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET  # the server's own export, not untrusted input
from collections.abc import Iterator

import networkx as nx  # type: ignore[import-untyped]
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.graph.conftest import PASSWORD, Store
from vinculo.api import create_app
from vinculo.store.tables import AuditEntry

ES, BR, FR = "ES-CNP", "BR-PF", "FR-PN"


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store.engine)) as test_client:
        yield test_client


def auth(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def audit_actions(store: Store) -> list[tuple[str, str, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.action, AuditEntry.outcome, AuditEntry.username).order_by(
                AuditEntry.seq
            )
        ).all()
    return [(r[0], r[1], r[2]) for r in rows if r[0].startswith("graph.")]


def test_network_for_the_third_agency(client: TestClient, store: Store) -> None:
    headers = auth(client, "jean.pn")
    response = client.get(
        "/api/v1/graph/network", params={"ids": store.id(ES, "p1"), "depth": 3}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    views = {n["id"]: n["view"] for n in body["nodes"]}
    assert views[store.id(ES, "p1")] == "full"
    assert views[store.id(ES, "p2")] == "hit_only"
    assert views[store.id(BR, "p1")] == "hit_only"
    assert b"Marta" not in response.content and b"Souza" not in response.content
    assert audit_actions(store) == [("graph.network", "ok", "jean.pn")]


def test_refusals(client: TestClient, store: Store) -> None:
    admin = auth(client, "admin.pn")
    analyst = auth(client, "ana.pf")
    assert (
        client.get("/api/v1/graph/network", params={"ids": store.id(FR, "p1")}).status_code == 401
    )
    refused = client.get("/api/v1/graph/network", params={"ids": store.id(FR, "p1")}, headers=admin)
    assert refused.status_code == 403
    missing = client.get("/api/v1/graph/network", params={"ids": "nope"}, headers=analyst)
    assert missing.status_code == 404
    empty = client.get("/api/v1/graph/network", headers=analyst)
    assert empty.status_code == 422 and "selection" in empty.json()["detail"]
    bad_date = client.get(
        "/api/v1/graph/network",
        params={"ids": store.id(BR, "p1"), "start": "soon"},
        headers=analyst,
    )
    assert bad_date.status_code == 422 and "start" in bad_date.json()["detail"]
    assert [a[:2] for a in audit_actions(store)] == [
        ("graph.network", "denied"),
        ("graph.network", "denied"),
        ("graph.network", "failed"),
        ("graph.network", "failed"),
    ]


def test_paths_between_agencies(client: TestClient, store: Store) -> None:
    headers = auth(client, "luis.cnp")
    response = client.get(
        "/api/v1/graph/paths",
        params={"source": store.id(ES, "p2"), "target": store.id(BR, "p1")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # Marta - Carlos (call) - Carlos at BR-PF (confirmed hit).
    assert body["paths"][0]["nodes"] == [store.id(ES, "p2"), store.id(ES, "p1"), store.id(BR, "p1")]
    kinds = sorted(body["edges"][e]["kind"] for e in body["paths"][0]["edges"])
    assert kinds == ["Call", "same_as"]
    assert body["nodes"][store.id(BR, "p1")]["view"] == "hit_only"


def test_metrics_communities_and_more(client: TestClient, store: Store) -> None:
    headers = auth(client, "luis.cnp")
    params = {"ids": store.id(ES, "p1"), "depth": 2}
    metrics = client.get("/api/v1/graph/metrics", params=params, headers=headers).json()
    # Carlos is linked to everyone else: the centre by degree and betweenness.
    assert metrics["top"]["betweenness"][0] == store.id(ES, "p1")
    assert metrics["nodes"][store.id(ES, "p1")]["degree"] == 5
    communities = client.get("/api/v1/graph/communities", params=params, headers=headers).json()
    assert set(communities["membership"]) == {n for n in metrics["nodes"]}
    keyplayers = client.get(
        "/api/v1/graph/keyplayers", params={**params, "k": 1}, headers=headers
    ).json()
    assert keyplayers["players"] == [store.id(ES, "p1")]
    connected = client.get("/api/v1/graph/most-connected", params=params, headers=headers).json()
    assert connected["nodes"][0]["id"] == store.id(ES, "p1")
    broker = client.get("/api/v1/graph/brokerage", params=params, headers=headers).json()
    # Carlos links ES-CNP's records with BR-PF's: a gatekeeper or representative at least once.
    roles = broker["roles"][store.id(ES, "p1")]
    assert roles["gatekeeper"] + roles["representative"] >= 1
    connecting = client.get(
        "/api/v1/graph/connecting",
        params={"ids": f"{store.id(ES, 'p3')},{store.id(ES, 'org')}"},
        headers=headers,
    ).json()
    assert {n["id"] for n in connecting["nodes"]} == {
        store.id(ES, "p3"),
        store.id(ES, "p1"),
        store.id(ES, "org"),
    }


def test_exports_parse_back_and_are_audited(client: TestClient, store: Store) -> None:
    headers = auth(client, "ana.pf")
    params = {"ids": store.id(BR, "p1"), "depth": 2}
    graphml = client.get(
        "/api/v1/graph/export", params={**params, "format": "graphml"}, headers=headers
    )
    assert graphml.status_code == 200
    g = nx.read_graphml(io.BytesIO(graphml.content))
    assert set(g.nodes) == {store.id(BR, "p1"), store.id(BR, "p2"), store.id(ES, "p1")}
    assert g.nodes[store.id(ES, "p1")]["placeholder"] is True
    assert g.nodes[store.id(BR, "p2")]["label"] == "João Lima"
    gexf = client.get("/api/v1/graph/export", params={**params, "format": "gexf"}, headers=headers)
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_edges() == 3
    anx = client.get("/api/v1/graph/export", params={**params, "format": "anx"}, headers=headers)
    root = ET.fromstring(anx.content)  # noqa: S314
    identities = {e.get("Identity") for e in root.iter("Entity")}
    assert identities == set(g.nodes)
    assert len(list(root.iter("Link"))) == 3
    ftm = client.get("/api/v1/graph/export", params={**params, "format": "ftm"}, headers=headers)
    lines = [orjson.loads(line) for line in ftm.content.splitlines()]
    # BR-PF's two people and its call and payment; never ES-CNP's placeholder.
    assert sorted(e["schema"] for e in lines) == ["Call", "Payment", "Person", "Person"]
    assert store.id(ES, "p1") not in {e["id"] for e in lines}
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/api/v1/graph/export", params={**params, "format": "csv"}, headers=headers
                ).text
            )
        )
    )
    assert sorted(r["kind"] for r in rows) == ["Call", "Payment", "same_as"]
    assert [a[0] for a in audit_actions(store)] == ["graph.export"] * 5


def test_judicial_export_blocks_h1(client: TestClient, store: Store) -> None:
    # The association with the witness is H1 and shared with EUROPOL: ES-CNP may put it in a
    # judicial package, FR-PN sees it (marked) but may not without ES-CNP's permission.
    params = {"ids": store.id(ES, "p1"), "depth": 1, "format": "graphml", "judicial": "true"}
    own = client.get("/api/v1/graph/export", params=params, headers=auth(client, "luis.cnp"))
    assert own.status_code == 200
    third = auth(client, "jean.pn")
    refused = client.get("/api/v1/graph/export", params=params, headers=third)
    assert refused.status_code == 403
    assert store.id(ES, "assoc") in refused.json()["detail"]
    marked = client.get(
        "/api/v1/graph/export", params={**params, "judicial": "false"}, headers=third
    )
    assert marked.status_code == 200
    g = nx.read_graphml(io.BytesIO(marked.content))
    handling = {d["kind"]: d.get("handling_code") for _, _, d in g.edges(data=True)}
    assert handling["Associate"] == "H1" and handling["Call"] == "H0"
    assert [a[:2] for a in audit_actions(store)] == [
        ("graph.export", "ok"),
        ("graph.export", "denied"),
        ("graph.export", "ok"),
    ]


def test_svg_export_laid_out_here_marked_and_audited(client: TestClient, store: Store) -> None:
    svg_ns = "{http://www.w3.org/2000/svg}"
    params = {"ids": store.id(ES, "p1"), "depth": 3, "format": "svg"}
    response = client.get("/api/v1/graph/export", params=params, headers=auth(client, "jean.pn"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "vinculo-network.svg" in response.headers["content-disposition"]
    root = ET.fromstring(response.content)  # noqa: S314
    nodes = {
        g.get("data-id"): g.get("class")
        for g in root.iter(f"{svg_ns}g")
        if "node" in (g.get("class") or "").split()
    }
    assert nodes[store.id(ES, "p1")] == "node"
    assert nodes[store.id(ES, "p2")] == "node placeholder"
    assert nodes[store.id(BR, "p1")] == "node placeholder"
    for secret in (b"Marta", b"Testigo", b"Souza", b"Clan Sur"):
        assert secret not in response.content
    marking = next(g for g in root.iter(f"{svg_ns}g") if g.get("id") == "marking")
    lines = [t.text or "" for t in marking.iter(f"{svg_ns}text")]
    # jean.pn sees the H1 association with the witness: marked, the exporter and agency named.
    assert lines[0] == "Handling codes: H1, H0"
    assert any(line.startswith("H1 — not to be used in judicial") for line in lines)
    assert lines[-1].startswith("Exported by jean.pn (FR-PN) on ")
    refused = client.get(
        "/api/v1/graph/export",
        params={**params, "judicial": "true"},
        headers=auth(client, "jean.pn"),
    )
    assert refused.status_code == 403 and "H1" in refused.json()["detail"]
    # luis.cnp reads Spanish: the picture's words are his.
    spanish = client.get(
        "/api/v1/graph/export",
        params={"ids": store.id(ES, "p1"), "format": "svg"},
        headers=auth(client, "luis.cnp"),
    )
    assert b"Exportado por luis.cnp (ES-CNP)" in spanish.content
    assert [a[:2] for a in audit_actions(store)] == [
        ("graph.export", "ok"),
        ("graph.export", "denied"),
        ("graph.export", "ok"),
    ]
