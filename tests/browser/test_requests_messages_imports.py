"""Journeys on the demo data: a disclosure request answered with a partial release (and a third
agency that sees nothing of it), a message with an attachment read and acknowledged, and a
spreadsheet with bad rows imported and one of them corrected from the quarantine."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import Site, assert_accessible, login
from vinculo.sharing import policy
from vinculo.sharing.directory import get_user, list_agencies
from vinculo.store.entities import get_entity
from vinculo.store.tables import DisclosureRequest, Hit
from vinculo.web import imports as import_pages

Shot = Callable[[Page, str], Path]


def _analyst(site: Site, agency: str) -> Any:
    return site.user(agency)


def _hit_only_pair(site: Site) -> tuple[str, str, str, str, dict[str, list[str]]]:
    """(requester agency, hit id, the other record's id, its owner, its properties): a hit across
    two countries whose other record the requester's analyst sees only as a hit, with a name and
    a date of birth, and no request yet. Taken from the end of the list, so that journeys of other
    modules starting from the first hits are left alone."""
    users = {u.agency for u in site.demo.users if u.username.endswith(".analyst")}
    with site.engine.connect() as conn:
        country = {a.code: a.country for a in list_agencies(conn)}
        asked = set(conn.execute(select(DisclosureRequest.entity_id)).scalars())
        hits = conn.execute(select(Hit).order_by(Hit.id.desc())).all()
        for hit in hits:
            for mine, other, other_agency in (
                (hit.left_agency, hit.right_id, hit.right_agency),
                (hit.right_agency, hit.left_id, hit.left_agency),
            ):
                if country[mine] == country[other_agency] or other in asked:
                    continue
                if mine not in users or other_agency not in users:
                    continue
                user = get_user(conn, _analyst(site, mine).username)
                assert user is not None
                records, ctx = policy.read_records(conn, user, [other])
                if not records or policy.decide(user, records[0], ctx).view != policy.View.HIT_ONLY:
                    continue
                entity = get_entity(conn, other)
                assert entity is not None
                props = entity.proxy.to_dict()["properties"]
                if props.get("name") and props.get("birthDate"):
                    return mine, hit.id, other, other_agency, props
    pytest.fail("no cross-border hit-only record with a name and a birth date in the demo")


def _third_agency(site: Site, *excluded: str) -> str:
    with site.engine.connect() as conn:
        country = {a.code: a.country for a in list_agencies(conn)}
    users = {u.agency for u in site.demo.users if u.username.endswith(".analyst")}
    countries = {country[a] for a in excluded}
    return next(a for a in sorted(users) if country[a] not in countries)


def test_disclosure_request_partial_release_and_a_third_agency_sees_nothing(
    site: Site, new_page: Callable[..., Page], shot: Shot
) -> None:
    requester_agency, hit_id, record_id, owner_agency, props = _hit_only_pair(site)
    name, birth = props["name"][0], props["birthDate"][0]

    asker = new_page(locale="es-ES")
    path = f"/requests/new?entity={record_id}&hit={hit_id}"
    login(asker, _analyst(site, requester_agency), quote(path, safe=""))
    expect(asker.locator("h1")).to_have_text("Solicitar divulgación")
    expect(asker.locator("#record-view")).to_have_text("Solo su existencia (coincidencia)")
    assert name not in asker.content() and birth not in asker.content()
    shot(asker, "request-form")
    assert_accessible(asker)
    asker.locator("#purpose").fill(
        "Operación conjunta: identificar al sospechoso de la coincidencia"
    )
    asker.locator("#legal_basis").fill("Acuerdo de cooperación policial bilateral")
    asker.locator("input[name=urgency][value=urgent]").check()
    asker.locator("input[name=fields][value=name]").check()
    asker.locator("input[name=fields][value=birthDate]").check()
    asker.locator("#request-form button[type=submit]").click()
    asker.wait_for_url(re.compile(r"/requests/[0-9a-f-]{36}$"))
    request_url = asker.url.removeprefix(site.url)
    expect(asker.locator("#request-status")).to_have_text("Pendiente de resolución")
    shot(asker, "request-sent")
    assert_accessible(asker)

    owner = new_page(locale="en-GB")
    login(owner, _analyst(site, owner_agency), "/requests")
    expect(owner.locator(f"a[href='{request_url}']")).to_be_visible()
    shot(owner, "owner-incoming")
    assert_accessible(owner)
    owner.goto(request_url)
    expect(owner.locator("#record-fields")).to_contain_text(name)
    shot(owner, "owner-decides")
    assert_accessible(owner)
    owner.locator("input[name=decision][value=approve_fields]").check()
    # Both fields were asked for; the owner releases the name only.
    expect(owner.locator("#decide input[name=fields][value=birthDate]")).to_be_checked()
    owner.locator("#decide input[name=fields][value=birthDate]").uncheck()
    expect(owner.locator("#decide input[name=fields][value=name]")).to_be_checked()
    owner.locator("#decision-form button[type=submit]").click()
    expect(owner.locator("#request-status")).to_have_text("Partially approved")
    shot(owner, "owner-decided")

    asker.reload()
    expect(asker.locator("#request-status")).to_have_text("Aprobada parcialmente")
    expect(asker.locator("#record-view")).to_have_text("Solo los campos divulgados")
    fields = asker.locator("#record-fields tbody th")
    expect(fields).to_have_count(1)
    expect(fields.first).to_have_attribute("data-field", "name")
    expect(asker.locator("#record-fields")).to_contain_text(name)
    assert birth not in asker.content()
    shot(asker, "requester-sees-release")
    assert_accessible(asker)

    third = _third_agency(site, requester_agency, owner_agency)
    outsider = new_page(locale="fr-FR")
    login(outsider, _analyst(site, third))
    response = outsider.goto(request_url)
    assert response is not None and response.status == 404
    assert name not in outsider.content() and birth not in outsider.content()
    shot(outsider, "third-agency-request")
    profile = outsider.goto(f"/entities/{record_id}")
    assert profile is not None and profile.status in (200, 404)
    assert name not in outsider.content() and birth not in outsider.content()
    shot(outsider, "third-agency-profile")
    api = outsider.request.get(f"/api/v1/entities/{record_id}")
    assert api.status in (200, 404)
    assert name not in api.text() and "properties" not in api.text()
    assert (
        outsider.request.get(f"/api/v1/disclosure-requests/{request_url.split('/')[-1]}").status
        == 404
    )


def test_message_with_attachment_read_and_acknowledged(
    site: Site, new_page: Callable[..., Page], shot: Shot
) -> None:
    sender_agency, receiver_agency = "ES-GC", "PT-PJ"
    manifest = b"Container MSCU 7654321\nConsignee: Importadora Atlantica Lda\n"
    sender = new_page(locale="es-ES")
    login(
        sender, _analyst(site, sender_agency), quote(f"/messages/new?to={receiver_agency}", safe="")
    )
    expect(sender.locator(f"#to option[value='{receiver_agency}']")).to_have_attribute(
        "selected", ""
    )
    shot(sender, "compose")
    assert_accessible(sender)
    sender.locator("#subject").fill("Contenedor MSCU 7654321 rumbo a Leixões")
    sender.locator("#body").fill("Adjuntamos el manifiesto. ¿Les consta el consignatario?")
    sender.locator("#handling_code").select_option("H2")
    sender.locator("#reliability").select_option("B")
    sender.locator("#credibility").select_option("2")
    sender.locator("#priority").select_option("urgent")
    sender.locator("#files").set_input_files(
        {"name": "manifiesto.txt", "mimeType": "text/plain", "buffer": manifest}
    )
    sender.locator("#compose button[type=submit]").click()
    sender.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}"))
    thread_url = sender.url.removeprefix(site.url).split("#")[0]
    expect(sender.locator("#messages")).to_contain_text("manifiesto.txt")
    shot(sender, "sent")
    assert_accessible(sender)

    receiver = new_page(locale="pt-BR")
    login(receiver, _analyst(site, receiver_agency), "/messages")
    row = receiver.locator(f"tr[id='thread-{thread_url.split('/')[-1]}']")
    expect(row).to_have_class(re.compile("unread"))
    shot(receiver, "inbox")
    assert_accessible(receiver)
    row.locator("a").click()
    expect(receiver.locator("#messages")).to_contain_text("¿Les consta el consignatario?")
    expect(receiver.locator("#messages .handling")).to_contain_text("H2")
    with receiver.expect_download() as info:
        receiver.locator("a[download]", has_text="manifiesto.txt").click()
    downloaded = info.value.path()
    assert Path(downloaded).read_bytes() == manifest
    shot(receiver, "thread")
    assert_accessible(receiver)
    receiver.get_by_role("button", name="Confirmar recebimento").click()
    expect(receiver.locator("#messages")).to_contain_text("Você confirmou o recebimento")
    shot(receiver, "acknowledged")

    sender.reload()
    expect(sender.locator("#messages")).to_contain_text(_analyst(site, receiver_agency).username)
    expect(sender.locator("#messages")).to_contain_text("acuse de recibo el")
    shot(sender, "receipt-seen")
    sender.goto("/notifications")
    note = sender.locator("#notifications li", has_text="Se acusó recibo de su mensaje").first
    expect(note.locator(f"a[href='{thread_url}']")).to_be_visible()
    shot(sender, "notifications")
    assert_accessible(sender)
    note.get_by_role("button", name="Marcar como leída").click()
    expect(sender.locator(f"#notifications a[href='{thread_url}']")).to_have_count(0)
    shot(sender, "notification-read")

    outsider = new_page()
    login(outsider, _analyst(site, "MX-FGR"))
    response = outsider.goto(thread_url)
    assert response is not None and response.status == 404
    assert "MSCU 7654321" not in outsider.content()


SHEET = (
    "ID,Full name,Date of birth,Nationality\n"
    "WIZ-1,Rosa Inés Quintero Lara,1984-03-12,CO\n"
    "WIZ-2,,1990-07-01,CO\n"
    "WIZ-3,Tomás Arteaga Vidal,1979-13-45,EC\n"
    "WIZ-1,Duplicated Key,1970-01-01,PE\n"
).encode()


def test_import_with_bad_rows_and_a_correction_from_the_quarantine(
    site: Site,
    new_page: Callable[..., Page],
    shot: Shot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_pages, "upload_root", lambda: tmp_path / "uploads")
    page = new_page()
    login(page, _analyst(site, "CL-PDI"), "/imports")
    shot(page, "imports")
    assert_accessible(page)
    page.get_by_role("link", name="Import a spreadsheet").click()
    page.locator("#file").set_input_files(
        {"name": "pdi-sospechosos.csv", "mimeType": "text/csv", "buffer": SHEET}
    )
    shot(page, "upload")
    assert_accessible(page)
    page.locator("#upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/imports/wizard/[\w-]+/mapping$"))
    expect(page.locator("#col-0")).to_have_value("id")
    expect(page.locator("#col-1")).to_have_value("name")
    expect(page.locator("#col-2")).to_have_value("birth_date")
    page.locator("#handling_code").select_option("H1")
    shot(page, "mapping")
    assert_accessible(page)
    page.locator("#mapping button[type=submit]").click()
    page.wait_for_url(re.compile(r"/preview$"))
    expect(page.locator("#preview tbody tr.problem")).to_have_count(2)
    expect(page.locator("#preview tbody tr.warning")).to_have_count(1)
    expect(page.locator("#line-3")).to_contain_text("required name is empty")
    shot(page, "preview")
    assert_accessible(page)
    page.locator("#commit").click()
    page.wait_for_url(re.compile(r"/imports/[0-9a-f-]{36}$"), timeout=60_000)
    expect(page.locator("#count-written")).to_have_text("2")
    expect(page.locator("#count-rejected")).to_have_text("2")
    expect(page.locator("#quarantine-3")).to_be_visible()
    shot(page, "report")
    assert_accessible(page)
    page.get_by_role("link", name="Correct line 3").click()
    page.locator("#correct-3 input[name='col:Full name']").fill("Marta Salinas Rojas")
    shot(page, "correcting")
    assert_accessible(page)
    page.locator("#correct-3 button[type=submit]").click()
    expect(page.locator("#corrected")).to_be_visible()
    for _ in range(50):
        if page.locator("#quarantine-3").count() == 0:
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.locator("#quarantine-3")).to_have_count(0)
    expect(page.locator("#quarantine-5")).to_be_visible()
    shot(page, "corrected")
    assert_accessible(page)
