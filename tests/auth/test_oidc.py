"""OpenID Connect login against a fake provider: real authlib client, real ID-token checks (an RSA
key made here, a JWKS served by an httpx mock transport), real claim mapping and session."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, func, select

from tests.auth.conftest import PASSWORD, audit_entries
from vinculo.auth import oidc
from vinculo.auth.config import oidc_config
from vinculo.auth.sessions import SESSION_COOKIE
from vinculo.sharing.directory import authenticate
from vinculo.store.tables import User, WebSession

ISSUER = "https://idp.test/realms/vinculo"
CLIENT_ID = "vinculo-web"
LOGIN = "/api/v1/auth/oidc/login"
CALLBACK = "/api/v1/auth/oidc/callback"


class FakeProvider:
    """Discovery, JWKS and token endpoints of an identity provider, in memory."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.signing_key = self.key
        self.claims: dict[str, Any] = {
            "sub": "f3c1-0001",
            "preferred_username": "maria.pf",
            "name": "Maria Souza",
            "email": "maria@pf.example",
            "vinculo_agency": "br-pf",
            "vinculo_roles": ["analyst", "Investigator", "realm-admin"],
        }
        self.overrides: dict[str, Any] = {}
        self.authorize_params: dict[str, str] = {}
        self.token_requests: list[dict[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                    "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
                    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        if url == f"{ISSUER}/protocol/openid-connect/certs":
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if url == f"{ISSUER}/protocol/openid-connect/token" and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_requests.append(form)
            if form.get("code") != "the-code":
                return httpx.Response(400, json={"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if challenge.rstrip(b"=").decode() != self.authorize_params.get("code_challenge"):
                return httpx.Response(400, json={"error": "invalid_grant", "why": "pkce"})
            now = int(time.time())
            claims = {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": self.authorize_params.get("nonce"),
                **self.claims,
                **self.overrides,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.signing_key)
            return httpx.Response(
                200,
                json={
                    "access_token": "access",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token,
                },
            )
        return httpx.Response(404)

    def authorize(self, location: str) -> None:
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}".startswith(ISSUER)
        self.authorize_params = {k: v[0] for k, v in parse_qs(parts.query).items()}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    monkeypatch.setenv("VINCULO_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("VINCULO_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("VINCULO_OIDC_CLIENT_SECRET", "client-secret")
    monkeypatch.setattr(oidc, "http_transport", httpx.MockTransport(fake.handler))
    oidc.reset_clients()
    yield fake
    oidc.reset_clients()


def _login(client: TestClient, provider: FakeProvider, **callback: str) -> httpx.Response:
    start = client.get(LOGIN, follow_redirects=False)
    assert start.status_code == 302, start.text
    provider.authorize(start.headers["location"])
    params = {"code": "the-code", "state": provider.authorize_params["state"], **callback}
    return client.get(CALLBACK, params=params, follow_redirects=False)


def _users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())


def test_routes_are_absent_without_an_issuer(client: TestClient) -> None:
    assert client.get(LOGIN, follow_redirects=False).status_code == 404
    assert client.get(CALLBACK, params={"code": "x", "state": "y"}).status_code == 404


def test_login_redirects_with_state_nonce_and_pkce(
    client: TestClient, provider: FakeProvider
) -> None:
    start = client.get(LOGIN, follow_redirects=False)
    provider.authorize(start.headers["location"])
    params = provider.authorize_params
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid", "email", "profile"}
    assert params["state"] and params["nonce"] and params["code_challenge_method"] == "S256"
    assert params["redirect_uri"] == f"http://testserver{CALLBACK}"
    state_cookie = start.headers["set-cookie"].lower()
    assert oidc.STATE_COOKIE in state_cookie and "httponly" in state_cookie


def test_callback_maps_claims_creates_the_user_and_a_session(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    done = _login(client, provider)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"
    assert SESSION_COOKIE in client.cookies
    assert provider.token_requests[0]["grant_type"] == "authorization_code"
    me = client.get("/api/v1/auth/me").json()
    assert me["username"] == "maria.pf" and me["agency"] == "BR-PF" and me["via"] == "session"
    assert me["roles"] == ["analyst", "investigator"]  # "realm-admin" is not a vinculo role
    with directory.connect() as conn:
        user = conn.execute(select(User).where(User.username == "maria.pf")).one()
        session = conn.execute(select(WebSession)).one()
        # No password opens this account.
        assert authenticate(conn, "maria.pf", oidc.UNUSABLE_PASSWORD) is None
    assert user.oidc_subject == f"{ISSUER}|f3c1-0001"
    assert user.display_name == "Maria Souza" and user.email == "maria@pf.example"
    assert session.method == "oidc" and session.user_id == user.id
    entry = audit_entries(directory, "auth.login")[-1]
    assert (entry.outcome, entry.username, entry.agency_code) == ("ok", "maria.pf", "BR-PF")
    assert entry.details == {
        "method": "oidc",
        "channel": "browser",
        "ignored_roles": ["realm-admin"],
    }
    # The state is single-use: replaying the provider's answer fails.
    replay = client.get(
        CALLBACK,
        params={"code": "the-code", "state": provider.authorize_params["state"]},
        follow_redirects=False,
    )
    assert replay.status_code == 401


def test_next_login_updates_the_linked_account(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    assert _login(client, provider).status_code == 303
    provider.overrides = {"vinculo_roles": "supervisor", "vinculo_agency": ["ES-CNP"]}
    assert _login(client, provider).status_code == 303
    me = client.get("/api/v1/auth/me").json()
    assert (me["username"], me["agency"], me["roles"]) == ("maria.pf", "ES-CNP", ["supervisor"])
    assert _users(directory) == 6  # five local ones and Maria, once


def test_unknown_agency_is_refused_clearly_and_audited(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    provider.overrides = {"vinculo_agency": "XX-NOPE"}
    refused = _login(client, provider)
    assert refused.status_code == 403
    assert "XX-NOPE" in refused.json()["detail"]
    assert "not known" in refused.json()["detail"]
    assert SESSION_COOKIE not in client.cookies
    assert _users(directory) == 5
    entry = audit_entries(directory, "auth.login")[-1]
    assert entry.outcome == "denied" and entry.username == "maria.pf"
    assert entry.details["reason"] == "agency_unknown" and entry.details["agency"] == "XX-NOPE"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"vinculo_roles": ["realm-admin"]}, "roles_missing"),
        ({"vinculo_roles": None}, "roles_missing"),
        ({"vinculo_agency": None}, "agency_missing"),
    ],
)
def test_missing_claims_are_refused(
    client: TestClient,
    directory: Engine,
    provider: FakeProvider,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    provider.overrides = overrides
    assert _login(client, provider).status_code == 403
    assert _users(directory) == 5
    assert audit_entries(directory, "auth.login")[-1].details["reason"] == reason


@pytest.mark.parametrize(
    "overrides",
    [{"nonce": "another"}, {"aud": "someone-else"}, {"iss": "https://evil.test"}, {"exp": 1000}],
)
def test_invalid_id_tokens_are_refused(
    client: TestClient, directory: Engine, provider: FakeProvider, overrides: dict[str, Any]
) -> None:
    provider.overrides = overrides
    refused = _login(client, provider)
    assert refused.status_code == 401, refused.text
    assert SESSION_COOKIE not in client.cookies
    assert _users(directory) == 5
    assert audit_entries(directory, "auth.login")[-1].details["reason"] == "id_token_invalid"


def test_a_token_signed_by_another_key_is_refused(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    assert _login(client, provider).status_code == 401
    assert _users(directory) == 5


def test_state_must_match_the_browser(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    assert _login(client, provider, state="forged").status_code == 401
    client.cookies.clear()
    lost = client.get(CALLBACK, params={"code": "the-code", "state": "x"})
    assert lost.status_code == 401
    error = client.get(CALLBACK, params={"error": "access_denied"})
    assert error.status_code == 401
    reasons = [e.details["reason"] for e in audit_entries(directory, "auth.login")]
    assert reasons == ["state_mismatch", "state_missing", "provider_error"]
    assert provider.token_requests == []  # no code was ever redeemed


def test_a_local_username_is_never_taken_over(
    client: TestClient, directory: Engine, provider: FakeProvider
) -> None:
    provider.overrides = {"preferred_username": "rui.pf"}
    assert _login(client, provider).status_code == 303
    me = client.get("/api/v1/auth/me").json()
    assert me["username"].startswith("rui.pf.") and me["roles"] == ["analyst", "investigator"]
    with directory.connect() as conn:
        rui = conn.execute(select(User).where(User.username == "rui.pf")).one()
        assert rui.oidc_subject is None
        assert authenticate(conn, "rui.pf", PASSWORD) is not None


def test_state_cookie_is_signed(provider: FakeProvider) -> None:
    config = oidc_config()
    assert config is not None
    packed = oidc.pack_state(config, {"state": "s", "nonce": "n"})
    assert oidc.unpack_state(config, packed, "s")["nonce"] == "n"
    with pytest.raises(oidc.OidcRefused):
        oidc.unpack_state(config, packed, "other")
    _, _, rest = packed.partition(".")
    forged = base64.urlsafe_b64encode(json.dumps({"state": "s", "nonce": "mine"}).encode())
    with pytest.raises(oidc.OidcRefused):
        oidc.unpack_state(config, forged.decode().rstrip("=") + "." + rest, "s")
