"""Search: one box for names, identifiers, phones, plates and serials, with filters.

The query goes to ``vinculo.search.find`` (the same search the API and the CLI can use); each
result is read through ``policy.read_records`` and shown as ``policy.present`` allows: a hit-only
record shows only that it exists, its owner agency and whom to contact. Every search is on the
audit record with its terms, as in the API.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, actor_of
from vinculo.model.metadata import CriminalMarket
from vinculo.model.schemata import get_model
from vinculo.search import Filters, find
from vinculo.search.records import provenance
from vinculo.sharing import policy
from vinculo.sharing.directory import AgencyInfo, list_agencies
from vinculo.web.viewer import PageViewer, Viewer, is_htmx, render, require_records

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
#: The schemata offered in the filter, in the order an investigator looks for them.
SCHEMATA = (
    "Person", "Organization", "Company", "Vehicle", "Vessel", "Firearm", "BankAccount",
    "CryptoWallet", "Passport", "ShippingContainer", "CulturalObject", "Case", "Event",
    "Seizure", "Address", "Call", "Payment",
)  # fmt: skip
MARKETS = tuple(m.value for m in CriminalMarket)

Text = Annotated[str, Query(max_length=200)]
Code = Annotated[str, Query(max_length=64)]


def _date(value: str, field: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(field)
        return None


def _agencies(conn: Connection) -> list[AgencyInfo]:
    return sorted(list_agencies(conn), key=lambda a: a.code)


def search_results(
    conn: Connection, viewer: Viewer, ids: list[str], how: dict[str, str]
) -> list[dict[str, Any]]:
    """The records as the policy shows them to the viewer, each with its provenance when the
    viewer may see content."""
    user = viewer.user
    entities, ctx = policy.read_records(conn, user, ids)
    shown = [(e, policy.present(user, e, ctx)) for e in entities]
    visible = [(e, s) for e, s in shown if s.view is not policy.View.NONE]
    # Which file a record came from is the owner's bookkeeping, not part of what the policy
    # shares: shown for the agency's own records only.
    origins = provenance(conn, [e.id for e, _ in visible if e.meta.agency == user.agency])
    out: list[dict[str, Any]] = []
    for entity, item in visible:
        data = item.data
        origin = origins.get(entity.id)
        out.append(
            {
                **data,
                "caption": data.get("caption"),
                "how": how.get(entity.id, "text"),
                "contact_point": data.get("contact_point"),
                "provenance": origin,
                "updated": entity.updated_at if item.view is policy.View.FULL else None,
            }
        )
    return out


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    q: Text = "",
    schema: Code = "",
    market: Code = "",
    country: Code = "",
    agency: Code = "",
    since: Code = "",
    until: Code = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    user = viewer.user
    require_records(request, viewer, "entity.search")
    errors: list[str] = []
    agencies = _agencies(conn)
    codes = {a.code for a in agencies}
    countries = sorted({a.country for a in agencies})
    if schema and get_model().get(schema) is None:
        errors.append("schema")
    if market and market not in MARKETS:
        errors.append("market")
    if agency and agency not in codes:
        errors.append("agency")
    if country and country.upper() not in countries:
        errors.append("country")
    filters = Filters(
        schema=schema or None,
        market=market or None,
        country=country.upper() or None,
        agency=agency or None,
        since=_date(since, "since", errors),
        until=_date(until, "until", errors),
    )
    query = q.strip()
    results: list[dict[str, Any]] = []
    total = 0
    truncated = False
    searched = bool(query) and not errors
    if searched:
        own = next((a for a in agencies if a.code == user.agency), None)
        found = find(conn, query, filters, region=own.country if own else None)
        total = len(found.ids)
        truncated = found.truncated
        start = (page - 1) * PER_PAGE
        results = search_results(conn, viewer, found.ids[start : start + PER_PAGE], found.how)
        views: dict[str, int] = {}
        for result in results:
            views[result["view"]] = views.get(result["view"], 0) + 1
        # Oversight needs the terms of a search: who looked for whom is what misuse looks like.
        audit.record(
            conn,
            actor_of(request, user),
            "entity.search",
            details={
                "query": query,
                **{k: v for k, v in filters.as_dict().items() if v},
                "page": page,
                "total": total,
                "results": views,
                "channel": "web",
            },
        )
    pages = max(1, math.ceil(total / PER_PAGE))
    context: dict[str, Any] = {
        "q": query,
        "form": {
            "schema": schema,
            "market": market,
            "country": country.upper(),
            "agency": agency,
            "since": since,
            "until": until,
        },
        "errors": errors,
        "searched": searched,
        "results": results,
        "total": total,
        "truncated": truncated,
        "page": min(page, pages),
        "pages": pages,
        "per_page": PER_PAGE,
        "schemata": SCHEMATA,
        "markets": MARKETS,
        "countries": countries,
        "agencies": agencies,
    }
    template = "_search_results.html" if is_htmx(request) else "search.html"
    return render(request, viewer, template, **context)
