"""The link chart in the browser: opened from a person's profile, expanded, a path found between
people of two agencies, exported as GraphML and ANX (both parsed back), and the same chart for a
third agency with placeholders where the policy says hit-only."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import Site, assert_accessible, login
from vinculo.graph.network import neighbourhood
from vinculo.sharing import policy
from vinculo.sharing.directory import get_user
from vinculo.store.tables import AuditEntry, Entity

AGENCY = "ES-CNP"


def _pair(site: Site) -> tuple[str, str, str]:
    """A person of ES-CNP with, two links away, a person of another agency that ES-CNP's analyst
    sees in full; and the agency of that other person."""
    with site.engine.connect() as conn:
        user = get_user(conn, site.user(AGENCY).username)
        assert user is not None
        people = conn.execute(
            select(Entity.id)
            .where(Entity.agency_code == AGENCY, Entity.schema == "Person")
            .order_by(Entity.id)
        ).scalars()
        for person in people:
            net = neighbourhood(conn, user, [person], depth=2, max_nodes=60)
            for node in net.nodes.values():
                if node.schema == "Person" and node.agency != AGENCY and node.view == "full":
                    return person, node.id, str(node.agency)
    pytest.fail("the demo has no ES-CNP person two links from another agency's")


def _wait_ready(page: Page) -> None:
    expect(page.locator("#chart")).to_have_attribute("data-ready", "true", timeout=30_000)


def _chart_ids(page: Page) -> set[str]:
    """The records on the chart (not the boxes drawn around communities)."""
    return set(page.evaluate("window.vinculoChart.nodes().not('.community-box').map(n => n.id())"))


def _boxes(page: Page) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """() => window.vinculoChart.$('.community-box').map(b => ({
                id: b.id(), label: b.data('label'), children: b.children().map(c => c.id()),
                box: b.boundingBox(), onPath: b.hasClass('on-path')}))"""
        )
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"] or b["y2"] <= a["y1"]
    )


def _png_size_and_pixel(path: Path, x: int, y: int) -> tuple[int, int, tuple[int, ...]]:
    """Width, height and one pixel's colour of a PNG (8-bit RGB or RGBA, not interlaced), read
    with zlib: enough to check the banner drawn above the chart."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    row = bytearray(stride)
    for line in range(y + 1):
        start = line * (stride + 1)
        kind_byte, scan = raw[start], raw[start + 1 : start + 1 + stride]
        row = bytearray(stride)
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind_byte == 0:
                value = scan[i]
            elif kind_byte == 1:
                value = scan[i] + left
            elif kind_byte == 2:
                value = scan[i] + up
            elif kind_byte == 3:
                value = scan[i] + (left + up) // 2
            else:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                value = scan[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)
            row[i] = value & 0xFF
        previous = row
    return width, height, tuple(row[x * channels : x * channels + 3])


