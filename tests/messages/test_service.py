"""The message service: receipts, search scoping, translations, hit threading, references shown
through each reader's policy, deduplicated attachments."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.messages.conftest import World
from vinculo import messages
from vinculo.messages import Draft, Filters, Upload
from vinculo.store.tables import (
    Attachment,
    AttachmentBlob,
    AuditEntry,
    MessageThread,
    Notification,
)


def _send(
    world: World,
    username: str,
    to: list[str],
    body: str = "Container expected on Friday.",
    subject: str = "Shipment",
    hit_id: str | None = None,
    **draft: Any,
) -> messages.Sent:
    with world.engine.begin() as conn:
        return messages.create_thread(
            conn,
            world.users[username],
            world.actor(username),
            subject,
            to,
            Draft(body=body, **draft),
            hit_id=hit_id,
        )


def _reply(world: World, username: str, thread: str, body: str, **draft: Any) -> messages.Sent:
    with world.engine.begin() as conn:
        return messages.reply(
            conn, world.users[username], world.actor(username), thread, Draft(body=body, **draft)
        )


def _open(world: World, username: str, thread: str) -> messages.ThreadView:
    with world.engine.begin() as conn:
        return messages.open_thread(conn, world.users[username], world.actor(username), thread)


def _list(world: World, username: str, **kwargs: Any) -> list[messages.ThreadSummary]:
    with world.engine.begin() as conn:
        return messages.list_threads(conn, world.users[username], world.actor(username), **kwargs)


def _search(world: World, username: str, q: str | None, **filters: Any) -> list[messages.Found]:
    with world.engine.begin() as conn:
        return messages.search(
            conn, world.users[username], world.actor(username), q, Filters(**filters)
        )


def _ack(world: World, username: str, thread: str, message: str) -> messages.Receipt:
    with world.engine.begin() as conn:
        return messages.acknowledge(
            conn, world.users[username], world.actor(username), thread, message
        )


def test_receipts_and_acknowledgements(world: World) -> None:
    sent = _send(world, "dora", ["ES-CNP", "PE-PNP"])
    assert [t.unread for t in _list(world, "luis")] == [1]
    assert [t.unread for t in _list(world, "dora")] == [0]  # one's own messages are not unread
    seen_by_luis = _open(world, "luis", sent.thread_id)
    (own_receipt,) = seen_by_luis.messages[0].receipts
    assert own_receipt.username == "luis" and own_receipt.read_at is not None
    assert own_receipt.acknowledged_at is None
    assert [t.unread for t in _list(world, "luis")] == [0]
    # Marta, Luis's colleague, has not opened it: receipts are per user, not per agency.
    assert [t.unread for t in _list(world, "marta")] == [1]
    receipt = _ack(world, "luis", sent.thread_id, sent.message_id)
    assert receipt.acknowledged_at is not None and receipt.read_at == own_receipt.read_at
    again = _ack(world, "luis", sent.thread_id, sent.message_id)
    assert again.acknowledged_at == receipt.acknowledged_at  # the first acknowledgement stands
    # Pablo acknowledges without opening: that reads it too.
    _ack(world, "pablo", sent.thread_id, sent.message_id)
    # The sender sees who of which agency read and acknowledged.
    receipts = {r.username: r for r in _open(world, "dora", sent.thread_id).messages[0].receipts}
    assert set(receipts) == {"luis", "pablo"}
    assert receipts["luis"].agency == "ES-CNP" and receipts["pablo"].agency == "PE-PNP"
    assert all(r.read_at and r.acknowledged_at for r in receipts.values())
    # A recipient sees only their own receipt, not the other agency's.
    assert [r.username for r in _open(world, "pablo", sent.thread_id).messages[0].receipts] == [
        "pablo"
    ]
    with pytest.raises(messages.Invalid, match="recipients"):
        _ack(world, "dora", sent.thread_id, sent.message_id)
    with pytest.raises(messages.NotFound):
        _ack(world, "luis", sent.thread_id, "no-such-message")
    with world.engine.connect() as conn:
        acks = conn.execute(
            select(Notification.username, Notification.agency_code).where(
                Notification.kind == "message.ack"
            )
        ).all()
    # One notice per first acknowledgement (Luis twice, Pablo once: two notices).
    assert sorted(acks) == [("dora", "CO-DIJIN")] * 2


def test_reply_is_unread_for_the_other_side_only(world: World) -> None:
    sent = _send(world, "dora", ["ES-CNP"])
    _open(world, "luis", sent.thread_id)
    answer = _reply(world, "luis", sent.thread_id, "Received, we are on it.", priority="immediate")
    assert answer.created is False
    assert [(t.unread, t.messages) for t in _list(world, "dora")] == [(1, 2)]
    assert [(t.unread, t.messages) for t in _list(world, "luis")] == [(0, 2)]
    # The thread takes the priority of its most pressing message.
    assert _list(world, "dora")[0].priority == "immediate"
    assert [t.id for t in _list(world, "dora", unread_only=True)] == [sent.thread_id]
    assert _list(world, "luis", unread_only=True) == []
    with world.engine.connect() as conn:
        kinds = conn.execute(
            select(Notification.agency_code, Notification.kind, Notification.data).order_by(
                Notification.id
            )
        ).all()
    assert [(k.agency_code, k.kind) for k in kinds] == [
        ("ES-CNP", "message.new_thread"),
        ("CO-DIJIN", "message.new"),
    ]
    # Notifications name the thread and the message, never the subject or the text.
    assert all("Shipment" not in str(k.data) and "Container" not in str(k.data) for k in kinds)


def test_search_sees_only_threads_of_the_users_agency(world: World) -> None:
    spain = _send(
        world, "dora", ["ES-CNP"], "Cocaine in container MSCU1234565", "Port of Algeciras"
    )
    peru = _send(world, "dora", ["PE-PNP"], "Cocaine route through Tumbes", "Northern border")
    _send(world, "luis", ["PE-PNP"], "Nothing about it", "Other matter")
    assert {f.thread_id for f in _search(world, "luis", "cocaine")} == {spain.thread_id}
    assert {f.thread_id for f in _search(world, "pablo", "COCAINE")} == {peru.thread_id}
    assert {f.thread_id for f in _search(world, "dora", "cocaine")} == {
        spain.thread_id,
        peru.thread_id,
    }
    # The subject counts as well as the text.
    (by_subject,) = _search(world, "luis", "algeciras")
    assert by_subject.message_id == spain.message_id
    assert _search(world, "luis", "tumbes") == []
    with world.engine.connect() as conn:
        entry = conn.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "message.search")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert entry is not None and entry.details["query"] == "tumbes"
    assert entry.details["results"] == 0


def test_search_filters_and_literal_wildcards(world: World) -> None:
    urgent = _send(world, "dora", ["ES-CNP"], "Rate 100% confirmed", priority="urgent")
    h2 = _send(world, "dora", ["ES-CNP"], "1005 units seized", handling_code="H2")
    about_hit = _send(world, "luis", ["CO-DIJIN"], "Same person?", hit_id=world.hit_id)
    assert [f.message_id for f in _search(world, "luis", "100%")] == [urgent.message_id]
    assert _search(world, "luis", "_005") == []  # "_" is a character, not a wildcard
    assert [f.message_id for f in _search(world, "luis", None, priority="urgent")] == [
        urgent.message_id
    ]
    assert [f.message_id for f in _search(world, "luis", None, handling_code="H2")] == [
        h2.message_id
    ]
    assert [f.message_id for f in _search(world, "dora", None, hit_id=world.hit_id)] == [
        about_hit.message_id
    ]
    unread = {f.message_id for f in _search(world, "luis", None, unread_only=True)}
    assert unread == {urgent.message_id, h2.message_id}
    _open(world, "luis", urgent.thread_id)
    unread = {f.message_id for f in _search(world, "luis", None, unread_only=True)}
    assert unread == {h2.message_id}
    with pytest.raises(messages.Invalid):
        _search(world, "luis", None, priority="soon")


def test_translation_is_shown_beside_the_original(world: World) -> None:
    original = "El contenedor llega el viernes."
    sent = _send(
        world,
        "dora",
        ["BR-PF", "ES-CNP"],
        original,
        language="es",
        translations={"pt": "O contêiner chega na sexta-feira.", "en": "It arrives on Friday."},
    )
    (for_bia,) = _open(world, "bia", sent.thread_id).messages  # locale pt-BR
    assert for_bia.body == original
    assert for_bia.translation is not None
    assert (for_bia.translation.language, for_bia.translation.text) == (
        "pt",
        "O contêiner chega na sexta-feira.",
    )
    assert for_bia.translations_available == ["en", "pt"]
    (for_luis,) = _open(world, "luis", sent.thread_id).messages  # no locale
    assert for_luis.body == original and for_luis.translation is None
    (for_marta,) = _open(world, "marta", sent.thread_id).messages  # locale es: the original's
    assert for_marta.translation is None
    with pytest.raises(messages.Invalid, match="language"):
        _send(world, "dora", ["ES-CNP"], "x", translations={"not a language!": "y"})


def test_thread_about_a_hit_is_one_per_hit_between_its_two_agencies(world: World) -> None:
    opened = _send(world, "luis", ["CO-DIJIN"], "Is this your man?", hit_id=world.hit_id)
    assert opened.created is True
    answer = _send(world, "dora", ["ES-CNP"], "Yes, he is.", hit_id=world.hit_id)
    assert answer.created is False and answer.thread_id == opened.thread_id
    with world.engine.connect() as conn:
        assert messages.thread_for_hit(conn, world.hit_id, ["ES-CNP", "CO-DIJIN"]) == (
            opened.thread_id
        )
        assert messages.thread_for_hit(conn, world.hit_id, ["ES-CNP", "PE-PNP"]) is None
        assert conn.execute(select(func.count()).select_from(MessageThread)).scalar_one() == 1
    view = _open(world, "dora", opened.thread_id)
    assert view.thread.hit_id == world.hit_id and len(view.messages) == 2
    # Peru is not one of the hit's agencies: for it the hit does not exist.
    with pytest.raises(messages.Invalid, match="unknown hit"):
        _send(world, "pablo", ["CO-DIJIN"], "?", hit_id=world.hit_id)
    # Nor may a third agency be brought into a hit's thread.
    with pytest.raises(messages.Invalid, match="send it to CO-DIJIN only"):
        _send(world, "luis", ["CO-DIJIN", "PE-PNP"], "?", hit_id=world.hit_id)


def test_references_are_shown_through_each_readers_policy(world: World) -> None:
    own_only = world.records["D-3"]  # distribution "agency": others see only that it exists
    everyone = world.records["D-2"]  # distribution "all"
    sent = _send(
        world,
        "dora",
        ["ES-CNP"],
        "See these two.",
        entity_refs=[own_only, everyone],
        hit_refs=[world.hit_id],
    )
    (mine,) = _open(world, "dora", sent.thread_id).messages
    assert [e["view"] for e in mine.entities] == ["full", "full"]
    (theirs,) = _open(world, "luis", sent.thread_id).messages
    views = {e["id"]: e for e in theirs.entities}
    assert views[own_only]["view"] == "hit_only" and "properties" not in views[own_only]
    assert views[everyone]["view"] == "full" and views[everyone]["properties"]["name"]
    (hit,) = theirs.hits
    assert hit.id == world.hit_id and hit.status == "new"
    # Peru receives the same ids and sees them through its own view; the hit is not its own.
    third = _send(world, "dora", ["PE-PNP"], "FYI", entity_refs=[own_only], hit_refs=[world.hit_id])
    (for_peru,) = _open(world, "pablo", third.thread_id).messages
    assert [e["view"] for e in for_peru.entities] == ["hit_only"]
    assert for_peru.hits[0].status is None and for_peru.hits[0].agencies is None
    with world.engine.connect() as conn:
        read = conn.execute(
            select(AuditEntry.details).where(
                AuditEntry.action == "message.read", AuditEntry.username == "pablo"
            )
        ).scalar_one()
    assert read["views"] == {"hit_only": 1} and read["entities"] == [own_only]


def test_identical_attachments_are_stored_once(world: World) -> None:
    scan = b"%PDF-1.4\n" + bytes(range(256)) * 8
    first = _send(
        world,
        "dora",
        ["ES-CNP"],
        attachments=[Upload("scan.pdf", scan), Upload("copy of scan.pdf", scan)],
    )
    second = _send(world, "luis", ["PE-PNP"], attachments=[Upload("scan.pdf", scan)])
    assert first.attachments[0].sha256 == second.attachments[0].sha256
    assert first.attachments[0].mime == "application/pdf"
    assert first.attachments[0].inline_allowed is False  # PDF is a download, see attachments.py
    with world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AttachmentBlob)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(Attachment)).scalar_one() == 3
        (size,) = conn.execute(select(AttachmentBlob.size)).scalars().all()
    assert size == len(scan)
    with world.engine.begin() as conn:
        download = messages.download(
            conn, world.users["pablo"], world.actor("pablo"), second.attachments[0].id
        )
        assert download.data == scan
        # The same bytes, but in a thread Peru takes no part in.
        with pytest.raises(messages.NotFound):
            messages.download(
                conn, world.users["pablo"], world.actor("pablo"), first.attachments[0].id
            )
