"""The disclosure request pages: asking, the owner's decision with field-level release, the
requester's steps, and every refusal (other agency, wrong role, missing CSRF token)."""

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from tests.web.conftest import PASSWORD, audit_entries, csrf_of, login
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_agency, add_user
from vinculo.store.tables import DisclosureRequest, Release

BR0 = make_entity_id("BR-PF", "br-pf-0")
ES0 = make_entity_id("ES-CNP", "es-cnp-0")
#: The conftest's hit between BR-PF's first record and ES-CNP's first one.
HIT = f"h-{BR0[-8:]}-{ES0[-8:]}"
#: BR0 as the conftest's import wrote it.
BR0_NAME = "Persona Prueba 0 BR-PF"
BR0_BIRTH = "1980-01-01"


@pytest.fixture
def people(site: Engine) -> Engine:
    """A supervisor at BR-PF (the owner) and an analyst of a third agency in a third country."""
    with site.begin() as conn:
        add_user(conn, "sup.pf", "BR-PF", PASSWORD, ["analyst", "supervisor"])
        add_agency(conn, "CO-DIJIN", "DIJIN", "CO", "police", ["AMERIPOL"])
        add_user(conn, "ines.co", "CO-DIJIN", PASSWORD, ["analyst"])
    return site


def _as(client: TestClient, username: str) -> None:
    client.cookies.clear()
    assert login(client, username).status_code == 303


def _ask(client: TestClient, **form: str) -> Any:
    page = client.get(f"/requests/new?entity={BR0}&hit={HIT}")
    assert page.status_code == 200, page.text
    data = {
        "csrf_token": csrf_of(page.text),
        "entity": BR0,
        "hit": HIT,
        "purpose": "Operación Puerto: joint investigation",
        "legal_basis": "Mutual legal assistance treaty ES-BR",
        "urgency": "urgent",
        **form,
    }
    return client.post("/requests/new", data=data, follow_redirects=False)