def test_chart_from_profile_expand_path_and_export(
    site: Site,
    new_page: Callable[..., Page],
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    start, other, other_agency = _pair(site)
    page = new_page(locale="es-ES")
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"{page.url} {m.location} {m.text}") if m.type == "error" else None,
    )
    login(page, site.user(AGENCY), f"/entities/{start}")
    page.locator("#open-chart").click()
    expect(page).to_have_url(re.compile(r"/chart\?ids="))
    _wait_ready(page)
    expect(page.locator("h1")).to_have_text("Gráfico de vínculos")
    first = _chart_ids(page)
    assert start in first and other not in first
    shot(page, "opened")
    assert_accessible(page)

    # Expand everything on the chart by one link, from the keyboard-usable node list.
    page.locator("#chart-nodes").select_option(sorted(first))
    page.locator("#chart-expand").click()
    expect(page.locator("#chart-status")).to_contain_text("nodos añadidos")
    expanded = _chart_ids(page)
    assert other in expanded and first < expanded
    shot(page, "expanded")

    # A path between the two people of different agencies.
    page.locator("#chart-nodes").select_option([start, other])
    page.locator("#chart-path").click()
    expect(page.locator("#chart-status")).to_contain_text("Camino de")
    path = page.locator("#chart").get_attribute("data-path") or ""
    nodes = path.split(",")
    assert nodes[0] in (start, other) and nodes[-1] in (start, other) and len(nodes) >= 2
    on_path = page.evaluate("window.vinculoChart.$('.on-path').length")
    assert on_path == 2 * len(nodes) - 1  # the nodes and the links between them
    page.locator("#chart-details h3").wait_for()
    shot(page, "path")
    assert_accessible(page)

    # Exports of the chart as it stands, parsed back.
    page.locator("#chart-format").select_option("graphml")
    with page.expect_download() as graphml_download:
        page.locator("#chart-export button[type=submit]").click()
    graphml = tmp_path / "chart.graphml"
    graphml_download.value.save_as(graphml)
    g = nx.read_graphml(graphml)
    assert set(g.nodes) == expanded
    assert g.nodes[other]["agency"] == other_agency
    page.locator("#chart-format").select_option("anx")
    with page.expect_download() as anx_download:
        page.locator("#chart-export button[type=submit]").click()
    anx = tmp_path / "chart.anx"
    anx_download.value.save_as(anx)
    root = ET.parse(anx).getroot()  # noqa: S314 - the server's own export
    assert {e.get("Identity") for e in root.iter("Entity")} == expanded
    assert len(list(root.iter("Link"))) == g.number_of_edges()
    shot(page, "exported")

    # Communities grouped in boxes ("Comunidad 3 · 12"), laid out so that no two boxes overlap.
    page.locator("#chart-group").click()
    expect(page.locator("#chart")).to_have_attribute("data-grouped", "true")
    _wait_ready(page)
    expect(page.locator("#chart-status")).to_contain_text("comunidades en recuadros")
    expect(page.locator("#chart-group")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#chart-group")).to_have_text("Desagrupar comunidades")
    boxes = _boxes(page)
    assert boxes
    inside: set[str] = set()
    for box in boxes:
        label = re.fullmatch(r"Comunidad \d+ · (\d+)", box["label"])
        assert label and int(label.group(1)) == len(box["children"]) >= 2, box["label"]
        inside |= set(box["children"])
    assert inside <= expanded and _chart_ids(page) == expanded
    for number, a in enumerate(boxes):
        for b in boxes[number + 1 :]:
            assert not _overlap(a["box"], b["box"]), (a["label"], b["label"])
    shot(page, "grouped")
    assert_accessible(page)
    # cose lays out compound nodes itself: the boxes stay, each around its community.
    page.evaluate("document.getElementById('chart').dataset.ready = ''")
    page.locator("#chart-layout").select_option("cose")
    page.locator("#chart-relayout").click()
    _wait_ready(page)
    assert [(b["label"], sorted(b["children"])) for b in _boxes(page)] == [
        (b["label"], sorted(b["children"])) for b in boxes
    ]
    shot(page, "grouped-cose")
    page.evaluate("document.getElementById('chart').dataset.ready = ''")
    page.locator("#chart-layout").select_option("server")
    page.locator("#chart-relayout").click()
    _wait_ready(page)

    # With the boxes on: a path is still found and highlighted on the records only...
    page.evaluate("document.getElementById('chart').dataset.path = ''")
    page.locator("#chart-nodes").select_option([start, other])
    page.locator("#chart-path").click()
    expect(page.locator("#chart")).to_have_attribute("data-path", re.compile(r".+,.+"))
    nodes = (page.locator("#chart").get_attribute("data-path") or "").split(",")
    on_path = page.evaluate("window.vinculoChart.$('.on-path').length")
    assert on_path == 2 * len(nodes) - 1
    assert not any(box["onPath"] for box in _boxes(page))
    # ... expanding puts the new records into their communities' boxes, collapsing takes them
    # out again and leaves no empty box behind.
    page.locator("#chart-nodes").select_option([other])
    page.locator("#chart-expand").click()
    expect(page.locator("#chart-status")).to_contain_text("nodos añadidos")
    _wait_ready(page)
    grown = _chart_ids(page)
    assert expanded <= grown
    page.locator("#chart-nodes").select_option([other])
    page.locator("#chart-collapse").click()
    expect(page.locator("#chart-status")).to_contain_text("nodos retirados")
    current = _chart_ids(page)
    assert other in current and current <= grown
    for box in _boxes(page):
        label = re.fullmatch(r"Comunidad \d+ · (\d+)", box["label"])
        assert label and int(label.group(1)) == len(box["children"]) >= 1
    shot(page, "grouped-expanded")

    # The picture as the page shows it: SVG (positions and colours from the page) and PNG with
    # its marking banner; both audited.
    page.locator("#chart-format").select_option("svg")
    with page.expect_download() as svg_download:
        page.locator("#chart-export button[type=submit]").click()
    svg = tmp_path / "chart.svg"
    svg_download.value.save_as(svg)
    root = ET.parse(svg).getroot()  # noqa: S314 - the server's own export
    drawn = {
        g.get("data-id"): g
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if "node" in (g.get("class") or "").split()
    }
    assert set(drawn) == current
    colour = page.evaluate("id => window.vinculoChart.getElementById(id).data('colour')", other)
    assert colour in {e.get("fill") for e in drawn[other]}
    marking = next(
        g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "marking"
    )
    texts = [t.text or "" for t in marking.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0].startswith("Códigos de tratamiento: ")
    assert texts[-1].startswith(f"Exportado por {site.user(AGENCY).username} ({AGENCY}) el ")
    with page.expect_download() as png_download:
        page.locator("#chart-png").click()
    png = tmp_path / "chart.png"
    png_download.value.save_as(png)
    expect(page.locator("#chart-status")).to_contain_text("Imagen exportada")
    width, height, corner = _png_size_and_pixel(png, 12, 12)
    assert width >= 1400 and height > 200
    assert corner in ((0xFD, 0xEC, 0xEA), (0xEE, 0xF3, 0xF8))  # the banner, not the chart
    with site.engine.connect() as conn:
        formats = [
            (details or {}).get("format")
            for details in conn.execute(
                select(AuditEntry.details)
                .where(
                    AuditEntry.action == "graph.export",
                    AuditEntry.username == site.user(AGENCY).username,
                )
                .order_by(AuditEntry.seq)
            ).scalars()
        ]
    assert formats[-4:] == ["graphml", "anx", "svg", "png"]
    shot(page, "pictures")

    # Ungrouped: the boxes go, the records stay.
    page.locator("#chart-group").click()
    expect(page.locator("#chart-group")).to_have_attribute("aria-pressed", "false")
    _wait_ready(page)
    assert _boxes(page) == [] and _chart_ids(page) == current
    expanded = current

    # Saved as a workspace of the agency, pinned node and all, and opened again.
    page.locator("#chart-nodes").select_option([other])
    page.locator("#chart-pin").click()
    page.locator("#chart-save-name").fill(f"Prueba {start[-6:]}")
    page.locator("#chart-save button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/chart\?workspace=\d+"))
    _wait_ready(page)
    assert _chart_ids(page) == expanded
    assert page.evaluate("id => window.vinculoChart.getElementById(id).locked()", other)
    expect(page.locator("#chart-saved-title + ul")).to_contain_text(f"Prueba {start[-6:]}")
    shot(page, "workspace")
    assert_accessible(page)
    # The chart page's own errors (the profile page before it is another area's).
    on_chart = [e for e in errors if "/chart" in e.split(" ", 1)[0]]
    assert not on_chart, "\n".join(on_chart)


