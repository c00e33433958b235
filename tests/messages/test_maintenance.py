"""``vinculo maintenance``: dead sessions and unreferenced attachment contents are removed, live
ones and contents a message cites are kept; reminders are sent once."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, func, insert, select, update
from typer.testing import CliRunner

from tests.messages.conftest import World
from vinculo import maintenance, messages
from vinculo.auth.config import auth_config
from vinculo.auth.sessions import create_session
from vinculo.cli import app
from vinculo.messages.attachments import Upload
from vinculo.messages.drafts import Draft
from vinculo.store.tables import AttachmentBlob, WebSession, utcnow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _sessions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(WebSession.id_hash)).scalars())


def test_dead_sessions_go_live_ones_stay(world: World) -> None:
    engine = world.engine
    idle = dt.timedelta(minutes=auth_config().session_idle_minutes)
    now = utcnow()
    with engine.begin() as conn:
        _, live = create_session(conn, world.users["dora"].id, "password")
        _, expired = create_session(conn, world.users["luis"].id, "password")
        _, idle_one = create_session(conn, world.users["marta"].id, "password")
        conn.execute(
            update(WebSession)
            .where(WebSession.id_hash == expired.id_hash)
            .values(expires_at=now - dt.timedelta(seconds=1))
        )
        conn.execute(
            update(WebSession)
            .where(WebSession.id_hash == idle_one.id_hash)
            .values(last_seen_at=now - idle - dt.timedelta(seconds=1))
        )
    with engine.begin() as conn:
        assert maintenance.purge_sessions(conn, now) == 2
    assert _sessions(engine) == {live.id_hash}


def test_only_uncited_old_contents_are_removed(world: World) -> None:
    engine = world.engine
    with engine.begin() as conn:
        messages.create_thread(
            conn,
            world.users["dora"],
            world.actor("dora"),
            "Foto del contenedor",
            ["ES-CNP"],
            Draft(body="Adjunto la foto.", attachments=[Upload("foto.png", PNG)]),
        )
    cited = hashlib.sha256(PNG).hexdigest()
    old = utcnow() - maintenance.ORPHAN_GRACE - dt.timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(update(AttachmentBlob).values(created_at=old))
        conn.execute(
            insert(AttachmentBlob),
            [
                {"sha256": "a" * 64, "size": 1, "data": b"a", "created_at": old},
                # Just written, perhaps for a message not committed yet: kept.
                {"sha256": "b" * 64, "size": 1, "data": b"b", "created_at": utcnow()},
            ],
        )
    with engine.begin() as conn:
        assert maintenance.purge_orphan_attachments(conn) == 1
    with engine.connect() as conn:
        left = set(conn.execute(select(AttachmentBlob.sha256)).scalars())
    assert left == {cited, "b" * 64}


def test_the_command_reports_what_it_did_and_is_idempotent(cli_env: World) -> None:
    engine = cli_env.engine
    world = cli_env
    with engine.begin() as conn:
        create_session(conn, world.users["dora"].id, "password")
        conn.execute(update(WebSession).values(expires_at=utcnow() - dt.timedelta(hours=1)))
    runner = CliRunner()
    first = runner.invoke(app, ["maintenance"])
    assert first.exit_code == 0, first.output
    assert "1 dead session(s) removed" in first.output
    second = runner.invoke(app, ["maintenance"])
    assert "0 dead session(s) removed" in second.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(WebSession)).scalar() == 0
