"""Exports of a network: GraphML and GEXF (Gephi), i2 Analyst's Notebook ANX, FtM JSON lines
(OpenAleph), CSV edge lists, and an SVG picture of the chart with its marking.

An export holds exactly what the network holds, which is what the policy let the user see:
placeholders stay placeholders (agency and schema, no content) and every node and link carries
its handling code, so that H1/H2/H3 material is marked wherever the file goes. A judicial export
(``judicial=True``) is refused when it would carry H1 material the owner has not released for
judicial use (``policy.may_use_judicially``). The faces audit every export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    "svg": ("image/svg+xml", "svg"),
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
    behind_edges = {e.record for e in net.edges.values()}
    for record_id, (entity, ctx) in net.records.items():
        if record_id not in net.nodes and record_id not in behind_edges:
            continue
        if policy.decide(user, entity, ctx).view is policy.View.HIT_ONLY:
            continue  # a placeholder carries no content
        if not policy.may_use_judicially(user, entity, ctx):
            blocked.append(record_id)
    return sorted(blocked)


def check_judicial(net: Network, user: UserInfo) -> None:
    """PermissionError naming the records when the network may not go into a judicial package."""
    blocked = judicial_blockers(net, user)
    if blocked:
        raise PermissionError(
            f"{len(blocked)} record(s) are H1 and not released for judicial use: "
            + ", ".join(blocked[:10])
        )


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
    behind_edges = {e.record for e in net.edges.values()}
    for record_id, (entity, ctx) in net.records.items():
        if record_id not in net.nodes and record_id not in behind_edges:
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


#: Handling codes, the most restrictive first (the order of the marking banner).
HANDLING_ORDER = ("H3", "H2", "H1", "H0")
#: The chart page's palette (static/js/chart.js), so that a picture made here looks like the page.
PALETTE = (
    "#0b5394",
    "#b35c00",
    "#2e7d32",
    "#8e24aa",
    "#c62828",
    "#00838f",
    "#6d4c41",
    "#ad1457",
    "#37474f",
    "#9e9d24",
    "#283593",
    "#ef6c00",
)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters XML 1.0 cannot carry at all: ElementTree escapes markup but writes these as they are,
# which would make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHAPES = {
    "Person": "circle",
    "Organization": "square",
    "Company": "square",
    "LegalEntity": "square",
    "PublicBody": "square",
    "Vehicle": "triangle",
    "Vessel": "triangle",
    "Airplane": "triangle",
    "BankAccount": "hexagon",
    "CryptoWallet": "hexagon",
}
NODE_SIZE = 22.0
MARGIN = 40.0
#: The widest drawing, in pixels: a bigger chart is scaled down to fit.
MAX_SIDE = 4000.0
MAX_LABEL = 48
#: Above this many lines, links are drawn without their kinds written on them (the title keeps
#: them): thousands of labels on one picture cover it.
MAX_LINK_LABELS = 400


@dataclass(frozen=True, slots=True)
class PictureTexts:
    """The words of a picture, in the reader's language (the web page passes its translations;
    English otherwise)."""

    title: str = "Link chart"
    codes: str = "Handling codes: %(codes)s"
    code_words: Mapping[str, str] = field(
        default_factory=lambda: {
            "H0": "H0 — free for use in preventing and combating crime.",
            "H1": "H1 — not to be used in judicial proceedings without the owner's permission.",
            "H2": "H2 — not to be passed on beyond your agency without the owner's permission.",
            "H3": "H3 — other restrictions set by the owner: see the handling conditions.",
        }
    )
    exported: str = "Exported by %(user)s (%(agency)s) on %(date)s"
    legend: str = "Legend"
    placeholder: str = "Placeholder: hit only, the content is held by the owner agency"
    identifier: str = "Shared identifier"
    same_as: str = "Confirmed hit (same person)"
    links: str = "Link (thicker: more links between the two)"
    #: Edge families (``Call``, ``same_as``...) in words.
    kinds: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Picture:
    """How to draw: positions and colours as the page shows them (laid out here when absent),
    the legend of those colours, the words, and the date of the export."""

    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    colours: Mapping[str, str] = field(default_factory=dict)
    #: colour -> what it stands for (an agency, a community...), as the page's colour choice.
    legend: Mapping[str, str] = field(default_factory=dict)
    texts: PictureTexts = field(default_factory=PictureTexts)
    #: The date as the reader writes it; ISO when not given.
    date: str | None = None


def clean_text(value: str, limit: int | None = None) -> str:
    """Text for an XML file: characters XML cannot hold removed, cut at ``limit``. Markup needs
    no care here: ElementTree escapes ``<``, ``&`` and quotes."""
    text = _NOT_XML.sub("", value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def handling_codes(net: Network) -> list[str]:
    """The handling codes of the nodes and links in the network, the most restrictive first."""
    present = {n.handling_code for n in net.nodes.values() if n.handling_code}
    present |= {e.handling_code for e in net.edges.values() if e.handling_code}
    return [code for code in HANDLING_ORDER if code in present]


def h3_texts(net: Network) -> list[str]:
    """The owners' own restrictions (H3) on what the network shows, each once."""
    found: list[str] = []
    for node in net.nodes.values():
        if node.handling_code == "H3" and node.handling_text:
            found.append(node.handling_text)
    for edge in net.edges.values():
        if edge.handling_code == "H3" and edge.record and edge.record in net.records:
            text = net.records[edge.record][0].meta.handling_text
            if text:
                found.append(text)
    return list(dict.fromkeys(t.strip() for t in found if t.strip()))


