"""The dashboard, the agencies directory and the administration in a real browser: charts drawn,
filters by keyboard, the DPO's pages, refusals, and axe-core on every step."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, assert_accessible, login


def test_a_page_asked_before_login_opens_after_it(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page()
    page.goto("/agencies")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fagencies$"))
    user = site.user("ES-CNP")
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(user.password)
    shot(page, "login")
    page.locator("#password").press("Enter")
    expect(page).to_have_url(re.compile(r"/agencies$"))
    expect(page.locator("h1")).to_have_text("Agencies")
    expect(page.locator("nav.main-nav a[aria-current=page]")).to_have_text("Agencies")
    shot(page, "agencies")


def test_dashboard_charts_and_tables_in_spanish(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page(locale="es-ES")
    login(page, site.user("ES-CNP"), "/dashboard")
    expect(page.locator("h1")).to_have_text("Panel")
    expect(page.locator("html")).to_have_attribute("data-charts", "drawn", timeout=20_000)
    # The three charts are drawn (ECharts puts a canvas in each container).
    for chart in ("#chart-trend", "#chart-markets", "#chart-map"):
        expect(page.locator(f"{chart} canvas").first).to_be_visible()
    records = page.locator("#total-records .count")
    expect(records).not_to_have_text("0")
    expect(page.locator("#table-agencies tbody tr").first).to_be_visible()
    expect(page.locator("#table-countries")).to_contain_text("España")
    whole = shot(page, "dashboard")
    page.locator("#chart-map").screenshot(path=str(whole.with_name(whole.stem + "-map.png")))
    assert_accessible(page)
    # The period is chosen with the keyboard; htmx swaps the figures and the charts follow.
    page.locator("#dashboard-months").focus()
    page.locator("#dashboard-months").select_option("3")
    expect(page).to_have_url(re.compile(r"months=3"))
    expect(page.locator("#table-months tbody tr")).to_have_count(3)
    expect(page.locator("html")).to_have_attribute("data-charts", "drawn", timeout=20_000)
    shot(page, "three-months")
    page.locator("#dashboard-market").select_option("cultural_goods")
    expect(page.locator("#dashboard-figures")).to_be_visible()
    shot(page, "one-market")
    assert_accessible(page)


def test_dashboard_on_a_phone(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, site.user("FR-PN") if _has(site, "FR-PN") else site.user("ES-CNP"), "/dashboard")
    expect(page.locator("html")).to_have_attribute("data-charts", "drawn", timeout=20_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    shot(page, "phone")


def _has(site: Site, agency: str) -> bool:
    try:
        site.user(agency)
    except LookupError:
        return False
    return True


def test_agencies_directory_filters_and_detail(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page(locale="pt-BR")
    login(page, site.user("ES-CNP"), "/agencies")
    rows = page.locator("#agencies tbody tr")
    everyone = rows.count()
    assert everyone >= 2
    page.locator("#agency-network").select_option("EUROPOL")
    expect(page).to_have_url(re.compile(r"network=EUROPOL"))
    expect(page.locator("#agency-count")).not_to_contain_text(f"{everyone} de {everyone}")
    for row in rows.all():
        expect(row).to_contain_text("EUROPOL")
    shot(page, "europol")
    assert_accessible(page)
    rows.first.locator("a").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("dl.props")).to_contain_text("EUROPOL")
    shot(page, "agency")
    assert_accessible(page)


def test_administrator_creates_an_account_and_deactivates_it(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page()
    login(page, site.user(username="admin"), "/admin")
    expect(page.locator(".admin-menu")).to_be_visible()
    shot(page, "index")
    assert_accessible(page)
    page.locator(".admin-menu a[href='/admin/users']").click()
    expect(page.locator("#users")).to_be_visible()
    page.locator("#new-user summary").click()
    username = f"browser.{secrets.token_hex(3)}"
    page.locator("#new-username").fill(username)
    page.locator("#new-display-name").fill("Test Browser")
    page.locator("#new-user input[name=roles][value=analyst]").check()
    shot(page, "new-account")
    assert_accessible(page)
    page.locator("#new-user button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Account created")
    password = page.locator("#initial-password").inner_text()
    assert len(password) >= 12
    shot(page, "created")
    assert_accessible(page)
    page.get_by_role("link", name="Open the account").click()
    expect(page.locator("h1")).to_contain_text(username)
    page.get_by_role("button", name="Deactivate the account").click()
    expect(page.locator("#done")).to_contain_text("deactivated")
    shot(page, "deactivated")
    assert_accessible(page)
    for path in ("/admin/agencies", "/admin/groups", "/admin/exclusions"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        shot(page, path.rsplit("/", 1)[1])
        assert_accessible(page)


def test_dpo_searches_the_log_and_checks_the_chain(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page(locale="fr-FR")
    login(page, site.user(username="dpo"), "/admin/audit")
    expect(page.locator("h1")).to_have_text("Journal d'audit")
    page.get_by_role("button", name="Vérifier la chaîne").click()
    expect(page.locator("#verify-ok")).to_contain_text("La chaîne est intacte")
    page.locator("#audit-username").fill(site.user("ES-CNP").username)
    page.locator("#audit-username").press("Enter")
    expect(page).to_have_url(re.compile(r"username="))
    expect(page.locator("#audit-entries tbody tr").first).to_contain_text(
        site.user("ES-CNP").username
    )
    shot(page, "audit")
    assert_accessible(page)
    page.goto("/admin/review")
    expect(page.locator("#review-table")).to_be_visible()
    shot(page, "review")
    assert_accessible(page)


def test_refused_pages(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    analyst = new_page()
    login(analyst, site.user("ES-CNP"))
    response = analyst.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(analyst.locator("h1")).to_have_text("Not allowed")
    expect(analyst.locator("nav.main-nav a[href='/admin']")).to_have_count(0)
    shot(analyst, "analyst-admin")
    assert_accessible(analyst)
    dpo = new_page()
    login(dpo, site.user(username="dpo"))
    response = dpo.goto("/dashboard")
    assert response is not None and response.status == 403
    expect(dpo.locator("h1")).to_have_text("Not allowed")
    response = dpo.goto("/admin/users")
    assert response is not None and response.status == 403
    shot(dpo, "dpo-users")
