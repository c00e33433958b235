"""``vinculo graph``: network analysis at the command line, as a named user and through the
sharing policy, every run on the audit record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from vinculo.cli_common import _engine, _user, fail, out

#: The export formats, for the export command's help: written out here, so that starting the
#: CLI does not load the graph package (igraph, the store's snapshot code) for a help text;
#: tests/graph/test_cli.py checks that they are ``exports.FORMATS``.
EXPORT_FORMATS = ("graphml", "gexf", "anx", "ftm", "csv", "svg")

# Imported where used, as in cli_common: a command loads only what it needs.
if TYPE_CHECKING:
    from vinculo.graph import service, workspaces
    from vinculo.graph.network import Network
    from vinculo.sharing.directory import UserInfo

graph_app = typer.Typer(
    help="Network analysis over what a user may see: metrics, communities, paths, key players, "
    "exports.",
    no_args_is_help=True,
)

AsUser = Annotated[str, typer.Option("--as", help="Username acting (the policy applies to them)")]
Ids = Annotated[list[str] | None, typer.Option("--ids", help="Entity ids (comma-separated)")]
AgencyOpt = Annotated[str | None, typer.Option("--agency", help="An agency's records")]
CaseOpt = Annotated[str | None, typer.Option("--case", help="A Case entity id")]
QueryOpt = Annotated[str | None, typer.Option("--query", "-q", help="A search")]
Depth = Annotated[int, typer.Option("--depth", min=0, max=6, help="Links from the selection")]
Kinds = Annotated[list[str] | None, typer.Option("--kind", help="Edge kinds to keep (Call, ...)")]
Schemata = Annotated[list[str] | None, typer.Option("--schema", help="Schemata to keep")]
Start = Annotated[str | None, typer.Option("--from", help="Period start, YYYY-MM-DD")]
End = Annotated[str | None, typer.Option("--to", help="Period end, YYYY-MM-DD")]
Merge = Annotated[bool, typer.Option("--merge", help="Merge records joined by confirmed hits")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]


def _run(
    as_user: str,
    action: str,
    ids: list[str] | None,
    agency: str | None,
    case: str | None,
    query: str | None,
    depth: int,
    kinds: list[str] | None = None,
    schemata: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    merge: bool = False,
) -> tuple[Network, UserInfo, service.Request]:
    from vinculo import audit
    from vinculo.graph import service

    engine = _engine()
    user = _user(engine, as_user)
    actor = audit.Actor(user.username, user.agency, "cli")
    try:
        request = service.make_request(
            ids=ids,
            agency=agency,
            case=case,
            query=query,
            depth=depth,
            kinds=kinds,
            schemata=schemata,
            start=start,
            end=end,
            merge=merge,
        )
        with engine.connect() as conn:
            net = service.network(conn, user, request)
    except (PermissionError, LookupError, ValueError) as exc:
        outcome = "failed" if isinstance(exc, ValueError) else "denied"
        audit.record_now(
            engine,
            actor,
            action,
            object_type="graph",
            outcome=outcome,
            details={"reason": str(exc)},
        )
        if isinstance(exc, LookupError):
            raise fail(f"no such entity, or none you may see: {exc}") from None
        raise fail(str(exc)) from None
    audit.record_now(
        engine,
        actor,
        action,
        object_type="graph",
        details={**request.describe(), **service.summary(net)},
    )
    return net, user, request


def _label(net: Network, node_id: str) -> str:
    node = net.nodes.get(node_id)
    return node.label if node else node_id


def _print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


@graph_app.command("metrics")
def metrics_cmd(
    as_user: AsUser,
    ids: Ids = None,
    agency: AgencyOpt = None,
    case: CaseOpt = None,
    query: QueryOpt = None,
    depth: Depth = 1,
    kind: Kinds = None,
    schema: Schemata = None,
    merge: Merge = False,
    top: Annotated[int, typer.Option("--top", min=1)] = 10,
    measure: Annotated[str, typer.Option("--by", help="Measure to rank by")] = "betweenness",
    samples: Annotated[int | None, typer.Option("--samples", min=1)] = None,
    as_json: AsJson = False,
) -> None:
    """Degree, weighted degree, betweenness, eigenvector, PageRank and k-core."""
    from vinculo.graph import analysis, service

    if measure not in analysis.MEASURES:
        raise fail(f"--by: one of {', '.join(analysis.MEASURES)}")
    net, _, _ = _run(
        as_user, "graph.metrics", ids, agency, case, query, depth, kind, schema, merge=merge
    )
    result = service.run_metrics(net, top=top, samples=samples)
    if as_json:
        _print_json(result)
        return
    table = Table(title=f"{len(net.nodes)} nodes, {len(net.edges)} links — by {measure}")
    table.add_column("node")
    table.add_column("agency")
    for m in analysis.MEASURES:
        table.add_column(m, justify="right")
    for node_id in result["top"][measure]:
        values = result["nodes"][node_id]
        table.add_row(
            escape(_label(net, node_id)),
            escape(net.nodes[node_id].agency or ""),
            *(f"{values[m]:.4g}" for m in analysis.MEASURES),
        )
    out.print(table)
    out.print(f"betweenness: {result['info']['betweenness']}")


@graph_app.command("communities")
def communities_cmd(
    as_user: AsUser,
    ids: Ids = None,
    agency: AgencyOpt = None,
    case: CaseOpt = None,
    query: QueryOpt = None,
    depth: Depth = 1,
    kind: Kinds = None,
    merge: Merge = False,
    resolution: Annotated[float, typer.Option("--resolution", min=0.0001)] = 1.0,
    as_json: AsJson = False,
) -> None:
    """Leiden communities, modularity, and agreement with the recorded organisations."""
    from vinculo.graph import analysis

    net, _, _ = _run(
        as_user, "graph.communities", ids, agency, case, query, depth, kind, merge=merge
    )
    found = analysis.communities(net, resolution=resolution)
    if as_json:
        _print_json(found.as_dict())
        return
    nmi = found.organisations.get("nmi")
    out.print(
        f"{len(found.sizes)} communities, modularity {found.modularity:.3f}; "
        f"recorded organisations: {found.organisations['members']} members"
        + (f", NMI {nmi:.3f}" if nmi is not None else "")
    )
    table = Table()
    table.add_column("community", justify="right")
    table.add_column("size", justify="right")
    table.add_column("members (first 5)")
    for number, size in enumerate(found.sizes):
        members = [n for n, c in found.membership.items() if c == number][:5]
        table.add_row(str(number), str(size), escape(", ".join(_label(net, m) for m in members)))
    out.print(table)


@graph_app.command("paths")
def paths_cmd(
    as_user: AsUser,
    source: Annotated[str, typer.Argument(help="Entity id")],
    target: Annotated[str, typer.Argument(help="Entity id")],
    depth: Depth = 2,
    kind: Kinds = None,
    all_paths: Annotated[bool, typer.Option("--all", help="All shortest paths")] = False,
    time_respecting: Annotated[
        bool, typer.Option("--time", help="Only along links that follow each other in time")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Shortest path(s) between two entities, within --depth links of either."""
    from vinculo.graph import service

    net, _, _ = _run(as_user, "graph.paths", [source, target], None, None, None, depth, kind)
    try:
        result = service.run_paths(net, source, target, all_paths, time_respecting)
    except LookupError as exc:
        raise fail(f"not in the network: {exc}") from None
    if as_json:
        _print_json(result)
        return
    if not result["paths"]:
        out.print(f"no path within {depth} links of either end")
        return
    for path in result["paths"]:
        steps = [escape(_label(net, path["nodes"][0]))]
        for node_id, edge_id in zip(path["nodes"][1:], path["edges"], strict=True):
            edge = net.edges[edge_id]
            steps.append(escape(f"—[{edge.kind} {edge.agency or ''}]→ {_label(net, node_id)}"))
        out.print(" ".join(steps))


