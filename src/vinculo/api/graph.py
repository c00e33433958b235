"""Network analysis over what the user may see: the network, centralities, communities, paths,
key players, brokerage, most connected, exports (GraphML, GEXF, ANX, FtM, CSV, SVG), and the
agency's link-chart workspaces.

Every route builds the network for the user through the sharing policy (hit-only records are
placeholders), and leaves an audit entry naming the selection and how much was shown.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NoReturn

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from vinculo import audit
from vinculo.api.deps import Conn, CurrentUser, actor_of, deny, refusals
from vinculo.graph import analysis, exports, service, workspaces
from vinculo.graph.network import MAX_DEPTH, Network, find_path
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo

router = APIRouter(prefix="/graph", tags=["graph"])

Text = Annotated[str | None, Query(max_length=4000)]
Short = Annotated[str | None, Query(max_length=200)]


def graph_request(
    ids: Annotated[
        str | None, Query(max_length=20000, description="Entity ids, comma-separated")
    ] = None,
    agency: Annotated[str | None, Query(max_length=32, description="An agency's records")] = None,
    case: Annotated[str | None, Query(max_length=64, description="A Case entity id")] = None,
    q: Annotated[str | None, Query(max_length=200, description="A search")] = None,
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 1,
    schema: Text = None,
    market: Text = None,
    agencies: Text = None,
    country: Text = None,
    kind: Annotated[
        str | None, Query(max_length=4000, description="Edge kinds (Call, ...)")
    ] = None,
    start: Annotated[
        str | None, Query(max_length=10, description="Period start, YYYY-MM-DD")
    ] = None,
    end: Annotated[str | None, Query(max_length=10, description="Period end, YYYY-MM-DD")] = None,
    max_nodes: Annotated[int, Query(ge=1, le=50000)] = 5000,
    merge: Annotated[bool, Query(description="Merge records joined by confirmed hits")] = False,
) -> dict[str, Any]:
    return {
        "ids": ids,
        "agency": agency,
        "case": case,
        "query": q,
        "depth": depth,
        "schemata": schema,
        "markets": market,
        "agencies": agencies,
        "countries": country,
        "kinds": kind,
        "start": start,
        "end": end,
        "max_nodes": max_nodes,
        "merge": merge,
    }


Params = Annotated[dict[str, Any], Depends(graph_request)]


def _network(
    request: Request,
    conn: Conn,
    user: UserInfo,
    params: dict[str, Any],
    action: str,
    extra_ids: list[str] | None = None,
) -> tuple[Network, service.Request]:
    if not policy.works_with_records(user):
        deny(request, user, action, 403, "role without access to records")
    with refusals(request, user, action, object_type="entity"):
        values = dict(params)
        if extra_ids and not any(values[k] for k in ("ids", "agency", "case", "query")):
            values["ids"] = ",".join(extra_ids)
            values["depth"] = max(values["depth"], 2)
        wanted = service.make_request(**values)
        net = service.network(conn, user, wanted)
    return net, wanted


def _audit(
    request: Request,
    conn: Conn,
    user: UserInfo,
    action: str,
    net: Network,
    graph_request: service.Request,
    **details: Any,
) -> None:
    service.record(
        conn,
        actor_of(request, user),
        action,
        net,
        graph_request,
        purpose=request.headers.get("x-purpose"),
        **details,
    )


@router.get("/network")
def network(request: Request, conn: Conn, user: CurrentUser, params: Params) -> dict[str, Any]:
    """The network of a selection (ids, an agency, a case or a search) to ``depth`` links, as
    the user may see it: nodes (``view`` ``hit_only`` for placeholders) and edges with the
    record, agency and dates behind each."""
    net, req = _network(request, conn, user, params, "graph.network")
    _audit(request, conn, user, "graph.network", net, req)
    return net.as_dict()


@router.get("/metrics")
def metrics(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    samples: Annotated[int | None, Query(ge=1, le=10000)] = None,
) -> dict[str, Any]:
    """Degree, weighted degree, betweenness (exact on small networks, sampled on large),
    eigenvector, PageRank and k-core of every node, with the top ``top`` of each."""
    net, req = _network(request, conn, user, params, "graph.metrics")
    result = service.run_metrics(net, top=top, samples=samples)
    _audit(request, conn, user, "graph.metrics", net, req)
    return {
        **result,
        "explain": service.explain_nodes(net, {i for t in result["top"].values() for i in t}),
    }


@router.get("/communities")
def communities(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    resolution: Annotated[float, Query(gt=0, le=100)] = 1.0,
) -> dict[str, Any]:
    """Leiden communities with their modularity, compared (NMI) with the organisations the
    agencies recorded (Membership links)."""
    net, req = _network(request, conn, user, params, "graph.communities")
    with refusals(request, user, "graph.communities"):
        found = analysis.communities(net, resolution=resolution)
    _audit(request, conn, user, "graph.communities", net, req, communities=len(found.sizes))
    return found.as_dict()


@router.get("/paths")
def paths(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
    all_paths: Annotated[bool, Query(alias="all")] = False,
    time_respecting: Annotated[bool, Query(alias="time")] = False,
) -> dict[str, Any]:
    """Shortest path (or all shortest paths) between two entities, optionally only along links
    that follow each other in time. Without a selection, one shortest path is searched in
    everything the user may see (all paths, and paths in time order, within two links of
    either end)."""
    selected = any(params[k] for k in ("ids", "agency", "case", "query"))
    if not selected and not all_paths and not time_respecting:
        # One shortest path in everything the user may see, without building the network.
        if not policy.works_with_records(user):
            deny(request, user, "graph.paths", 403, "role without access to records")
        with refusals(request, user, "graph.paths", object_type="entity"):
            req = service.make_request(ids=[source, target], depth=0)
            net = find_path(conn, user, source, target)
    else:
        net, req = _network(request, conn, user, params, "graph.paths", [source, target])
    with refusals(request, user, "graph.paths", object_type="entity"):
        result = service.run_paths(net, source, target, all_paths, time_respecting)
    _audit(request, conn, user, "graph.paths", net, req, found=len(result["paths"]))
    return {
        **result,
        "nodes": service.explain_nodes(net, {n for p in result["paths"] for n in p["nodes"]}),
    }


@router.get("/connecting")
def connecting(request: Request, conn: Conn, user: CurrentUser, params: Params) -> dict[str, Any]:
    """i2's Find Connecting Network: every node and link on a shortest path between any two of
    the given ids."""
    seeds = service.split(params.get("ids"))
    if len(seeds) < 2:
        deny(request, user, "graph.connecting", 422, "ids: give at least two", outcome="failed")
    net, req = _network(
        request, conn, user, {**params, "depth": max(params["depth"], 2)}, "graph.connecting"
    )
    with refusals(request, user, "graph.connecting", object_type="entity"):
        sub = analysis.connecting_network(net, [s for s in seeds if s in net.nodes])
    _audit(request, conn, user, "graph.connecting", sub, req)
    return sub.as_dict()


@router.get("/keyplayers")
def keyplayers(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    k: Annotated[int, Query(ge=1, le=50)] = 3,
) -> dict[str, Any]:
    """Borgatti's key players: the k nodes whose removal fragments the network most, with the
    fragmentation before and after."""
    net, req = _network(request, conn, user, params, "graph.keyplayers")
    result = analysis.key_players(net, k)
    _audit(request, conn, user, "graph.keyplayers", net, req, k=k)
    return {**result, "explain": service.explain_nodes(net, result["players"])}


@router.get("/brokerage")
def brokerage(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    by: Literal["agency", "country", "community"] = "agency",
) -> dict[str, Any]:
    """Gould-Fernandez brokerage roles of each node between agencies, countries or
    communities."""
    net, req = _network(request, conn, user, params, "graph.brokerage")
    roles = analysis.brokerage(net, analysis.group_of(net, by))
    _audit(request, conn, user, "graph.brokerage", net, req, by=by)
    return {"by": by, "roles": roles}


@router.get("/most-connected")
def most_connected(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
) -> dict[str, Any]:
    """i2's List Most Connected: nodes by summed link values (links, calls, payments, meetings)."""
    net, req = _network(request, conn, user, params, "graph.most_connected")
    rows = analysis.most_connected(net, top)
    _audit(request, conn, user, "graph.most_connected", net, req)
    return {"nodes": rows, "explain": service.explain_nodes(net, [r["id"] for r in rows])}