def test_third_agency_sees_placeholders(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    start, _, _ = _pair(site)
    with site.engine.connect() as conn:
        owner = get_user(conn, site.user(AGENCY).username)
        assert owner is not None
        net = neighbourhood(conn, owner, [start], depth=1)
        # A third agency to which the starting record is only a hit.
        for demo_user in site.demo.users:
            if not demo_user.username.endswith(".analyst") or demo_user.agency == AGENCY:
                continue
            third = get_user(conn, demo_user.username)
            assert third is not None
            records, ctx = policy.read_records(conn, third, [start])
            if policy.decide(third, records[0], ctx).view is policy.View.HIT_ONLY:
                break
        else:
            pytest.fail("every agency sees the record in full")
    page = new_page()
    login(page, demo_user, f"/chart?ids={start}")
    _wait_ready(page)
    placeholder = page.evaluate("id => window.vinculoChart.getElementById(id).data()", start)
    assert placeholder["placeholder"] is True and placeholder["view"] == "hit_only"
    assert placeholder["caption"] is None
    assert placeholder["label"] == f"[{AGENCY}] Person"
    owner_caption = net.nodes[start].caption
    assert owner_caption and owner_caption not in page.content()
    page.locator("#chart-nodes").select_option([start])
    expect(page.locator("#chart-details")).to_contain_text("Hit only")
    expect(page.locator("#chart-details a", has_text="Ask for disclosure")).to_be_visible()
    shot(page, "placeholder")
    assert_accessible(page)
