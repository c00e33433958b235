"""``vinculo messages``: secure messages between agencies at the command line (list, send, show).

The same service as the API, with the same checks; every act and every refusal is on the audit
record with origin ``cli``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vinculo.cli_common import _engine, _user, fail, out

# Imported where used, as in cli_common: a command loads only what it needs.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from vinculo import audit, messages
    from vinculo.sharing.directory import UserInfo

messages_app = typer.Typer(help="Secure messages between agencies.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", help="Username acting")]


def _actor(user: UserInfo) -> audit.Actor:
    from vinculo import audit

    return audit.Actor(user.username, user.agency, "cli")


def _refused(engine: Engine, user: UserInfo, exc: messages.MessageError) -> typer.Exit:
    """Put the refusal on the record (in a transaction of its own), then say why."""
    from vinculo import audit

    audit.record_now(engine, _actor(user), exc.action, **exc.audit_fields())
    return fail(exc.detail)


@messages_app.command("list")
def messages_list(
    as_user: AsUser,
    unread_only: Annotated[bool, typer.Option("--unread", help="Only threads with unread")] = False,
    limit: Annotated[int, typer.Option()] = 50,
) -> None:
    """Threads of the user's agency, most recently active first."""
    from vinculo import messages

    engine = _engine()
    user = _user(engine, as_user)
    try:
        with engine.begin() as conn:
            found = messages.list_threads(
                conn, user, _actor(user), unread_only=unread_only, limit=limit
            )
    except messages.MessageError as exc:
        raise _refused(engine, user, exc) from None
    table = Table("updated", "priority", "code", "agencies", "subject", "unread")
    # The id is what "show" needs: never wrapped or cut, whatever the terminal's width.
    table.add_column("thread", no_wrap=True, min_width=36)
    for t in found:
        table.add_row(
            t.updated_at.strftime("%Y-%m-%d %H:%M"), t.priority, t.handling_code,
            ", ".join(t.participants), escape(t.subject), str(t.unread), t.id,
        )  # fmt: skip
    out.print(table)


def _read_attachment(path: Path) -> messages.Upload:
    from vinculo import messages
    from vinculo.messages.attachments import max_bytes

    try:
        with path.open("rb") as handle:
            # The limit plus one byte is enough for the service to refuse an oversize file.
            return messages.Upload(path.name, handle.read(max_bytes() + 1))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None


@messages_app.command("send")
def messages_send(
    as_user: AsUser,
    body: Annotated[str, typer.Option(help="The text")],
    to: Annotated[list[str] | None, typer.Option("--to", help="Recipient agency (repeat)")] = None,
    subject: Annotated[str | None, typer.Option(help="Subject of a new thread")] = None,
    thread: Annotated[str | None, typer.Option(help="Reply in this thread instead")] = None,
    hit: Annotated[str | None, typer.Option(help="Write in the thread about this hit")] = None,
    attach: Annotated[list[Path] | None, typer.Option("--attach", help="A file (repeat)")] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Record id (repeat)")] = None,
    handling: Annotated[str, typer.Option(help="H0, H1, H2 or H3")] = "H0",
    handling_text: Annotated[str | None, typer.Option(help="The H3 restriction")] = None,
    evaluation: Annotated[str, typer.Option(help="Source and information, e.g. B2")] = "X4",
    priority: Annotated[str, typer.Option(help="routine, urgent or immediate")] = "routine",
) -> None:
    """Open a thread with other agencies (--to, --subject), or reply in one (--thread)."""
    from vinculo import messages

    engine = _engine()
    user = _user(engine, as_user)
    draft = messages.Draft(
        body=body,
        handling_code=handling,
        handling_text=handling_text,
        evaluation=evaluation,
        priority=priority,
        entity_refs=entity or [],
        attachments=[_read_attachment(p) for p in attach or []],
    )
    if thread is None and (not to or not subject):
        raise fail("a new thread needs --to and --subject (or reply with --thread)")
    try:
        with engine.begin() as conn:
            if thread is not None:
                sent = messages.reply(conn, user, _actor(user), thread, draft)
            else:
                sent = messages.create_thread(
                    conn, user, _actor(user), subject or "", to or [], draft, hit_id=hit
                )
    except messages.MessageError as exc:
        raise _refused(engine, user, exc) from None
    verb = "thread" if sent.created else "message in thread"
    out.print(
        f"sent: {verb} {sent.thread_id} (message {sent.message_id}, "
        f"{len(sent.attachments)} attachment(s)) to {', '.join(sent.participants)}"
    )


def _show(conn: Connection, user: UserInfo, thread: str) -> None:
    from vinculo import messages

    view = messages.open_thread(conn, user, _actor(user), thread)
    t = view.thread
    out.print(f"[bold]{escape(t.subject)}[/]  ({', '.join(t.participants)})", highlight=False)
    if t.hit_id:
        out.print(f"about hit {t.hit_id}")
    for m in view.messages:
        out.print(
            f"\n[bold]{m.sender}[/] ({m.sender_agency}) {m.created_at:%Y-%m-%d %H:%M}  "
            f"{m.handling_code} {m.evaluation} {m.priority}",
            highlight=False,
        )
        if m.handling_text:
            out.print(f"[yellow]H3: {escape(m.handling_text)}[/]")
        out.print(escape(m.body), highlight=False)
        if m.translation:
            out.print(f"[dim]({m.translation.language}) {escape(m.translation.text)}[/]")
        for e in m.entities:
            label = e.get("caption") or e.get("schema")
            out.print(f"  record {e['id']} of {e['agency']} ({e['view']}): {escape(str(label))}")
        for h in m.hits:
            out.print(f"  hit {h.id}" + (f" ({h.status})" if h.status else ""))
        for a in m.attachments:
            warning = " [red]executable[/]" if a.executable else ""
            out.print(f"  attachment {a.id}: {escape(a.filename)} {a.mime} {a.size} B{warning}")
        for r in m.receipts:
            acked = (
                f", acknowledged {r.acknowledged_at:%Y-%m-%d %H:%M}" if r.acknowledged_at else ""
            )
            read = f"read {r.read_at:%Y-%m-%d %H:%M}" if r.read_at else "unread"
            out.print(f"  {r.username} ({r.agency}): {read}{acked}")


@messages_app.command("show")
def messages_show(
    thread: Annotated[str, typer.Argument(help="Thread id")], as_user: AsUser
) -> None:
    """A thread with its messages (marks them read for the user)."""
    from vinculo import messages

    engine = _engine()
    user = _user(engine, as_user)
    try:
        with engine.begin() as conn:
            _show(conn, user, thread)
    except messages.MessageError as exc:
        raise _refused(engine, user, exc) from None