def marking(
    net: Network, user: UserInfo, texts: PictureTexts | None = None, date: str | None = None
) -> list[str]:
    """The lines that mark a picture of the network: the handling codes present (most
    restrictive first, each in words, H3 with the owners' texts), then who exported it, for
    which agency, and when."""
    texts = texts or PictureTexts()
    codes = handling_codes(net)
    lines = [texts.codes % {"codes": ", ".join(codes) or "—"}]
    for code in codes:
        if code == "H0":
            continue
        lines.append(texts.code_words.get(code, code))
        if code == "H3":
            lines.extend(f"H3: {text}" for text in h3_texts(net))
    lines.append(
        texts.exported
        % {
            "user": user.username,
            "agency": user.agency,
            "date": date or dt.datetime.now(dt.UTC).date().isoformat(),
        }
    )
    return [clean_text(line, 400) for line in lines]


def _wrap(line: str, width: int) -> list[str]:
    words = line.split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return out


def _shape(parent: ET.Element, shape: str, x: float, y: float, r: float) -> ET.Element:
    def points(corners: list[tuple[float, float]]) -> str:
        return " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in corners)

    if shape == "circle":
        return ET.SubElement(parent, "circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=f"{r:.1f}")
    if shape in ("square", "placeholder"):
        return ET.SubElement(
            parent,
            "rect",
            x=f"{x - r:.1f}",
            y=f"{y - r:.1f}",
            width=f"{2 * r:.1f}",
            height=f"{2 * r:.1f}",
            rx=f"{r * (0.45 if shape == 'placeholder' else 0.1):.1f}",
        )
    if shape == "diamond":
        corners = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)]
    elif shape == "triangle":
        corners = [(0.0, -1.1), (1.0, 0.75), (-1.0, 0.75)]
    elif shape == "hexagon":
        corners = [(math.cos(a), math.sin(a)) for a in (i * math.pi / 3 for i in range(6))]
    else:  # everything else: a pentagon
        corners = [(math.sin(a), -math.cos(a)) for a in (i * 2 * math.pi / 5 for i in range(5))]
    return ET.SubElement(parent, "polygon", points=points(corners))


def _node_shape(schema: str, view: str) -> str:
    if view == "identifier":
        return "diamond"
    if view == "hit_only":
        return "placeholder"
    return _SHAPES.get(schema, "pentagon")


