"""The link chart: expand neighbours, filters, layouts, select and pin, paths, export.

The page (``/chart?ids=...``) is drawn by ``static/js/chart.js`` with cytoscape from JSON routes
of this module; every route builds the network for the viewer through the sharing policy
(``vinculo.graph``), so a hit-only record is a placeholder of its owner agency on the chart as
everywhere else. Reads and exports are audited like the API's (``graph.*`` actions, channel
``web``). Routes that take the chart as it stands (analyses, paths, exports) are POSTs: a chart of
two thousand nodes does not fit in a URL, and the export changes the audit record, so each carries
the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny
from vinculo.graph import analysis, exports, service, workspaces
from vinculo.graph.network import MAX_DEPTH, Network, find_path
from vinculo.model.metadata import CriminalMarket
from vinculo.sharing.directory import list_agencies
from vinculo.web.picture import picture_for
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, render, require_records

router = APIRouter(include_in_schema=False)

#: The most nodes the page draws (the benchmark measures 2,000 as interactive).
CHART_MAX_NODES = 2000
SCHEMATA = (
    "Person",
    "Organization",
    "Company",
    "LegalEntity",
    "Vehicle",
    "Vessel",
    "BankAccount",
    "CryptoWallet",
    "Address",
    "Event",
    "Seizure",
    "Custody",
    "Case",
    "Passport",
    "Firearm",
    "ShippingContainer",
    "Identifier",
)
EDGE_KINDS = (
    "Associate",
    "Family",
    "Membership",
    "Ownership",
    "Directorship",
    "Employment",
    "Payment",
    "Call",
    "Event",
    "Seizure",
    "Custody",
    "Case",
    "identifier",
    "same_as",
)
LAYOUTS = ("server", "cose", "concentric", "breadthfirst", "circle", "grid")
MEASURES = ("degree", "weighted_degree", "betweenness", "eigenvector", "pagerank", "kcore")


def parse_layout(raw: str) -> dict[str, Any]:
    """The page's drawing as it posted it (``{"positions": {id: [x, y]}, "colours": {id:
    "#rrggbb"}, "legend": {"#rrggbb": words}}``); ValueError when it is not that."""
    if not raw:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValueError("layout: not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("layout: an object is expected")
    positions: dict[str, tuple[float, float]] = {}
    for key, value in (data.get("positions") or {}).items():
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            raise ValueError(f"layout.positions[{key}]: a position [x, y] is expected")
        positions[str(key)] = (float(value[0]), float(value[1]))
    colours = {str(k): v for k, v in (data.get("colours") or {}).items() if isinstance(v, str)}
    legend = {k: v for k, v in (data.get("legend") or {}).items() if isinstance(v, str | int)}
    return {
        "positions": positions,
        "colours": colours,
        "legend": {k: str(v) for k, v in legend.items()},
    }


def _audit(
    request: Request,
    conn: Conn,
    viewer: Viewer,
    action: str,
    net: Network,
    wanted: service.Request,
    **details: Any,
) -> None:
    service.record(
        conn, actor_of(request, viewer.user), action, net, wanted, channel="web", **details
    )


def _build(
    request: Request, conn: Conn, viewer: Viewer, action: str, **params: Any
) -> tuple[Network, service.Request]:
    require_records(request, viewer, action)
    try:
        wanted = service.make_request(max_nodes=CHART_MAX_NODES, **params)
        net = service.network(conn, viewer.user, wanted)
    except LookupError:
        deny(request, viewer.user, action, 404, "not found", details={"channel": "web"})
    except PermissionError as exc:
        deny(request, viewer.user, action, 403, str(exc), details={"channel": "web"})
    except ValueError as exc:
        deny(
            request,
            viewer.user,
            action,
            422,
            str(exc),
            outcome="failed",
            details={"channel": "web", "reason": str(exc)},
        )
    return net, wanted


@router.get("/chart")
def chart_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    ids: Annotated[str, Query(max_length=20000)] = "",
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 1,
    schema: Annotated[list[str] | None, Query()] = None,
    market: Annotated[list[str] | None, Query()] = None,
    agency: Annotated[list[str] | None, Query()] = None,
    country: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[list[str] | None, Query()] = None,
    start: Annotated[str, Query(max_length=10)] = "",
    end: Annotated[str, Query(max_length=10)] = "",
    workspace: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    require_records(request, viewer, "chart.view")
    seeds = service.split(ids)
    opened: workspaces.Workspace | None = None
    if workspace is not None:
        try:
            opened = workspaces.get(conn, viewer.user, workspace)
        except LookupError:
            deny(
                request,
                viewer.user,
                "graph.workspace.open",
                404,
                "not found",
                object_type="workspace",
                object_id=str(workspace),
                details={"channel": "web"},
            )
        seeds = opened.ids
        audit.record(
            conn,
            actor_of(request, viewer.user),
            "graph.workspace.open",
            object_type="workspace",
            object_id=str(opened.id),
            details={"channel": "web", "ids": len(seeds)},
        )
    error = None
    try:
        service.make_request(ids=seeds, depth=depth, start=start, end=end)
    except ValueError as exc:
        error = str(exc)
    filters = {
        "schema": [s for s in schema or [] if s in SCHEMATA],
        "market": [m for m in market or [] if m in {c.value for c in CriminalMarket}],
        "agency": agency or [],
        "country": country,
        "kind": [k for k in kind or [] if k in EDGE_KINDS],
        "start": start,
        "end": end,
    }
    return render(
        request,
        viewer,
        "chart.html",
        seeds=seeds,
        ids=",".join(seeds),
        workspace=opened,
        workspace_state=orjson.dumps(
            {k: v for k, v in opened.state.items() if k != "ids"} if opened else {}
        ).decode(),
        saved=workspaces.list_workspaces(conn, viewer.user),
        depth=depth,
        filters=filters,
        error=error,
        schemata=SCHEMATA,
        edge_kinds=EDGE_KINDS,
        markets=[m.value for m in CriminalMarket],
        agencies=[a.code for a in list_agencies(conn)],
        layouts=LAYOUTS,
        measures=MEASURES,
        max_depth=MAX_DEPTH,
        max_nodes=CHART_MAX_NODES,
    )


def _filter_params(
    schema: str, market: str, agency: str, country: str, kind: str, start: str, end: str
) -> dict[str, Any]:
    return {
        "schemata": schema,
        "markets": market,
        "agencies": agency,
        "countries": country,
        "kinds": kind,
        "start": start or None,
        "end": end or None,
    }


@router.get("/chart/network.json")
def chart_network(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    ids: Annotated[str, Query(min_length=1, max_length=20000)],
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 1,
    schema: Annotated[str, Query(max_length=2000)] = "",
    market: Annotated[str, Query(max_length=2000)] = "",
    agency: Annotated[str, Query(max_length=2000)] = "",
    country: Annotated[str, Query(max_length=2000)] = "",
    kind: Annotated[str, Query(max_length=2000)] = "",
    start: Annotated[str, Query(max_length=10)] = "",
    end: Annotated[str, Query(max_length=10)] = "",
    layout: bool = False,
    closed: bool = False,
) -> JSONResponse:
    """The nodes around ``ids`` (the chart's first load, or an expansion) as the viewer may see
    them."""
    net, wanted = _build(
        request,
        conn,
        viewer,
        "graph.network",
        ids=ids,
        depth=depth,
        closed=closed,
        **_filter_params(schema, market, agency, country, kind, start, end),
    )
    _audit(request, conn, viewer, "graph.network", net, wanted)
    body = net.as_dict()
    if layout:
        body["positions"] = analysis.layout_positions(net)
    return JSONResponse(body)


#: Room between two communities in a grouped layout, in chart pixels: a box reaches about 80
#: beyond its nodes on each side (node labels up to 120 wide, the padding, the title).
BOX_GAP = 180.0


def grouped_positions(
    net: Network, groups: dict[str, int], spacing: float = 100.0
) -> dict[str, list[float]]:
    """Positions that keep each community together, for a chart whose communities are drawn as
    boxes: each community laid out on its own (Fruchterman-Reingold), the blocks packed in rows,
    largest first, so that no two boxes overlap; nodes outside any community (or alone in one)
    share a last block."""
    proj = analysis.project(net)
    members: dict[int, list[int]] = {}
    loose: list[int] = []
    for node_id, index in proj.position.items():
        group = groups.get(node_id)
        if group is None:
            loose.append(index)
        else:
            members.setdefault(group, []).append(index)
    blocks: list[list[int]] = []
    for indices in members.values():
        if len(indices) > 1:
            blocks.append(sorted(indices))
        else:
            loose.extend(indices)
    blocks.sort(key=lambda b: (-len(b), proj.ids[b[0]]))
    if loose:
        blocks.append(sorted(loose))
    laid: list[tuple[list[int], list[tuple[float, float]], float, float]] = []
    for number, indices in enumerate(blocks):
        sub = proj.graph.induced_subgraph(indices)
        with analysis.seeded(1 + number):
            if not sub.ecount():
                coords = sub.layout_grid().coords
            elif len(indices) <= 5:
                # A force layout puts three or four nodes on a line, their labels on each other.
                coords = sub.layout_circle().coords
            else:
                coords = sub.layout_fruchterman_reingold(weights="weight", niter=300).coords
        xs, ys = [c[0] for c in coords], [c[1] for c in coords]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        side = spacing * max(1.0, len(indices) ** 0.5)
        points = [((x - min(xs)) * side / span, (y - min(ys)) * side / span) for x, y in coords]
        width = max(p[0] for p in points) if len(points) > 1 else 0.0
        height = max(p[1] for p in points) if len(points) > 1 else 0.0
        laid.append((indices, points, width, height))
    # Rows about as wide as the whole would be if it were square.
    area = sum((w + BOX_GAP) * (h + BOX_GAP) for _, _, w, h in laid)
    row_width = max(area**0.5 * 1.3, max((w for _, _, w, _ in laid), default=0.0))
    out: dict[str, list[float]] = {}
    x = y = row_height = 0.0
    for indices, points, width, height in laid:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height + BOX_GAP, 0.0
        for index, (px, py) in zip(indices, points, strict=True):
            out[proj.ids[index]] = [round(x + px, 1), round(y + py, 1)]
        x += width + BOX_GAP
        row_height = max(row_height, height)
    return out


class ChartIn(BaseModel):
    ids: list[str] = Field(max_length=CHART_MAX_NODES * 2)
    analysis: str = Field(default="metrics", max_length=32)
    k: int = Field(default=3, ge=1, le=20)
    source: str | None = Field(default=None, max_length=200)
    target: str | None = Field(default=None, max_length=200)
    time: bool = False
    #: For ``layout``: the communities drawn as boxes (id -> community), kept together.
    groups: dict[str, int] | None = Field(default=None, max_length=CHART_MAX_NODES * 2)


@router.post("/chart/analysis.json")
def chart_analysis(body: ChartIn, request: Request, conn: Conn, viewer: FormViewer) -> JSONResponse:
    """An analysis of the chart as it stands: ``metrics``, ``communities``, ``keyplayers``,
    ``connected`` (most connected) or ``layout`` (positions computed here: fast for thousands of
    nodes)."""
    action = f"graph.{body.analysis}"
    if body.analysis not in (
        "metrics",
        "communities",
        "keyplayers",
        "connected",
        "layout",
        "network",
    ):
        deny(
            request,
            viewer.user,
            "graph.analysis",
            422,
            "unknown analysis",
            outcome="failed",
            details={"channel": "web"},
        )
    net, wanted = _build(request, conn, viewer, action, ids=body.ids, closed=True)
    result: dict[str, Any]
    if body.analysis == "metrics":
        result = service.run_metrics(net, top=10)
    elif body.analysis == "communities":
        result = analysis.communities(net).as_dict()
    elif body.analysis == "network":
        # A saved chart's records as they stand for the viewer (too many ids for a URL).
        result = {**net.as_dict(), "positions": analysis.layout_positions(net)}
    elif body.analysis == "layout" and body.groups:
        result = {"positions": grouped_positions(net, body.groups)}
    elif body.analysis == "layout":
        result = {"positions": analysis.layout_positions(net)}
    elif body.analysis == "keyplayers":
        result = analysis.key_players(net, body.k)
    else:
        result = {"nodes": analysis.most_connected(net, 10)}
    _audit(request, conn, viewer, action, net, wanted)
    return JSONResponse(result)


def _shortest(
    request: Request, conn: Conn, viewer: Viewer, source: str, target: str
) -> tuple[Network, service.Request]:
    require_records(request, viewer, "graph.paths")
    wanted = service.make_request(ids=[source, target], depth=0)
    try:
        net = find_path(conn, viewer.user, source, target)
    except LookupError:
        deny(request, viewer.user, "graph.paths", 404, "not found", details={"channel": "web"})
    return net, wanted


@router.post("/chart/path.json")
def chart_path(body: ChartIn, request: Request, conn: Conn, viewer: FormViewer) -> JSONResponse:
    """The shortest path between two nodes of the chart, searched in everything the viewer may
    see (not only among the nodes drawn), with the nodes and links to add. A path along links in
    time order is searched within three links of either end."""
    if not body.source or not body.target or body.source == body.target:
        deny(
            request,
            viewer.user,
            "graph.paths",
            422,
            "two different nodes are needed",
            outcome="failed",
            details={"channel": "web"},
        )
    if body.time:
        net, wanted = _build(
            request, conn, viewer, "graph.paths", ids=[body.source, body.target], depth=3
        )
        result = service.run_paths(net, body.source, body.target, time_respecting=True)
    else:
        net, wanted = _shortest(request, conn, viewer, body.source, body.target)
        result = service.run_paths(net, body.source, body.target)
    on_path = {n for p in result["paths"] for n in p["nodes"]}
    edges = {e for p in result["paths"] for e in p["edges"]}
    _audit(request, conn, viewer, "graph.paths", net, wanted, found=len(result["paths"]))
    return JSONResponse(
        {
            "paths": result["paths"],
            "nodes": [net.nodes[n].as_dict() for n in on_path],
            "edges": [net.edges[e].as_dict() for e in edges],
        }
    )


@router.post("/chart/export")
def chart_export(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    ids: Annotated[str, Form(max_length=CHART_MAX_NODES * 80)],
    format_: Annotated[str, Form(alias="format", max_length=16)] = "graphml",
    judicial: Annotated[bool, Form()] = False,
    layout: Annotated[str, Form(max_length=CHART_MAX_NODES * 200)] = "",
) -> Response:
    """The chart as it stands as a file (GraphML, GEXF, ANX, FtM, CSV, or an SVG picture drawn
    where the page shows each node, in its colour), audited."""
    if format_ not in exports.FORMATS:
        deny(
            request,
            viewer.user,
            "graph.export",
            422,
            "unknown format",
            outcome="failed",
            details={"channel": "web"},
        )
    try:
        drawing = parse_layout(layout) if format_ == "svg" else {}
    except ValueError as exc:
        deny(
            request,
            viewer.user,
            "graph.export",
            422,
            str(exc),
            outcome="failed",
            details={"channel": "web", "reason": str(exc)},
        )
    net, wanted = _build(request, conn, viewer, "graph.export", ids=ids, closed=True)
    try:
        body = exports.export(
            net,
            format_,
            viewer.user,
            judicial=judicial,
            picture=picture_for(viewer.user, viewer.lang, drawing),
        )
    except PermissionError as exc:
        deny(
            request,
            viewer.user,
            "graph.export",
            403,
            str(exc),
            details={"channel": "web", "reason": str(exc), "format": format_},
        )
    _audit(
        request,
        conn,
        viewer,
        "graph.export",
        net,
        wanted,
        format=format_,
        judicial=judicial,
        bytes=len(body),
    )
    media, suffix = exports.FORMATS[format_]
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="vinculo-chart.{suffix}"'},
    )


class ImageIn(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=CHART_MAX_NODES * 2)
    judicial: bool = False


@router.post("/chart/export/image")
def chart_export_image(
    body: ImageIn, request: Request, conn: Conn, viewer: FormViewer
) -> JSONResponse:
    """Before the page draws the chart as a PNG: the export goes on the audit record (through
    the policy and the judicial rule, like every export) and the answer is the marking the
    picture must carry (handling codes, who exported it for which agency, when)."""
    net, wanted = _build(request, conn, viewer, "graph.export", ids=body.ids, closed=True)
    if body.judicial:
        try:
            exports.check_judicial(net, viewer.user)
        except PermissionError as exc:
            deny(
                request,
                viewer.user,
                "graph.export",
                403,
                str(exc),
                details={"channel": "web", "reason": str(exc), "format": "png"},
            )
    picture = picture_for(viewer.user, viewer.lang)
    lines = exports.marking(net, viewer.user, picture.texts, picture.date)
    _audit(request, conn, viewer, "graph.export", net, wanted, format="png", judicial=body.judicial)
    return JSONResponse(
        {
            "marking": lines,
            "codes": exports.handling_codes(net),
            "strict": bool(set(exports.handling_codes(net)) & {"H1", "H2", "H3"}),
        }
    )


@router.post("/chart/workspaces")
def save_workspace(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    name: Annotated[str, Form(max_length=workspaces.MAX_NAME)],
    state: Annotated[str, Form(max_length=400_000)],
) -> Response:
    """Save the chart as it stands as the agency's workspace ``name`` (replacing one of that
    name), shared with the colleagues of the same agency."""
    require_records(request, viewer, "graph.workspace.save")
    try:
        saved = workspaces.save(conn, viewer.user, name, orjson.loads(state))
    except (ValueError, orjson.JSONDecodeError) as exc:
        deny(
            request,
            viewer.user,
            "graph.workspace.save",
            422,
            str(exc),
            outcome="failed",
            object_type="workspace",
            details={"channel": "web", "reason": str(exc)},
        )
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "graph.workspace.save",
        object_type="workspace",
        object_id=str(saved.id),
        details={"channel": "web", "ids": len(saved.ids), "notes": len(saved.state["notes"])},
    )
    return RedirectResponse(f"/chart?workspace={saved.id}", status_code=303)


@router.post("/chart/workspaces/{workspace_id}/delete")
def delete_workspace(
    workspace_id: int, request: Request, conn: Conn, viewer: FormViewer
) -> Response:
    require_records(request, viewer, "graph.workspace.delete")
    try:
        workspaces.remove(conn, viewer.user, workspace_id)
    except LookupError:
        deny(
            request,
            viewer.user,
            "graph.workspace.delete",
            404,
            "not found",
            object_type="workspace",
            object_id=str(workspace_id),
            details={"channel": "web"},
        )
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "graph.workspace.delete",
        object_type="workspace",
        object_id=str(workspace_id),
        details={"channel": "web"},
    )
    return RedirectResponse("/chart", status_code=303)