@router.get(
    "/export",
    responses={200: {"content": {"application/octet-stream": {}}}},
    response_class=Response,
)
def export(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    params: Params,
    format_: Annotated[
        Literal["graphml", "gexf", "anx", "ftm", "csv", "svg"], Query(alias="format")
    ] = "graphml",
    judicial: Annotated[
        bool, Query(description="For a judicial package: refused when H1 material is not released")
    ] = False,
) -> Response:
    """The network as a file for Gephi (GraphML, GEXF), i2 Analyst's Notebook (ANX), OpenAleph
    (FtM JSON lines), a spreadsheet (CSV edge list) or a picture (SVG, laid out here, with a
    marking banner in the user's language), every node and link marked with its handling
    code."""
    from vinculo.web.picture import picture_for  # its words are in the web catalogues

    net, req = _network(request, conn, user, params, "graph.export")
    with refusals(request, user, "graph.export", object_type="graph"):
        body = exports.export(net, format_, user, judicial=judicial, picture=picture_for(user))
    _audit(
        request,
        conn,
        user,
        "graph.export",
        net,
        req,
        format=format_,
        judicial=judicial,
        bytes=len(body),
    )
    media, suffix = exports.FORMATS[format_]
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="vinculo-network.{suffix}"'},
    )


# Workspaces: named charts of the user's agency (ids, pinned positions, notes), as on the web
# page. Another agency's workspace answers 404, like one that does not exist.

