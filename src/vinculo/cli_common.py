"""What every part of the command line shares: its consoles, how it fails, the database and the
acting user. A module of its own so that sub-apps need not import ``vinculo.cli`` (which is also
run as ``python -m vinculo.cli``, and would then be imported twice)."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from vinculo.sharing.directory import UserInfo, list_users
from vinculo.store import db

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _engine() -> Engine:
    """The database, refusing politely when it has not been created or migrated yet."""
    engine = db.get_engine()
    try:
        revision = db.current_revision(engine)
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}") from None
    if revision != db.head_revision():
        raise fail("the database is not initialised or needs migrating: run 'vinculo init'")
    return engine


def _user(engine: Engine, username: str) -> UserInfo:
    with engine.connect() as conn:
        user = next((u for u in list_users(conn) if u.username == username.lower()), None)
    if user is None or not user.is_active:
        raise fail(f"unknown or inactive user {username!r}")
    return user
