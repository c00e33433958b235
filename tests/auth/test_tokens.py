"""Scoped, expiring, revocable API tokens — the denied paths first."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from tests.auth.conftest import audit_entries, bearer
from vinculo.model.metadata import Role
from vinculo.sharing.directory import (
    DirectoryError,
    get_user,
    new_token,
    resolve_token,
    revoke_token,
    user_for_token,
)
from vinculo.store.tables import ApiToken, User, utcnow

TOKENS = "/api/v1/auth/tokens"


def _create(client: TestClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = client.post(TOKENS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def _auth(created: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['access_token']}"}


def test_scoped_token_acts_with_the_intersection_of_roles(directory: Engine) -> None:
    with directory.begin() as conn:
        ana = get_user(conn, "ana.pf")
        assert ana is not None and set(ana.roles) == {Role.ANALYST, Role.SUPERVISOR}
        scoped, _ = new_token(conn, ana.id, 1, "t", ["analyst"])
        unscoped, _ = new_token(conn, ana.id, 1, "t")
        assert (user := user_for_token(conn, scoped)) is not None
        assert user.roles == (Role.ANALYST,)
        assert (full := user_for_token(conn, unscoped)) is not None
        assert set(full.roles) == {Role.ANALYST, Role.SUPERVISOR}
        # The user loses the only role the token was for: the token can do nothing.
        conn.execute(update(User).where(User.id == ana.id).values(roles=["supervisor"]))
        assert user_for_token(conn, scoped) is None


def test_directory_refuses_wider_scopes_and_bad_lifetimes(directory: Engine) -> None:
    with directory.begin() as conn:
        rui = get_user(conn, "rui.pf")
        assert rui is not None
        with pytest.raises(DirectoryError, match="does not hold"):
            new_token(conn, rui.id, 1, scopes=["supervisor"])
        with pytest.raises(DirectoryError, match="unknown role"):
            new_token(conn, rui.id, 1, scopes=["root"])
        with pytest.raises(DirectoryError, match="at most 24"):
            new_token(conn, rui.id, 25, max_hours=24)
        with pytest.raises(DirectoryError, match="at least"):
            new_token(conn, rui.id, 0)


def test_revoked_and_expired_tokens_are_refused(directory: Engine) -> None:
    with directory.begin() as conn:
        rui = get_user(conn, "rui.pf")
        assert rui is not None
        value, info = new_token(conn, rui.id, 1)
        assert resolve_token(conn, value) is not None
        assert revoke_token(conn, info.id, user_id=rui.id + 1000) is False
        assert revoke_token(conn, info.id, user_id=rui.id) is True
        assert user_for_token(conn, value) is None
        value2, info2 = new_token(conn, rui.id, 1)
        conn.execute(update(ApiToken).where(ApiToken.id == info2.id).values(expires_at=utcnow()))
        assert user_for_token(conn, value2) is None


def test_create_list_and_use_a_scoped_token(client: TestClient, directory: Engine) -> None:
    ana = bearer(client, "ana.pf")
    created = _create(client, ana, label="nightly export", hours=2, scopes=["analyst"])
    assert created["scopes"] == ["analyst"]
    assert str(created["access_token"]).startswith("vin_")
    me = client.get("/api/v1/auth/me", headers=_auth(created)).json()
    assert me["roles"] == ["analyst"] and me["via"] == "token"
    expires = dt.datetime.fromisoformat(str(created["expires_at"]))
    assert dt.timedelta(hours=1, minutes=59) < expires - utcnow() <= dt.timedelta(hours=2)
    listed = client.get(TOKENS, headers=ana).json()
    assert [t["label"] for t in listed] == ["api", "nightly export"]
    assert all("access_token" not in t and "token_hash" not in t for t in listed)
    assert str(created["access_token"]) not in str(listed)
    entry = audit_entries(directory, "auth.token.issue")[-1]
    assert entry.object_id == str(created["id"]) and entry.details["scopes"] == ["analyst"]


def test_scope_wider_than_the_request_is_refused(client: TestClient, directory: Engine) -> None:
    rui = bearer(client, "rui.pf")
    response = client.post(TOKENS, json={"scopes": ["supervisor"]}, headers=rui)
    assert response.status_code == 403
    unknown = client.post(TOKENS, json={"scopes": ["root"]}, headers=rui)
    assert unknown.status_code == 422
    too_long = client.post(TOKENS, json={"hours": 10_000}, headers=rui)
    assert too_long.status_code == 422
    zero = client.post(TOKENS, json={"hours": 0}, headers=rui)
    assert zero.status_code == 422
    reasons = [e.details["reason"] for e in audit_entries(directory, "auth.token.issue")]
    assert reasons == ["scope_beyond_roles", "too_long"]


def test_a_scoped_token_cannot_mint_a_wider_or_longer_one(client: TestClient) -> None:
    ana = bearer(client, "ana.pf")
    scoped = _auth(_create(client, ana, hours=1, scopes=["analyst"]))
    wider = client.post(TOKENS, json={"scopes": ["supervisor"]}, headers=scoped)
    assert wider.status_code == 403
    # "All roles" of a scoped token means its scopes, and its lifetime caps the child's.
    child = _create(client, scoped, hours=48)
    assert child["scopes"] == ["analyst"]
    parent_expiry = client.get("/api/v1/auth/me", headers=scoped).json()["expires_at"]
    assert dt.datetime.fromisoformat(str(child["expires_at"])) <= dt.datetime.fromisoformat(
        parent_expiry
    )


def test_max_lifetime_is_configurable(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VINCULO_TOKEN_MAX_HOURS", "24")
    rui = bearer(client, "rui.pf")
    assert client.post(TOKENS, json={"hours": 25}, headers=rui).status_code == 422
    _create(client, rui, hours=24)


def test_delete_own_token_only(client: TestClient, directory: Engine) -> None:
    ana = bearer(client, "ana.pf")
    rui = bearer(client, "rui.pf")
    created = _create(client, ana, label="script")
    other = client.delete(f"{TOKENS}/{created['id']}", headers=rui)
    assert other.status_code == 404
    assert client.delete(f"{TOKENS}/999999", headers=ana).status_code == 404
    assert client.get("/api/v1/auth/me", headers=_auth(created)).status_code == 200
    assert client.delete(f"{TOKENS}/{created['id']}", headers=ana).status_code == 204
    revoked = client.get("/api/v1/auth/me", headers=_auth(created))
    assert revoked.status_code == 401
    listed = {t["id"]: t for t in client.get(TOKENS, headers=ana).json()}
    assert listed[created["id"]]["revoked_at"] is not None
    assert listed[created["id"]]["active"] is False
    outcomes = [(e.outcome, e.object_id) for e in audit_entries(directory, "auth.token.revoke")]
    assert outcomes == [
        ("denied", str(created["id"])),
        ("denied", "999999"),
        ("ok", str(created["id"])),
    ]


def test_expired_token_is_refused_everywhere(client: TestClient, directory: Engine) -> None:
    ana = bearer(client, "ana.pf")
    created = _create(client, ana)
    with directory.begin() as conn:
        conn.execute(
            update(ApiToken).where(ApiToken.id == created["id"]).values(expires_at=utcnow())
        )
    for method, path in [("GET", "/api/v1/auth/me"), ("GET", TOKENS), ("POST", TOKENS)]:
        response = client.request(method, path, headers=_auth(created), json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
    assert audit_entries(directory, "auth.token")[-1].outcome == "denied"


def test_logout_revokes_the_token_that_made_the_request(
    client: TestClient, directory: Engine
) -> None:
    ana = bearer(client, "ana.pf")
    other = bearer(client, "ana.pf")
    assert client.post("/api/v1/auth/logout", headers=ana).status_code == 204
    assert client.get("/api/v1/auth/me", headers=ana).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=ana).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    with directory.connect() as conn:
        revoked = conn.execute(select(ApiToken.id).where(ApiToken.revoked_at.is_not(None)))
        assert len(list(revoked)) == 1


def test_requests_without_credentials(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get(TOKENS).status_code == 401
    basic = client.get(TOKENS, headers={"Authorization": "Basic YW5hOnB3"})
    assert basic.status_code == 401
