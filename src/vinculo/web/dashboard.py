"""The dashboard: counts and trends of records, hits and disclosure requests by criminal market,
country and agency, a choropleth of the Americas and Europe, and the same figures as tables.

Only users who work with records see it, and only their agency's figures (``vinculo.statistics``
explains what is counted and why that is lawful). Administrators and the DPO are refused: the
policy gives them no view of records, so there is nothing of theirs to count (the DPO has the
review overview under ``/admin/review``). The charts are drawn by ``static/js/dashboard.js`` from
``/dashboard/data.json``; the page itself carries every figure as a table, for screen readers and
browsers without JavaScript.
"""

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from babel.core import get_global
from babel.dates import format_date
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from vinculo.api.deps import Conn
from vinculo.sharing.directory import list_agencies
from vinculo.statistics import UNSPECIFIED, Figures, agency_figures
from vinculo.web import i18n
from vinculo.web.directory import MARKET_LABELS
from vinculo.web.render import environment
from vinculo.web.viewer import PageViewer, Viewer, is_htmx, render, require_records

router = APIRouter(include_in_schema=False)

PERIODS: tuple[int, ...] = (3, 6, 12, 24, 36)
DEFAULT_PERIOD = 12
KINDS: tuple[str, ...] = ("records", "hits", "requests")

#: The countries the map draws (ISO 3166-1 alpha-2): the Americas and Europe, as far as the
#: 1:110m world atlas has them (the smallest islands and micro-states are not in it).
AMERICAS: frozenset[str] = frozenset({
    "AR", "BO", "BR", "BS", "BZ", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "FK", "GL", "GT", "GY",
    "HN", "HT", "JM", "MX", "NI", "PA", "PE", "PR", "PY", "SR", "SV", "TT", "US", "UY", "VE",
})  # fmt: skip
EUROPE: frozenset[str] = frozenset({
    "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
    "GR", "HR", "HU", "IE", "IS", "IT", "LT", "LU", "LV", "MD", "ME", "MK", "MT", "NL", "NO", "PL",
    "PT", "RO", "RS", "RU", "SE", "SI", "SK", "UA",
})  # fmt: skip
MAP_COUNTRIES = AMERICAS | EUROPE


@lru_cache(maxsize=1)
def numeric_to_alpha2() -> Mapping[str, str]:
    """The world atlas names countries by ISO 3166-1 numeric code (``"076"``); the data uses
    alpha-2 (``BR``). CLDR's territory aliases map one to the other (babel ships them)."""
    aliases: Mapping[str, list[str]] = get_global("territory_aliases")
    return {
        numeric: targets[0]
        for numeric, targets in aliases.items()
        if numeric.isdigit() and len(numeric) == 3 and targets and targets[0] in MAP_COUNTRIES
    }


def _gettext(lang: str) -> Any:
    return i18n.translations(lang).gettext


def _period(months: int | None) -> int:
    return months if months in PERIODS else DEFAULT_PERIOD


def _market(market: str | None) -> str | None:
    return market if market in MARKET_LABELS else None


def month_label(key: str, lang: str) -> str:
    year, month = (int(p) for p in key.split("-"))
    return format_date(dt.date(year, month, 1), "MMM y", locale=i18n.babel_code(lang))


