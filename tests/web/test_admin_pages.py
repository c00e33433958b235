"""Administration pages: accounts, agencies, sharing groups, matching exclusions (administrator);
audit search, chain verification and review overview (DPO). Every change audited, every other
role refused and audited, every form needs its CSRF token."""

import datetime as dt
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update

from tests.web.conftest import PASSWORD, audit_entries, csrf_of, login
from vinculo.sharing.directory import add_user, get_agency, get_user
from vinculo.store.tables import KeyExclusion, SharingGroupMember, User, WebSession, utcnow


@pytest.fixture
def dpo(site: Engine) -> str:
    with site.begin() as conn:
        add_user(conn, "dora.dpo", "BR-PF", PASSWORD, ["dpo"], display_name="Dora")
    return "dora.dpo"


def _csrf(client: TestClient, path: str = "/admin/users") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def _post(client: TestClient, path: str, data: dict[str, object], token: str) -> httpx.Response:
    response: httpx.Response = client.post(
        path, data={**data, "csrf_token": token}, follow_redirects=False
    )
    return response


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/admin/users",
        "/admin/users/ana.pf",
        "/admin/agencies",
        "/admin/groups",
        "/admin/exclusions",
        "/admin/audit",
        "/admin/audit/verify",
        "/admin/review",
    ],
)
def test_an_analyst_is_refused_everywhere_and_it_is_audited(
    client: TestClient, site: Engine, path: str
) -> None:
    login(client, "ana.pf")
    page = client.get(path)
    assert page.status_code == 403
    assert "Not allowed" in page.text
    with site.connect() as conn:
        from vinculo.store.tables import AuditEntry

        last = conn.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (last.username, last.outcome) == ("ana.pf", "denied")
    assert last.details["path"] == path


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers"


def test_the_dpo_sees_only_the_dpo_pages(client: TestClient, dpo: str) -> None:
    login(client, dpo)
    index = client.get("/admin")
    assert index.status_code == 200
    assert 'href="/admin/audit"' in index.text and 'href="/admin/review"' in index.text
    assert 'href="/admin/users"' not in index.text
    for path in ("/admin/users", "/admin/agencies", "/admin/groups", "/admin/exclusions"):
        assert client.get(path).status_code == 403, path


def test_the_administrator_does_not_see_the_dpo_pages(client: TestClient) -> None:
    login(client, "admin.pf")
    index = client.get("/admin")
    assert 'href="/admin/users"' in index.text
    assert 'href="/admin/audit"' not in index.text
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/review").status_code == 403


