"""Browser sessions: cookie attributes, server-side state, timeouts, CSRF, and the TOTP step."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from tests.auth.conftest import PASSWORD, Clock, audit_entries, bearer
from vinculo.api import create_app
from vinculo.auth import totp
from vinculo.auth.sessions import SESSION_COOKIE, user_for_session
from vinculo.sharing.directory import MAX_FAILED_LOGINS, get_user
from vinculo.store.tables import WebSession, utcnow

SESSION = "/api/v1/auth/session"
ME = "/api/v1/auth/me"
TOKENS = "/api/v1/auth/tokens"


def _login(client: TestClient, username: str = "rui.pf", **extra: str) -> dict[str, object]:
    response = client.post(SESSION, json={"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _set_cookie(response_headers: list[str]) -> str:
    (cookie,) = [h for h in response_headers if h.startswith(f"{SESSION_COOKIE}=")]
    return cookie


def test_login_sets_a_hardened_cookie_and_stores_only_its_hash(
    client: TestClient, directory: Engine
) -> None:
    response = client.post(SESSION, json={"username": "rui.pf", "password": PASSWORD})
    assert response.status_code == 200
    cookie = _set_cookie(response.headers.get_list("set-cookie"))
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP, VINCULO_COOKIE_SECURE unset
    value = client.cookies[SESSION_COOKIE]
    with directory.connect() as conn:
        row = conn.execute(select(WebSession)).one()
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.id_hash
    assert row.csrf_token == response.json()["csrf_token"]
    assert row.method == "password" and row.pending_totp is False
    me = client.get(ME).json()
    assert me["username"] == "rui.pf" and me["via"] == "session"
    assert me["csrf_token"] == row.csrf_token


def test_cookie_is_secure_over_https_or_when_configured(
    directory: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"username": "rui.pf", "password": PASSWORD}
    with TestClient(create_app(directory), base_url="https://testserver") as https:
        cookie = _set_cookie(https.post(SESSION, json=body).headers.get_list("set-cookie"))
        assert "secure" in cookie.lower()
    monkeypatch.setenv("VINCULO_COOKIE_SECURE", "1")
    with TestClient(create_app(directory)) as http:
        cookie = _set_cookie(http.post(SESSION, json=body).headers.get_list("set-cookie"))
        assert "secure" in cookie.lower()


def test_wrong_password_opens_no_session(client: TestClient, directory: Engine) -> None:
    response = client.post(SESSION, json={"username": "rui.pf", "password": "wrong password"})
    assert response.status_code == 401
    assert SESSION_COOKIE not in response.cookies
    with directory.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None
    entry = audit_entries(directory, "auth.login")[-1]
    assert entry.outcome == "denied" and entry.details["reason"] == "bad_password"
    assert entry.details["channel"] == "browser"


def test_unsafe_requests_need_the_csrf_token(client: TestClient, directory: Engine) -> None:
    csrf = str(_login(client)["csrf_token"])
    missing = client.post(TOKENS, json={})
    assert missing.status_code == 403
    wrong = client.post(TOKENS, json={}, headers={"X-CSRF-Token": csrf[:-1] + "x"})
    assert wrong.status_code == 403
    assert client.delete(f"{TOKENS}/1").status_code == 403
    refused = audit_entries(directory, "auth.csrf")
    assert [(e.outcome, e.username, e.details["method"]) for e in refused] == [
        ("denied", "rui.pf", "POST"),
        ("denied", "rui.pf", "POST"),
        ("denied", "rui.pf", "DELETE"),
    ]
    assert client.get(TOKENS).status_code == 200  # safe methods need none
    ok = client.post(TOKENS, json={"label": "from the browser"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    # As a form field (a plain HTML form): logout with it.
    out = client.post("/api/v1/auth/logout", data={"csrf_token": csrf})
    assert out.status_code == 204
    assert client.get(ME).status_code == 401


def test_a_bearer_token_needs_no_csrf_token_even_beside_a_cookie(client: TestClient) -> None:
    _login(client)
    token = bearer(client, "ana.pf")
    response = client.post(TOKENS, json={}, headers=token)
    assert response.status_code == 201
    assert client.get(ME, headers=token).json()["username"] == "ana.pf"  # the token wins


def test_idle_and_absolute_timeouts(
    client: TestClient, directory: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _login(client)
    assert client.get(ME).status_code == 200
    with directory.begin() as conn:
        conn.execute(update(WebSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=29)))
    assert client.get(ME).status_code == 200  # activity moves the idle limit...
    with directory.connect() as conn:
        seen = conn.execute(select(WebSession.last_seen_at)).scalar_one()
    assert utcnow() - seen < dt.timedelta(minutes=1)
    with directory.begin() as conn:
        conn.execute(update(WebSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=31)))
    assert client.get(ME).status_code == 401  # ...but not past it
    assert audit_entries(directory, "auth.session")[-1].outcome == "denied"
    _login(client)
    with directory.begin() as conn:
        conn.execute(update(WebSession).values(expires_at=utcnow()))
    assert client.get(ME).status_code == 401  # absolute lifetime, however active
    monkeypatch.setenv("VINCULO_SESSION_IDLE_MINUTES", "5")
    _login(client)
    with directory.begin() as conn:
        conn.execute(update(WebSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=6)))
        assert user_for_session(conn, client.cookies[SESSION_COOKIE]) is None


def test_forged_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "forged-value")
    assert client.get(ME).status_code == 401


def test_logout_ends_the_session_server_side(client: TestClient, directory: Engine) -> None:
    csrf = str(_login(client)["csrf_token"])
    value = client.cookies[SESSION_COOKIE]
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert SESSION_COOKIE in response.headers["set-cookie"]  # told to forget it
    with directory.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None
    client.cookies.set(SESSION_COOKIE, value)  # a copy kept aside is useless
    assert client.get(ME).status_code == 401


@pytest.fixture
def totp_user(directory: Engine, clock: Clock) -> Iterator[str]:
    with directory.begin() as conn:
        user = get_user(conn, "rui.pf")
        assert user is not None
        secret = totp.enrol(conn, user.id, user.username).secret
        assert totp.confirm(conn, user.id, clock.code(secret)) is None
    clock.tick()
    yield secret


def test_password_then_code(
    client: TestClient, directory: Engine, clock: Clock, totp_user: str
) -> None:
    pending = _login(client)
    assert pending["pending_totp"] is True
    pending_cookie = client.cookies[SESSION_COOKIE]
    assert client.get(ME).status_code == 401  # not logged in yet
    assert (
        client.post(
            TOKENS, json={}, headers={"X-CSRF-Token": str(pending["csrf_token"])}
        ).status_code
        == 401
    )
    step2 = f"{SESSION}/totp"
    no_csrf = client.post(step2, json={"otp": clock.code(totp_user)})
    assert no_csrf.status_code == 403
    csrf = {"X-CSRF-Token": str(pending["csrf_token"])}
    wrong = client.post(step2, json={"otp": clock.wrong_code(totp_user)}, headers=csrf)
    assert wrong.status_code == 401
    done = client.post(step2, json={"otp": clock.code(totp_user)}, headers=csrf)
    assert done.status_code == 200, done.text
    assert done.json()["pending_totp"] is False
    assert done.json()["csrf_token"] != pending["csrf_token"]
    assert client.cookies[SESSION_COOKIE] != pending_cookie  # a new session id
    me = client.get(ME).json()
    assert me["username"] == "rui.pf" and me["totp"] is True
    with directory.connect() as conn:
        sessions = list(conn.execute(select(WebSession)))
    assert [(s.method, s.pending_totp) for s in sessions] == [("password+totp", False)]
    # The pending cookie cannot be completed again.
    fresh = TestClient(client.app)
    fresh.cookies.set(SESSION_COOKIE, pending_cookie)
    assert (
        fresh.post(step2, json={"otp": clock.code(totp_user, 1)}, headers=csrf).status_code == 401
    )
    reasons = [e.details.get("reason") for e in audit_entries(directory, "auth.login")]
    assert reasons == ["otp_invalid", None, "no_pending"]
    assert [e.outcome for e in audit_entries(directory, "auth.login.password")] == ["ok"]


def test_code_given_with_the_password_opens_the_session_at_once(
    client: TestClient, clock: Clock, totp_user: str
) -> None:
    body = _login(client, otp=clock.code(totp_user))
    assert body["pending_totp"] is False
    assert client.get(ME).status_code == 200
    clock.tick()
    wrong = client.post(
        SESSION,
        json={"username": "rui.pf", "password": PASSWORD, "otp": clock.wrong_code(totp_user)},
    )
    assert wrong.status_code == 401


def test_wrong_codes_lock_the_account_and_drop_the_pending_session(
    client: TestClient, directory: Engine, clock: Clock, totp_user: str
) -> None:
    csrf = {"X-CSRF-Token": str(_login(client)["csrf_token"])}
    for _ in range(MAX_FAILED_LOGINS):
        response = client.post(
            f"{SESSION}/totp", json={"otp": clock.wrong_code(totp_user)}, headers=csrf
        )
        assert response.status_code == 401
    right = client.post(f"{SESSION}/totp", json={"otp": clock.code(totp_user)}, headers=csrf)
    assert right.status_code == 401
    with directory.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None
    assert audit_entries(directory, "auth.login")[-1].details["reason"] == "locked"


def test_a_session_reaches_every_data_route_and_its_unsafe_requests_need_csrf(
    client: TestClient, directory: Engine
) -> None:
    """The session is accepted beyond /auth: by the same dependency every data route uses."""
    assert client.get("/api/v1/hits").status_code == 401
    csrf = str(_login(client)["csrf_token"])
    assert client.get("/api/v1/hits").status_code == 200
    assert client.get("/api/v1/agencies").status_code == 200
    body = {"entity_id": "br-pf.0", "purpose": "p", "legal_basis": "b"}
    refused = client.post("/api/v1/disclosure-requests", json=body)
    assert refused.status_code == 403
    assert audit_entries(directory, "auth.csrf")[-1].details["method"] == "POST"
    # With the token the request reaches the service (which finds no such record).
    found = client.post("/api/v1/disclosure-requests", json=body, headers={"X-CSRF-Token": csrf})
    assert found.status_code == 404