def view_model(figures: Figures, lang: str, agency_names: Mapping[str, str]) -> dict[str, Any]:
    """The figures as rows for the tables and the charts (one shape for both)."""
    gettext = _gettext(lang)
    breakdowns = {"records": figures.records, "hits": figures.hits, "requests": figures.requests}

    def rows(attribute: str, keys: list[str]) -> list[dict[str, Any]]:
        out = []
        for key in keys:
            row: dict[str, Any] = {"key": key}
            for kind, breakdown in breakdowns.items():
                row[kind] = int(getattr(breakdown, attribute).get(key, 0))
            out.append(row)
        return out

    def keys_of(attribute: str) -> list[str]:
        found: set[str] = set()
        for breakdown in breakdowns.values():
            found.update(k for k, v in getattr(breakdown, attribute).items() if v)
        return sorted(found)

    market_order = list(MARKET_LABELS)
    markets = rows(
        "by_market",
        sorted(
            keys_of("by_market"), key=lambda k: market_order.index(k) if k in market_order else 99
        ),
    )
    for row in markets:
        row["label"] = gettext(MARKET_LABELS.get(row["key"], row["key"]))
    countries = rows("by_country", keys_of("by_country"))
    for row in countries:
        row["label"] = (
            gettext(MARKET_LABELS[UNSPECIFIED])
            if row["key"] == UNSPECIFIED
            else environment(lang).filters["country"](row["key"])
        )
    countries.sort(key=lambda r: (-r["records"], -r["hits"], r["label"]))
    agencies = rows("by_agency", keys_of("by_agency"))
    for row in agencies:
        row["label"] = agency_names.get(row["key"], row["key"])
    agencies.sort(key=lambda r: (-r["records"], -r["hits"], r["key"]))
    months = [
        {
            "key": key,
            "label": month_label(key, lang),
            **{kind: int(b.by_month.get(key, 0)) for kind, b in breakdowns.items()},
        }
        for key in figures.months
    ]
    return {
        "totals": {kind: b.total for kind, b in breakdowns.items()},
        "hit_status": dict(figures.hits.by_status),
        "request_status": dict(figures.requests.by_status),
        "directions": dict(figures.requests_by_direction),
        "months": months,
        "markets": markets,
        "countries": countries,
        "agencies": agencies,
    }


def _figures(
    request: Request, conn: Conn, viewer: Viewer, months: int | None, market: str | None
) -> tuple[dict[str, Any], int, str | None]:
    require_records(request, viewer, "dashboard.view")
    period = _period(months)
    chosen = _market(market)
    figures = agency_figures(conn, viewer.user, months=period, market=chosen)
    names = {a.code: a.name for a in list_agencies(conn)}
    return view_model(figures, viewer.lang, names), period, chosen


Months = Annotated[int | None, Query(ge=1, le=60)]
Market = Annotated[str | None, Query(max_length=32)]


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    months: Months = None,
    market: Market = None,
) -> Response:
    model, period, chosen = _figures(request, conn, viewer, months, market)
    query = f"months={period}" + (f"&market={chosen}" if chosen else "")
    context: dict[str, Any] = {
        "figures": model,
        "period": period,
        "periods": PERIODS,
        "market": chosen or "",
        "market_labels": MARKET_LABELS,
        "data_url": f"/dashboard/data.json?{query}",
    }
    if is_htmx(request):
        return render(request, viewer, "_dashboard_figures.html", **context)
    return render(request, viewer, "dashboard.html", **context)


@router.get("/dashboard/data.json")
def dashboard_data(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    months: Months = None,
    market: Market = None,
) -> Response:
    """The dashboard's figures for the charts, with every label already in the user's language
    and the map's country codes (the atlas's numeric ids → alpha-2)."""
    model, period, chosen = _figures(request, conn, viewer, months, market)
    gettext = _gettext(viewer.lang)
    country = environment(viewer.lang).filters["country"]
    ids = numeric_to_alpha2()
    return JSONResponse(
        {
            "period": period,
            "market": chosen,
            **model,
            "labels": {
                "records": gettext("Records"),
                "hits": gettext("Hits"),
                "requests": gettext("Disclosure requests"),
                "trend": gettext("Per month"),
                "by_market": gettext("By crime area"),
                "map": gettext("Records by the owner's country"),
                "none": gettext("No figures"),
            },
            "map": {
                "ids": ids,
                "names": {code: country(code) for code in sorted(set(ids.values()))},
            },
            "locale": i18n.babel_code(viewer.lang).replace("_", "-"),
        }
    )
