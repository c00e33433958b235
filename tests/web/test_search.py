"""The search page: typos, accents, surname order, identifiers in any format, filters, the
policy's views, pagination, htmx fragments, languages, the audit record and refusals."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.web.conftest import PASSWORD, audit_entries, login
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_user
from vinculo.store.tables import Hit
from vinculo.web import search as search_page


@dataclass(frozen=True)
class Records:
    maria: str  # ES-CNP, distribution agency: hit-only to BR-PF
    carlos: str  # ES-CNP, a victim shared with all: still hit-only to others
    lucia: str  # ES-CNP, a suspect shared with all: full to others
    van: str  # ES-CNP, a vehicle
    case: str  # ES-CNP, a case naming Maria
    membership: str  # ES-CNP, Maria in an organisation
    organisation: str  # ES-CNP
    maria_br: str  # BR-PF's record of (probably) the same woman as Maria
    hit: str  # the hit between maria and maria_br


HEADER = [
    "id", "name", "birth_date", "nationality", "phone", "id_number", "markets", "handling_code",
    "source_evaluation", "subject_category", "distribution", "source_ref",
]  # fmt: skip


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def records(site: Engine, tmp_path: Path) -> Records:
    """ES-CNP's people, a vehicle, a case and an organisation (FtM lines), and BR-PF's record of
    María, imported with matching on so that the name keys are indexed and the hit is raised."""
    people = _csv(
        tmp_path / "es-people.csv",
        [
            ["es-maria", "María Rodríguez Pérez", "1985-03-12", "España", "+34 612 345 678",
             "", "drugs", "H1", "B2", "suspect", "agency", "DP 7/2024 JI n.º 2 Vigo"],
            ["es-carlos", "Carlos Gómez Ruiz", "1979-11-02", "España", "", "", "drugs", "H0",
             "A1", "victim", "all", ""],
            ["es-lucia", "Lucía Fernández Soto", "1990-01-20", "España", "", "", "firearms", "H0",
             "C3", "suspect", "all", ""],
        ],
    )  # fmt: skip
    with site.begin() as conn:
        # An English-speaking colleague of luis.cnp (whose pages are in Spanish).
        add_user(conn, "eva.cnp", "ES-CNP", PASSWORD, ["analyst"], display_name="Eva Martín")
    report = run_import(people, "ES-CNP", engine=site)
    assert report.rows_rejected == 0, report
    lines = [
        {"id": "es-van", "schema": "Vehicle",
         "properties": {"registrationNumber": ["1234-BCD"], "model": ["Transit"]}},
        {"id": "es-org", "schema": "Organization",
         "properties": {"name": ["Clan del Puerto"], "country": ["es", "co"]}},
        {"id": "es-case", "schema": "Case",
         "properties": {"name": ["Operación Delta"], "subjects": ["es-maria"],
                        "startDate": ["2021-05-01"]}},
        {"id": "es-member", "schema": "Membership",
         "properties": {"member": ["es-maria"], "organization": ["es-org"],
                        "startDate": ["2019-02"]}},
    ]  # fmt: skip
    ftm = tmp_path / "es-entities.ftm.jsonl"
    ftm.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    report = run_import(ftm, "ES-CNP", engine=site)
    assert report.rows_rejected == 0, report
    brazil = _csv(
        tmp_path / "br-people.csv",
        [["br-maria", "Maria Rodrigues Peres", "1985-03-12", "Espanha", "+34 612 345 678", "",
          "drugs", "H0", "B2", "suspect", "agency", ""]],
    )  # fmt: skip
    report = run_import(brazil, "BR-PF", engine=site)
    assert report.rows_rejected == 0, report
    keys = ("es-maria", "es-carlos", "es-lucia", "es-van", "es-case", "es-member", "es-org")
    ids = {key: make_entity_id("ES-CNP", key) for key in keys}
    maria_br = make_entity_id("BR-PF", "br-maria")
    with site.connect() as conn:
        hit = conn.execute(
            select(Hit.id).where(
                Hit.left_id.in_([ids["es-maria"], maria_br]),
                Hit.right_id.in_([ids["es-maria"], maria_br]),
            )
        ).scalar_one()
    return Records(
        ids["es-maria"], ids["es-carlos"], ids["es-lucia"], ids["es-van"], ids["es-case"],
        ids["es-member"], ids["es-org"], maria_br, hit,
    )  # fmt: skip


def _search(client: TestClient, **params: str) -> str:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return str(response.text)


def test_anonymous_search_goes_to_login(client: TestClient) -> None:
    response = client.get("/search?q=Rodriguez", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsearch%3Fq%3DRodriguez"


def test_a_role_without_records_may_not_search_and_is_audited(
    client: TestClient, site: Engine
) -> None:
    login(client, "admin.pf")
    response = client.get("/search?q=Rodriguez")
    assert response.status_code == 403
    [entry] = audit_entries(site, "entity.search")
    assert (entry.username, entry.outcome) == ("admin.pf", "denied")


def test_an_empty_box_shows_the_form_and_searches_nothing(client: TestClient, site: Engine) -> None:
    login(client, "luis.cnp")
    html = _search(client)
    assert 'id="q"' in html
    assert "results-heading" not in html
    assert audit_entries(site, "entity.search") == []


@pytest.mark.parametrize(
    "query",
    [
        "María Rodríguez Pérez",  # as written
        "maria rodriguez perez",  # no accents, lower case
        "Rodrigez",  # a typo, surname alone
        "Maria Rodrigez",  # a typo with the given name
        "Rodriguez Perez, Maria",  # surnames first
        "Perez Rodriguez Maria",  # surnames swapped
    ],
)
def test_a_name_is_found_despite_typos_accents_and_order(
    client: TestClient, records: Records, query: str
) -> None:
    login(client, "eva.cnp")
    html = _search(client, q=query)
    assert f'href="/entities/{records.maria}"' in html
    assert "María Rodríguez Pérez" in html


def test_the_best_match_comes_first(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    html = _search(client, q="Maria Rodrigez Perez")
    first = html.index("/entities/")
    assert html[first : first + len("/entities/") + len(records.maria)].endswith(records.maria)


@pytest.mark.parametrize(
    "query", ["+34 612 345 678", "+34612345678", "612 34 56 78", "0034612345678"]
)
def test_a_phone_is_found_in_any_format(client: TestClient, records: Records, query: str) -> None:
    login(client, "eva.cnp")
    html = _search(client, q=query)
    assert f'href="/entities/{records.maria}"' in html
    assert "identifier match" in html


def test_a_plate_is_found_without_its_separators(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    html = _search(client, q="1234 bcd")
    assert f'href="/entities/{records.van}"' in html


def test_results_show_owner_view_and_provenance(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    html = _search(client, q="Lucía Fernández")
    assert f'href="/entities/{records.lucia}"' in html
    assert "Owner: ES-CNP (Spain)" in html
    assert "Full record" in html
    assert "Imported from es-people.csv on" in html
    assert "Firearms trafficking" in html


def test_another_agencys_record_shows_only_that_it_exists(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "ana.pf")
    html = _search(client, q="Rodríguez Pérez")
    assert f'href="/entities/{records.maria}"' in html
    assert "Hit only" in html
    assert "Person held by ES-CNP" in html
    for secret in ("María Rodríguez Pérez", "612", "es-people.csv", "DP 7/2024"):
        assert secret not in html
    # A protected data subject stays hit-only although shared with all agencies; a suspect
    # shared with all is seen in full.
    html = _search(client, q="Carlos Gomez")
    assert f'href="/entities/{records.carlos}"' in html
    assert "Gómez Ruiz" not in html
    html = _search(client, q="Lucia Fernandez")
    assert "Lucía Fernández Soto" in html
    # Which file it came from is ES-CNP's bookkeeping, not shared.
    assert "es-people.csv" not in html
    assert "Recorded by ES-CNP" in html


def test_the_search_is_audited_with_its_terms(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "ana.pf")
    _search(client, q="Rodriguez", schema="Person", market="drugs")
    [entry] = audit_entries(site, "entity.search")
    assert (entry.username, entry.agency_code, entry.outcome) == ("ana.pf", "BR-PF", "ok")
    assert entry.details["query"] == "Rodriguez"
    assert entry.details["schema"] == "Person"
    assert entry.details["market"] == "drugs"
    assert entry.details["channel"] == "web"
    # Maria's two records: BR-PF's own (full) and ES-CNP's (hit-only).
    assert entry.details["results"] == {"full": 1, "hit_only": 1}


def test_filters_narrow_the_results(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    assert records.maria not in _search(client, q="Rodriguez", schema="Vehicle")
    assert records.maria not in _search(client, q="Rodriguez", market="firearms")
    assert records.maria not in _search(client, q="Rodriguez", agency="BR-PF")
    assert records.maria_br in _search(client, q="Rodriguez", agency="BR-PF")
    assert records.maria_br in _search(client, q="Rodriguez", country="BR")
    assert records.maria_br not in _search(client, q="Rodriguez", country="ES")
    assert records.maria in _search(client, q="Rodriguez", since="2000-01-01")
    assert records.maria not in _search(client, q="Rodriguez", until="2000-01-01")


def test_a_bad_filter_is_named_and_nothing_is_searched(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "eva.cnp")
    html = _search(client, q="Rodriguez", since="31/12/2024", schema="Spaceship")
    assert "the date must be written as year-month-day" in html
    assert "unknown kind of record" in html
    assert records.maria not in html
    assert audit_entries(site, "entity.search") == []


def test_results_are_paged(
    client: TestClient, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_page, "PER_PAGE", 2)
    login(client, "eva.cnp")
    first = _search(client, q="Persona Prueba")
    second = _search(client, q="Persona Prueba", page="2")
    assert "Page 1 of 5" in first  # 9 test people
    assert "Page 2 of 5" in second
    ids = {line for line in first.split('"') if line.startswith("/entities/")}
    later = {line for line in second.split('"') if line.startswith("/entities/")}
    assert len(ids) == 2 and len(later) == 2 and not ids & later
    assert "page=2" in first


def test_htmx_gets_the_results_fragment(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    response = client.get("/search", params={"q": "Rodriguez"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert records.maria in response.text


def test_the_page_speaks_the_users_language(client: TestClient, records: Records) -> None:
    login(client, "luis.cnp")  # his own setting: Spanish, whatever the browser asks for
    response = client.get("/search", params={"q": "Rodriguez"}, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert "Registros encontrados" in response.text
    assert "Tráfico de drogas" in response.text
