"""The hits inbox: the agency's hits only, filters, side-by-side comparison through the policy,
triage one by one and in bulk (htmx), CSRF, the audit record and every refusal.

The web ``site`` has five hits: BR-PF's are h(br0, es0) new, h(fr0, br1) new, h(br2, es1)
confirmed and h(br3, es2) needs review; h(es0, fr1) is between ES-CNP and FR-PN only.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.web.conftest import audit_entries, csrf_of, login
from vinculo.model.records import make_entity_id
from vinculo.store.tables import Hit, HitJudgement


def _id(agency: str, n: int) -> str:
    return make_entity_id(agency, f"{agency.lower()}-{n}")


def _hit(left: str, right: str) -> str:
    return f"h-{left[-8:]}-{right[-8:]}"


BR0_ES0 = _hit(_id("BR-PF", 0), _id("ES-CNP", 0))
FR0_BR1 = _hit(_id("FR-PN", 0), _id("BR-PF", 1))
BR2_ES1 = _hit(_id("BR-PF", 2), _id("ES-CNP", 1))
BR3_ES2 = _hit(_id("BR-PF", 3), _id("ES-CNP", 2))
ES0_FR1 = _hit(_id("ES-CNP", 0), _id("FR-PN", 1))


def _status(site: Engine, hit: str) -> str:
    with site.connect() as conn:
        return str(conn.execute(select(Hit.status).where(Hit.id == hit)).scalar_one())


def _listed(html: str) -> set[str]:
    return {h for h in (BR0_ES0, FR0_BR1, BR2_ES1, BR3_ES2, ES0_FR1) if f'value="{h}"' in html}


def test_anonymous_inbox_goes_to_login(client: TestClient) -> None:
    response = client.get("/hits", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fhits"


def test_a_role_without_records_has_no_inbox(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    assert client.get("/hits").status_code == 403
    assert client.get(f"/hits/{BR0_ES0}").status_code == 403
    [entry] = audit_entries(site, "hit.list")
    assert entry.outcome == "denied"


def test_the_inbox_lists_the_agencys_hits_only(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    response = client.get("/hits")
    assert response.status_code == 200
    assert "Hits found: 4" in response.text
    assert _listed(response.text) == {BR0_ES0, FR0_BR1, BR2_ES1, BR3_ES2}
    # Each checkbox has its own label, for keyboards and screen readers.
    assert f'<label for="sel-{BR0_ES0}"' in response.text
    [entry] = audit_entries(site, "hit.list")
    assert entry.details["count"] == 4 and entry.details["channel"] == "web"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "new"}, {BR0_ES0, FR0_BR1}),
        ({"status": "confirmed"}, {BR2_ES1}),
        ({"status": "needs_review"}, {BR3_ES2}),
        ({"agency": "FR-PN"}, {FR0_BR1}),
        ({"agency": "ES-CNP", "status": "new"}, {BR0_ES0}),
        ({"schema": "Vehicle"}, set()),
    ],
)
def test_filters(client: TestClient, params: dict[str, str], expected: set[str]) -> None:
    login(client, "ana.pf")
    response = client.get("/hits", params=params)
    assert response.status_code == 200
    assert _listed(response.text) == expected


def test_htmx_gets_the_list_fragment(client: TestClient) -> None:
    login(client, "ana.pf")
    response = client.get("/hits", params={"status": "new"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert _listed(response.text) == {BR0_ES0, FR0_BR1}


def test_the_comparison_shows_the_other_side_as_a_hit_only(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    response = client.get(f"/hits/{BR0_ES0}")
    assert response.status_code == 200
    html = response.text
    assert "Persona Prueba 0 BR-PF" in html  # the viewer's own record
    assert "Persona Prueba 0 ES-CNP" not in html  # ES-CNP's, outside its distribution
    assert "not shared" in html
    assert f'href="/requests/new?entity={_id("ES-CNP", 0)}&amp;hit={BR0_ES0}"' in html
    assert f'href="/messages/new?to=ES-CNP&amp;entity={_id("ES-CNP", 0)}&amp;hit={BR0_ES0}"' in html
    [entry] = audit_entries(site, "hit.read")
    assert (entry.object_id, entry.details["other_view"]) == (BR0_ES0, "hit_only")


def test_another_agencies_hit_is_not_found(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    assert client.get(f"/hits/{ES0_FR1}").status_code == 404
    assert client.get("/hits/no-such-hit").status_code == 404
    denied = [e.object_id for e in audit_entries(site, "hit.read") if e.outcome == "denied"]
    assert denied == [ES0_FR1, "no-such-hit"]


def _token(client: TestClient) -> str:
    return csrf_of(client.get("/hits").text)


def test_confirm_one_hit(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    response = client.post(
        f"/hits/{BR0_ES0}/judgement",
        data={"status": "confirmed", "csrf_token": _token(client), "next": "/hits?status=new"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/hits?status=new"
    assert _status(site, BR0_ES0) == "confirmed"
    [entry] = audit_entries(site, "hit.judge")
    assert (entry.username, entry.object_id, entry.details["status"]) == (
        "ana.pf",
        BR0_ES0,
        "confirmed",
    )


def test_a_next_page_off_the_site_is_not_followed(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    response = client.post(
        f"/hits/{BR0_ES0}/judgement",
        data={"status": "rejected", "csrf_token": _token(client), "next": "//evil.example"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/hits"
    assert _status(site, BR0_ES0) == "rejected"


@pytest.mark.parametrize(
    ("hit", "data", "code"),
    [
        (ES0_FR1, {"status": "confirmed"}, 404),  # not the agency's
        ("no-such-hit", {"status": "confirmed"}, 404),
        (BR0_ES0, {"status": "merged"}, 422),  # not a judgement
        (BR0_ES0, {"status": "new"}, 422),  # "new" is not a judgement either
    ],
)
def test_refused_judgements_change_nothing(
    client: TestClient, site: Engine, hit: str, data: dict[str, str], code: int
) -> None:
    login(client, "ana.pf")
    response = client.post(f"/hits/{hit}/judgement", data={**data, "csrf_token": _token(client)})
    assert response.status_code == code
    assert _status(site, BR0_ES0) == "new"
    assert _status(site, ES0_FR1) == "new"
    [entry] = audit_entries(site, "hit.judge")
    assert entry.outcome in ("denied", "failed")
    with site.connect() as conn:
        assert conn.execute(select(HitJudgement)).first() is None


def test_judging_needs_the_csrf_token(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    one = client.post(f"/hits/{BR0_ES0}/judgement", data={"status": "confirmed"})
    bulk = client.post("/hits/judge", data={"status": "confirmed", "hit": [BR0_ES0]})
    forged = client.post(
        "/hits/judge",
        data={"status": "confirmed", "hit": [BR0_ES0]},
        headers={"X-CSRF-Token": "forged"},
    )
    assert (one.status_code, bulk.status_code, forged.status_code) == (403, 403, 403)
    assert _status(site, BR0_ES0) == "new"
    assert len(audit_entries(site, "auth.csrf")) == 3


def test_a_role_without_records_may_not_judge(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    token = csrf_of(client.get("/").text)
    response = client.post(
        f"/hits/{BR0_ES0}/judgement", data={"status": "confirmed", "csrf_token": token}
    )
    assert response.status_code == 403
    assert _status(site, BR0_ES0) == "new"


def test_bulk_judgement_with_htmx(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    token = _token(client)
    data: dict[str, Any] = {
        "status": "rejected",
        "hit": [BR0_ES0, FR0_BR1],
        "filter_status": "new",
        "filter_schema": "",
        "filter_agency": "",
        "page": "1",
    }
    response = client.post(
        "/hits/judge", data=data, headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Hits marked as “Rejected”: 2." in response.text
    # The list is redrawn with the same filter: no new hit is left.
    assert _listed(response.text) == set()
    assert _status(site, BR0_ES0) == _status(site, FR0_BR1) == "rejected"
    assert _status(site, BR2_ES1) == "confirmed"
    entries = audit_entries(site, "hit.judge")
    assert sorted(e.object_id for e in entries) == sorted([BR0_ES0, FR0_BR1])
    assert all(e.details["bulk"] for e in entries)


def test_bulk_judgement_without_htmx_goes_back_to_the_list(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    response = client.post(
        "/hits/judge",
        data={"status": "needs_review", "hit": [BR2_ES1], "filter_agency": "ES-CNP",
              "csrf_token": _token(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/hits?agency=ES-CNP"
    assert _status(site, BR2_ES1) == "needs_review"


def test_bulk_judgement_with_a_foreign_hit_changes_nothing(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    response = client.post(
        "/hits/judge",
        data={"status": "confirmed", "hit": [BR0_ES0, ES0_FR1], "csrf_token": _token(client)},
    )
    assert response.status_code == 404
    assert _status(site, BR0_ES0) == "new"
    assert _status(site, ES0_FR1) == "new"
    [entry] = audit_entries(site, "hit.judge")
    assert (entry.outcome, entry.object_id) == ("denied", ES0_FR1)
