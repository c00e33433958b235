"""The entity profile: what the policy lets each user see, original values and provenance,
metadata in plain words, hits, links, timeline, places, the chart's JSON, judging a hit, and
every refusal."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.web import test_search
from tests.web.conftest import audit_entries, csrf_of, login
from tests.web.test_search import Records
from vinculo.store.tables import Hit, HitJudgement

records = test_search.records  # the same records as the search tests


def _page(client: TestClient, entity_id: str) -> str:
    response = client.get(f"/entities/{entity_id}")
    assert response.status_code == 200, response.text
    return str(response.text)


def _text(html: str) -> str:
    """The page's text, tags and spacing flattened, for phrases spread over several elements."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_anonymous_profile_goes_to_login(client: TestClient, records: Records) -> None:
    response = client.get(f"/entities/{records.maria}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fentities%2F")


def test_own_record_in_full_with_sources_and_metadata(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "eva.cnp")
    html = _page(client, records.maria)
    text = _text(html)
    assert "<h1>María Rodríguez Pérez</h1>" in html
    # The phone as stored, and as the source gave it.
    assert "+34612345678 +34 612 345 678" in text
    assert "Birth date 1985-03-12" in text
    assert "H1 — not to be used in judicial proceedings without the owner's permission." in text
    assert "B2 B — source: mostly reliable." in text
    assert "2 — information known personally to the source" in text
    assert "Data subject Suspect" in text
    assert "Source reference DP 7/2024 JI n.º 2 Vigo" in text
    assert "Shared with The owner agency only" in text
    assert "Imported from es-people.csv on" in text
    assert "Review by" in text
    # Its own agency sees no "request disclosure": the record is its own.
    assert 'id="request-disclosure"' not in html
    [entry] = audit_entries(site, "entity.read")
    assert (entry.username, entry.object_id, entry.outcome) == ("eva.cnp", records.maria, "ok")
    assert entry.details == {"view": "full", "owner": "ES-CNP", "channel": "web"}


def test_links_timeline_and_places(client: TestClient, records: Records) -> None:
    login(client, "eva.cnp")
    html = _page(client, records.maria)
    text = _text(html)
    # The case names her; the membership joins her to the organisation.
    assert f'href="/entities/{records.case}">Operación Delta' in html
    assert f'href="/entities/{records.organisation}">Clan del Puerto' in html
    assert f'href="/entities/{records.membership}"' in html
    assert f'href="/chart?ids={records.maria}"' in html
    # Her birth, the case's start and the membership's start, in date order.
    assert re.search(r"1985-03-12.*2019-02.*2021-05-01", text)
    assert "Spain" in text and "Colombia" in text
    assert 'data-places="[' in html


def test_the_chart_json_holds_the_one_step_neighbourhood(
    client: TestClient, records: Records
) -> None:
    login(client, "eva.cnp")
    response = client.get(f"/entities/{records.maria}/graph.json")
    assert response.status_code == 200
    graph = response.json()
    ids = {node["id"] for node in graph["nodes"]}
    assert ids == {records.maria, records.case, records.organisation}
    edges = {(e["source"], e["target"], e["label"]) for e in graph["edges"]}
    assert (records.case, records.maria, "subjects") in edges
    assert (records.organisation, records.maria, "Membership") in edges


def test_another_agencys_hit_only_record_shows_the_placeholder_and_actions(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "ana.pf")
    html = _page(client, records.maria)
    for secret in ("María", "612", "es-people.csv", "DP 7/2024", "H1", "Operación Delta"):
        assert secret not in html
    assert "Person held by ES-CNP" in html
    assert "Its content is not shared with your agency" in html
    assert f'href="/requests/new?entity={records.maria}&amp;hit={records.hit}"' in html
    assert (
        f'href="/messages/new?to=ES-CNP&amp;entity={records.maria}&amp;hit={records.hit}"' in html
    )
    # The hit's explanation is what both sides are told.
    assert "Hit with a record of BR-PF" in html
    assert 'class="explanation"' in html
    [entry] = audit_entries(site, "entity.read")
    assert entry.details["view"] == "hit_only"
    # The chart gives nothing beyond the record's own hit-only node.
    graph = client.get(f"/entities/{records.maria}/graph.json").json()
    assert graph == {
        "nodes": [{"id": records.maria, "label": "Person · ES-CNP", "schema": "Person",
                   "view": "hit_only", "root": True}],
        "edges": [],
    }  # fmt: skip


def test_another_agencys_record_shared_with_all_is_seen_in_full(
    client: TestClient, records: Records
) -> None:
    """BR-PF sees Lucía (a suspect ES-CNP shares with all) in full, but not ES-CNP's bookkeeping."""
    login(client, "ana.pf")
    html = _page(client, records.lucia)
    assert "<h1>Lucía Fernández Soto</h1>" in html
    assert 'id="request-disclosure"' in html  # not BR-PF's own record
    assert "es-people.csv" not in html  # the owner's bookkeeping
    assert "Recorded by ES-CNP · last updated" in _text(html)


def test_a_missing_record_and_a_role_without_records_are_refused(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "ana.pf")
    missing = client.get("/entities/es-cnp.doesnotexist")
    assert missing.status_code == 404
    assert client.get("/entities/es-cnp.doesnotexist/graph.json").status_code == 404
    denied = [e for e in audit_entries(site, "entity.read") if e.outcome == "denied"]
    assert [e.object_id for e in denied] == ["es-cnp.doesnotexist"]
    client.cookies.clear()
    login(client, "admin.pf")
    assert client.get(f"/entities/{records.maria}").status_code == 403
    assert client.get(f"/entities/{records.maria}/graph.json").status_code == 403


def test_a_hit_is_judged_from_the_profile(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "eva.cnp")
    html = _page(client, records.maria)
    token = csrf_of(html)
    response = client.post(
        f"/hits/{records.hit}/judgement",
        data={"status": "confirmed", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Confirmed" in response.text and "Judgement saved" in response.text
    assert "<html" not in response.text
    with site.connect() as conn:
        assert conn.execute(select(Hit.status).where(Hit.id == records.hit)).scalar_one() == (
            "confirmed"
        )
        [judged] = conn.execute(select(HitJudgement).where(HitJudgement.hit_id == records.hit))
    assert (judged.username, judged.agency_code, judged.status) == (
        "eva.cnp",
        "ES-CNP",
        "confirmed",
    )


def test_judging_without_the_csrf_token_is_refused(
    client: TestClient, records: Records, site: Engine
) -> None:
    login(client, "eva.cnp")
    response = client.post(f"/hits/{records.hit}/judgement", data={"status": "confirmed"})
    assert response.status_code == 403
    with site.connect() as conn:
        assert conn.execute(select(Hit.status).where(Hit.id == records.hit)).scalar_one() == "new"
    assert audit_entries(site, "hit.judge") == []