def test_request_partial_release_and_a_third_agency_sees_nothing(
    client: TestClient, people: Engine
) -> None:
    _as(client, "luis.cnp")
    page = client.get(f"/requests/new?entity={BR0}&hit={HIT}")
    assert page.status_code == 200
    # Before any release the requester sees that the record exists, not what it says.
    assert BR0_NAME not in page.text and BR0_BIRTH not in page.text
    assert "BR-PF" in page.text
    asked = _ask(client, fields="name")
    assert asked.status_code == 303
    request_url = asked.headers["location"]
    assert re.fullmatch(r"/requests/[0-9a-f-]{36}", request_url)
    outgoing = client.get("/requests?direction=outgoing")
    assert request_url in outgoing.text
    assert BR0_NAME not in outgoing.text  # nothing released yet
    assert request_url not in client.get("/requests?direction=incoming").text

    _as(client, "sup.pf")
    incoming = client.get("/requests?direction=incoming&status=pending")
    assert request_url in incoming.text
    assert BR0_NAME in incoming.text  # the owner knows which of its records is asked for
    detail = client.get(request_url)
    assert 'id="decision-form"' in detail.text
    assert BR0_NAME in detail.text  # the owner sees its own record in full
    decided = client.post(
        f"{request_url}/decision",
        data={"csrf_token": csrf_of(detail.text), "decision": "approve_fields", "fields": "name"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    with people.connect() as conn:
        release = conn.execute(select(Release)).one()
    assert (release.agency_code, release.fields) == ("ES-CNP", ["name"])

    _as(client, "luis.cnp")
    seen = client.get(request_url)
    assert seen.status_code == 200
    assert BR0_NAME in seen.text
    assert BR0_BIRTH not in seen.text  # birthDate was not released
    assert "Aprobada parcialmente" in seen.text  # luis.cnp reads Spanish
    assert 'id="decision-form"' not in seen.text
    assert BR0_NAME in client.get("/requests?direction=outgoing").text  # released now

    _as(client, "ines.co")
    outsider = client.get(request_url)
    assert outsider.status_code == 404
    assert BR0_NAME not in outsider.text
    again = client.get(f"/requests/new?entity={BR0}")
    assert BR0_NAME not in again.text and BR0_BIRTH not in again.text
    denied = [e for e in audit_entries(people, "disclosure.read") if e.outcome == "denied"]
    assert denied and denied[-1].username == "ines.co"


def test_only_a_supervisor_of_the_owner_decides(client: TestClient, people: Engine) -> None:
    _as(client, "luis.cnp")
    request_url = _ask(client).headers["location"]
    page = client.get(request_url)
    # The requester may not decide on its own request.
    refused = client.post(
        f"{request_url}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "approve"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    _as(client, "ana.pf")  # an analyst of the owner agency, not a supervisor
    page = client.get(request_url)
    assert 'id="decision-form"' not in page.text
    assert 'id="supervisor-only"' in page.text
    refused = client.post(
        f"{request_url}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "approve"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    _as(client, "sup.pf")
    no_token = client.post(
        f"{request_url}/decision", data={"decision": "approve"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    with people.connect() as conn:
        assert conn.execute(select(Release)).all() == []
        status = conn.execute(select(DisclosureRequest.status).where(
            DisclosureRequest.id == request_url.rsplit("/", 1)[1])).scalar_one()  # fmt: skip
    assert status == "pending"


def test_refusals_come_back_with_their_reason_in_the_users_language(
    client: TestClient, people: Engine
) -> None:
    _as(client, "luis.cnp")  # Spanish
    missing = _ask(client, purpose=" ")
    assert missing.status_code == 422
    assert "Indique la finalidad y la base jurídica de la solicitud." in missing.text
    request_url = _ask(client).headers["location"]
    twice = _ask(client)
    assert twice.status_code == 422
    assert "Su institución ya tiene una solicitud abierta para este registro." in twice.text
    _as(client, "sup.pf")
    page = client.get(request_url)
    no_reason = client.post(
        f"{request_url}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "decline", "reason": ""},
    )
    assert no_reason.status_code == 422
    assert "A declined request needs a reason." in no_reason.text
    failed = [e for e in audit_entries(people, "disclosure.decide") if e.outcome == "failed"]
    assert len(failed) == 1


def test_ask_for_information_answer_and_withdraw(client: TestClient, people: Engine) -> None:
    _as(client, "luis.cnp")
    request_url = _ask(client).headers["location"]
    _as(client, "sup.pf")
    page = client.get(request_url)
    asked = client.post(
        f"{request_url}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "ask_info",
              "reason": "Which case number?"},
        follow_redirects=False,
    )  # fmt: skip
    assert asked.status_code == 303
    _as(client, "luis.cnp")
    page = client.get(request_url)
    assert "Which case number?" in page.text
    assert 'id="answer"' in page.text
    answered = client.post(
        f"{request_url}/info",
        data={"csrf_token": csrf_of(page.text), "text": "Case 2026/117"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    page = client.get(request_url)
    assert "Case 2026/117" in page.text and 'id="answer"' not in page.text
    withdrawn = client.post(
        f"{request_url}/withdraw",
        data={"csrf_token": csrf_of(page.text), "reason": "Case closed"},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    page = client.get(request_url)
    assert "Retirada por el solicitante" in page.text
    assert 'id="withdraw"' not in page.text


def test_overdue_requests_are_marked(client: TestClient, people: Engine) -> None:
    with people.begin() as conn:
        conn.execute(
            update(DisclosureRequest)
            .where(DisclosureRequest.id == "00000000-0000-0000-0000-000000000001")
            .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
        )
    _as(client, "ana.pf")
    page = client.get("/requests?direction=incoming")
    row = page.text.split('id="request-00000000-0000-0000-0000-000000000001"')[1].split("</tr>")[0]
    assert "Overdue" in row
    # The approved one of the same agency is not overdue, whatever its date.
    row4 = page.text.split('id="request-00000000-0000-0000-0000-000000000004"')[1].split("</tr>")[0]
    assert "Overdue" not in row4


def test_roles_without_records_and_anonymous_visitors(client: TestClient, people: Engine) -> None:
    anonymous = client.get("/requests", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    _as(client, "admin.pf")
    assert client.get("/requests").status_code == 403
    assert client.get(f"/requests/new?entity={BR0}").status_code == 403
    _as(client, "luis.cnp")
    assert client.get("/requests/00000000-0000-0000-0000-000000000099").status_code == 404
    # A request between two other agencies is not found either.
    assert client.get("/requests/00000000-0000-0000-0000-000000000004").status_code == 404
    # Asking about one's own record is refused with the reason.
    own = client.get(f"/requests/new?entity={ES0}")
    form = {"csrf_token": csrf_of(own.text), "entity": ES0, "purpose": "x", "legal_basis": "y"}
    refused = client.post("/requests/new", data=form)
    assert refused.status_code == 422
