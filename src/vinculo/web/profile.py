"""The entity profile: properties with their sources, hits, links, a small chart, timeline, map.

Everything on the page is read through ``sharing.policy``: the record itself (a record the user
may not see at all answers 404, as a missing one does), the other side of each hit, and each
linked record. A hit-only record shows its placeholder and what can be done about it: ask the
owner to disclose it, or write to them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from babel.core import get_global
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny
from vinculo.identifiers import country_name
from vinculo.model.schemata import get_model
from vinculo.search.hits import HitRow, judgements, list_hits
from vinculo.search.records import (
    countries_of,
    dates_of,
    original_values,
    provenance,
    referenced_ids,
    referencing_ids,
)
from vinculo.sharing import policy
from vinculo.store.entities import StoredEntity
from vinculo.web.i18n import babel_code
from vinculo.web.labels import prop_label
from vinculo.web.viewer import PageViewer, Viewer, render, require_records

router = APIRouter(include_in_schema=False)

#: Hits listed on a profile (the inbox has them all).
MAX_HITS = 50


@cache
def _numeric_codes() -> dict[str, list[str]]:
    """ISO 3166 alpha-2 -> numeric codes (the ids of the world-atlas map's countries)."""
    out: dict[str, list[str]] = {}
    for code, targets in get_global("territory_aliases").items():
        if code.isdigit() and len(targets) == 1 and len(targets[0]) == 2:
            out.setdefault(targets[0], []).append(code)
    return out


def _read_visible(
    request: Request, conn: Connection, viewer: Viewer, entity_id: str, action: str
) -> tuple[StoredEntity, policy.Visible, policy.Context]:
    """The record as the viewer may see it; 404 (audited) when missing or not visible at all."""
    user = viewer.user
    require_records(request, viewer, action)
    found, ctx = policy.read_records(conn, user, [entity_id])
    entity = found[0] if found else None
    if entity is None:
        deny(
            request,
            user,
            action,
            404,
            "no such entity",
            object_type="entity",
            object_id=entity_id[:200],
            details={"reason": "not found", "channel": "web"},
        )
    shown = policy.present(user, entity, ctx)
    if shown.view is policy.View.NONE:
        # The same answer as for a missing record: a refusal must not confirm existence.
        deny(
            request,
            user,
            action,
            404,
            "no such entity",
            object_type="entity",
            object_id=entity.id,
            details={"reason": policy.decide(user, entity, ctx).reason, "channel": "web"},
        )
    return entity, shown, ctx


@dataclass(slots=True)
class Link:
    """One record next to this one: directly (``prop`` of one refers to the other) or through a
    relationship record (``via``: a membership, a call, a family tie)."""

    target: dict[str, Any]
    prop: str
    direction: str  # "out": this record refers to it; "in": it refers to this record
    via: dict[str, Any] | None = None
    #: The schema ``prop`` belongs to.
    schema: str = ""


@dataclass(slots=True)
class Neighbourhood:
    links: list[Link] = field(default_factory=list)
    #: Presented data of every linked record the viewer may see (id -> data).
    records: dict[str, dict[str, Any]] = field(default_factory=dict)


def _is_edge(schema: str) -> bool:
    found = get_model().get(schema)
    return bool(found is not None and found.edge)


def neighbourhood(
    conn: Connection, viewer: Viewer, entity: StoredEntity, data: dict[str, Any]
) -> Neighbourhood:
    """The records one step away, each through the policy. Only the properties the viewer was
    shown are followed."""
    user = viewer.user
    result = Neighbourhood()
    properties: dict[str, list[str]] = data.get("properties") or {}
    schema = entity.proxy.schema.name
    out_refs = referenced_ids(schema, properties)
    in_refs = referencing_ids(conn, entity.id, entity.meta.agency) if properties else []
    first, ctx = policy.read_records(conn, user, [*out_refs, *in_refs])
    shown: dict[str, dict[str, Any]] = {}
    for record in first:
        item = policy.present(user, record, ctx)
        if item.view is not policy.View.NONE:
            shown[record.id] = item.data
    # The far ends of relationship records that refer to this one.
    far: dict[str, tuple[str, str]] = {}
    for edge_id in in_refs:
        edge = shown.get(edge_id)
        if edge is None or not _is_edge(edge["schema"]):
            continue
        for target, props in referenced_ids(edge["schema"], edge.get("properties") or {}).items():
            if target != entity.id:
                far.setdefault(target, (edge_id, props[0]))
    if far:
        second, ctx2 = policy.read_records(conn, user, [i for i in far if i not in shown])
        for record in second:
            item = policy.present(user, record, ctx2)
            if item.view is not policy.View.NONE:
                shown[record.id] = item.data
    for target, props in out_refs.items():
        if target in shown:
            result.links.append(Link(shown[target], props[0], "out", schema=schema))
    for edge_id in in_refs:
        edge = shown.get(edge_id)
        if edge is None:
            continue
        ends = [t for t, (via, _) in far.items() if via == edge_id and t in shown]
        if ends:
            for target in ends:
                result.links.append(
                    Link(shown[target], far[target][1], "in", via=edge, schema=edge["schema"])
                )
        else:
            back = [
                p for p, values in (edge.get("properties") or {}).items() if entity.id in values
            ]
            result.links.append(Link(edge, back[0] if back else "", "in", schema=edge["schema"]))
    result.records = shown
    return result


def _label(data: dict[str, Any]) -> str:
    return str(data.get("caption") or f"{data['schema']} · {data['agency']}")


def _timeline(
    entity: StoredEntity, data: dict[str, Any], hood: Neighbourhood, lang: str
) -> list[dict[str, Any]]:
    items = dates_of(
        entity.id, entity.proxy.schema.name, _label(data), data.get("properties") or {}
    )
    for other in hood.records.values():
        items.extend(
            dates_of(other["id"], other["schema"], _label(other), other.get("properties") or {})
        )
    seen: set[tuple[str, str, str]] = set()
    out = []
    for item in sorted(items, key=lambda d: (d.when, d.entity_id != entity.id)):
        key = (item.when, item.prop, item.entity_id)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "when": item.when,
                "prop": item.prop,
                "schema": item.schema,
                "entity_id": item.entity_id,
                "caption": item.caption,
                "own": item.entity_id == entity.id,
                "label": prop_label(item.schema, item.prop, lang),
            }
        )
    return out