WorkspaceId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class WorkspaceState(BaseModel):
    ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=workspaces.MAX_IDS
    )
    pinned: dict[
        str,
        Annotated[
            list[Annotated[float, Field(allow_inf_nan=False)]],
            Field(min_length=2, max_length=2),
        ],
    ] = Field(default_factory=dict, description="Pinned nodes' positions: id -> [x, y]")
    notes: dict[str, Annotated[str, Field(max_length=workspaces.MAX_NOTE)]] = Field(
        default_factory=dict, description="Analysts' notes: id -> text"
    )


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=workspaces.MAX_NAME)
    state: WorkspaceState


class WorkspaceChange(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=workspaces.MAX_NAME)
    state: WorkspaceState | None = None


class WorkspaceOut(BaseModel):
    id: int
    name: str
    ids: list[str]
    pinned: dict[str, list[float]]
    notes: dict[str, str]
    created_by: str
    updated_by: str
    updated_at: str


def _workspace_out(found: workspaces.Workspace) -> WorkspaceOut:
    return WorkspaceOut(
        id=found.id,
        name=found.name,
        ids=found.ids,
        pinned=found.state.get("pinned", {}),
        notes=found.state.get("notes", {}),
        created_by=found.created_by,
        updated_by=found.updated_by,
        updated_at=found.updated_at,
    )


def _taken(request: Request, user: UserInfo, action: str, exc: Exception, **where: Any) -> NoReturn:
    deny(
        request,
        user,
        action,
        409,
        str(exc),
        outcome="failed",
        object_type="workspace",
        details={"reason": str(exc)},
        **where,
    )


def _audit_workspace(
    request: Request, conn: Conn, user: UserInfo, action: str, found: workspaces.Workspace
) -> None:
    audit.record(
        conn,
        actor_of(request, user),
        action,
        object_type="workspace",
        object_id=str(found.id),
        details={"ids": len(found.ids), "notes": len(found.state.get("notes", {}))},
    )


@router.get("/workspaces")
def list_workspaces(request: Request, conn: Conn, user: CurrentUser) -> list[WorkspaceOut]:
    """The workspaces of the user's agency, most recently changed first."""
    with refusals(request, user, "graph.workspace.list", object_type="workspace"):
        found = workspaces.list_workspaces(conn, user)
    audit.record(
        conn,
        actor_of(request, user),
        "graph.workspace.list",
        object_type="workspace",
        details={"count": len(found)},
    )
    return [_workspace_out(w) for w in found]


@router.post("/workspaces", status_code=201)
def create_workspace(
    body: WorkspaceIn, request: Request, conn: Conn, user: CurrentUser
) -> WorkspaceOut:
    """A new workspace of the user's agency, shared with its colleagues (409 when the agency
    has one of that name)."""
    action = "graph.workspace.save"
    with refusals(request, user, action, object_type="workspace"):
        try:
            created = workspaces.create(conn, user, body.name, body.state.model_dump())
        except workspaces.NameTaken as exc:
            _taken(request, user, action, exc)
    _audit_workspace(request, conn, user, action, created)
    return _workspace_out(created)


@router.get("/workspaces/{workspace_id}")
def get_workspace(
    workspace_id: WorkspaceId, request: Request, conn: Conn, user: CurrentUser
) -> WorkspaceOut:
    """One workspace of the user's agency: its ids, pinned positions and notes (read the records
    with ``/graph/network?ids=…``: they come through the policy for whoever asks)."""
    action = "graph.workspace.open"
    with refusals(request, user, action, object_type="workspace", object_id=str(workspace_id)):
        found = workspaces.get(conn, user, workspace_id)
    _audit_workspace(request, conn, user, action, found)
    return _workspace_out(found)


@router.patch("/workspaces/{workspace_id}")
def update_workspace(
    workspace_id: WorkspaceId,
    body: WorkspaceChange,
    request: Request,
    conn: Conn,
    user: CurrentUser,
) -> WorkspaceOut:
    """Rename a workspace of the user's agency and/or replace its state."""
    action = "graph.workspace.update"
    with refusals(request, user, action, object_type="workspace", object_id=str(workspace_id)):
        try:
            changed = workspaces.update(
                conn,
                user,
                workspace_id,
                name=body.name,
                state=body.state.model_dump() if body.state is not None else None,
            )
        except workspaces.NameTaken as exc:
            _taken(request, user, action, exc, object_id=str(workspace_id))
    _audit_workspace(request, conn, user, action, changed)
    return _workspace_out(changed)


@router.delete("/workspaces/{workspace_id}", status_code=204)
def delete_workspace(
    workspace_id: WorkspaceId, request: Request, conn: Conn, user: CurrentUser
) -> Response:
    """Delete a workspace of the user's agency (anyone of the agency who works with records may,
    as on the web page)."""
    action = "graph.workspace.delete"
    with refusals(request, user, action, object_type="workspace", object_id=str(workspace_id)):
        workspaces.remove(conn, user, workspace_id)
    audit.record(
        conn,
        actor_of(request, user),
        action,
        object_type="workspace",
        object_id=str(workspace_id),
    )
    return Response(status_code=204)
