"""Secure messages over the REST API: denied paths first, then attachments' safety."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.messages.conftest import World
from vinculo.store.tables import (
    Attachment,
    AttachmentBlob,
    AuditEntry,
    Message,
    MessageThread,
    Notification,
)

H = dict[str, dict[str, str]]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
#: The start of a Windows executable (DOS header, "MZ", and the PE signature offset).
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"


def _new_thread(**overrides: Any) -> dict[str, Any]:
    return {
        "subject": "Shipment through Cartagena",
        "recipients": ["ES-CNP"],
        "body": "Container expected on Friday.",
        "handling_code": "H0",
        "evaluation": "B2",
        "priority": "urgent",
    } | overrides


def _count(world: World, table: Any) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _audit(world: World, action: str) -> list[Any]:
    with world.engine.connect() as conn:
        return list(
            conn.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
        )


def _post_thread(
    client: TestClient, headers: dict[str, str], files: list[tuple[str, Any]], **overrides: Any
) -> Any:
    return client.post(
        "/api/v1/messages/threads",
        data={"message": json.dumps(_new_thread(**overrides))},
        files=files,
        headers=headers,
    )


def test_thread_of_other_agencies_is_404_like_a_missing_one(
    client: TestClient, world: World, headers: H
) -> None:
    sent = client.post("/api/v1/messages/threads", json=_new_thread(), headers=headers["dora"])
    assert sent.status_code == 201, sent.text
    thread = sent.json()["thread_id"]
    message = sent.json()["message_id"]
    assert sorted(sent.json()["participants"]) == ["CO-DIJIN", "ES-CNP"]
    peru = headers["pablo"]
    missing = client.get("/api/v1/messages/threads/no-such-thread", headers=peru)
    foreign = client.get(f"/api/v1/messages/threads/{thread}", headers=peru)
    assert missing.status_code == foreign.status_code == 404
    assert missing.json() == foreign.json() == {"detail": "no such thread"}
    reply = client.post(
        f"/api/v1/messages/threads/{thread}/messages", json={"body": "me too"}, headers=peru
    )
    assert reply.status_code == 404
    ack = client.post(f"/api/v1/messages/threads/{thread}/messages/{message}/ack", headers=peru)
    assert ack.status_code == 404
    assert client.get("/api/v1/messages/threads", headers=peru).json() == []
    found = client.get("/api/v1/messages/search", params={"q": "Cartagena"}, headers=peru)
    assert found.status_code == 200 and found.json() == []
    # Nothing of Peru's attempts was written, and each refusal is on the record with its reason.
    assert _count(world, Message) == 1
    denied = [e for e in _audit(world, "message.read") if e.outcome == "denied"]
    reasons = [e.details["reason"] for e in denied if e.username == "pablo"]
    assert reasons == ["not found", "agency not a participant"]
    assert any(
        e.outcome == "denied" and e.username == "pablo" for e in _audit(world, "message.send")
    )
    # Spain, the recipient, sees it.
    seen = client.get(f"/api/v1/messages/threads/{thread}", headers=headers["luis"])
    assert seen.status_code == 200
    assert seen.json()["messages"][0]["body"] == "Container expected on Friday."


@pytest.mark.parametrize("username", ["root", "privacy"])
def test_administrator_and_dpo_may_not_send_or_read(
    client: TestClient, world: World, headers: H, username: str
) -> None:
    sent = client.post("/api/v1/messages/threads", json=_new_thread(), headers=headers["dora"])
    thread = sent.json()["thread_id"]
    h = headers[username]
    assert client.post("/api/v1/messages/threads", json=_new_thread(), headers=h).status_code == 403
    assert client.get("/api/v1/messages/threads", headers=h).status_code == 403
    # Their agency takes part, yet the role sees nothing of it.
    assert client.get(f"/api/v1/messages/threads/{thread}", headers=h).status_code == 403
    assert client.get("/api/v1/messages/search", params={"q": "x"}, headers=h).status_code == 403
    assert _count(world, MessageThread) == 1
    refusals = [e for e in _audit(world, "message.send") if e.username == username]
    assert [(e.outcome, e.details["reason"]) for e in refusals] == [
        ("denied", "role without access to records")
    ]


def test_h2_record_may_not_be_referenced_to_a_third_agency(
    client: TestClient, world: World, headers: H
) -> None:
    h2 = world.records["D-1"]  # Colombia's, H2, distribution "all": Spain sees it in full.
    spain = headers["luis"]
    refused = client.post(
        "/api/v1/messages/threads",
        json=_new_thread(recipients=["CO-DIJIN", "PE-PNP"], refs={"entities": [h2]}),
        headers=spain,
    )
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "H2" in detail and "PE-PNP" in detail and "CO-DIJIN" in detail
    assert _count(world, MessageThread) == 0 and _count(world, Notification) == 0
    # Back to its owner is not dissemination.
    to_owner = client.post(
        "/api/v1/messages/threads",
        json=_new_thread(recipients=["CO-DIJIN"], refs={"entities": [h2]}),
        headers=spain,
    )
    assert to_owner.status_code == 201, to_owner.text
    # An H0 record of the same owner may go to Peru.
    h0 = client.post(
        "/api/v1/messages/threads",
        json=_new_thread(recipients=["PE-PNP"], refs={"entities": [world.records["D-2"]]}),
        headers=spain,
    )
    assert h0.status_code == 201, h0.text
    # The owner itself may send its H2 record anywhere.
    own = client.post(
        "/api/v1/messages/threads",
        json=_new_thread(recipients=["PE-PNP", "ES-CNP"], refs={"entities": [h2]}),
        headers=headers["dora"],
    )
    assert own.status_code == 201, own.text


def test_unknown_record_recipient_or_incomplete_h3_is_refused(
    client: TestClient, world: World, headers: H
) -> None:
    dora = headers["dora"]
    cases = [
        _new_thread(refs={"entities": ["co-dijin.nope"]}),
        _new_thread(recipients=["XX-NOPE"]),
        _new_thread(recipients=["CO-DIJIN"]),  # only one's own agency
        _new_thread(handling_code="H3"),
        _new_thread(handling_code="H0", handling_text="only for the task force"),
        _new_thread(evaluation="D7"),
    ]
    for body in cases:
        response = client.post("/api/v1/messages/threads", json=body, headers=dora)
        assert response.status_code == 400, (body, response.text)
    too_long = [
        _new_thread(subject="x" * 301),
        _new_thread(recipients=[f"XX-A{i}" for i in range(51)]),
        _new_thread(body="x" * 100_001),
        _new_thread(priority="whenever"),
        _new_thread(unexpected="field"),
    ]
    for body in too_long:
        response = client.post("/api/v1/messages/threads", json=body, headers=dora)
        assert response.status_code == 422, (body, response.text)
    wrong_type = client.post(
        "/api/v1/messages/threads",
        content=b"subject=x",
        headers={**dora, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong_type.status_code == 415
    assert _count(world, MessageThread) == 0
    h3 = client.post(
        "/api/v1/messages/threads",
        json=_new_thread(handling_code="H3", handling_text="not to be shared with customs"),
        headers=dora,
    )
    assert h3.status_code == 201


def test_oversize_attachment_is_refused_and_nothing_is_written(
    client: TestClient, world: World, headers: H, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VINCULO_ATTACHMENT_MAX_BYTES", "1000")
    small = ("files", ("notes.txt", b"a" * 1000, "text/plain"))
    big = ("files", ("scan.png", b"\x00" * 1001, "image/png"))
    response = _post_thread(client, headers["dora"], [small, big])
    assert response.status_code == 413
    assert "scan.png" in response.json()["detail"]
    assert "1000 bytes" in response.json()["detail"]
    for table in (MessageThread, Message, Attachment, AttachmentBlob, Notification):
        assert _count(world, table) == 0, table
    (refusal,) = _audit(world, "message.send")
    assert refusal.outcome == "failed" and refusal.username == "dora"
    # At the limit it goes through.
    ok = _post_thread(client, headers["dora"], [small])
    assert ok.status_code == 201, ok.text
    assert _count(world, AttachmentBlob) == 1


def test_html_and_svg_are_never_served_inline(client: TestClient, world: World, headers: H) -> None:
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
    sent = _post_thread(
        client,
        headers["dora"],
        [
            ("files", ("page.html", html, "text/html")),
            ("files", ("logo.svg", svg, "image/svg+xml")),
            ("files", ("pixel.png", PNG, "image/png")),
        ],
    )
    assert sent.status_code == 201, sent.text
    page, logo, pixel = sent.json()["attachments"]
    assert page["mime"] == logo["mime"] == "text/plain"
    assert not page["inline_allowed"] and not logo["inline_allowed"]
    assert pixel["mime"] == "image/png" and pixel["inline_allowed"]
    for attachment in (page, logo):
        response = client.get(
            f"/api/v1/messages/attachments/{attachment['id']}",
            params={"inline": "true"},
            headers=headers["luis"],
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in response.headers["content-security-policy"]
    assert response.content == svg
    image = client.get(
        f"/api/v1/messages/attachments/{pixel['id']}",
        params={"inline": "true"},
        headers=headers["luis"],
    )
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline;")
    # Without asking, even an image is a download.
    plain = client.get(f"/api/v1/messages/attachments/{pixel['id']}", headers=headers["luis"])
    assert plain.headers["content-disposition"].startswith('attachment; filename="pixel.png"')
    # Peru takes no part in the thread: the attachment does not exist for it.
    assert (
        client.get(f"/api/v1/messages/attachments/{pixel['id']}", headers=headers["pablo"])
    ).status_code == 404
    assert (
        client.get("/api/v1/messages/attachments/999999", headers=headers["luis"]).status_code
        == 404
    )
    downloads = _audit(world, "message.attachment.download")
    assert [e.outcome for e in downloads] == ["ok", "ok", "ok", "ok", "denied", "denied"]
    assert downloads[2].details["inline"] is True and downloads[0].details["inline"] is False


def test_executable_claiming_to_be_png_is_sniffed_and_never_inline(
    client: TestClient, world: World, headers: H
) -> None:
    sent = _post_thread(
        client, headers["dora"], [("files", ("../../etc/photo.png", EXE, "image/png"))]
    )
    assert sent.status_code == 201, sent.text
    (attachment,) = sent.json()["attachments"]
    assert attachment["mime"] == "application/x-msdownload"
    assert attachment["executable"] is True and attachment["inline_allowed"] is False
    assert attachment["filename"] == "photo.png"
    response = client.get(
        f"/api/v1/messages/attachments/{attachment['id']}",
        params={"inline": "true"},
        headers=headers["luis"],
    )
    assert response.headers["content-type"] == "application/x-msdownload"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content == EXE


def test_reply_with_files_and_openapi_documents_both_content_types(
    client: TestClient, world: World, headers: H
) -> None:
    thread = client.post(
        "/api/v1/messages/threads", json=_new_thread(), headers=headers["dora"]
    ).json()["thread_id"]
    reply = client.post(
        f"/api/v1/messages/threads/{thread}/messages",
        data={"message": json.dumps({"body": "Manifest attached.", "evaluation": "A1"})},
        files=[("files", ("manifest.txt", b"Contenedor MSCU1234565", "text/plain"))],
        headers=headers["luis"],
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["created"] is False
    assert reply.json()["attachments"][0]["mime"] == "text/plain"
    missing_part = client.post(
        f"/api/v1/messages/threads/{thread}/messages",
        data={"other": "x"},
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=headers["luis"],
    )
    assert missing_part.status_code == 422
    spec = client.get("/api/v1/openapi.json").json()
    body = spec["paths"]["/api/v1/messages/threads/{thread_id}/messages"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "multipart/form-data"}
    assert (
        body["content"]["application/json"]["schema"]["properties"]["body"]["maxLength"] == 100_000
    )
