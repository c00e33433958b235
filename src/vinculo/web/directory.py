"""The agencies directory: agencies, their networks, and contact points per criminal market.

Visible to every logged-in user, whatever the role: it holds no personal data about records, only
who is on this installation and whom to call about a hit in a given market (the same contact
point a hit shows). It reads the directory through ``sharing.directory``.
"""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from vinculo.api.deps import Conn
from vinculo.model.metadata import AgencyKind, CriminalMarket, Network
from vinculo.sharing import policy
from vinculo.sharing.directory import AgencyInfo, get_agency, list_agencies
from vinculo.web.viewer import PageViewer, is_htmx, render

router = APIRouter(include_in_schema=False)


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


#: Criminal markets as people name them (msgids: templates and JSON translate them).
MARKET_LABELS: Mapping[str, str] = {
    CriminalMarket.DRUGS.value: N_("Drug trafficking"),
    CriminalMarket.HUMAN_TRAFFICKING.value: N_("Trafficking in human beings"),
    CriminalMarket.MIGRANT_SMUGGLING.value: N_("Migrant smuggling"),
    CriminalMarket.FIREARMS.value: N_("Firearms trafficking"),
    CriminalMarket.CULTURAL_GOODS.value: N_("Trafficking in cultural goods"),
    CriminalMarket.CYBERCRIME.value: N_("Cybercrime"),
    CriminalMarket.ENVIRONMENTAL_CRIME.value: N_("Environmental crime"),
    CriminalMarket.MONEY_LAUNDERING.value: N_("Money laundering"),
    CriminalMarket.CORRUPTION.value: N_("Corruption"),
    CriminalMarket.OTHER.value: N_("Other crime areas"),
    "unspecified": N_("No crime area given"),
}
KIND_LABELS: Mapping[str, str] = {
    AgencyKind.POLICE.value: N_("Police"),
    AgencyKind.PROSECUTION.value: N_("Public prosecution"),
    AgencyKind.JUDICIARY.value: N_("Judiciary"),
    AgencyKind.PENITENTIARY.value: N_("Prison service"),
    AgencyKind.CUSTOMS.value: N_("Customs"),
    AgencyKind.FIU.value: N_("Financial intelligence unit"),
    AgencyKind.MINISTRY.value: N_("Ministry"),
    AgencyKind.REGIONAL_BODY.value: N_("Regional body"),
}
NETWORKS: tuple[str, ...] = tuple(n.value for n in Network)


def network_name(value: str) -> str:
    """How a network is written (``EL_PACCTO`` is "EL PACCTO")."""
    return value.replace("_", " ")


def _matches(agency: AgencyInfo, q: str, country: str, network: str, kind: str) -> bool:
    if country and agency.country != country:
        return False
    if network and network not in {n.value for n in agency.networks}:
        return False
    if kind and agency.kind.value != kind:
        return False
    if q:
        needle = q.casefold()
        return needle in agency.code.casefold() or needle in agency.name.casefold()
    return True


Text = Annotated[str, Query(max_length=120)]


@router.get("/agencies")
def agencies_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    q: Text = "",
    country: Annotated[str, Query(max_length=2)] = "",
    network: Annotated[str, Query(max_length=32)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    everyone = list_agencies(conn)
    q = q.strip()
    country = country.strip().upper()
    network = network if network in NETWORKS else ""
    kind = kind if kind in KIND_LABELS else ""
    shown = [a for a in everyone if _matches(a, q, country, network, kind)]
    context: dict[str, Any] = {
        "agencies": shown,
        "total": len(everyone),
        "countries": sorted({a.country for a in everyone}),
        "networks": NETWORKS,
        "kinds": KIND_LABELS,
        "markets": MARKET_LABELS,
        "network_name": network_name,
        "q": q,
        "country": country,
        "network": network,
        "kind": kind,
    }
    if is_htmx(request):
        return render(request, viewer, "_agencies_list.html", **context)
    return render(request, viewer, "agencies.html", **context)


@router.get("/agencies/{code}")
def agency_page(code: str, request: Request, conn: Conn, viewer: PageViewer) -> Response:
    agency = get_agency(conn, code.strip().upper()[:32])
    if agency is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    contacts = sorted(
        agency.contact_points.items(),
        # The markets in their usual order, the catch-all last.
        key=lambda item: list(MARKET_LABELS).index(item[0]) if item[0] in MARKET_LABELS else 99,
    )
    return render(
        request,
        viewer,
        "agencies_detail.html",
        agency=agency,
        contacts=contacts,
        kinds=KIND_LABELS,
        markets=MARKET_LABELS,
        network_name=network_name,
        own=agency.code == viewer.user.agency,
        # Only offered: the messages area decides who may write.
        message_link=agency.code != viewer.user.agency and policy.works_with_records(viewer.user),
    )
