"""The link chart in the browser: opened from a person's profile, expanded, a path found between
people of two agencies, exported as GraphML and ANX (both parsed back), and the same chart for a
third agency with placeholders where the policy says hit-only."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import Site, assert_accessible, login
from vinculo.graph.network import neighbourhood
from vinculo.sharing import policy
from vinculo.sharing.directory import get_user
from vinculo.store.tables import Entity

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
    return set(page.evaluate("window.vinculoChart.nodes().map(n => n.id())"))


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