def svg(net: Network, user: UserInfo, picture: Picture | None = None) -> bytes:
    """The chart as an SVG picture: nodes (shape by kind of entity, colour as the page shows it
    or by agency, placeholders dashed and pale), links (one line per pair of nodes, thicker
    with more links, labelled with their kinds), a legend, and at the top a marking banner with
    the handling codes present, the exporting user's agency and the date."""
    from vinculo.graph.analysis import layout_positions

    picture = picture or Picture()
    texts = picture.texts
    positions: dict[str, tuple[float, float]] = {
        k: (float(v[0]), float(v[1]))
        for k, v in picture.positions.items()
        if k in net.nodes and all(math.isfinite(c) for c in v)
    }
    if len(positions) < len(net.nodes):
        # Laid out here: the API and the CLI, or a page that did not say where everything is.
        positions = {k: (v[0], v[1]) for k, v in layout_positions(net).items()}
    colours: dict[str, str] = {}
    legend: dict[str, str] = {}
    agencies = sorted({n.agency or "" for n in net.nodes.values() if n.view != "identifier"})
    by_agency = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(agencies)}
    given = {k: v for k, v in picture.colours.items() if _COLOUR.match(v)}
    for node in net.nodes.values():
        colours[node.id] = given.get(node.id) or by_agency.get(node.agency or "", "#8a93a0")
    if given and len(given) >= len(net.nodes):
        legend = {
            c: clean_text(str(w), 60)
            for c, w in picture.legend.items()
            if _COLOUR.match(c) and c in colours.values()
        }
    else:
        legend = {by_agency[a]: a for a in agencies if a and by_agency[a] in colours.values()}

    # Scale the drawing into at most MAX_SIDE pixels a side, and leave room for labels.
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    scale = min(1.0, MAX_SIDE / span)
    if span * scale < 200:
        scale = 200 / span if span > 1 else 1.0
    draw_w = (max(xs) - min(xs)) * scale + 2 * MARGIN + 120
    draw_h = (max(ys) - min(ys)) * scale + 2 * MARGIN + 20
    width = max(draw_w, 720.0)
    wrap_at = max(40, int((width - 24) / 7.2))
    banner = [
        part for line in marking(net, user, texts, picture.date) for part in _wrap(line, wrap_at)
    ]
    banner_h = 16 + 18 * len(banner)
    kinds_used = sorted({_node_shape(n.schema, n.view) for n in net.nodes.values()})
    legend_rows = 2 + len(legend) + len(kinds_used) + 2
    legend_h = 18 * legend_rows + 16
    height = banner_h + draw_h + legend_h

    left, top_y = min(xs), min(ys)

    def at(node_id: str) -> tuple[float, float]:
        x, y = positions[node_id]
        return (
            (x - left) * scale + MARGIN + 60,
            (y - top_y) * scale + MARGIN + banner_h,
        )

    ET.register_namespace("", "http://www.w3.org/2000/svg")
    root = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        version="1.1",
        width=f"{width:.0f}",
        height=f"{height:.0f}",
        viewBox=f"0 0 {width:.0f} {height:.0f}",
        attrib={"font-family": "DejaVu Sans, Arial, sans-serif", "font-size": "11"},
    )
    ET.SubElement(root, "title").text = clean_text(texts.title)
    ET.SubElement(root, "rect", width="100%", height="100%", fill="#ffffff")

    # The marking first, so that it is what a reader sees first, on top of the picture.
    codes = handling_codes(net)
    strict = bool(set(codes) & {"H1", "H2", "H3"})
    mark = ET.SubElement(
        root, "g", id="marking", attrib={"class": "marking", "data-codes": " ".join(codes)}
    )
    ET.SubElement(
        mark,
        "rect",
        x="0",
        y="0",
        width=f"{width:.0f}",
        height=f"{banner_h - 6:.0f}",
        fill="#fdecea" if strict else "#eef3f8",
        stroke="#c62828" if strict else "#0b5394",
        attrib={"stroke-width": "2"},
    )
    for number, line in enumerate(banner):
        banner_line = ET.SubElement(
            mark,
            "text",
            x="12",
            y=f"{20 + 18 * number}",
            fill="#1b1f24",
            attrib={"font-size": "13", "font-weight": "bold" if number == 0 else "normal"},
        )
        banner_line.text = line

    # Links: one line per pair of nodes, its width by how many links join them.
    pairs: dict[tuple[str, str], list[Any]] = {}
    for edge in net.edges.values():
        if edge.source == edge.target:
            continue
        key = (
            (edge.source, edge.target) if edge.source < edge.target else (edge.target, edge.source)
        )
        pairs.setdefault(key, []).append(edge)
    links = ET.SubElement(root, "g", attrib={"class": "links"})
    for (a, b), group in pairs.items():
        (x1, y1), (x2, y2) = at(a), at(b)
        families: dict[str, int] = {}
        for edge in group:
            families[edge.family] = families.get(edge.family, 0) + 1
        kind_words = [
            clean_text(str(texts.kinds.get(f, f)), 40) + (f" ×{n}" if n > 1 else "")
            for f, n in sorted(families.items())
        ]
        same_as = set(families) == {"same_as"}
        element = ET.SubElement(
            links,
            "g",
            attrib={
                "class": "link same-as" if same_as else "link",
                "data-links": str(len(group)),
                "data-kinds": " ".join(sorted(families)),
                "data-handling": " ".join(
                    c for c in HANDLING_ORDER if c in {e.handling_code for e in group}
                ),
            },
        )
        ET.SubElement(element, "title").text = " · ".join(kind_words)
        ET.SubElement(
            element,
            "line",
            x1=f"{x1:.1f}",
            y1=f"{y1:.1f}",
            x2=f"{x2:.1f}",
            y2=f"{y2:.1f}",
            stroke="#0b5394" if same_as else "#8a93a0",
            attrib={
                "stroke-width": f"{1.5 + 1.5 * math.log2(len(group)):.1f}",
                **({"stroke-dasharray": "6 4"} if same_as else {}),
            },
        )
        if len(pairs) > MAX_LINK_LABELS:
            continue  # too many to read on the picture; the title keeps them
        kind_label = ET.SubElement(
            element,
            "text",
            x=f"{(x1 + x2) / 2:.1f}",
            y=f"{(y1 + y2) / 2 - 3:.1f}",
            fill="#4a535e",
            attrib={"font-size": "9", "text-anchor": "middle"},
        )
        kind_label.text = ", ".join(kind_words)

    nodes = ET.SubElement(root, "g", attrib={"class": "nodes"})
    r = NODE_SIZE / 2
    for node in net.nodes.values():
        x, y = at(node.id)
        shape = _node_shape(node.schema, node.view)
        classes = ["node"]
        if node.placeholder:
            classes.append("placeholder")
        if node.view == "identifier":
            classes.append("identifier")
        element = ET.SubElement(
            nodes,
            "g",
            attrib={
                "class": " ".join(classes),
                "data-id": clean_text(node.id),
                "data-view": node.view,
                "data-handling": node.handling_code or "",
            },
        )
        label = clean_text(node.label, MAX_LABEL)
        ET.SubElement(element, "title").text = clean_text(node.label)
        drawn = _shape(element, shape, x, y, r)
        drawn.set("fill", colours[node.id])
        drawn.set("stroke", "#1b1f24")
        if node.placeholder:
            drawn.set("fill-opacity", "0.35")
            drawn.set("stroke-width", "2")
            drawn.set("stroke-dasharray", "4 3")
        else:
            drawn.set("stroke-width", "1")
        caption = ET.SubElement(
            element,
            "text",
            x=f"{x:.1f}",
            y=f"{y + r + 12:.1f}",
            fill="#1b1f24",
            attrib={"text-anchor": "middle", "class": "label"},
        )
        caption.text = label
        if node.handling_code and node.handling_code != "H0":
            # Restricted material is marked where it sits, not only in the banner.
            badge = ET.SubElement(
                element,
                "text",
                x=f"{x + r + 2:.1f}",
                y=f"{y - r + 2:.1f}",
                fill="#c62828",
                attrib={"font-size": "9", "font-weight": "bold", "class": "handling"},
            )
            badge.text = node.handling_code

    # The legend: what the colours, shapes and lines mean.
    top = banner_h + draw_h
    box = ET.SubElement(root, "g", id="legend", attrib={"class": "legend"})
    heading = ET.SubElement(
        box, "text", x="12", y=f"{top + 14:.0f}", attrib={"font-weight": "bold", "font-size": "12"}
    )
    heading.text = clean_text(texts.legend)
    row = 1

    def entry(words: str) -> ET.Element:
        nonlocal row
        y = top + 14 + 18 * row
        row += 1
        ET.SubElement(box, "text", x="36", y=f"{y:.0f}").text = clean_text(words, 120)
        return ET.Element("g", transform=f"translate(20 {y - 4:.0f})")

    for colour, words in legend.items():
        sample = entry(words)
        ET.SubElement(sample, "rect", x="-6", y="-6", width="12", height="12", fill=colour)
        box.append(sample)
    for shape in kinds_used:
        if shape == "placeholder":
            words = texts.placeholder
        elif shape == "diamond":
            words = texts.identifier
        else:
            schemata = sorted(
                {n.schema for n in net.nodes.values() if _node_shape(n.schema, n.view) == shape}
            )
            words = ", ".join(schemata)
        sample = entry(words)
        drawn = _shape(sample, shape, 0.0, 0.0, 6.0)
        drawn.set("fill", "#8a93a0")
        drawn.set("stroke", "#1b1f24")
        if shape == "placeholder":
            drawn.set("fill-opacity", "0.35")
            drawn.set("stroke-dasharray", "3 2")
        box.append(sample)
    for words, colour, dashed in (
        (texts.links, "#8a93a0", False),
        (texts.same_as, "#0b5394", True),
    ):
        sample = entry(words)
        ET.SubElement(
            sample,
            "line",
            x1="-8",
            y1="0",
            x2="8",
            y2="0",
            stroke=colour,
            attrib={"stroke-width": "2", **({"stroke-dasharray": "4 2"} if dashed else {})},
        )
        box.append(sample)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def export(
    net: Network,
    fmt: str,
    user: UserInfo,
    judicial: bool = False,
    picture: Picture | None = None,
) -> bytes:
    """The network in ``fmt``; PermissionError when a judicial export would carry H1 material
    not released for judicial use."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if judicial:
        check_judicial(net, user)
    writers: dict[str, Callable[[], bytes]] = {
        "graphml": lambda: graphml(net),
        "gexf": lambda: gexf(net),
        "anx": lambda: anx(net),
        "ftm": lambda: ftm(net, user),
        "csv": lambda: edges_csv(net),
        "svg": lambda: svg(net, user, picture),
    }
    return writers[fmt]()
