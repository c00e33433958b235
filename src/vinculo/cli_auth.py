"""``vinculo auth``: second factors and API tokens, for operators at the server.

Every command is on the audit record, with the actor ``cli:<local user>``.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

# Imported where used, as in cli_common: a command loads only what it needs.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from vinculo import audit
    from vinculo.sharing.directory import UserInfo

app = typer.Typer(help="Second factors (TOTP) and API tokens.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: issue, list, revoke.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

console = Console(stderr=True)
out = Console()


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _engine() -> Engine:
    from sqlalchemy.exc import OperationalError

    from vinculo.store.db import current_revision, get_engine, head_revision

    engine = get_engine()
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise _fail(f"cannot open the database: {exc.orig}") from None
    if revision != head_revision():
        raise _fail("the database is not initialised or needs migrating: run 'vinculo init'")
    return engine


def cli_actor() -> audit.Actor:
    from vinculo import audit

    try:
        local = getpass.getuser()
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        local = "unknown"
    return audit.Actor(f"cli:{local}", None, "cli")


def _user(conn: Connection, username: str) -> UserInfo:
    from vinculo.sharing.directory import get_user

    user = get_user(conn, username)
    if user is None:
        raise _fail(f"no user {username!r}")
    return user


@app.command("totp-enrol")
def totp_enrol(username: str) -> None:
    """Give a user a new TOTP secret.

    Prints it and its otpauth:// URI once: hand them to the user, who confirms with a first
    code (POST /api/v1/auth/totp/confirm or totp-confirm)."""
    from vinculo import audit
    from vinculo.auth import totp

    with _engine().begin() as conn:
        user = _user(conn, username)
        try:
            enrolment = totp.enrol(conn, user.id, user.username)
        except totp.TotpError as exc:
            raise _fail(str(exc)) from None
        audit.record(conn, cli_actor(), "auth.totp.enrol", object_type="user", object_id=username)
    out.print(f"secret: {enrolment.secret}", highlight=False)
    out.print(f"uri:    {enrolment.uri}", highlight=False, soft_wrap=True)
    out.print("Not in force until confirmed with a first code from the app.")


@app.command("totp-confirm")
def totp_confirm(username: str, code: str) -> None:
    """Put a user's enrolled secret in force with a code from their app."""
    from vinculo import audit
    from vinculo.auth import totp

    with _engine().begin() as conn:
        user = _user(conn, username)
        reason = totp.confirm(conn, user.id, code)
        audit.record(
            conn,
            cli_actor(),
            "auth.totp.confirm",
            object_type="user",
            object_id=user.username,
            outcome="ok" if reason is None else "denied",
            details={} if reason is None else {"reason": reason},
        )
    if reason is not None:
        raise _fail(f"not confirmed: {reason}")
    out.print(f"second factor in force for {user.username}")


@app.command("totp-disable")
def totp_disable(username: str) -> None:
    """Remove a user's second factor (lost phone); also ends their browser sessions."""
    from vinculo import audit
    from vinculo.auth import totp
    from vinculo.auth.sessions import end_sessions_of

    with _engine().begin() as conn:
        user = _user(conn, username)
        had = totp.disable(conn, user.id)
        ended = end_sessions_of(conn, user.id)
        audit.record(
            conn,
            cli_actor(),
            "auth.totp.disable",
            object_type="user",
            object_id=user.username,
            details={"had_totp": had, "sessions_ended": ended},
        )
    out.print(f"second factor removed for {user.username}" if had else "no second factor")


@tokens_app.command("issue")
def tokens_issue(
    username: str,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="Role the token acts with (repeat); default: all"),
    ] = None,
    hours: Annotated[int | None, typer.Option(help="Lifetime; default token_hours")] = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "cli",
) -> None:
    """Issue an API token. The secret is printed once and never stored."""
    from vinculo import audit
    from vinculo.auth.config import auth_config
    from vinculo.sharing.directory import DirectoryError, new_token

    config = auth_config()
    with _engine().begin() as conn:
        user = _user(conn, username)
        try:
            value, info = new_token(
                conn,
                user.id,
                hours or config.token_default_hours,
                label,
                scope or [],
                max_hours=config.token_max_hours,
            )
        except DirectoryError as exc:
            raise _fail(str(exc)) from None
        audit.record(
            conn,
            cli_actor(),
            "auth.token.issue",
            object_type="api_token",
            object_id=str(info.id),
            details={
                "user": user.username,
                "scopes": [r.value for r in info.scopes],
                "expires_at": info.expires_at.isoformat(),
            },
        )
    out.print(value, highlight=False, soft_wrap=True)
    console.print(
        f"token {info.id} for {user.username}, expires {info.expires_at:%Y-%m-%d %H:%M} UTC, "
        f"roles: {', '.join(r.value for r in info.scopes) or 'all'}"
    )


@tokens_app.command("list")
def tokens_list(username: str) -> None:
    """A user's tokens (never their secrets)."""
    from vinculo import audit
    from vinculo.sharing.directory import list_tokens

    with _engine().begin() as conn:
        user = _user(conn, username)
        tokens = list_tokens(conn, user.id)
        audit.record(conn, cli_actor(), "auth.token.list", object_type="user", object_id=username)
    table = Table("id", "label", "scopes", "expires", "last used", "state")
    for t in tokens:
        state = "revoked" if t.revoked_at else "active" if t.usable() else "expired"
        table.add_row(
            str(t.id),
            t.label,
            ", ".join(r.value for r in t.scopes) or "all",
            f"{t.expires_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
            state,
        )
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    from vinculo import audit
    from vinculo.sharing.directory import get_token, revoke_token, user_by_id

    with _engine().begin() as conn:
        info = get_token(conn, token_id)
        if info is None or not revoke_token(conn, token_id):
            raise _fail(f"no token {token_id}")
        owner = user_by_id(conn, info.user_id)
        audit.record(
            conn,
            cli_actor(),
            "auth.token.revoke",
            object_type="api_token",
            object_id=str(token_id),
            details={"user": owner.username if owner else None},
        )
    out.print(f"token {token_id} revoked")
