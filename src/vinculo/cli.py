"""The ``vinculo`` command line."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vinculo.cli_auth import app as auth_app
from vinculo.cli_common import _engine, _user, console, fail, out
from vinculo.cli_graph import graph_app
from vinculo.cli_maintenance import maintenance
from vinculo.cli_messages import messages_app
from vinculo.cli_sharing import register as _register_sharing

app = typer.Typer(
    help="vinculo: cross-matching and lawful sharing of criminal intelligence.",
    no_args_is_help=True,
)
agencies_app = typer.Typer(help="Agencies on this installation.", no_args_is_help=True)
hits_app = typer.Typer(
    help="Hits: where two agencies hold data on the same entity.", no_args_is_help=True
)
matching_app = typer.Typer(help="The matcher: model, exclusions.", no_args_is_help=True)
quarantine_app = typer.Typer(
    help="Rows kept aside by imports, for correction and re-import.", no_args_is_help=True
)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(agencies_app, name="agencies")
app.add_typer(users_app, name="users")
app.add_typer(hits_app, name="hits")
app.add_typer(matching_app, name="matching")
app.add_typer(quarantine_app, name="quarantine")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


@app.command()
def init() -> None:
    """Create the database, or migrate it to the newest schema."""
    from vinculo.store.db import get_engine, migrate

    revision = migrate(get_engine())
    out.print(f"database ready at revision {revision}: {get_engine().url.render_as_string()}")


@agencies_app.command("add")
def agencies_add(
    code: Annotated[str, typer.Argument(help="e.g. CO-DIJIN")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 code or name")],
    kind: Annotated[
        str,
        typer.Option(
            help="police, prosecution, judiciary, penitentiary, customs, fiu, ministry, "
            "regional_body"
        ),
    ],
    name: Annotated[str, typer.Option(help="Full name of the agency")],
    network: Annotated[list[str] | None, typer.Option(help="Network membership (repeat)")] = None,
    contact: Annotated[list[str] | None, typer.Option(help="market=contact point (repeat)")] = None,
) -> None:
    """Add an agency."""
    from vinculo.sharing.directory import DirectoryError, add_agency

    contacts: dict[str, str] = {}
    for item in contact or []:
        if "=" not in item:
            raise fail(
                f"--contact {item!r}: write market=contact, e.g. drugs=antinarcoticos@example.org"
            )
        market, value = item.split("=", 1)
        contacts[market.strip()] = value.strip()
    try:
        with _engine().begin() as conn:
            info = add_agency(conn, code, name, country, kind, network or [], contacts)
    except DirectoryError as exc:
        raise fail(str(exc)) from None
    out.print(f"added agency {info.code} ({info.name}, {info.country}, {info.kind.value})")


@agencies_app.command("list")
def agencies_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List agencies."""
    from vinculo.sharing.directory import list_agencies

    with _engine().connect() as conn:
        agencies = list_agencies(conn)
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "code": a.code,
                        "name": a.name,
                        "country": a.country,
                        "kind": a.kind.value,
                        "networks": [n.value for n in a.networks],
                        "contact_points": a.contact_points,
                    }
                    for a in agencies
                ]
            )
        )
        return
    table = Table("code", "name", "country", "kind", "networks")
    for a in agencies:
        table.add_row(
            a.code, a.name, a.country, a.kind.value, ", ".join(n.value for n in a.networks)
        )
    out.print(table)


