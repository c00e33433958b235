"""The link chart page and its JSON routes: through the policy, CSRF-checked, audited."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.graph.conftest import Store, populate
from tests.web.conftest import audit_entries, csrf_of, login
from vinculo.api import create_app
from vinculo.graph.store import forget_store_graphs

ES, BR = "ES-CNP", "BR-PF"


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Iterator[Store]:
    yield populate(engine, tmp_path)
    forget_store_graphs()


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store.engine)) as test_client:
        yield test_client


def page_csrf(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def test_login_required_and_roles(client: TestClient, store: Store) -> None:
    response = client.get("/chart?ids=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fchart")
    assert client.get("/chart/network.json?ids=x", follow_redirects=False).status_code == 303
    login(client, "admin.pn")
    assert client.get("/chart").status_code == 403
    assert client.get(f"/chart/network.json?ids={store.id('FR-PN', 'p1')}").status_code == 403
    assert [e.outcome for e in audit_entries(store.engine, "chart.view")] == ["denied"]


def test_page_carries_the_chart_and_no_inline_code(client: TestClient, store: Store) -> None:
    login(client, "luis.cnp")
    carlos = store.id(ES, "p1")
    response = client.get(f"/chart?ids={carlos}&depth=2&kind=Call&kind=bogus")
    assert response.status_code == 200
    html = response.text
    assert f'data-ids="{carlos}"' in html and 'data-depth="2"' in html
    assert 'data-kind="Call"' in html  # an unknown kind is dropped
    assert "/static/vendor/cytoscape.min.js" in html and "/static/js/chart.js" in html
    assert "Gráfico de vínculos" in html  # luis.cnp reads Spanish
    # Criminal markets by their names in the reader's language, in the filter and for the
    # script's side panel; the codes only as values.
    assert '<option value="human_trafficking">Trata de seres humanos</option>' in html
    texts = re.search(r"data-markets='([^']*)'", html)
    assert texts is not None
    assert json.loads(unescape(texts.group(1)))["human_trafficking"] == "Trata de seres humanos"
    # Kinds of entity likewise.
    assert 'value="Organization">Organización</label>' in html
    schemata = re.search(r"data-schemata='([^']*)'", html)
    assert schemata is not None
    assert json.loads(unescape(schemata.group(1)))["Person"] == "Persona"
    assert json.loads(unescape(schemata.group(1)))["Identifier"] == "Identificador compartido"
    assert not re.search(r"<script>(?!</script>)|\sstyle=|\son[a-z]+=", html)
    empty = client.get("/chart")
    assert "chart.js" not in empty.text and 'class="empty"' in empty.text
    bad = client.get(f"/chart?ids={carlos}&start=yesterday")
    assert 'role="alert"' in bad.text and "start" in bad.text


def test_third_agency_sees_placeholders(client: TestClient, store: Store) -> None:
    login(client, "jean.pn")
    response = client.get(f"/chart/network.json?ids={store.id(ES, 'p1')}&depth=3")
    assert response.status_code == 200
    nodes = {n["id"]: n for n in response.json()["nodes"]}
    assert nodes[store.id(ES, "p1")]["label"] == "Carlos Ruiz"
    for hidden in (store.id(ES, "p2"), store.id(ES, "p3"), store.id(BR, "p1")):
        assert nodes[hidden]["placeholder"] is True
        assert nodes[hidden]["caption"] is None
    for secret in ("Marta", "Testigo", "Souza", "Clan Sur"):
        assert secret not in response.text
    entry = audit_entries(store.engine, "graph.network")[-1]
    assert entry.username == "jean.pn" and entry.details["channel"] == "web"
    assert entry.details["views"] == {"full": 1, "hit_only": 3, "identifier": 1}


def test_positions_computed_on_the_server(client: TestClient, store: Store) -> None:
    login(client, "luis.cnp")
    body = client.get(f"/chart/network.json?ids={store.id(ES, 'p1')}&depth=2&layout=true").json()
    positions = body["positions"]
    assert set(positions) == {n["id"] for n in body["nodes"]}
    assert all(len(p) == 2 for p in positions.values())
    assert len({tuple(p) for p in positions.values()}) == len(positions)  # no two on one spot


def test_unknown_id_is_a_404(client: TestClient, store: Store) -> None:
    login(client, "ana.pf")
    assert client.get("/chart/network.json?ids=nope").status_code == 404


def test_analysis_and_path_need_the_csrf_token(client: TestClient, store: Store) -> None:
    login(client, "luis.cnp")
    token = page_csrf(client, f"/chart?ids={store.id(ES, 'p1')}")
    ids = [store.id(ES, k) for k in ("p1", "p2", "p3", "org")]
    body = {"ids": ids, "analysis": "metrics"}
    assert client.post("/chart/analysis.json", json=body).status_code == 403
    metrics = client.post("/chart/analysis.json", json=body, headers={"X-CSRF-Token": token})
    assert metrics.status_code == 200
    values = metrics.json()["nodes"]
    # Among these four only (the chart as it stands): Carlos-Marta (call), Carlos-witness,
    # Carlos-org, Marta-org.
    assert set(values) == set(ids)
    assert values[store.id(ES, "p1")]["degree"] == 3
    assert values[store.id(ES, "p3")]["degree"] == 1
    communities = client.post(
        "/chart/analysis.json",
        json={**body, "analysis": "communities"},
        headers={"X-CSRF-Token": token},
    )
    assert set(communities.json()["membership"]) == set(ids)
    bogus = client.post(
        "/chart/analysis.json", json={**body, "analysis": "drop"}, headers={"X-CSRF-Token": token}
    )
    assert bogus.status_code == 422
    path = client.post(
        "/chart/path.json",
        json={"ids": [], "source": store.id(ES, "p2"), "target": store.id(BR, "p1")},
        headers={"X-CSRF-Token": token},
    )
    assert path.status_code == 200
    found = path.json()
    assert found["paths"][0]["nodes"] == [
        store.id(ES, "p2"),
        store.id(ES, "p1"),
        store.id(BR, "p1"),
    ]
    assert {n["id"]: n["view"] for n in found["nodes"]}[store.id(BR, "p1")] == "hit_only"
    same = client.post(
        "/chart/path.json",
        json={"ids": [], "source": "a", "target": "a"},
        headers={"X-CSRF-Token": token},
    )
    assert same.status_code == 422


def test_export_graphml_and_anx(client: TestClient, store: Store) -> None:
    login(client, "ana.pf")
    token = page_csrf(client, f"/chart?ids={store.id(BR, 'p1')}")
    ids = ",".join(store.id(*k) for k in ((BR, "p1"), (BR, "p2"), (ES, "p1")))
    refused = client.post("/chart/export", data={"ids": ids, "format": "graphml"})
    assert refused.status_code == 403
    graphml = client.post(
        "/chart/export", data={"ids": ids, "format": "graphml", "csrf_token": token}
    )
    assert graphml.status_code == 200
    assert "attachment" in graphml.headers["content-disposition"]
    g = nx.read_graphml(io.BytesIO(graphml.content))
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 3
    assert g.nodes[store.id(ES, "p1")]["view"] == "hit_only"
    anx = client.post("/chart/export", data={"ids": ids, "format": "anx", "csrf_token": token})
    root = ET.fromstring(anx.content)  # noqa: S314 - the server's own export
    assert {e.get("Identity") for e in root.iter("Entity")} == set(g.nodes)
    entries = audit_entries(store.engine, "graph.export")
    assert [(e.outcome, e.details.get("format")) for e in entries] == [
        ("ok", "graphml"),
        ("ok", "anx"),
    ]
    refusal = audit_entries(store.engine, "auth.csrf")
    assert [(e.outcome, e.details["path"]) for e in refusal] == [("denied", "/chart/export")]


def test_workspaces_are_shared_within_the_agency(client: TestClient, store: Store) -> None:
    import json

    login(client, "luis.cnp")
    token = page_csrf(client, "/chart")
    ids = [store.id(ES, "p1"), store.id(BR, "p1")]
    state = {
        "ids": ids,
        "pinned": {ids[0]: [10, 20], "elsewhere": [1, 2]},
        "notes": {ids[1]: "ask BR-PF about the payments", ids[0]: "  "},
    }
    data = {"name": "Operación Sur", "state": json.dumps(state)}
    assert client.post("/chart/workspaces", data=data).status_code == 403  # no CSRF token
    saved = client.post(
        "/chart/workspaces", data={**data, "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.startswith("/chart?workspace=")
    bad = client.post(
        "/chart/workspaces", data={"name": "x", "state": '{"ids": []}', "csrf_token": token}
    )
    assert bad.status_code == 422
    # A colleague of the same agency opens it: the ids, the pin and the note are there, and the
    # records come through the policy for her.
    client.cookies.clear()
    login(client, "eva.cnp")
    listing = client.get("/chart").text
    assert "Operación Sur" in listing and location in listing
    page = client.get(location)
    assert page.status_code == 200
    assert 'data-closed="true"' in page.text
    assert "ask BR-PF about the payments" in page.text  # in data-workspace, escaped
    assert "elsewhere" not in page.text
    token = csrf_of(page.text)
    net = client.post(
        "/chart/analysis.json",
        json={"ids": ids, "analysis": "network"},
        headers={"X-CSRF-Token": token},
    ).json()
    assert {n["id"]: n["view"] for n in net["nodes"]} == {ids[0]: "full", ids[1]: "hit_only"}
    assert [e["kind"] for e in net["edges"]] == ["same_as"]
    # Another agency's user may not know of it.
    client.cookies.clear()
    login(client, "jean.pn")
    assert "Operación Sur" not in client.get("/chart").text
    assert client.get(location).status_code == 404
    other = page_csrf(client, "/chart")
    number = location.rsplit("=", 1)[1]
    assert (
        client.post(f"/chart/workspaces/{number}/delete", data={"csrf_token": other}).status_code
        == 404
    )
    client.cookies.clear()
    login(client, "luis.cnp")
    mine = page_csrf(client, "/chart")
    gone = client.post(
        f"/chart/workspaces/{number}/delete", data={"csrf_token": mine}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert client.get(location).status_code == 404
    actions = [(e.action, e.outcome) for e in audit_entries(store.engine, "graph.workspace.save")]
    assert actions == [("graph.workspace.save", "ok"), ("graph.workspace.save", "failed")]


SVG = "{http://www.w3.org/2000/svg}"


def test_svg_export_drawn_as_the_page_shows_it(client: TestClient, store: Store) -> None:
    import json

    login(client, "luis.cnp")
    token = page_csrf(client, f"/chart?ids={store.id(ES, 'p1')}")
    carlos, marta = store.id(ES, "p1"), store.id(ES, "p2")
    layout = {
        "positions": {carlos: [0, 0], marta: [400, 100]},
        "colours": {carlos: "#8e24aa", marta: "#2e7d32"},
        "legend": {"#8e24aa": "Comunidad 0", "#2e7d32": "Comunidad 1"},
    }
    data = {"ids": f"{carlos},{marta}", "format": "svg", "layout": json.dumps(layout)}
    assert client.post("/chart/export", data=data).status_code == 403  # no CSRF token
    response = client.post("/chart/export", data={**data, "csrf_token": token})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert 'filename="vinculo-chart.svg"' in response.headers["content-disposition"]
    root = ET.fromstring(response.content)  # noqa: S314 - the server's own export
    nodes = {
        g.get("data-id"): g
        for g in root.iter(f"{SVG}g")
        if "node" in (g.get("class") or "").split()
    }
    assert set(nodes) == {carlos, marta}
    circles = {k: next(e for e in g if e.tag == f"{SVG}circle") for k, g in nodes.items()}
    assert circles[carlos].get("fill") == "#8e24aa" and circles[marta].get("fill") == "#2e7d32"
    dx = float(circles[marta].get("cx", "0")) - float(circles[carlos].get("cx", "0"))
    dy = float(circles[marta].get("cy", "0")) - float(circles[carlos].get("cy", "0"))
    assert (dx, dy) == (400.0, 100.0)
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert "Comunidad 0" in words and "Comunidad 1" in words  # the page's legend
    marking = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "marking")
    lines = [t.text or "" for t in marking.iter(f"{SVG}text")]
    # luis.cnp reads Spanish; the call between the two is H0, both people H0.
    assert lines[0] == "Códigos de tratamiento: H0"
    assert lines[-1].startswith("Exportado por luis.cnp (ES-CNP) el ")
    bad = client.post(
        "/chart/export",
        data={**data, "layout": '{"positions": {"x": "north"}}', "csrf_token": token},
    )
    assert bad.status_code == 422
    entries = audit_entries(store.engine, "graph.export")
    assert [(e.outcome, e.details.get("format")) for e in entries] == [
        ("ok", "svg"),
        ("failed", None),
    ]


def test_judicial_svg_from_the_page_is_refused_with_h1(client: TestClient, store: Store) -> None:
    login(client, "jean.pn")
    token = page_csrf(client, f"/chart?ids={store.id(ES, 'p1')}")
    ids = f"{store.id(ES, 'p1')},{store.id(ES, 'p3')}"
    refused = client.post(
        "/chart/export",
        data={"ids": ids, "format": "svg", "judicial": "true", "csrf_token": token},
    )
    assert refused.status_code == 403
    marked = client.post("/chart/export", data={"ids": ids, "format": "svg", "csrf_token": token})
    assert marked.status_code == 200
    assert b"H1 \xe2\x80\x94 not to be used in judicial proceedings" in marked.content
    assert [
        (e.outcome, e.details.get("format")) for e in audit_entries(store.engine, "graph.export")
    ] == [
        ("denied", "svg"),
        ("ok", "svg"),
    ]


def test_png_export_is_audited_and_marked(client: TestClient, store: Store) -> None:
    ids = [store.id(ES, "p1"), store.id(ES, "p3")]
    # Not logged in: sent to the login page, nothing exported.
    anonymous = client.post("/chart/export/image", json={"ids": ids}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    assert audit_entries(store.engine, "graph.export") == []
    login(client, "jean.pn")
    token = page_csrf(client, f"/chart?ids={ids[0]}")
    assert client.post("/chart/export/image", json={"ids": ids}).status_code == 403  # no CSRF
    headers = {"X-CSRF-Token": token}
    judicial = client.post(
        "/chart/export/image", json={"ids": ids, "judicial": True}, headers=headers
    )
    assert judicial.status_code == 403
    ok = client.post("/chart/export/image", json={"ids": ids}, headers=headers)
    assert ok.status_code == 200
    body = ok.json()
    # The association with the witness is H1, shared with EUROPOL; the witness is hit-only.
    assert body["codes"] == ["H1", "H0"] and body["strict"] is True
    assert body["marking"][0] == "Handling codes: H1, H0"
    assert body["marking"][1].startswith("H1 — not to be used in judicial proceedings")
    assert body["marking"][-1].startswith("Exported by jean.pn (FR-PN) on ")
    # An id the viewer may not know of drops out of a chart, as in every closed selection.
    unknown = client.post("/chart/export/image", json={"ids": ["nope"]}, headers=headers)
    assert unknown.status_code == 200 and unknown.json()["codes"] == []
    entries = audit_entries(store.engine, "graph.export")
    assert [(e.outcome, e.details.get("format"), e.username) for e in entries] == [
        ("denied", "png", "jean.pn"),
        ("ok", "png", "jean.pn"),
        ("ok", "png", "jean.pn"),
    ]
    assert store.id(ES, "assoc") in entries[0].details["reason"]
    assert entries[1].details["nodes"] == 2 and entries[1].details["views"] == {
        "full": 1,
        "hit_only": 1,
    }
    client.cookies.clear()
    login(client, "admin.pn")  # a role without records
    admin_token = page_csrf(client, "/agencies")
    refused = client.post(
        "/chart/export/image", json={"ids": ids}, headers={"X-CSRF-Token": admin_token}
    )
    assert refused.status_code == 403


def test_grouped_layout_keeps_communities_apart(client: TestClient, store: Store) -> None:
    login(client, "luis.cnp")
    token = page_csrf(client, f"/chart?ids={store.id(ES, 'p1')}")
    net = client.get(f"/chart/network.json?ids={store.id(ES, 'p1')}&depth=2").json()
    ids = [n["id"] for n in net["nodes"]]
    half = len(ids) // 2
    groups = {i: (0 if n < half else 1) for n, i in enumerate(ids)}
    response = client.post(
        "/chart/analysis.json",
        json={"ids": ids, "analysis": "layout", "groups": groups},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    positions = response.json()["positions"]
    assert set(positions) == set(ids)

    def box(group: int) -> tuple[float, float, float, float]:
        points = [positions[i] for i, g in groups.items() if g == group]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    a, b = box(0), box(1)
    apart = a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]
    assert apart, (a, b)
