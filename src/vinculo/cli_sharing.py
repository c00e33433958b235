"""``vinculo audit``, ``vinculo requests``, ``vinculo review`` and ``vinculo records``: the
sharing workflow and its oversight at the command line."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vinculo.cli_common import _engine, _user, fail, out

# Imported where used, as in cli_common: a command loads only what it needs.
if TYPE_CHECKING:
    from vinculo import audit
    from vinculo.sharing import disclosure
    from vinculo.sharing.directory import UserInfo

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
requests_app = typer.Typer(
    help="Disclosure requests: hit -> request -> decision -> release.", no_args_is_help=True
)
review_app = typer.Typer(help="Review dates and retention of records.", no_args_is_help=True)
records_app = typer.Typer(help="Who sees a record: distribution.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", help="Username acting")]


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(requests_app, name="requests")
    app.add_typer(review_app, name="review")
    app.add_typer(records_app, name="records")


def _operator() -> audit.Actor:
    from vinculo import audit

    return audit.Actor(f"cli:{getpass.getuser()}", None, "cli")


def _actor(user: UserInfo) -> audit.Actor:
    from vinculo import audit

    return audit.Actor(user.username, user.agency, "cli")


@audit_app.command("verify")
def audit_verify(
    expect_head: Annotated[
        str | None, typer.Option(help="A head hash kept outside the database (vinculo audit head)")
    ] = None,
) -> None:
    """Recompute the hash chain; name every altered, removed or reordered entry. Exit 1 if any."""
    from vinculo import audit

    engine = _engine()
    with engine.connect() as conn:
        result = audit.verify(conn, expect_head)
    audit.record_now(
        engine,
        _operator(),
        "audit.verify",
        outcome="ok" if result.ok else "failed",
        details={"entries": result.entries, "problems": len(result.problems)},
    )
    for problem in result.problems:
        out.print(f"[red]{problem.kind}[/] at entry {problem.seq}: {escape(problem.message)}")
    if not result.ok:
        raise fail(
            f"audit log broken: {len(result.problems)} problem(s) in {result.entries} entries"
        )
    out.print(f"audit log intact: {result.entries} entries, head {result.head_hash}")


@audit_app.command("head")
def audit_head() -> None:
    """Print the newest entry's number and hash: keep it elsewhere to prove the log later."""
    from vinculo import audit

    with _engine().connect() as conn:
        result = audit.verify(conn)
    out.print(f"{result.head_seq} {result.head_hash}")


