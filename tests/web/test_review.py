"""The review page: the agency's records past their review date, kept for a reason or deleted by
a supervisor; other agencies' records and other roles are refused."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.web.conftest import PASSWORD, audit_entries, csrf_of, login
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_user
from vinculo.store.tables import Entity, Hit


def _due(engine: Engine, agency: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(Entity.id)
                .where(Entity.agency_code == agency, Entity.review_by <= dt.date.today())
                .order_by(Entity.review_by, Entity.id)
            ).scalars()
        )


def test_lists_only_my_agencys_records_due(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    page = client.get("/review")
    assert page.status_code == 200
    # The site fixture: BR-PF records 0, 1 and 2 are due; ES-CNP record 0 too, not shown here.
    for i in range(3):
        assert make_entity_id("BR-PF", f"br-pf-{i}") in page.text
    assert make_entity_id("BR-PF", "br-pf-3") not in page.text
    assert make_entity_id("ES-CNP", "es-cnp-0") not in page.text
    assert "Records due: 3" in page.text
    # An analyst keeps records; only a supervisor is offered deletion.
    assert "/extend" in page.text and "/delete" not in page.text


def test_keep_a_record_with_a_reason(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    record = make_entity_id("BR-PF", "br-pf-0")
    token = csrf_of(client.get("/review").text)
    until = dt.date.today() + dt.timedelta(days=200)
    response = client.post(
        f"/review/{record}/extend",
        data={"csrf_token": token, "review_by": until.isoformat(), "reason": "Operación Ancla"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/review?done=extended"
    assert record not in _due(site, "BR-PF")
    with site.connect() as conn:
        assert conn.execute(select(Entity.review_by).where(Entity.id == record)).scalar() == until
    entry = audit_entries(site, "entity.review.extend")[-1]
    assert entry.object_id == record and entry.purpose == "Operación Ancla"
    assert "kept until its new review date" in client.get("/review?done=extended").text


def test_a_reason_and_a_date_within_three_years_are_required(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf", **{"Accept-Language": "es"})
    record = make_entity_id("BR-PF", "br-pf-1")
    token = csrf_of(client.get("/review").text)
    cases = [
        ((dt.date.today() + dt.timedelta(days=30)).isoformat(), "  ", "Indique el motivo"),
        ((dt.date.today() + dt.timedelta(days=4 * 365)).isoformat(), "x", "tres años"),
        (dt.date.today().isoformat(), "x", "debe ser futura"),
        ("31/02/2027", "x", "como una fecha"),
    ]
    for until, reason, says in cases:
        response = client.post(
            f"/review/{record}/extend",
            data={"csrf_token": token, "review_by": until, "reason": reason},
            headers={"Accept-Language": "es"},
        )
        assert response.status_code == 422, until
        assert says in response.text, (until, reason)
    assert record in _due(site, "BR-PF")
    assert all(e.outcome == "failed" for e in audit_entries(site, "entity.review.extend"))


def test_another_agencys_record_is_not_found_and_nothing_changes(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    other = make_entity_id("ES-CNP", "es-cnp-0")
    token = csrf_of(client.get("/review").text)
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"/review/{other}/extend", data={"csrf_token": token, "review_by": until, "reason": "x"}
    )
    assert response.status_code == 404
    assert other in _due(site, "ES-CNP")
    assert audit_entries(site, "entity.review.extend")[-1].outcome == "denied"


def test_without_the_csrf_token_nothing_changes(client: TestClient, site: Engine) -> None:
    login(client, "ana.pf")
    record = make_entity_id("BR-PF", "br-pf-2")
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(f"/review/{record}/extend", data={"review_by": until, "reason": "x"})
    assert response.status_code == 403
    assert record in _due(site, "BR-PF")


def test_an_analyst_may_not_delete_a_supervisor_may(client: TestClient, site: Engine) -> None:
    record = make_entity_id("BR-PF", "br-pf-0")
    login(client, "ana.pf")
    token = csrf_of(client.get("/review").text)
    refused = client.post(f"/review/{record}/delete", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403
    assert record in _due(site, "BR-PF")
    with site.begin() as conn:
        add_user(conn, "sup.pf", "BR-PF", PASSWORD, ["supervisor"])
    client.cookies.clear()
    login(client, "sup.pf")
    page = client.get("/review")
    assert f"/review/{record}/delete" in page.text
    empty = client.post(
        f"/review/{record}/delete", data={"csrf_token": csrf_of(page.text), "reason": " "}
    )
    assert empty.status_code == 422 and record in _due(site, "BR-PF")
    done = client.post(
        f"/review/{record}/delete",
        data={"csrf_token": csrf_of(page.text), "reason": "no longer needed"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with site.connect() as conn:
        assert conn.execute(select(Entity.id).where(Entity.id == record)).first() is None
        # Its hit with ES-CNP (the site's first) went with it.
        assert not conn.execute(
            select(Hit.id).where((Hit.left_id == record) | (Hit.right_id == record))
        ).all()


def test_roles_without_records_are_refused(client: TestClient) -> None:
    login(client, "admin.pf")
    assert client.get("/review").status_code == 403


def test_without_a_session_the_review_page_sends_to_login(client: TestClient) -> None:
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Freview"