@graph_app.command("keyplayers")
def keyplayers_cmd(
    as_user: AsUser,
    ids: Ids = None,
    agency: AgencyOpt = None,
    case: CaseOpt = None,
    query: QueryOpt = None,
    depth: Depth = 1,
    k: Annotated[int, typer.Option("-k", min=1, max=50)] = 3,
    as_json: AsJson = False,
) -> None:
    """The k nodes whose removal fragments the network most (Borgatti)."""
    from vinculo.graph import analysis

    net, _, _ = _run(as_user, "graph.keyplayers", ids, agency, case, query, depth)
    result = analysis.key_players(net, k)
    if as_json:
        _print_json(result)
        return
    out.print(
        f"fragmentation {result['fragmentation_before']:.3f} → "
        f"{result['fragmentation_after']:.3f} without:"
    )
    for node_id in result["players"]:
        out.print(f"  {escape(_label(net, node_id))}  ({escape(node_id)})")


@graph_app.command("export")
def export_cmd(
    as_user: AsUser,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    format_: Annotated[str, typer.Option("--format", help=", ".join(EXPORT_FORMATS))] = "graphml",
    ids: Ids = None,
    agency: AgencyOpt = None,
    case: CaseOpt = None,
    query: QueryOpt = None,
    depth: Depth = 1,
    kind: Kinds = None,
    schema: Schemata = None,
    start: Start = None,
    end: End = None,
    judicial: Annotated[
        bool, typer.Option("--judicial", help="For a judicial package: refuse H1 not released")
    ] = False,
) -> None:
    """Write the network as GraphML, GEXF, ANX, FtM JSON lines, CSV or an SVG picture.

    The picture is laid out here; every format is marked with the handling codes, and every
    export is on the audit record."""
    from vinculo import audit
    from vinculo.graph import exports, service
    from vinculo.web.picture import picture_for  # its words are in the web catalogues

    if format_ not in exports.FORMATS:
        raise fail(f"--format: one of {', '.join(exports.FORMATS)}")
    net, user, request = _run(
        as_user, "graph.network", ids, agency, case, query, depth, kind, schema, start, end
    )
    engine = _engine()
    actor = audit.Actor(user.username, user.agency, "cli")
    try:
        body = exports.export(net, format_, user, judicial=judicial, picture=picture_for(user))
    except PermissionError as exc:
        audit.record_now(
            engine,
            actor,
            "graph.export",
            object_type="graph",
            outcome="denied",
            details={"reason": str(exc), "format": format_},
        )
        raise fail(str(exc)) from None
    output.write_bytes(body)
    audit.record_now(
        engine,
        actor,
        "graph.export",
        object_type="graph",
        details={
            **request.describe(),
            **service.summary(net),
            "format": format_,
            "judicial": judicial,
            "bytes": len(body),
            "file": output.name,
        },
    )
    out.print(f"{len(net.nodes)} nodes, {len(net.edges)} links → {escape(str(output))}")


