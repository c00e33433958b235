"""The message pages (compose with attachments, thread, acknowledgement, search) and the
notifications page, with their refusals."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.web.conftest import PASSWORD, audit_entries, csrf_of, login
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_user
from vinculo.store.tables import Message, MessageThread, Notification

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _as(client: TestClient, username: str) -> None:
    client.cookies.clear()
    assert login(client, username).status_code == 303


def _compose(client: TestClient, files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
             **fields: str | list[str]) -> Any:  # fmt: skip
    page = client.get("/messages/new?to=ES-CNP")
    assert page.status_code == 200
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf_of(page.text),
        "to": "ES-CNP",
        "subject": "Contenedor MSCU 123",
        "body": "Manifest attached. Same consignee as in March.",
        "handling_code": "H2",
        "reliability": "B",
        "credibility": "2",
        "priority": "urgent",
        **fields,
    }
    return client.post("/messages/new", data=data, files=files or [], follow_redirects=False)


def test_message_with_attachment_read_and_acknowledged(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    page = client.get("/messages/new?to=ES-CNP")
    assert re.search(r'<option value="ES-CNP" selected>', page.text)
    assert 'value="BR-PF"' not in page.text  # not to one's own agency
    sent = _compose(client, files=[("files", ("manifest.pdf", PDF, "application/pdf"))])
    assert sent.status_code == 303
    thread_url = sent.headers["location"]
    mine = client.get(thread_url)
    assert "Manifest attached." in mine.text and "manifest.pdf" in mine.text
    assert "Not read by the recipients yet." in mine.text
    assert "Acknowledge receipt" not in mine.text  # one's own message

    _as(client, "luis.cnp")
    listing = client.get("/messages")
    assert "Contenedor MSCU 123" in listing.text
    row = listing.text.split(f'id="thread-{thread_url.rsplit("/", 1)[1]}"')[1].split("</tr>")[0]
    assert 'class="unread"' in listing.text and "1 de 1" in row
    thread = client.get(thread_url)
    assert "Manifest attached." in thread.text
    assert "H2: no transmitir sin autorización" in thread.text
    link = re.search(r'href="(/api/v1/messages/attachments/\d+)"', thread.text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")
    ack_url = re.search(r'hx-post="(/messages/[^"]+/ack/[^"]+)"', thread.text)
    assert ack_url
    acked = client.post(
        ack_url.group(1),
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(thread.text)},
    )
    assert acked.status_code == 200
    assert "Acusó recibo de este mensaje" in acked.text and "<html" not in acked.text
    assert "0 de 1" in client.get("/messages").text

    _as(client, "ana.pf")
    receipts = client.get(thread_url)
    assert "luis.cnp (ES-CNP)" in receipts.text and "acknowledged on" in receipts.text
    notes = client.get("/notifications")
    assert "Your message was acknowledged" in notes.text
    assert f'href="{thread_url}"' in notes.text


def test_reply_and_search(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    thread_url = _compose(client).headers["location"]
    _as(client, "luis.cnp")
    page = client.get(thread_url)
    replied = client.post(
        f"{thread_url}/reply",
        data={"csrf_token": csrf_of(page.text), "body": "Recibido: el buque llega el lunes.",
              "handling_code": "H0", "reliability": "A", "credibility": "1",
              "priority": "routine"},
        follow_redirects=False,
    )  # fmt: skip
    assert replied.status_code == 303
    assert "el buque llega el lunes" in client.get(thread_url).text
    found = client.get("/messages?q=buque")
    assert "el buque llega el lunes" in found.text
    assert "el buque" not in client.get("/messages?q=avión").text
    searches = audit_entries(site, "message.search")
    assert searches[-2].details["query"] == "buque"


def test_a_third_agency_sees_nothing_of_the_thread(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    sent = _compose(client, files=[("files", ("manifest.pdf", PDF, "application/pdf"))])
    thread_url = sent.headers["location"]
    link = re.search(r"/api/v1/messages/attachments/\d+", client.get(thread_url).text)
    assert link
    with site.begin() as conn:
        add_user(conn, "jean.pn", "FR-PN", PASSWORD, ["analyst"])
    _as(client, "jean.pn")
    refused = client.get(thread_url)
    assert refused.status_code == 404
    assert "Contenedor" not in refused.text and "Manifest" not in refused.text
    assert client.get(link.group(0)).status_code == 404
    assert "Contenedor" not in client.get("/messages").text
    assert "Manifest attached" not in client.get("/messages?q=Manifest").text


def test_refused_messages_say_why_and_store_nothing(
    client: TestClient, site: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(client, "ana.pf")
    h3 = _compose(client, handling_code="H3")
    assert h3.status_code == 400
    assert "Handling code H3 needs the text of the restriction." in h3.text
    # What was written comes back in the form.
    assert "Manifest attached. Same consignee as in March." in h3.text
    nobody = _compose(client, to=[])
    assert nobody.status_code == 400
    assert "Choose at least one recipient agency other than your own." in nobody.text
    monkeypatch.setenv("VINCULO_ATTACHMENT_MAX_BYTES", "10")
    big = _compose(client, files=[("files", ("manifest.pdf", PDF, "application/pdf"))])
    assert big.status_code == 413
    assert "An attachment is larger than the limit: nothing was sent." in big.text
    with site.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Message)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(MessageThread)).scalar_one() == 0
    failed = [e for e in audit_entries(site, "message.send") if e.outcome == "failed"]
    assert len(failed) == 3


def test_forms_need_the_token_and_a_role_with_records(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    no_token = client.post(
        "/messages/new",
        data={"to": "ES-CNP", "subject": "x", "body": "y"},
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    _as(client, "admin.pf")
    assert client.get("/messages").status_code == 403
    assert client.get("/messages/new").status_code == 403
    anonymous = TestClient(client.app)
    assert anonymous.get("/messages", follow_redirects=False).status_code == 303


def test_notifications_listed_linked_and_marked_read(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    page = client.get("/notifications")
    # ana.pf's own unread one and the agency's; not her colleague's, not the read one.
    assert 'href="/hits/h1"' in page.text
    assert 'href="/requests/r1"' in page.text
    assert "/hits/h2" not in page.text and "/hits/h4" not in page.text
    with site.connect() as conn:
        ids = {r.ref_id: r.id for r in conn.execute(select(Notification))}
    marked = client.post(
        "/notifications/read",
        data={"ids": [str(ids["h1"]), str(ids["h2"])]},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)},
    )
    assert marked.status_code == 200
    assert "/hits/h1" not in marked.text and "/requests/r1" in marked.text
    with site.connect() as conn:
        read = {r.ref_id for r in conn.execute(select(Notification)) if r.read_at is not None}
    # rui.pf's notification (h2) is not ana's to mark.
    assert read == {"h1", "h4"}
    assert "/hits/h1" in client.get("/notifications?show=all").text
    refused = client.post("/notifications/read", data={"ids": str(ids["r1"])})
    assert refused.status_code == 403


def test_a_record_referred_to_is_shown_as_each_reader_may_see_it(
    client: TestClient, site: Engine
) -> None:
    record = make_entity_id("BR-PF", "br-pf-1")
    _as(client, "ana.pf")
    page = client.get(f"/messages/new?to=ES-CNP&entity={record}")
    assert f'name="entity" value="{record}"' in page.text
    thread_url = _compose(client, entity=record).headers["location"]
    assert "Persona Prueba 1 BR-PF" in client.get(thread_url).text  # the owner sees it whole
    _as(client, "luis.cnp")
    seen = client.get(thread_url)
    assert f'href="/entities/{record}"' in seen.text
    assert "Persona Prueba 1 BR-PF" not in seen.text  # hit-only to ES-CNP
    assert "Solo su existencia (coincidencia)" in seen.text
