"""The analyst's journey on the demo data: log in, search a name written with a typo, without
its accents and in another order, find the person, open the profile, confirm a hit; then triage
in the hits inbox with the keyboard. A screenshot per step; every page checked with axe-core."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import or_, select

from tests.browser.conftest import Site, assert_accessible, login
from vinculo.store.tables import Entity, Hit


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).lower()


def _misspelt(caption: str) -> str:
    """The caption as a hurried colleague types it: no accents, lower case, given name first
    (for "SURNAMES, Given"), and one letter dropped from the longest word."""
    surnames, _, given = caption.partition(",")
    words = _fold(f"{given} {surnames}" if given else caption).split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    words[longest] = word[:-2] + word[-1:]
    return " ".join(words)


def _pick_hit(site: Site, agency: str, status: str = "new") -> tuple[str, str, str]:
    """(hit id, the agency's record id, its caption): a person hit of the agency, preferring a
    name with accents and a comma ("SÁEZ CASTILLO, Cristopher"), the first by id."""
    with site.engine.connect() as conn:
        rows = conn.execute(
            select(Hit.id, Hit.left_id, Hit.right_id, Hit.left_agency)
            .where(
                Hit.schema == "Person",
                Hit.status == status,
                or_(Hit.left_agency == agency, Hit.right_agency == agency),
            )
            .order_by(Hit.id)
        ).all()
        mine = {r.id: (r.left_id if r.left_agency == agency else r.right_id) for r in rows}
        captions = {
            row.id: row.caption
            for row in conn.execute(
                select(Entity.id, Entity.caption).where(Entity.id.in_(list(mine.values())))
            )
        }
    assert mine, f"the demo has no new person hits for {agency}"

    def preference(hit: str) -> tuple[bool, bool, str]:
        caption = captions[mine[hit]]
        return (caption == _fold(caption), "," not in caption, hit)

    hit = min(mine, key=preference)
    return hit, mine[hit], captions[mine[hit]]


def _hit_status(site: Site, hit: str) -> str:
    with site.engine.connect() as conn:
        return str(conn.execute(select(Hit.status).where(Hit.id == hit)).scalar_one())


def test_search_a_misspelt_name_open_the_profile_and_confirm_a_hit(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    hit, entity_id, caption = _pick_hit(site, "ES-CNP")
    query = _misspelt(caption)
    assert _fold(caption) not in query  # really misspelt
    page = new_page(locale="es-ES")
    login(page, site.user("ES-CNP"), "/search")
    expect(page.locator("h1")).to_have_text("Buscar")
    shot(page, "search-form")
    assert_accessible(page)

    page.locator("#q").fill(query)
    page.locator("#q").press("Enter")
    result = page.locator(f'#results a[href="/entities/{entity_id}"]')
    expect(result).to_be_visible()
    expect(result).to_have_text(caption)
    expect(page).to_have_url(re.compile(r"/search\?q="))
    shot(page, "search-results")
    assert_accessible(page)

    result.click()
    expect(page).to_have_url(re.compile(rf"/entities/{re.escape(entity_id)}$"))
    expect(page.locator("h1")).to_have_text(caption)
    expect(page.locator("#meta-heading")).to_have_text("Tratamiento y evaluación")
    # The small chart and the map are drawn by the page's own script.
    expect(page.locator("#link-chart canvas").first).to_be_attached()
    expect(page.locator("#place-map svg").first).to_be_attached()
    shot(page, "profile")
    assert_accessible(page)

    card = page.locator(f"#hit-{hit}")
    card.get_by_role("button", name="Confirmar: misma persona u objeto").click()
    expect(page.locator(f"#hit-status-{hit}")).to_contain_text("Confirmada")
    expect(page.locator(f"#hit-status-{hit}")).to_contain_text("Valoración guardada")
    assert _hit_status(site, hit) == "confirmed"
    shot(page, "hit-confirmed")
    assert_accessible(page)


def test_triage_in_the_hits_inbox_with_the_keyboard(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    hit, entity_id, caption = _pick_hit(site, "PT-PJ")
    page = new_page(locale="pt-BR")
    login(page, site.user("PT-PJ"), "/hits?status=new")
    expect(page.locator("h1")).to_have_text("Coincidências")
    shot(page, "inbox")
    assert_accessible(page)

    box = page.locator(f"#sel-{hit}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.locator("#bulk-status").select_option("needs_review")
    page.locator("#bulk-apply").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#hits-list .notice")).to_contain_text("Coincidências marcadas como")
    # The list is redrawn with its filter ("new"): the hit has left it, without a reload.
    expect(page.locator(f"#sel-{hit}")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/hits\?status=new$"))
    assert _hit_status(site, hit) == "needs_review"
    shot(page, "inbox-after-bulk")
    assert_accessible(page)

    page.goto(f"/hits/{hit}")
    expect(page.locator("h1")).to_have_text("Comparar uma coincidência")
    expect(page.locator(f'a[href="/entities/{entity_id}"]').first).to_have_text(caption)
    shot(page, "compare")
    assert_accessible(page)