workspaces_app = typer.Typer(
    help="Named link charts shared with the colleagues of one's agency (ids, pinned positions, "
    "notes).",
    no_args_is_help=True,
)
graph_app.add_typer(workspaces_app, name="workspaces")


def _workspace_call(as_user: str, action: str, workspace_id: int | None, call: Any) -> Any:
    """Run ``call(conn, user)`` in a transaction, the outcome on the audit record either way."""
    from vinculo import audit
    from vinculo.graph import workspaces

    engine = _engine()
    user = _user(engine, as_user)
    actor = audit.Actor(user.username, user.agency, "cli")
    where: dict[str, Any] = {
        "object_type": "workspace",
        "object_id": str(workspace_id) if workspace_id else None,
    }
    try:
        with engine.begin() as conn:
            result = call(conn, user)
            found = result if isinstance(result, workspaces.Workspace) else None
            details: dict[str, Any] = {"channel": "cli"}
            if found is not None:
                where["object_id"] = str(found.id)
                details["ids"] = len(found.ids)
            elif isinstance(result, list):
                details["count"] = len(result)
            audit.record(conn, actor, action, details=details, **where)
    except (PermissionError, LookupError, ValueError) as exc:
        outcome = "failed" if isinstance(exc, ValueError) else "denied"
        reason = "not found" if isinstance(exc, LookupError) else str(exc)
        audit.record_now(
            engine,
            actor,
            action,
            outcome=outcome,
            details={"channel": "cli", "reason": reason},
            **where,
        )
        if isinstance(exc, LookupError):
            raise fail(f"no workspace {workspace_id} in your agency") from None
        raise fail(str(exc)) from None
    return result