def test_an_analyst_cannot_create_an_account_even_with_the_token(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    token = csrf_of(client.get("/").text)
    response = _post(
        client,
        "/admin/users",
        {"username": "mallory", "agency": "BR-PF", "roles": ["administrator"]},
        token,
    )
    assert response.status_code == 403
    with site.connect() as conn:
        assert get_user(conn, "mallory") is None
    [entry] = audit_entries(site, "user.create")
    assert (entry.username, entry.outcome, entry.object_id) == ("ana.pf", "denied", "mallory")


def test_forms_need_the_csrf_token(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    response = client.post(
        "/admin/users",
        data={"username": "no.token", "agency": "BR-PF", "roles": ["analyst"]},
        follow_redirects=False,
    )
    assert response.status_code == 403
    wrong = _post(client, "/admin/users/ana.pf/active", {"active": "no"}, "not-the-token")
    assert wrong.status_code == 403
    with site.connect() as conn:
        assert get_user(conn, "no.token") is None
        ana = get_user(conn, "ana.pf")
    assert ana is not None and ana.is_active
    assert [e.outcome for e in audit_entries(site, "auth.csrf")] == ["denied", "denied"]


# --- users ------------------------------------------------------------------------------------


def test_create_an_account_shows_its_password_once_and_it_works(
    client: TestClient, site: Engine
) -> None:
    login(client, "admin.pf")
    token = _csrf(client)
    created = _post(
        client,
        "/admin/users",
        {
            "username": " Nuno.PJ ",
            "display_name": "Nuno Reis",
            "agency": "ES-CNP",
            "roles": ["analyst", "investigator"],
            "locale": "pt-PT",
        },
        token,
    )
    assert created.status_code == 200
    html = created.text
    password = re.search(r'id="initial-password">([^<]+)</output>', html)
    assert password, html
    assert len(password.group(1)) >= 12
    with site.connect() as conn:
        user = get_user(conn, "nuno.pj")
        stored = conn.execute(select(User.password_hash).where(User.username == "nuno.pj")).one()
    assert user is not None
    assert (user.agency, [r.value for r in user.roles], user.locale) == (
        "ES-CNP",
        ["analyst", "investigator"],
        "pt-PT",
    )
    assert password.group(1) not in stored.password_hash
    [entry] = audit_entries(site, "user.create")
    assert (entry.username, entry.object_id, entry.outcome) == ("admin.pf", "nuno.pj", "ok")
    assert entry.details["roles"] == ["analyst", "investigator"]
    assert password.group(1) not in str(entry.details)
    # The list does not show it again.
    assert password.group(1) not in client.get("/admin/users").text
    other = TestClient(client.app)
    assert login(other, "nuno.pj", password.group(1)).status_code == 303


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "a", "agency": "BR-PF", "roles": ["analyst"]}, "username",
         "This username cannot be used"),
        ({"username": "ana.pf", "agency": "BR-PF", "roles": ["analyst"]}, "username",
         "This username is already taken."),
        ({"username": "new.one", "agency": "XX-NONE", "roles": ["analyst"]}, "agency",
         "Choose an agency from the list."),
        ({"username": "new.one", "agency": "BR-PF"}, "roles", "Choose at least one role."),
        ({"username": "new.one", "agency": "BR-PF", "roles": ["king"]}, "roles",
         "Choose at least one role."),
        ({"username": "new.one", "agency": "BR-PF", "roles": ["analyst"], "email": "nope"},
         "email", "Enter an e-mail address"),
    ],
)  # fmt: skip
def test_bad_account_forms_say_what_is_wrong(
    client: TestClient, site: Engine, data: dict[str, object], field: str, message: str
) -> None:
    login(client, "admin.pf")
    response = _post(client, "/admin/users", data, _csrf(client))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="new-{field}-error"' in response.text
    with site.connect() as conn:
        assert get_user(conn, "new.one") is None
    [entry] = audit_entries(site, "user.create")
    assert entry.outcome == "failed"