@users_app.command("add")
def users_add(
    username: str,
    agency: Annotated[str, typer.Option(help="Agency code")],
    role: Annotated[
        list[str],
        typer.Option(
            help="Role (repeat): analyst, investigator, prosecutor, prison_officer, "
            "liaison_officer, supervisor, administrator, dpo"
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    locale: Annotated[str | None, typer.Option(help="es, pt, en or fr")] = None,
    password: Annotated[
        str | None, typer.Option(help="Read from standard input when omitted", hidden=True)
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Add a user. The password is read from standard input (--password-stdin) or prompted for."""
    from vinculo.sharing.directory import DirectoryError, add_user

    if password is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with _engine().begin() as conn:
            user = add_user(conn, username, agency, password, role, name, email, locale)
    except DirectoryError as exc:
        raise fail(str(exc)) from None
    out.print(
        f"added user {user.username} ({user.agency}; {', '.join(r.value for r in user.roles)})"
    )


@users_app.command("list")
def users_list(agency: Annotated[str | None, typer.Option()] = None) -> None:
    """List users."""
    from vinculo.sharing.directory import list_users

    with _engine().connect() as conn:
        users = list_users(conn, agency)
    table = Table("username", "agency", "roles", "active")
    for u in users:
        table.add_row(
            u.username,
            u.agency,
            ", ".join(r.value for r in u.roles),
            "yes" if u.is_active else "no",
        )
    out.print(table)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or FtM JSON lines file")],
    agency: Annotated[str, typer.Option(help="Owner agency code")],
    schema: Annotated[
        str | None,
        typer.Option(help="Schema of the rows (default Person) when no mapping is given"),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping file (docs/mapping.md)")
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx or ftm (default: from the file name)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name")] = None,
    market: Annotated[
        list[str] | None, typer.Option(help="Criminal market for rows that name none (repeat)")
    ] = None,
    handling_code: Annotated[str | None, typer.Option(help="H0-H3 for rows that give none")] = None,
    evaluation: Annotated[
        str | None, typer.Option(help="Source evaluation (e.g. B2) for rows that give none")
    ] = None,
    subject_category: Annotated[
        str | None, typer.Option(help="Data-subject category for people rows that give none")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check and preview; write nothing")] = False,
    match: Annotated[
        bool,
        typer.Option(
            "--match/--no-match",
            help="Check each record against other agencies' as it is written (default); for a "
            "bulk load, --no-match and then 'vinculo xref --agency CODE'",
        ),
    ] = True,
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here")] = None,
) -> None:
    """Import an agency's file. Running the same import again resumes it or changes nothing."""
    from vinculo.ingest.mapping import MappingError
    from vinculo.ingest.pipeline import ImportFailed, run_import

    defaults: dict[str, Any] = {}
    if market:
        defaults["markets"] = market
    if handling_code:
        defaults["handling_code"] = handling_code
    if evaluation:
        defaults["source_evaluation"] = evaluation
    if subject_category:
        defaults["subject_category"] = subject_category
    engine = _engine()
    with _progress() as progress:
        task = progress.add_task(f"import {path.name}", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None)

        try:
            result = run_import(
                path,
                agency,
                engine=engine,
                schema=schema,
                mapping_path=mapping,
                file_format=file_format,
                sheet=sheet,
                dry_run=dry_run,
                defaults=defaults,
                progress=tick,
                match=match,
            )
        except (ImportFailed, MappingError) as exc:
            raise fail(str(exc)) from None
    data = result.to_dict()
    if report:
        report.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    verb = "would write" if dry_run else "wrote"
    out.print(
        f"{path.name}: read {result.rows_read} rows, {verb} {result.entities_written} entities, "
        f"rejected {result.rows_rejected}, flagged {result.rows_flagged}"
        + (f" (resumed after line {result.resumed_from_line})" if result.resumed_from_line else "")
    )
    for problem in result.problems[:20]:
        out.print(
            escape(
                f"  line {problem.line}, {problem.column or '-'}: {problem.reason} "
                f"[{problem.severity}]"
            ),
            highlight=False,
        )
    if len(result.problems) > 20:
        out.print(
            f"  … {len(result.problems) - 20} more problems"
            + (f" in {report}" if report else " (use --report)")
        )
    if result.unmapped_columns:
        out.print(f"  columns not imported: {', '.join(result.unmapped_columns)}")
    if dry_run and result.preview:
        for item in result.preview[:5]:
            out.print(
                f"  preview line {item['line']}: {item['schema']} {item['caption']}",
                highlight=False,
            )


@app.command()
def export(
    agency: Annotated[str, typer.Option(help="Agency code")],
    file_format: Annotated[str, typer.Option("--format", help="ftm, csv or xlsx")] = "ftm",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Output file (default CODE.jsonl, .csv or .xlsx)"),
    ] = None,
) -> None:
    """Export one agency's records."""
    from vinculo import audit
    from vinculo.export import FORMATS, export_agency
    from vinculo.sharing.directory import get_agency

    if file_format not in FORMATS:
        raise fail(f"unknown format {file_format!r}; one of {', '.join(FORMATS)}")
    engine = _engine()
    with engine.connect() as conn:
        if get_agency(conn, agency) is None:
            raise fail(f"unknown agency {agency!r}")
    suffix = {"ftm": "jsonl", "csv": "csv", "xlsx": "xlsx"}[file_format]
    output = output or Path(f"{agency}.{suffix}")
    count = export_agency(engine, agency, file_format, output)
    # The operator's export of a whole agency (backup, migration): on the record like any other.
    audit.record_now(
        engine,
        audit.Actor(f"cli:{getpass.getuser()}", agency, "cli"),
        "export.agency",
        object_type="agency",
        object_id=agency,
        details={"format": file_format, "file": output.name, "entities": count},
    )
    out.print(f"exported {count} entities of {agency} to {output}")


@app.command()
def generate(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Directory to write the scenario to")
    ] = Path("var/scenario"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 1,
    scale: Annotated[int, typer.Option(help="Approximate number of person records")] = 5000,
) -> None:
    """Generate the synthetic EU–LAC scenario with its ground truth."""
    from vinculo.demo import generate as generate_scenario

    with _progress() as progress:
        tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        manifest = generate_scenario(output, seed=seed, scale=scale, progress=tick)
    out.print(f"scenario written to {output} (seed {seed}, scale {scale})")
    _ = manifest


@app.command()
def demo(
    scale: Annotated[int, typer.Option(help="Approximate number of person records")] = 5000,
    seed: Annotated[int, typer.Option()] = 1,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Set up a demo installation: scenario, agencies, imports, one user per agency; then serve."""
    from vinculo.demo.install import install_demo
    from vinculo.store.db import get_engine

    with _progress() as progress:
        task = progress.add_task("demo", total=None)

        def tick(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        result = install_demo(get_engine(), seed=seed, scale=scale, progress=tick)
    table = Table(
        "agency", "username", "password", title="demo users (one per agency, and the DPO)"
    )
    for user in result.users:
        table.add_row(user.agency, user.username, user.password)
    out.print(table)
    out.print(
        f"{result.entities} entities imported from {result.files} files; "
        f"{result.rows_rejected} rows rejected, {result.rows_flagged} flagged; "
        f"{result.hits} hits between agencies"
    )
    if serve_after:
        serve(host=host, port=port)


@app.command("xref-files")
def xref_files(
    left: Annotated[Path, typer.Argument(help="CSV with standard columns (id required)")],
    right: Annotated[Path | None, typer.Argument(help="Second CSV: link across the two")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Links CSV to write")] = Path(
        "links.csv"
    ),
    threshold: Annotated[
        float | None, typer.Option(help="Match probability threshold (default: the model's)")
    ] = None,
    em: Annotated[
        bool | None,
        typer.Option(
            "--em/--no-em",
            help="Re-estimate the model on these files (EM), or keep the trained one "
            "(default: decided from the files' columns, see docs/matching.md)",
        ),
    ] = None,
    candidates_out: Annotated[
        Path | None, typer.Option(help="Also write every candidate pair with its score")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="inprocess (default) or spark (Apache Spark, local[*] by default)")
    ] = "inprocess",
) -> None:
    """Link records across two files, or find duplicates within one. No database needed.

    Output: left_id,right_id,score for each pair at or above the threshold. Prints one summary
    line on stdout."""
    from vinculo.matching.xref_files import run_xref_files

    try:
        if engine not in ("inprocess", "spark"):
            raise ValueError(f"unknown engine {engine!r}: inprocess or spark")
        summary = run_xref_files(left, right, output, threshold, em, candidates_out, engine)
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    print(summary)


@hits_app.command("list")
def hits_list(
    as_user: Annotated[str, typer.Option("--as", help="Username whose agency's hits to list")],
    status: Annotated[
        str | None, typer.Option(help="new, needs_review, confirmed, rejected")
    ] = None,
    limit: Annotated[int, typer.Option()] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Hits involving a user's agency, with their explanation.

    Other agencies' records are shown as the sharing policy allows."""
    from vinculo.matching.views import hits_for_user

    engine = _engine()
    user = _user(engine, as_user)
    with engine.connect() as conn:
        hits = hits_for_user(conn, user, status, limit=limit)
    if as_json:
        out.print_json(json.dumps(hits))
        return
    table = Table("hit", "score", "status", "own record", "other agency", "why")
    for h in hits:
        table.add_row(
            h["id"][:12], f"{h['score']:.3f}", h["status"], escape(h["own"].get("caption") or ""),
            h["other"]["agency"], escape("; ".join(h["explanation"][:3])),
        )  # fmt: skip
    out.print(table)


@hits_app.command("judge")
def hits_judge(
    hit: Annotated[str, typer.Argument(help="Hit id (or its first characters)")],
    status: Annotated[str, typer.Option(help="confirmed, rejected or needs_review")],
    as_user: Annotated[str, typer.Option("--as", help="Username of the judge")],
    note: Annotated[str, typer.Option(help="Why")] = "",
) -> None:
    """Confirm or reject a hit (only a user of one of its two agencies may)."""
    from sqlalchemy import select

    from vinculo import audit
    from vinculo.matching.hits import judge
    from vinculo.store.tables import Hit

    engine = _engine()
    user = _user(engine, as_user)
    with engine.begin() as conn:
        ids = [
            r[0]
            for r in conn.execute(select(Hit.id).where(Hit.id.startswith(hit, autoescape=True)))
        ]
        if len(ids) != 1:
            raise fail(f"{len(ids)} hits start with {hit!r}: give more of the id")
        try:
            judge(conn, ids[0], status, user.username, user.agency, note)
        except (ValueError, PermissionError, LookupError) as exc:
            raise fail(str(exc)) from None
        audit.record(
            conn,
            audit.Actor(user.username, user.agency, "cli"),
            "hit.judge",
            object_type="hit",
            object_id=ids[0],
            details={"status": status},
        )
    out.print(f"hit {ids[0]} {status} by {user.username}")


@app.command()
def xref(
    agency: Annotated[str | None, typer.Option(help="One agency against all others")] = None,
    all_agencies: Annotated[bool, typer.Option("--all", help="The whole installation")] = False,
) -> None:
    """Batch cross-referencing: match every record not yet matched (or changed since).

    Resumable: run it again after an interruption and it continues."""
    from vinculo.matching.hits import xref_agency

    if not agency and not all_agencies:
        raise fail("give --agency CODE or --all")
    engine = _engine()
    with _progress() as progress:
        task = progress.add_task("xref", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        matched, written = xref_agency(engine, agency if not all_agencies else None, progress=tick)
    out.print(f"matched {matched} records; {written} hits written or updated")


@matching_app.command("exclusions")
def matching_exclusions() -> None:
    """Values excluded from matching (too common to mean anything), automatic and manual."""
    from sqlalchemy import select

    from vinculo.store.tables import KeyExclusion

    with _engine().connect() as conn:
        rows = list(conn.execute(select(KeyExclusion).order_by(KeyExclusion.holders.desc())))
    table = Table("key", "source", "holders", "reason")
    for r in rows:
        table.add_row(escape(r.key), r.source, str(r.holders), escape(r.reason))
    out.print(table)


@matching_app.command("exclude")
def matching_exclude(
    key: Annotated[str, typer.Argument(help="e.g. ph:+573000000000 (see 'exclusions')")],
    reason: Annotated[str, typer.Option(help="Why this value says nothing")],
    as_user: Annotated[str, typer.Option("--as", help="Administrator's username")],
) -> None:
    """Exclude a value from matching by hand."""
    from vinculo.matching.hits import exclude_key

    engine = _engine()
    user = _user(engine, as_user)
    if "administrator" not in {r.value for r in user.roles}:
        raise fail("only an administrator may exclude values from matching")
    with engine.begin() as conn:
        exclude_key(conn, key, reason, user.username)
    out.print(f"excluded {key}")


@matching_app.command("train")
def matching_train(
    scale: Annotated[int, typer.Option(help="Scenario size to train on")] = 20000,
    seed: Annotated[int, typer.Option(help="Scenario seed (not the demo's)")] = 7,
    output: Annotated[Path | None, typer.Option("-o", help="Where to write the parameters")] = None,
) -> None:
    """Train the person model on a generated scenario (its ground truth is known)."""
    import tempfile

    from vinculo.demo import generate as generate_scenario
    from vinculo.matching.model import PARAMS_PATH
    from vinculo.matching.train import train_on_scenario

    with tempfile.TemporaryDirectory() as tmp:
        generate_scenario(Path(tmp), seed=seed, scale=scale)
        model = train_on_scenario(Path(tmp))
    model.meta["trained_on"] = f"vinculo generated scenario, seed {seed}, scale {scale}"
    target = output or PARAMS_PATH
    model.save(target)
    out.print(f"model trained on {model.meta['records']} records written to {target}")


@quarantine_app.command("list")
def quarantine_list(
    agency: Annotated[str, typer.Option(help="Agency code")],
    job: Annotated[str | None, typer.Option(help="One import job")] = None,
) -> None:
    """Rows still waiting for correction: rejected ones, and stored ones with flagged values."""
    from vinculo.ingest.quarantine import open_rows

    with _engine().connect() as conn:
        rows = open_rows(conn, agency, job)
    table = Table("source", "line", "status", "problems")
    for row in rows:
        problems = "; ".join(f"{p.get('column') or '-'}: {p.get('reason')}" for p in row.reasons)
        table.add_row(escape(row.source), str(row.line), row.status, escape(problems))
    out.print(table)
    out.print(f"{len(rows)} rows in quarantine for {agency}")


@quarantine_app.command("export")
def quarantine_export(
    agency: Annotated[str, typer.Option(help="Agency code")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV to write")],
    job: Annotated[str | None, typer.Option(help="One import job")] = None,
    rejected_only: Annotated[bool, typer.Option(help="Leave out stored rows")] = False,
) -> None:
    """Write the quarantined rows as they were read, with their problems, for correction.

    Import the corrected file as usual: the rows it fixes leave the quarantine."""
    from vinculo.ingest.quarantine import export_for_correction, open_rows

    with _engine().connect() as conn:
        rows = open_rows(conn, agency, job, include_flagged=not rejected_only)
    count = export_for_correction(rows, output)
    out.print(f"{count} quarantined rows of {agency} written to {output}")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Serve the REST API (OpenAPI at /api/v1/docs)."""
    import uvicorn

    from vinculo.api import create_app

    out.print(f"vinculo on http://{host}:{port}  (API docs: http://{host}:{port}/api/v1/docs)")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


_register_sharing(app)
app.command("maintenance")(maintenance)
app.add_typer(messages_app, name="messages")
app.add_typer(auth_app, name="auth")
app.add_typer(graph_app, name="graph")


if __name__ == "__main__":
    app()