def _workspace_json(found: workspaces.Workspace) -> dict[str, Any]:
    return {
        "id": found.id,
        "name": found.name,
        "ids": found.ids,
        "pinned": found.state.get("pinned", {}),
        "notes": found.state.get("notes", {}),
        "created_by": found.created_by,
        "updated_by": found.updated_by,
        "updated_at": found.updated_at,
    }


@workspaces_app.command("list")
def workspaces_list_cmd(as_user: AsUser, as_json: AsJson = False) -> None:
    """The workspaces of the user's agency, most recently changed first."""
    from vinculo.graph import workspaces

    found: list[workspaces.Workspace] = _workspace_call(
        as_user, "graph.workspace.list", None, workspaces.list_workspaces
    )
    if as_json:
        _print_json([_workspace_json(w) for w in found])
        return
    if not found:
        out.print("no workspace in your agency")
        return
    table = Table()
    for column in ("id", "name", "ids", "notes", "updated by", "updated at"):
        table.add_column(column)
    for w in found:
        table.add_row(
            str(w.id),
            escape(w.name),
            str(len(w.ids)),
            str(len(w.state.get("notes", {}))),
            escape(w.updated_by),
            w.updated_at[:19],
        )
    out.print(table)


@workspaces_app.command("save")
def workspaces_save_cmd(
    as_user: AsUser,
    name: Annotated[str, typer.Option("--name", help="Workspace name (replaced if it exists)")],
    ids: Ids = None,
    state_file: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help='JSON file: {"ids": [...], "pinned": {id: [x, y]}, "notes": {id: text}}',
        ),
    ] = None,
) -> None:
    """Save a chart as the agency's workspace NAME, from --ids or a state file.

    A workspace of that name is replaced."""
    from vinculo.graph import service, workspaces

    state: dict[str, Any] = {}
    if state_file is not None:
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise fail(f"--state: {exc}") from None
        if not isinstance(state, dict):
            raise fail("--state: a JSON object is expected")
    if ids:
        state = {**state, "ids": service.split(ids)}
    saved: workspaces.Workspace = _workspace_call(
        as_user,
        "graph.workspace.save",
        None,
        lambda conn, user: workspaces.save(conn, user, name, state),
    )
    out.print(f"workspace {saved.id} {escape(saved.name)!r}: {len(saved.ids)} ids")


@workspaces_app.command("show")
def workspaces_show_cmd(
    as_user: AsUser,
    workspace_id: Annotated[int, typer.Argument(help="Workspace id", min=1)],
    as_json: AsJson = False,
) -> None:
    """A workspace of the user's agency: its ids, pinned positions and notes."""
    from vinculo.graph import workspaces

    found: workspaces.Workspace = _workspace_call(
        as_user,
        "graph.workspace.open",
        workspace_id,
        lambda conn, user: workspaces.get(conn, user, workspace_id),
    )
    if as_json:
        _print_json(_workspace_json(found))
        return
    out.print(f"{escape(found.name)} (by {escape(found.updated_by)}, {found.updated_at[:19]})")
    notes = found.state.get("notes", {})
    pinned = found.state.get("pinned", {})
    for entity_id in found.ids:
        extra = " pinned" if entity_id in pinned else ""
        note = f" — {notes[entity_id]}" if entity_id in notes else ""
        out.print(escape(f"  {entity_id}{extra}{note}"))


@workspaces_app.command("delete")
def workspaces_delete_cmd(
    as_user: AsUser,
    workspace_id: Annotated[int, typer.Argument(help="Workspace id", min=1)],
) -> None:
    """Delete a workspace of the user's agency."""
    from vinculo.graph import workspaces

    _workspace_call(
        as_user,
        "graph.workspace.delete",
        workspace_id,
        lambda conn, user: workspaces.remove(conn, user, workspace_id),
    )
    out.print(f"workspace {workspace_id} deleted")