def _places(
    entity: StoredEntity, data: dict[str, Any], hood: Neighbourhood, lang: str
) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    records = [data, *hood.records.values()]
    for record in records:
        for code, props in countries_of(record["schema"], record.get("properties") or {}).items():
            place = counts.setdefault(
                code,
                {
                    "code": code,
                    "name": country_name(code, babel_code(lang)),
                    "numeric": _numeric_codes().get(code, []),
                    "count": 0,
                    "props": set(),
                    "own": False,
                },
            )
            place["count"] += 1
            place["props"].update(props)
            place["own"] = place["own"] or record["id"] == entity.id
    return [
        {**p, "props": sorted(p["props"])}
        for p in sorted(counts.values(), key=lambda p: (-p["count"], p["name"]))
    ]


def _hits(conn: Connection, viewer: Viewer, entity_id: str) -> list[dict[str, Any]]:
    """The viewer's agency's hits on this record, the other side as the policy shows it."""
    user = viewer.user
    rows, _ = list_hits(conn, user.agency, entity_id=entity_id, limit=MAX_HITS)
    return present_hits(conn, viewer, rows)


def present_hits(conn: Connection, viewer: Viewer, rows: list[HitRow]) -> list[dict[str, Any]]:
    user = viewer.user
    records, ctx = policy.read_records(
        conn, user, {i for r in rows for i in (r.own_id, r.other_id)}
    )
    by_id = {e.id: e for e in records}
    history = judgements(conn, [r.id for r in rows])
    out = []
    for row in rows:
        own, other = by_id.get(row.own_id), by_id.get(row.other_id)
        if own is None or other is None:
            continue
        other_shown = policy.present(user, other, ctx)
        own_shown = policy.present(user, own, ctx)
        if other_shown.view is policy.View.NONE or own_shown.view is policy.View.NONE:
            continue
        out.append(
            {
                "row": row,
                "own": own_shown.data,
                "other": other_shown.data,
                "history": history.get(row.id, []),
            }
        )
    return out