@audit_app.command("search")
def audit_search(
    user: Annotated[str | None, typer.Option(help="Username")] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option(help="e.g. entity.read, or entity")] = None,
    object_id: Annotated[str | None, typer.Option("--object")] = None,
    outcome: Annotated[str | None, typer.Option(help="ok, denied or failed")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Entries, newest first (for the data-protection officer; the search itself is logged)."""
    from vinculo import audit

    engine = _engine()
    with engine.connect() as conn:
        found = audit.search(
            conn, audit.Query(user, agency, action, object_id, outcome), limit=limit
        )
    audit.record_now(
        engine, _operator(), "audit.search",
        details={"username": user, "agency": agency, "action": action, "count": len(found)},
    )  # fmt: skip
    if as_json:
        out.print_json(json.dumps([e.as_dict() for e in found]))
        return
    table = Table("seq", "at", "user", "agency", "action", "object", "outcome", "purpose")
    for e in found:
        table.add_row(
            str(e.seq), e.at.strftime("%Y-%m-%d %H:%M:%S"), escape(e.username or ""),
            e.agency or "", e.action, escape(e.object_id or ""), e.outcome,
            escape(e.purpose or ""),
        )  # fmt: skip
    out.print(table)


def _print_request(info: disclosure.RequestInfo) -> None:
    out.print(
        f"{info.id}  {info.status}  {info.requesting_agency} -> {info.owner_agency}  "
        f"{info.schema} {info.entity_id}  due {info.due_at:%Y-%m-%d %H:%M} UTC  ({info.urgency})"
    )


@requests_app.command("list")
def requests_list(
    as_user: AsUser,
    direction: Annotated[str, typer.Option(help="incoming, outgoing or all")] = "all",
    status: Annotated[str | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Disclosure requests of a user's agency, earliest deadline first."""
    from vinculo.sharing import disclosure

    engine = _engine()
    user = _user(engine, as_user)
    with engine.connect() as conn:
        found = disclosure.list_requests(conn, user, direction, status)
    if as_json:
        out.print_json(json.dumps([_as_dict(i) for i in found]))
        return
    for info in found:
        _print_request(info)


def _as_dict(info: disclosure.RequestInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "entity_id": info.entity_id,
        "status": info.status,
        "owner_agency": info.owner_agency,
        "requesting_agency": info.requesting_agency,
        "urgency": info.urgency,
        "due_at": info.due_at.isoformat(),
        "purpose": info.purpose,
        "legal_basis": info.legal_basis,
    }


@requests_app.command("create")
def requests_create(
    entity: Annotated[str, typer.Argument(help="Id of the other agency's record")],
    as_user: AsUser,
    purpose: Annotated[str, typer.Option(help="Why the record is needed")],
    legal_basis: Annotated[str, typer.Option(help="The legal basis for the request")],
    urgency: Annotated[str, typer.Option(help="routine, urgent or immediate")] = "routine",
    field: Annotated[list[str] | None, typer.Option(help="A field wanted (repeat)")] = None,
    hit: Annotated[str | None, typer.Option(help="The hit that revealed the record")] = None,
) -> None:
    """Ask the owner of a record to disclose it."""
    from vinculo.sharing import disclosure

    engine = _engine()
    user = _user(engine, as_user)
    try:
        with engine.begin() as conn:
            info = disclosure.request_disclosure(
                conn, user, _actor(user), entity, purpose=purpose, legal_basis=legal_basis,
                urgency=urgency, fields=field or [], hit_id=hit,
            )  # fmt: skip
    except LookupError:
        raise fail(f"no such record: {entity}") from None
    except (PermissionError, ValueError) as exc:
        raise fail(str(exc)) from None
    _print_request(info)


@requests_app.command("decide")
def requests_decide(
    request_id: Annotated[str, typer.Argument(help="Request id")],
    as_user: AsUser,
    decision: Annotated[str, typer.Option(help="approve, approve_fields, ask_info or decline")],
    field: Annotated[list[str] | None, typer.Option(help="A field released (repeat)")] = None,
    reason: Annotated[str, typer.Option(help="Reason or question")] = "",
    judicial_use: Annotated[
        bool, typer.Option(help="H1: allow use in judicial proceedings")
    ] = False,
) -> None:
    """The owner's supervisor decides a request."""
    from vinculo.sharing import disclosure

    engine = _engine()
    user = _user(engine, as_user)
    try:
        with engine.begin() as conn:
            info = disclosure.decide(
                conn, user, _actor(user), request_id, decision, fields=field or [],
                reason=reason, judicial_use=judicial_use,
            )  # fmt: skip
    except LookupError:
        raise fail(f"no such request: {request_id}") from None
    except (PermissionError, ValueError) as exc:
        raise fail(str(exc)) from None
    _print_request(info)


@requests_app.command("remind")
def requests_remind() -> None:
    """Send reminders for requests half-way to or past their deadline (run it from cron)."""
    from vinculo.sharing import disclosure

    engine = _engine()
    with engine.begin() as conn:
        sent = disclosure.send_reminders(conn)
    out.print(f"{sent} reminder(s) sent")


@review_app.command("list")
def review_list(as_user: AsUser, limit: Annotated[int, typer.Option()] = 100) -> None:
    """A user's agency's records whose review date has come."""
    from vinculo.sharing import retention

    engine = _engine()
    user = _user(engine, as_user)
    with engine.connect() as conn:
        due = retention.due_for_review(conn, user, limit=limit)
    table = Table("record", "schema", "caption", "review by")
    for d in due:
        table.add_row(d.id, d.schema, escape(d.caption), d.review_by.isoformat())
    out.print(table)


@review_app.command("extend")
def review_extend(
    entity: Annotated[str, typer.Argument()],
    as_user: AsUser,
    until: Annotated[str, typer.Option(help="New review date, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="Why the record is still needed")],
) -> None:
    """Keep a record of the user's agency until a later review date (at most three years on).

    The reason is kept on the audit record."""
    from vinculo.sharing import retention

    engine = _engine()
    user = _user(engine, as_user)
    try:
        new_date = dt.date.fromisoformat(until)
        with engine.begin() as conn:
            retention.extend_review(conn, user, _actor(user), entity, new_date, reason)
    except LookupError:
        raise fail(f"no such record of {user.agency}: {entity}") from None
    except (PermissionError, ValueError) as exc:
        raise fail(str(exc)) from None
    out.print(f"{entity}: review by {until}")


@review_app.command("delete")
def review_delete(
    entity: Annotated[str, typer.Argument()],
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why the record is deleted")],
) -> None:
    """Delete a record and what was made from it (hits, releases, open requests)."""
    from vinculo.sharing import retention

    engine = _engine()
    user = _user(engine, as_user)
    try:
        with engine.begin() as conn:
            report = retention.delete_record(conn, user, _actor(user), entity, reason)
    except LookupError:
        raise fail(f"no such record of {user.agency}: {entity}") from None
    except (PermissionError, ValueError) as exc:
        raise fail(str(exc)) from None
    out.print(
        f"{entity} deleted: {report.hits_removed} hit(s), {report.releases_removed} release(s), "
        f"{report.requests_closed} request(s) closed, {report.exports_notified} export(s) notified"
    )


@records_app.command("share")
def records_share(
    entity: Annotated[str, typer.Argument()],
    as_user: AsUser,
    distribution: Annotated[
        str, typer.Option(help="agency, country, all, network:NAME or group:ID")
    ],
) -> None:
    """Set who besides the owner sees a record's content."""
    from vinculo.sharing import groups

    engine = _engine()
    user = _user(engine, as_user)
    kind, _, ref = distribution.partition(":")
    try:
        with engine.begin() as conn:
            groups.set_distribution(conn, user, _actor(user), entity, kind, ref or None)
    except LookupError:
        raise fail(f"no such record of {user.agency}: {entity}") from None
    except (PermissionError, ValueError) as exc:
        raise fail(str(exc)) from None
    out.print(f"{entity}: distribution {distribution}")
