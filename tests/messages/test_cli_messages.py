"""``vinculo messages``: send, list and show, audited with origin ``cli``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from tests.messages.conftest import World
from vinculo.cli import app
from vinculo.store.tables import AuditEntry, MessageThread


def test_send_list_show_and_refusal(cli_env: World, tmp_path: Path) -> None:
    world = cli_env
    runner = CliRunner()
    note = tmp_path / "note.txt"
    note.write_text("Contenedor MSCU1234565", encoding="utf-8")
    sent = runner.invoke(
        app,
        ["messages", "send", "--as", "dora", "--to", "ES-CNP", "--subject", "Puerto",
         "--body", "Llega el viernes", "--attach", str(note), "--handling", "H2",
         "--evaluation", "B2"],
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    with world.engine.connect() as conn:
        (thread,) = conn.execute(select(MessageThread.id)).scalars().all()
    listed = runner.invoke(app, ["messages", "list", "--as", "luis"])
    assert listed.exit_code == 0 and thread in listed.output
    shown = runner.invoke(app, ["messages", "show", thread, "--as", "luis"])
    assert shown.exit_code == 0, shown.output
    assert "Llega el viernes" in shown.output and "note.txt" in shown.output
    assert "H2 B2" in shown.output
    refused = runner.invoke(app, ["messages", "show", thread, "--as", "pablo"])
    assert refused.exit_code == 1
    with world.engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.action, AuditEntry.username, AuditEntry.outcome, AuditEntry.origin)
            .where(AuditEntry.action.startswith("message."))
            .order_by(AuditEntry.seq)
        ).all()
    assert [tuple(e) for e in entries] == [
        ("message.send", "dora", "ok", "cli"),
        ("message.list", "luis", "ok", "cli"),
        ("message.read", "luis", "ok", "cli"),
        ("message.read", "pablo", "denied", "cli"),
    ]