def test_roles_activation_unlock_and_second_factor(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    ana = TestClient(client.app)
    login(ana, "ana.pf")
    token = _csrf(client, "/admin/users/ana.pf")
    roles = _post(client, "/admin/users/ana.pf/roles", {"roles": ["analyst", "supervisor"]}, token)
    assert roles.status_code == 303
    assert "The roles were saved." in client.get(roles.headers["location"]).text
    with site.connect() as conn:
        user = get_user(conn, "ana.pf")
    assert user is not None and [r.value for r in user.roles] == ["analyst", "supervisor"]
    [entry] = audit_entries(site, "user.roles")
    assert entry.details["before"] == ["analyst"]
    assert entry.details["after"] == ["analyst", "supervisor"]

    off = _post(client, "/admin/users/ana.pf/active", {"active": "no"}, token)
    assert off.status_code == 303
    # Her open session ended with the account.
    assert ana.get("/", follow_redirects=False).status_code == 303
    assert login(TestClient(client.app), "ana.pf").status_code == 401
    [entry] = audit_entries(site, "user.deactivate")
    assert entry.details["sessions_ended"] == 1
    on = _post(client, "/admin/users/ana.pf/active", {"active": "yes"}, token)
    assert on.status_code == 303
    assert login(TestClient(client.app), "ana.pf").status_code == 303

    with site.begin() as conn:
        conn.execute(
            update(User)
            .where(User.username == "ana.pf")
            .values(
                locked_until=utcnow() + dt.timedelta(minutes=10),
                failed_logins=0,
                totp_secret="JBSWY3DPEHPK3PXP",
                totp_confirmed_at=utcnow(),
            )
        )
    page = client.get("/admin/users/ana.pf")
    assert "Locked" in page.text and "In force" in page.text
    assert _post(client, "/admin/users/ana.pf/unlock", {}, token).status_code == 303
    assert _post(client, "/admin/users/ana.pf/totp-reset", {}, token).status_code == 303
    with site.connect() as conn:
        row = conn.execute(select(User).where(User.username == "ana.pf")).one()
    assert (row.locked_until, row.totp_secret, row.totp_confirmed_at) == (None, None, None)
    assert [e.outcome for e in audit_entries(site, "user.unlock")] == ["ok"]
    [reset] = audit_entries(site, "auth.totp.disable")
    assert (reset.object_id, reset.details["had_totp"]) == ("ana.pf", True)


def test_an_administrator_cannot_lock_themselves_out(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    token = _csrf(client, "/admin/users/admin.pf")
    roles = _post(client, "/admin/users/admin.pf/roles", {"roles": ["analyst"]}, token)
    assert roles.status_code == 422
    assert "You cannot remove your own administrator role" in roles.text
    off = _post(client, "/admin/users/admin.pf/active", {"active": "no"}, token)
    assert off.status_code == 422
    with site.connect() as conn:
        me = get_user(conn, "admin.pf")
        sessions = conn.execute(select(WebSession)).all()
    assert me is not None and me.is_active and [r.value for r in me.roles] == ["administrator"]
    assert sessions
    assert client.get("/admin/users/nobody").status_code == 404


# --- agencies ---------------------------------------------------------------------------------


def test_create_and_edit_an_agency(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    token = _csrf(client, "/admin/agencies")
    created = _post(
        client,
        "/admin/agencies",
        {
            "code": "co-dijin",
            "name": "DIJIN",
            "country": "Colombia",
            "kind": "police",
            "networks": ["AMERIPOL"],
            "contact_drugs": "antidrogas@dijin.example.org",
        },
        token,
    )
    assert created.status_code == 303
    with site.connect() as conn:
        agency = get_agency(conn, "CO-DIJIN")
    assert agency is not None
    assert (agency.country, [n.value for n in agency.networks]) == ("CO", ["AMERIPOL"])
    assert agency.contact_points == {"drugs": "antidrogas@dijin.example.org"}
    edited = _post(
        client,
        "/admin/agencies/CO-DIJIN",
        {
            "name": "Dirección de Investigación Criminal e Interpol",
            "kind": "police",
            "networks": ["AMERIPOL", "EL_PACCTO"],
            "contact_drugs": "",
            "contact_firearms": "armas@dijin.example.org",
        },
        token,
    )
    assert edited.status_code == 303
    with site.connect() as conn:
        agency = get_agency(conn, "CO-DIJIN")
    assert agency is not None
    assert agency.name == "Dirección de Investigación Criminal e Interpol"
    assert [n.value for n in agency.networks] == ["AMERIPOL", "EL_PACCTO"]
    assert agency.contact_points == {"firearms": "armas@dijin.example.org"}
    [entry] = audit_entries(site, "agency.update")
    assert entry.details["changed"] == ["contacts", "name", "networks"]
    assert [e.object_id for e in audit_entries(site, "agency.create")] == ["CO-DIJIN"]


def test_bad_agency_forms(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    token = _csrf(client, "/admin/agencies")
    taken = _post(
        client,
        "/admin/agencies",
        {"code": "BR-PF", "name": "x", "country": "Atlantis", "kind": "police"},
        token,
    )
    assert taken.status_code == 422
    assert "This code is already used by another agency." in taken.text
    assert "This country is not known." in taken.text
    unnamed = _post(client, "/admin/agencies/ES-CNP", {"name": " ", "kind": "police"}, token)
    assert unnamed.status_code == 422
    with site.connect() as conn:
        agency = get_agency(conn, "ES-CNP")
    assert agency is not None and agency.name == "Policía Nacional"
    assert client.get("/admin/agencies/XX-NONE").status_code == 404


# --- sharing groups ---------------------------------------------------------------------------


def test_sharing_groups(client: TestClient, site: Engine) -> None:
    login(client, "admin.pf")
    token = _csrf(client, "/admin/groups")
    assert (
        "Your agency owns and belongs to no sharing group yet." in client.get("/admin/groups").text
    )
    created = _post(
        client,
        "/admin/groups",
        {"name": "Operação Atlântico", "members": ["ES-CNP"], "extend": ["ES-CNP"]},
        token,
    )
    assert created.status_code == 303
    location = created.headers["location"]
    group_path = location.split("?")[0]
    group_id = group_path.rsplit("/", 1)[1]
    with site.connect() as conn:
        members = {
            r.agency_code: r.can_extend
            for r in conn.execute(
                select(SharingGroupMember).where(SharingGroupMember.group_id == group_id)
            )
        }
    assert members == {"BR-PF": True, "ES-CNP": True}
    assert "Operação Atlântico" in client.get("/admin/groups").text
    added = _post(client, f"{group_path}/members", {"agency": "FR-PN"}, token)
    assert added.status_code == 303
    again = _post(client, f"{group_path}/members", {"agency": "FR-PN"}, token)
    assert again.status_code == 422
    removed = _post(client, f"{group_path}/members/FR-PN/remove", {}, token)
    assert removed.status_code == 303
    owner = _post(client, f"{group_path}/members/BR-PF/remove", {}, token)
    assert owner.status_code == 422
    assert [e.outcome for e in audit_entries(site, "sharing.group.create")] == ["ok"]
    assert [e.details.get("agency") for e in audit_entries(site, "sharing.group.add")] == [
        "FR-PN",
        None,
    ]
    assert [e.outcome for e in audit_entries(site, "sharing.group.remove")] == ["ok", "failed"]
    nameless = _post(client, "/admin/groups", {"name": " "}, token)
    assert nameless.status_code == 422
    # Another agency's administrator knows nothing of the group.
    with site.begin() as conn:
        add_user(conn, "admin.pn", "FR-PN", PASSWORD, ["administrator"])
    other = TestClient(client.app)
    login(other, "admin.pn")
    assert other.get(group_path).status_code == 404


# --- exclusions -------------------------------------------------------------------------------


def test_exclusions(client: TestClient, site: Engine) -> None:
    with site.begin() as conn:
        conn.execute(
            insert(KeyExclusion).values(
                key="ph:+573000000000", source="auto", holders=812,
                reason="held by more than 50 records", created_at=utcnow(),
            )
        )  # fmt: skip
    login(client, "admin.pf")
    page = client.get("/admin/exclusions")
    assert "ph:+573000000000" in page.text and "812" in page.text
    assert "No value has been excluded by hand." in page.text
    token = csrf_of(page.text)
    bad = _post(client, "/admin/exclusions", {"key": "SIN NOMBRE", "reason": "x"}, token)
    assert bad.status_code == 422
    no_reason = _post(client, "/admin/exclusions", {"key": "nm:sin nombre", "reason": " "}, token)
    assert no_reason.status_code == 422
    added = _post(
        client,
        "/admin/exclusions",
        {"key": "nm:sin nombre", "reason": "placeholder name in CNP imports"},
        token,
    )
    assert added.status_code == 303
    with site.connect() as conn:
        rows = {r.key: (r.source, r.created_by) for r in conn.execute(select(KeyExclusion))}
    assert rows["nm:sin nombre"] == ("manual", "admin.pf")
    assert "placeholder name in CNP imports" in client.get("/admin/exclusions").text
    removed = _post(client, "/admin/exclusions/remove", {"key": "ph:+573000000000"}, token)
    assert removed.status_code == 303
    missing = _post(client, "/admin/exclusions/remove", {"key": "ph:+573000000000"}, token)
    assert missing.status_code == 404
    with site.connect() as conn:
        assert {r.key for r in conn.execute(select(KeyExclusion))} == {"nm:sin nombre"}
    assert [e.outcome for e in audit_entries(site, "matching.exclude")] == [
        "failed",
        "failed",
        "ok",
    ]
    [entry] = audit_entries(site, "matching.exclude.remove")
    assert (entry.object_id, entry.details["source"]) == ("ph:+573000000000", "auto")
    found = client.get("/admin/exclusions?q=sin")
    assert "nm:sin nombre" in found.text


# --- the DPO ----------------------------------------------------------------------------------


def test_audit_search_pages_and_is_itself_logged(
    client: TestClient, site: Engine, dpo: str
) -> None:
    login(TestClient(client.app), "ana.pf")
    login(TestClient(client.app), "luis.cnp")
    login(client, dpo)
    page = client.get("/admin/audit?username=ana.pf&action=auth")
    assert page.status_code == 200
    table = page.text.split('id="audit-entries"', 1)[1]
    assert table.count("<tr>") == 2  # the header row and ana.pf's one login
    assert "luis.cnp" not in table
    [search] = audit_entries(site, "audit.search")
    assert search.username == dpo
    assert (search.details["username"], search.details["count"]) == ("ana.pf", 1)
    refused = client.get("/admin/audit?outcome=denied")
    assert "No entry matches this search." in refused.text
    bad = client.get("/admin/audit?since=2026-13-01")
    assert bad.status_code == 422
    assert "The start of the period is not a date." in bad.text
    fragment = client.get("/admin/audit?agency=ES-CNP", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="audit-results"')


def test_audit_pagination(client: TestClient, site: Engine, dpo: str) -> None:
    login(client, dpo)
    from vinculo import audit

    with site.begin() as conn:
        for n in range(60):
            audit.record(conn, audit.Actor("bot", "BR-PF", "test"), "test.tick", object_id=str(n))
    first = client.get("/admin/audit?action=test.tick")
    assert first.text.count('<td class="code">test.tick</td>') == 50
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = client.get("/admin/audit?action=test.tick&page=2")
    assert second.text.count('<td class="code">test.tick</td>') == 10
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_chain_verification(client: TestClient, site: Engine, dpo: str) -> None:
    login(client, dpo)
    result = client.get("/admin/audit/verify", headers={"HX-Request": "true"})
    assert result.status_code == 200
    assert 'id="verify-ok"' in result.text
    assert "<html" not in result.text
    whole = client.get("/admin/audit/verify")
    assert "<html" in whole.text and 'id="verify-ok"' in whole.text
    entries = audit_entries(site, "audit.verify")
    assert [e.outcome for e in entries] == ["ok", "ok"]


def test_review_overview_counts_per_agency(client: TestClient, site: Engine, dpo: str) -> None:
    login(client, dpo)
    page = client.get("/admin/review")
    assert page.status_code == 200
    # The site: 3 of BR-PF's records and 1 of ES-CNP's are past their review date.
    assert re.search(r'id="total-overdue">4<', page.text)
    row = page.text.split("BR-PF</span></th>", 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge overdue">3</span>' in row
    assert "Persona Prueba" not in page.text
    assert [e.username for e in audit_entries(site, "review.overview")] == [dpo]


def test_pages_in_spanish(client: TestClient, site: Engine) -> None:
    with site.begin() as conn:
        add_user(conn, "admin.cnp", "ES-CNP", PASSWORD, ["administrator"], locale="es")
    login(client, "admin.cnp")
    page = client.get("/admin/users")
    assert '<html lang="es">' in page.text
    assert "Nueva cuenta" in page.text
    assert "Delegado de protección de datos" in page.text
