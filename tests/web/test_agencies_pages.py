"""The agencies directory: every logged-in user sees it; filters; one agency's contact points."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.conftest import login
from vinculo.sharing.directory import add_agency


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/agencies/ES-CNP", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fagencies%2FES-CNP"


def test_the_list_and_its_filters(client: TestClient) -> None:
    login(client, "ana.pf")
    page = client.get("/agencies")
    assert page.status_code == 200
    for name in ("Polícia Federal", "Policía Nacional", "Police nationale"):
        assert name in page.text
    assert "3 of 3 agencies" in page.text
    ameripol = client.get("/agencies?network=AMERIPOL")
    assert "Polícia Federal" in ameripol.text
    assert "Policía Nacional" not in ameripol.text
    assert "1 of 3 agencies" in ameripol.text
    by_name = client.get("/agencies?q=nacional")
    assert "Policía Nacional" in by_name.text and "Police nationale" not in by_name.text
    by_country = client.get("/agencies?country=fr")
    assert "Police nationale" in by_country.text and "Polícia Federal" not in by_country.text
    none = client.get("/agencies?q=zzz")
    assert "No agency matches these filters." in none.text
    fragment = client.get("/agencies?kind=police", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="agency-list"')


def test_an_agency_with_its_contact_points(client: TestClient, site: Engine) -> None:
    with site.begin() as conn:
        add_agency(
            conn,
            "CO-DIJIN",
            "Dirección de Investigación Criminal e Interpol",
            "CO",
            "police",
            ["AMERIPOL", "EL_PACCTO"],
            {"drugs": "antinarcoticos@dijin.example.org", "other": "+57 1 000 0000"},
        )
    login(client, "luis.cnp")  # Spanish
    page = client.get("/agencies/co-dijin")
    assert page.status_code == 200
    assert "Dirección de Investigación Criminal e Interpol" in page.text
    assert "Colombia" in page.text
    assert "EL PACCTO" in page.text
    assert 'href="mailto:antinarcoticos@dijin.example.org"' in page.text
    assert "Tráfico de drogas" in page.text
    assert "+57 1 000 0000" in page.text
    assert "Otras áreas delictivas" in page.text
    assert 'href="/messages/new?to=CO-DIJIN"' in page.text
    own = client.get("/agencies/ES-CNP")
    assert "Esta es su institución." in own.text
    assert "Esta institución aún no ha indicado ningún punto de contacto." in own.text
    assert "/messages/new" not in own.text


def test_administrators_see_the_directory_without_the_message_link(client: TestClient) -> None:
    login(client, "admin.pf")
    page = client.get("/agencies/ES-CNP")
    assert page.status_code == 200
    assert "/messages/new" not in page.text


def test_unknown_agency_is_404(client: TestClient) -> None:
    login(client, "ana.pf")
    assert client.get("/agencies/XX-NONE").status_code == 404


def test_names_are_escaped(client: TestClient, site: Engine) -> None:
    with site.begin() as conn:
        add_agency(conn, "PT-PJ", '<img src=x onerror="alert(1)">', "PT", "police")
    login(client, "ana.pf")
    page = client.get("/agencies")
    assert '<img src=x onerror="alert(1)">' not in page.text
    assert "&lt;img src=x" in page.text
