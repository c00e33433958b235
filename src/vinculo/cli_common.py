"""What every part of the command line shares: its consoles, how it fails, the database and the
acting user. A module of its own so that sub-apps need not import ``vinculo.cli`` (which is also
run as ``python -m vinculo.cli``, and would then be imported twice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

# Imported where used, so that a command loads only what it needs: the start-up of every
# command ('vinculo xref-files' included) no longer loads Alembic, igraph, Starlette, the
# audit log or the import pipeline.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from vinculo.sharing.directory import UserInfo

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _engine() -> Engine:
    """The database, refusing politely when it has not been created or migrated yet."""
    from sqlalchemy.exc import OperationalError

    from vinculo.store import db

    engine = db.get_engine()
    try:
        revision = db.current_revision(engine)
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}") from None
    if revision != db.head_revision():
        raise fail("the database is not initialised or needs migrating: run 'vinculo init'")
    return engine


def _user(engine: Engine, username: str) -> UserInfo:
    from vinculo.sharing.directory import list_users

    with engine.connect() as conn:
        user = next((u for u in list_users(conn) if u.username == username.lower()), None)
    if user is None or not user.is_active:
        raise fail(f"unknown or inactive user {username!r}")
    return user
