"""The dashboard: the agency's counts as tables and JSON, localised, refused to roles without
records, and the map's country codes."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from tests.web.conftest import audit_entries, login
from vinculo.store.tables import Entity


def _count(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"><span class="count">([^<]*)</span>', html)
    assert found, f"{element_id} not on the page"
    return found.group(1)


def _row(html: str, table_id: str, label: str) -> list[str]:
    """The numbers of the row of ``table_id`` whose header holds ``label``."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        if label in row and '<th scope="row">' in row:
            return re.findall(r'<td class="num">([^<]*)</td>', row)
    raise AssertionError(f"no row {label!r} in {table_id}")


def test_anonymous_is_sent_to_login_and_back(client: TestClient) -> None:
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdashboard"
    data = client.get("/dashboard/data.json", follow_redirects=False)
    assert data.status_code == 303


def test_the_agency_figures(client: TestClient) -> None:
    login(client, "ana.pf")
    page = client.get("/dashboard")
    assert page.status_code == 200
    # BR-PF: its 4 records and the other side of its 4 hits (2 of ES-CNP's 3 records...
    # es0, es1, es2 and fr0), the 4 hits it is a side of, and the 4 requests it made or got.
    assert _count(page.text, "total-records") == "8"
    assert _count(page.text, "total-hits") == "4"
    assert _count(page.text, "total-requests") == "4"
    assert _row(page.text, "table-agencies", "BR-PF") == ["4", "0", "0"]
    assert _row(page.text, "table-agencies", "ES-CNP") == ["3", "3", "3"]
    assert _row(page.text, "table-agencies", "FR-PN") == ["1", "1", "1"]
    assert _row(page.text, "table-countries", "Brazil") == ["4", "0", "0"]
    assert _row(page.text, "table-countries", "Spain") == ["3", "3", "3"]
    # Records imported without a crime area.
    assert _row(page.text, "table-markets", "No crime area given") == ["8", "4", "4"]
    assert 'src="/static/js/dashboard.js"' in page.text
    assert 'data-src="/dashboard/data.json?months=12"' in page.text
    # No record content: none of the imported names appears.
    assert "Persona Prueba" not in page.text


def test_the_json_for_the_charts(client: TestClient) -> None:
    login(client, "ana.pf")
    data = client.get("/dashboard/data.json?months=6").json()
    assert data["period"] == 6
    assert data["totals"] == {"records": 8, "hits": 4, "requests": 4}
    assert len(data["months"]) == 6
    assert sum(m["hits"] for m in data["months"]) == 4
    assert data["hit_status"] == {"new": 2, "confirmed": 1, "needs_review": 1}
    assert data["directions"] == {"incoming": 2, "outgoing": 2}
    countries = {c["key"]: c for c in data["countries"]}
    assert countries["FR"]["label"] == "France"
    # The world atlas's ISO numeric ids, mapped to alpha-2; only the Americas and Europe.
    assert data["map"]["ids"]["076"] == "BR"
    assert data["map"]["ids"]["250"] == "FR"
    assert data["map"]["ids"]["840"] == "US"
    assert "156" not in data["map"]["ids"]  # China
    assert "710" not in data["map"]["ids"]  # South Africa
    assert data["map"]["names"]["DE"] == "Germany"
    assert data["locale"] == "en"


def test_figures_in_the_user_language(client: TestClient) -> None:
    login(client, "rui.pf")  # pt-BR
    data = client.get("/dashboard/data.json").json()
    assert data["map"]["names"]["BR"] == "Brasil"
    assert data["labels"]["hits"] == "Coincidências"  # messages.po
    page = client.get("/dashboard")
    assert '<html lang="pt">' in page.text
    assert "Nenhuma área criminal indicada" in page.text


def test_period_and_market(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    with site.begin() as conn:
        conn.execute(update(Entity).where(Entity.agency_code == "BR-PF").values(markets=["drugs"]))
    drugs = client.get("/dashboard/data.json?market=drugs").json()
    assert drugs["market"] == "drugs"
    assert drugs["totals"]["records"] == 4
    assert drugs["totals"]["hits"] == 4  # each of BR-PF's hits has one of its drug records
    assert drugs["totals"]["requests"] == 0  # the requests name no record
    # An unknown market or period is not an error: the defaults apply.
    odd = client.get("/dashboard/data.json?market=tax&months=7").json()
    assert (odd["market"], odd["period"]) == (None, 12)
    empty = client.get("/dashboard?market=cybercrime")
    assert 'id="dashboard-empty"' in empty.text
    assert 'id="chart-trend"' not in empty.text


def test_htmx_gets_the_figures_only(client: TestClient) -> None:
    login(client, "ana.pf")
    fragment = client.get("/dashboard?months=3", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="dashboard-figures"')
    assert "<html" not in fragment.text
    assert 'data-src="/dashboard/data.json?months=3"' in fragment.text


def test_roles_without_records_are_refused_and_audited(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    page = client.get("/dashboard")
    assert page.status_code == 403
    assert "Not allowed" in page.text
    data = client.get("/dashboard/data.json")
    assert data.status_code == 403
    entries = audit_entries(site, "dashboard.view")
    assert [(e.username, e.outcome) for e in entries] == [("admin.pf", "denied")] * 2


def test_no_content_of_other_agencies_in_the_json(client: TestClient) -> None:
    login(client, "luis.cnp")
    data = client.get("/dashboard/data.json")
    assert data.status_code == 200
    assert "Persona" not in data.text
    # ES-CNP: its 3 records, the other side of its 4 hits (br0, br2, br3, fr1).
    assert data.json()["totals"]["records"] == 7
