"""The SVG picture of a chart: what the network holds and nothing more, marked with the handling
codes, escaped, and refused for a judicial package exactly like the other formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # the server's own export, not untrusted input
from pathlib import Path

import pytest

from tests.graph.conftest import EUROPOL, Store, _import, _line
from vinculo.graph import exports, service
from vinculo.graph.network import Network
from vinculo.graph.store import forget_store_graphs

ES, BR, FR = "ES-CNP", "BR-PF", "FR-PN"
SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(\"x\")</script> & 'Tom' <b>"


def network(store: Store, username: str, ids: list[str], depth: int) -> Network:
    with store.engine.connect() as conn:
        return service.network(
            conn, store.user(username), service.make_request(ids=ids, depth=depth)
        )


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314


def nodes_of(root: ET.Element) -> dict[str, ET.Element]:
    return {
        g.get("data-id", ""): g
        for g in root.iter(f"{SVG}g")
        if "node" in (g.get("class") or "").split()
    }


def links_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "link" in (g.get("class") or "").split()]


def label_of(node: ET.Element) -> str:
    return next(t.text or "" for t in node.iter(f"{SVG}text") if t.get("class") == "label")


def marking_lines(root: ET.Element) -> list[str]:
    mark = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "marking")
    return [t.text or "" for t in mark.iter(f"{SVG}text")]


def test_svg_holds_the_nodes_links_and_marking(store: Store) -> None:
    carlos_br = store.id(BR, "p1")
    net = network(store, "ana.pf", [carlos_br], 2)
    user = store.user("ana.pf")
    body = exports.export(net, "svg", user, picture=exports.Picture(date="2026-11-29"))
    root = parse(body)
    assert root.tag == f"{SVG}svg"
    nodes = nodes_of(root)
    # BR-PF's two people and, through the confirmed hit, ES-CNP's Carlos as a placeholder.
    assert set(nodes) == {carlos_br, store.id(BR, "p2"), store.id(ES, "p1")}
    assert label_of(nodes[store.id(BR, "p2")]) == "João Lima"
    assert label_of(nodes[store.id(ES, "p1")]) == "[ES-CNP] Person"
    assert nodes[store.id(ES, "p1")].get("class") == "node placeholder"
    # The call and the payment join the same two people: one line, two links; the hit another.
    links = links_of(root)
    assert sorted(int(g.get("data-links", "0")) for g in links) == [1, 2]
    assert sorted(g.get("data-kinds") for g in links) == ["Call Payment", "same_as"]
    widths = {
        g.get("data-kinds"): float(next(g.iter(f"{SVG}line")).get("stroke-width", "0"))
        for g in links
    }
    assert widths["Call Payment"] > widths["same_as"]
    # Every node of BR-PF's import is H0 (nothing else is in this network).
    lines = marking_lines(root)
    assert lines[0] == "Handling codes: H0"
    assert lines[-1] == "Exported by ana.pf (BR-PF) on 2026-11-29"
    # The banner comes first in the file: above everything, drawn first.
    assert [c.tag for c in root][:3] == [f"{SVG}title", f"{SVG}rect", f"{SVG}g"]
    assert root[2].get("id") == "marking"


def test_svg_marks_h1_and_h3_most_restrictive_first(store: Store, tmp_path: Path) -> None:
    _import(
        store.engine,
        tmp_path,
        ES,
        [
            _line(
                "p9",
                "Person",
                {"name": ["Informante Uno"]},
                handling_code="H3",
                handling_text="Do not contact before the hearing",
                **EUROPOL,
            ),
            _line("assoc9", "Associate", {"person": ["p1"], "associate": ["p9"]}, **EUROPOL),
        ],
    )
    forget_store_graphs()
    net = network(store, "luis.cnp", [store.id(ES, "p1")], 1)
    root = parse(exports.export(net, "svg", store.user("luis.cnp")))
    mark = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "marking")
    # H3 (the informant), H1 (the association with the witness), H0 (the rest).
    assert mark.get("data-codes") == "H3 H1 H0"
    lines = marking_lines(root)
    assert lines[0] == "Handling codes: H3, H1, H0"
    text = " ".join(lines)
    assert text.index("H3 —") < text.index("H3: Do not contact") < text.index("H1 —")
    assert "H2 —" not in text
    assert "Exported by luis.cnp (ES-CNP) on" in lines[-1]
    # The H1 link is marked where it is drawn too.
    assoc = [g for g in links_of(root) if g.get("data-kinds") == "Associate"]
    assert {g.get("data-handling") for g in assoc} == {"H1", "H0"}
    informant = nodes_of(root)[store.id(ES, "p9")]
    badge = [t.text for t in informant.iter(f"{SVG}text") if t.get("class") == "handling"]
    assert badge == ["H3"]


def test_third_agency_sees_only_placeholders_of_hidden_records(store: Store) -> None:
    net = network(store, "jean.pn", [store.id(ES, "p1")], 3)
    body = exports.export(net, "svg", store.user("jean.pn"))
    root = parse(body)
    nodes = nodes_of(root)
    for hidden in (store.id(ES, "p2"), store.id(ES, "p3"), store.id(BR, "p1")):
        assert "placeholder" in (nodes[hidden].get("class") or "")
        assert nodes[hidden].get("data-view") == "hit_only"
        assert label_of(nodes[hidden]).startswith("[")
    assert label_of(nodes[store.id(ES, "p1")]) == "Carlos Ruiz"
    for secret in (b"Marta", b"Testigo", b"Souza", b"Clan Sur", b"Lima"):
        assert secret not in body
    assert len(nodes) == len(net.nodes)


def test_judicial_svg_refused_with_h1_like_the_other_formats(store: Store) -> None:
    net = network(store, "jean.pn", [store.id(ES, "p1")], 1)
    with pytest.raises(PermissionError) as refused:
        exports.export(net, "svg", store.user("jean.pn"), judicial=True)
    assert store.id(ES, "assoc") in str(refused.value)
    own = network(store, "luis.cnp", [store.id(ES, "p1")], 1)
    assert exports.export(own, "svg", store.user("luis.cnp"), judicial=True).startswith(b"<?xml")


def test_names_that_look_like_markup_are_escaped(store: Store, tmp_path: Path) -> None:
    _import(store.engine, tmp_path, BR, [_line("p7", "Person", {"name": [NASTY + "\x01"]})])
    forget_store_graphs()
    nasty = store.id(BR, "p7")
    net = network(store, "ana.pf", [nasty, store.id(BR, "p1")], 0)
    body = exports.export(net, "svg", store.user("ana.pf"))
    assert b"<script>" not in body and b"<b>" not in body
    assert b"&lt;script&gt;" in body and b"&amp; 'Tom'" in body
    root = parse(body)  # still well-formed XML, with the control character gone
    assert label_of(nodes_of(root)[nasty]) == NASTY
    assert not any(e.tag.endswith("script") for e in root.iter())


def test_positions_and_colours_from_the_page_are_used(store: Store) -> None:
    ids = [store.id(BR, "p1"), store.id(BR, "p2")]
    net = network(store, "ana.pf", ids, 0)
    picture = exports.Picture(
        positions={ids[0]: (0.0, 0.0), ids[1]: (300.0, 0.0)},
        colours={ids[0]: "#123456", ids[1]: "javascript:alert(1)"},
        legend={"#123456": "Community 1", "#abcdef": "unused"},
    )
    root = parse(exports.export(net, "svg", store.user("ana.pf"), picture=picture))
    nodes = nodes_of(root)
    first = next(e for e in nodes[ids[0]] if e.tag == f"{SVG}circle")
    second = next(e for e in nodes[ids[1]] if e.tag == f"{SVG}circle")
    assert first.get("fill") == "#123456"
    assert second.get("fill") != "javascript:alert(1)" and second.get("fill", "").startswith("#")
    assert float(second.get("cx", "0")) - float(first.get("cx", "0")) == pytest.approx(300.0)
    assert first.get("cy") == second.get("cy")
    legend = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    # Not every node's colour came from the page, so the legend is by agency.
    assert "Community 1" not in legend and "BR-PF" in legend


def test_layout_on_the_server_when_no_positions_are_given(store: Store) -> None:
    net = network(store, "luis.cnp", [store.id(ES, "p1")], 2)
    root = parse(exports.export(net, "svg", store.user("luis.cnp")))
    places = set()
    for node in nodes_of(root).values():
        text = next(t for t in node.iter(f"{SVG}text") if t.get("class") == "label")
        places.add((text.get("x"), text.get("y")))
    assert len(places) == len(net.nodes)  # no two nodes drawn on one spot