def _values(
    conn: Connection, entity: StoredEntity, data: dict[str, Any], lang: str
) -> list[dict[str, Any]]:
    properties: dict[str, list[str]] = data.get("properties") or {}
    originals = original_values(conn, entity.id, properties)
    schema = entity.proxy.schema
    out = []
    for prop, values in originals.items():
        found = schema.properties.get(prop)
        out.append(
            {
                "prop": prop,
                "label": prop_label(schema.name, prop, lang),
                "type": found.type.name if found is not None else "string",
                "values": values,
            }
        )
    order = {name: n for n, name in enumerate(schema.featured or [])}
    return sorted(out, key=lambda p: (order.get(p["prop"], 99), p["prop"]))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def profile_page(request: Request, entity_id: str, conn: Conn, viewer: PageViewer) -> HTMLResponse:
    entity, shown, ctx = _read_visible(request, conn, viewer, entity_id, "entity.read")
    user = viewer.user
    data = shown.data
    hit_only = shown.view is policy.View.HIT_ONLY
    hits = _hits(conn, viewer, entity.id)
    review = data.get("review_by")
    context: dict[str, Any] = {
        "review_date": dt.date.fromisoformat(review) if review else None,
        "updated_date": dt.datetime.fromisoformat(data["updated_at"])
        if data.get("updated_at")
        else None,
        "entity": data,
        "view": shown.view.value,
        "hits": hits,
        "hit_only": hit_only,
    }
    if hit_only:
        context.update(values=[], links=[], timeline=[], places=[], origin=None, places_json="[]")
    else:
        hood = neighbourhood(conn, viewer, entity, data)
        places = _places(entity, data, hood, viewer.lang)
        context.update(
            values=_values(conn, entity, data, viewer.lang),
            links=hood.links,
            timeline=_timeline(entity, data, hood, viewer.lang),
            places=places,
            places_json=json.dumps(
                [{"name": p["name"], "numeric": p["numeric"], "count": p["count"]} for p in places]
            ),
            # The owner's bookkeeping (which file, which line): for the owner only.
            origin=provenance(conn, [entity.id]).get(entity.id)
            if entity.meta.agency == user.agency
            else None,
        )
    audit.record(
        conn,
        actor_of(request, user),
        "entity.read",
        object_type="entity",
        object_id=entity.id,
        details={"view": shown.view.value, "owner": entity.meta.agency, "channel": "web"},
    )
    first_hit = next((h["row"].id for h in hits), None)
    return render(
        request,
        viewer,
        "profile.html",
        first_hit=first_hit,
        prop_label=prop_label,
        owner_country=ctx.agency_countries.get(entity.meta.agency),
        **context,
    )


@router.get("/entities/{entity_id}/graph.json")
def profile_graph(request: Request, entity_id: str, conn: Conn, viewer: PageViewer) -> JSONResponse:
    """The record and its 1-step neighbourhood for the small link chart (cytoscape elements)."""
    entity, shown, _ = _read_visible(request, conn, viewer, entity_id, "entity.graph")
    data = shown.data
    nodes: dict[str, dict[str, Any]] = {
        entity.id: {
            "id": entity.id,
            "label": _label(data)
            if shown.view is not policy.View.HIT_ONLY
            else f"{data['schema']} · {data['agency']}",
            "schema": data["schema"],
            "view": shown.view.value,
            "root": True,
        }
    }
    edges: list[dict[str, Any]] = []
    if shown.view is not policy.View.HIT_ONLY:
        for link in neighbourhood(conn, viewer, entity, data).links:
            target = link.target
            nodes.setdefault(
                target["id"],
                {
                    "id": target["id"],
                    "label": _label(target),
                    "schema": target["schema"],
                    "view": target["view"],
                    "root": False,
                },
            )
            label = link.via["schema"] if link.via else link.prop
            source, dest = (
                (entity.id, target["id"]) if link.direction == "out" else (target["id"], entity.id)
            )
            edges.append({"id": f"e{len(edges)}", "source": source, "target": dest, "label": label})
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "entity.graph",
        object_type="entity",
        object_id=entity.id,
        details={"view": shown.view.value, "nodes": len(nodes), "channel": "web"},
    )
    return JSONResponse({"nodes": list(nodes.values()), "edges": edges})
