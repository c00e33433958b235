"""Exports of a network: GraphML and GEXF (Gephi), i2 Analyst's Notebook ANX, FtM JSON lines
(OpenAleph), and CSV edge lists.

An export holds exactly what the network holds, which is what the policy let the user see:
placeholders stay placeholders (agency and schema, no content) and every node and link carries
its handling code, so that H1/H2/H3 material is marked wherever the file goes. A judicial export
(``judicial=True``) is refused when it would carry H1 material the owner has not released for
judicial use (``policy.may_use_judicially``). The faces audit every export.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import orjson

from vinculo.graph.network import Network
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo

FORMATS: dict[str, tuple[str, str]] = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "anx": ("application/xml", "anx"),
    "ftm": ("application/x-ndjson", "ftm.jsonl"),
    "csv": ("text/csv", "csv"),
}

_NODE_FIELDS = (
    ("label", "string"),
    ("schema", "string"),
    ("agency", "string"),
    ("country", "string"),
    ("markets", "string"),
    ("view", "string"),
    ("placeholder", "boolean"),
    ("handling_code", "string"),
    ("handling_text", "string"),
)
_EDGE_FIELDS = (
    ("kind", "string"),
    ("record", "string"),
    ("agency", "string"),
    ("hit", "string"),
    ("start", "string"),
    ("end", "string"),
    ("amount", "double"),
    ("handling_code", "string"),
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def judicial_blockers(net: Network, user: UserInfo) -> list[str]:
    """Records in the network the user may not put into a judicial package (H1 without the
    owner's permission)."""
    blocked: list[str] = []
    for record_id, (entity, ctx) in net.records.items():
        if record_id not in net.nodes and not any(
            e.record == record_id for e in net.edges.values()
        ):
            continue
        if policy.decide(user, entity, ctx).view is policy.View.HIT_ONLY:
            continue  # a placeholder carries no content
        if not policy.may_use_judicially(user, entity, ctx):
            blocked.append(record_id)
    return sorted(blocked)


def graphml(net: Network) -> bytes:
    ET.register_namespace("", "http://graphml.graphdrawing.org/xmlns")
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for name, kind in _NODE_FIELDS:
        ET.SubElement(
            root,
            "key",
            id=f"n_{name}",
            attrib={"for": "node", "attr.name": name, "attr.type": kind},
        )
    for name, kind in _EDGE_FIELDS:
        ET.SubElement(
            root,
            "key",
            id=f"e_{name}",
            attrib={"for": "edge", "attr.name": name, "attr.type": kind},
        )
    graph = ET.SubElement(root, "graph", id="vinculo", edgedefault="undirected")
    for node in net.nodes.values():
        element = ET.SubElement(graph, "node", id=node.id)
        data = node.as_dict()
        for name, _ in _NODE_FIELDS:
            value = data.get(name)
            if value not in (None, "", []):
                ET.SubElement(element, "data", key=f"n_{name}").text = _text(value)
    for edge in net.edges.values():
        element = ET.SubElement(graph, "edge", id=edge.id, source=edge.source, target=edge.target)
        data = edge.as_dict()
        for name, _ in _EDGE_FIELDS:
            value = data.get(name)
            if value not in (None, ""):
                ET.SubElement(element, "data", key=f"e_{name}").text = _text(value)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def gexf(net: Network) -> bytes:
    root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "vinculo"
    graph = ET.SubElement(root, "graph", defaultedgetype="undirected", mode="static")
    node_attrs = ET.SubElement(graph, "attributes", attrib={"class": "node"})
    for number, (name, kind) in enumerate(_NODE_FIELDS[1:]):
        ET.SubElement(node_attrs, "attribute", id=str(number), title=name, type=kind)
    edge_attrs = ET.SubElement(graph, "attributes", attrib={"class": "edge"})
    for number, (name, kind) in enumerate(_EDGE_FIELDS):
        ET.SubElement(edge_attrs, "attribute", id=str(number), title=name, type=kind)
    nodes = ET.SubElement(graph, "nodes")
    for node in net.nodes.values():
        element = ET.SubElement(nodes, "node", id=node.id, label=node.label)
        values = ET.SubElement(element, "attvalues")
        data = node.as_dict()
        for number, (name, _) in enumerate(_NODE_FIELDS[1:]):
            if data.get(name) not in (None, "", []):
                ET.SubElement(
                    values, "attvalue", attrib={"for": str(number), "value": _text(data[name])}
                )
    edges = ET.SubElement(graph, "edges")
    for edge in net.edges.values():
        element = ET.SubElement(
            edges, "edge", id=edge.id, source=edge.source, target=edge.target, label=edge.kind
        )
        values = ET.SubElement(element, "attvalues")
        data = edge.as_dict()
        for number, (name, _) in enumerate(_EDGE_FIELDS):
            if data.get(name) not in (None, ""):
                ET.SubElement(
                    values, "attvalue", attrib={"for": str(number), "value": _text(data[name])}
                )
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def anx(net: Network) -> bytes:
    """i2 Analyst's Notebook Exchange, written by ``anxwritter``."""
    from anxwritter import ANXChart  # type: ignore[import-untyped]

    chart = ANXChart()
    for node in net.nodes.values():
        attributes = {
            k: _text(v)
            for k, v in (
                ("agency", node.agency),
                ("country", node.country),
                ("view", node.view),
                ("handling", node.handling_code),
                ("handling_text", node.handling_text),
                ("markets", node.markets),
            )
            if v not in (None, "", [])
        }
        chart.add_icon(id=node.id, type=node.schema, label=node.label, attributes=attributes)
    for edge in net.edges.values():
        attributes = {
            k: _text(v)
            for k, v in (
                ("record", edge.record),
                ("agency", edge.agency),
                ("hit", edge.hit),
                ("handling", edge.handling_code),
                ("amount", edge.amount or None),
            )
            if v not in (None, "")
        }
        chart.add_link(
            from_id=edge.source,
            to_id=edge.target,
            type=edge.kind,
            label=edge.kind,
            arrow="ArrowOnHead" if edge.directed else None,
            date=edge.start,
            attributes=attributes,
        )
    return str(chart.to_xml()).encode("utf-8")


def ftm(net: Network, user: UserInfo) -> bytes:
    """FtM JSON lines of the records the user sees (nodes and the link records behind edges),
    each with only the properties the policy shows; placeholders and identifiers carry no
    content and are left out."""
    lines: list[bytes] = []
    for record_id, (entity, ctx) in net.records.items():
        if record_id not in net.nodes and not any(
            e.record == record_id for e in net.edges.values()
        ):
            continue
        shown = policy.present(user, entity, ctx)
        if shown.view in (policy.View.NONE, policy.View.HIT_ONLY):
            continue
        data = shown.data
        lines.append(
            orjson.dumps(
                {
                    "id": data["id"],
                    "schema": data["schema"],
                    "properties": data.get("properties") or {},
                    "vinculo": {
                        "agency": data["agency"],
                        "handling_code": data.get("handling_code"),
                        "handling_text": data.get("handling_text"),
                        "source_evaluation": data.get("source_evaluation"),
                        "view": data["view"],
                    },
                }
            )
        )
    return b"\n".join(lines) + (b"\n" if lines else b"")


def edges_csv(net: Network) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "target", *(name for name, _ in _EDGE_FIELDS)])
    for edge in net.edges.values():
        data = edge.as_dict()
        writer.writerow(
            [edge.source, edge.target, *(_text(data.get(name)) for name, _ in _EDGE_FIELDS)]
        )
    return out.getvalue().encode("utf-8")


def export(net: Network, fmt: str, user: UserInfo, judicial: bool = False) -> bytes:
    """The network in ``fmt``; PermissionError when a judicial export would carry H1 material
    not released for judicial use."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if judicial:
        blocked = judicial_blockers(net, user)
        if blocked:
            raise PermissionError(
                f"{len(blocked)} record(s) are H1 and not released for judicial use: "
                + ", ".join(blocked[:10])
            )
    writers: dict[str, Callable[[], bytes]] = {
        "graphml": lambda: graphml(net),
        "gexf": lambda: gexf(net),
        "anx": lambda: anx(net),
        "ftm": lambda: ftm(net, user),
        "csv": lambda: edges_csv(net),
    }
    return writers[fmt]()
