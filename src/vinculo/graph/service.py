"""What the API, the CLI and the web page ask of network analysis, in one place: parse a
selection and filters, build the user's network, run one analysis, describe it for the audit log.

Every call builds the network for the user through the policy (``network.build``); analyses
never see more than the user does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinculo import audit
from vinculo.graph import analysis
from vinculo.graph.network import (
    DEFAULT_MAX_NODES,
    MAX_DEPTH,
    Filters,
    Network,
    Selection,
    build,
    merge_profiles,
)
from vinculo.sharing.directory import UserInfo

ANALYSES = ("metrics", "communities", "paths", "keyplayers", "brokerage", "connected", "network")
MAX_IDS = 200


def split(values: Iterable[str] | str | None) -> list[str]:
    """``a,b`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]``, blanks dropped."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def parse_date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class Request:
    """One request for a network: what to start from, how far, what to keep."""

    selection: Selection
    filters: Filters
    max_nodes: int = DEFAULT_MAX_NODES
    merge: bool = False

    def describe(self) -> dict[str, Any]:
        f = self.filters
        return {
            **self.selection.describe(),
            "filters": {
                "schemata": sorted(f.schemata),
                "markets": sorted(f.markets),
                "agencies": sorted(f.agencies),
                "countries": sorted(f.countries),
                "kinds": sorted(f.kinds),
                "start": f.start.isoformat() if f.start else None,
                "end": f.end.isoformat() if f.end else None,
            },
            "merge": self.merge,
        }


def make_request(
    *,
    ids: Iterable[str] | str | None = None,
    agency: str | None = None,
    case: str | None = None,
    query: str | None = None,
    depth: int = 1,
    schemata: Iterable[str] | str | None = None,
    markets: Iterable[str] | str | None = None,
    agencies: Iterable[str] | str | None = None,
    countries: Iterable[str] | str | None = None,
    kinds: Iterable[str] | str | None = None,
    start: str | None = None,
    end: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    merge: bool = False,
    closed: bool = False,
) -> Request:
    """A request from the faces' parameters; ValueError names the parameter that is wrong."""
    id_list = split(ids)
    if len(id_list) > MAX_IDS:
        raise ValueError(f"ids: at most {MAX_IDS} ids, {len(id_list)} given")
    if not 0 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth: between 0 and {MAX_DEPTH}, {depth} given")
    if max_nodes < 1:
        raise ValueError("max_nodes: at least 1")
    start_date, end_date = parse_date(start, "start"), parse_date(end, "end")
    if start_date and end_date and start_date > end_date:
        raise ValueError("start: after end")
    selection = Selection(
        tuple(id_list), agency or None, case or None, query or None, depth, closed
    )
    filters = Filters(
        frozenset(split(schemata)),
        frozenset(split(markets)),
        frozenset(split(agencies)),
        frozenset(c.upper() for c in split(countries)),
        frozenset(split(kinds)),
        start_date,
        end_date,
    )
    return Request(selection, filters, max_nodes, merge)


def network(conn: Connection, user: UserInfo, request: Request) -> Network:
    """The user's network for the request (PermissionError for a role without records,
    LookupError for a seed the user may not know of, ValueError for an empty selection)."""
    net = build(conn, user, request.selection, request.filters, request.max_nodes)
    if request.merge:
        net, _ = merge_profiles(net)
    return net


def summary(net: Network) -> dict[str, Any]:
    """Counts for the audit log: never names, only how much of what was shown."""
    views: dict[str, int] = {}
    for node in net.nodes.values():
        views[node.view] = views.get(node.view, 0) + 1
    return {
        "nodes": len(net.nodes),
        "edges": len(net.edges),
        "views": views,
        "truncated": net.truncated,
    }


def record(
    conn: Connection,
    actor: audit.Actor,
    action: str,
    net: Network,
    request: Request,
    *,
    purpose: str | None = None,
    **details: Any,
) -> None:
    """The audit entry of an analysis or export of ``net``: what was asked, what came out."""
    audit.record(
        conn,
        actor,
        action,
        object_type="graph",
        purpose=purpose,
        details={**request.describe(), **summary(net), **details},
    )


def run_metrics(net: Network, top: int = 20, samples: int | None = None) -> dict[str, Any]:
    values, info = analysis.metrics(net, samples=samples)
    return {
        "info": info,
        "nodes": values,
        "top": {m: analysis.ranking(values, m, top) for m in analysis.MEASURES},
    }


def run_paths(
    net: Network,
    source: str,
    target: str,
    all_paths: bool = False,
    time_respecting: bool = False,
) -> dict[str, Any]:
    if time_respecting:
        found = analysis.time_respecting_path(net, source, target)
        paths = [found] if found else []
    else:
        paths = analysis.shortest_paths(net, source, target, all_paths=all_paths)
    return {
        "source": source,
        "target": target,
        "paths": paths,
        "edges": {e: net.edges[e].as_dict() for p in paths for e in p["edges"]},
    }


def explain_nodes(net: Network, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {i: net.nodes[i].as_dict() for i in ids if i in net.nodes}
