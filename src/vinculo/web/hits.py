"""The hits inbox: triage, side-by-side comparison with the explanation, bulk actions.

Both records of a hit are read through ``sharing.policy``: the other agency's record shows only
what a hit reveals when it is hit-only to the viewer. Judgements go through the matching
package's ``judge`` (which keeps a rejected pair rejected until one of its records changes), are
CSRF-protected and on the audit record, one entry per hit, as in the API.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny
from vinculo.matching.hits import JUDGEMENTS, STATUSES, judge
from vinculo.search.hits import get_hit, list_hits, other_agencies
from vinculo.web.labels import prop_label, prop_type
from vinculo.web.profile import present_hits
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, is_htmx, render, require_records

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
#: At most this many hits are judged in one bulk action.
MAX_BULK = 200

Code = Annotated[str, Query(max_length=64)]


def _check_role(request: Request, viewer: Viewer, action: str, hit_id: str | None = None) -> None:
    where: dict[str, Any] = {"object_type": "hit", "object_id": hit_id} if hit_id else {}
    require_records(request, viewer, action, **where)


def _filters(status_: str, schema: str, agency: str) -> dict[str, str]:
    return {
        "status": status_ if status_ in STATUSES else "",
        "schema": schema,
        "agency": agency,
    }


def _inbox(conn: Connection, viewer: Viewer, filters: dict[str, str], page: int) -> dict[str, Any]:
    rows, total = list_hits(
        conn,
        viewer.user.agency,
        status=filters["status"] or None,
        schema=filters["schema"] or None,
        other_agency=filters["agency"] or None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    pages = max(1, math.ceil(total / PER_PAGE))
    return {
        "hits": present_hits(conn, viewer, rows),
        "total": total,
        "page": page,
        "pages": pages,
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "statuses": STATUSES,
        "judgements": JUDGEMENTS,
        "notice": None,
    }


@router.get("/hits", response_class=HTMLResponse)
def inbox(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    status_: Annotated[str, Query(alias="status", max_length=16)] = "",
    schema: Code = "",
    agency: Code = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> HTMLResponse:
    _check_role(request, viewer, "hit.list")
    filters = _filters(status_, schema, agency)
    context = _inbox(conn, viewer, filters, page)
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "hit.list",
        details={
            **{k: v for k, v in filters.items() if v},
            "count": len(context["hits"]),
            "offset": (page - 1) * PER_PAGE,
            "channel": "web",
        },
    )
    if is_htmx(request):
        return render(request, viewer, "_hits_list.html", **context)
    return render(
        request,
        viewer,
        "hits.html",
        agencies=other_agencies(conn, viewer.user.agency),
        **context,
    )


@router.get("/hits/{hit_id}", response_class=HTMLResponse)
def hit_page(request: Request, hit_id: str, conn: Conn, viewer: PageViewer) -> HTMLResponse:
    """The two records side by side, with the explanation and the triage buttons."""
    _check_role(request, viewer, "hit.read", hit_id[:200])
    row = get_hit(conn, viewer.user.agency, hit_id)
    shown = present_hits(conn, viewer, [row]) if row is not None else []
    if not shown:
        # The same answer whether the hit does not exist or belongs to others.
        deny(
            request,
            viewer.user,
            "hit.read",
            404,
            "no such hit",
            object_type="hit",
            object_id=hit_id[:200],
        )
    hit = shown[0]
    own, other = hit["own"], hit["other"]
    own_props: dict[str, list[str]] = own.get("properties") or {}
    other_props: dict[str, list[str]] = other.get("properties") or {}
    names = list(dict.fromkeys([*own_props, *other_props]))
    rows = [
        {
            "label": prop_label(own["schema"], name, viewer.lang),
            "type": prop_type(own["schema"], name),
            "own": own_props.get(name, []),
            "other": other_props.get(name, []),
            "same": bool(set(own_props.get(name, [])) & set(other_props.get(name, []))),
        }
        for name in names
    ]
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "hit.read",
        object_type="hit",
        object_id=hit_id,
        details={"other_view": other["view"], "channel": "web"},
    )
    return render(request, viewer, "hits_compare.html", hit=hit, rows=rows)


def _safe_next(target: str) -> str:
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/hits"
    return target


@router.post("/hits/{hit_id}/judgement", response_class=HTMLResponse)
def judge_one(
    request: Request,
    hit_id: str,
    conn: Conn,
    viewer: FormViewer,
    status_: Annotated[str, Form(alias="status", max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    next_: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Confirm, reject or send one hit for review (from the inbox, a comparison or a profile)."""
    user = viewer.user
    _check_role(request, viewer, "hit.judge", hit_id[:200])
    if status_ not in JUDGEMENTS:
        deny(
            request,
            user,
            "hit.judge",
            422,
            "invalid judgement",
            outcome="failed",
            object_type="hit",
            object_id=hit_id[:200],
            details={"status": status_[:16]},
        )
    try:
        judge(conn, hit_id, status_, user.username, user.agency, note.strip())
    except (LookupError, PermissionError):
        deny(
            request,
            user,
            "hit.judge",
            404,
            "no such hit",
            object_type="hit",
            object_id=hit_id[:200],
        )
    audit.record(
        conn,
        actor_of(request, user),
        "hit.judge",
        object_type="hit",
        object_id=hit_id,
        details={"status": status_, "channel": "web"},
    )
    if is_htmx(request):
        return render(request, viewer, "_hits_status.html", hit_status=status_)
    return RedirectResponse(
        _safe_next(next_ or f"/hits/{hit_id}"), status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/hits/judge", response_class=HTMLResponse)
def judge_many(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    hit: Annotated[list[str] | None, Form(max_length=64)] = None,
    status_: Annotated[str, Form(alias="status", max_length=16)] = "",
    filter_status: Annotated[str, Form(max_length=16)] = "",
    filter_schema: Annotated[str, Form(max_length=64)] = "",
    filter_agency: Annotated[str, Form(max_length=64)] = "",
    page: Annotated[int, Form(ge=1, le=10000)] = 1,
) -> Response:
    """The same judgement on every selected hit: all of them, or none when one is not the
    agency's."""
    user = viewer.user
    _check_role(request, viewer, "hit.judge")
    selected = list(dict.fromkeys(hit or []))[:MAX_BULK]
    if status_ not in JUDGEMENTS:
        deny(
            request,
            user,
            "hit.judge",
            422,
            "invalid judgement",
            outcome="failed",
            details={"status": status_[:16], "bulk": True},
        )
    missing = [h for h in selected if get_hit(conn, user.agency, h) is None]
    if missing:
        deny(
            request,
            user,
            "hit.judge",
            404,
            "no such hit",
            object_type="hit",
            object_id=missing[0][:200],
            details={"bulk": True},
        )
    for hit_id in selected:
        judge(conn, hit_id, status_, user.username, user.agency)
        audit.record(
            conn,
            actor_of(request, user),
            "hit.judge",
            object_type="hit",
            object_id=hit_id,
            details={"status": status_, "bulk": True, "channel": "web"},
        )
    filters = _filters(filter_status, filter_schema, filter_agency)
    if is_htmx(request):
        context = _inbox(conn, viewer, filters, page)
        context["notice"] = {"count": len(selected), "status": status_}
        return render(request, viewer, "_hits_list.html", **context)
    query = urlencode({k: v for k, v in filters.items() if v})
    return RedirectResponse(
        "/hits" + (f"?{query}" if query else ""), status_code=status.HTTP_303_SEE_OTHER
    )
