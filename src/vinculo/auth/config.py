"""Authentication settings, from ``VINCULO_*`` environment variables.

Read on every call (they are a handful of dictionary look-ups), so an operator's change needs only
a restart and tests can set them with ``monkeypatch.setenv``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from vinculo.settings import get_settings

#: Longest lifetime an API token may be given, unless VINCULO_TOKEN_MAX_HOURS says otherwise.
DEFAULT_TOKEN_MAX_HOURS = 24 * 30


@dataclass(frozen=True, slots=True)
class AuthConfig:
    #: Lifetime of a token when none is asked for (``Settings.token_hours``).
    token_default_hours: int
    #: Longest lifetime a token may be given.
    token_max_hours: int
    #: A browser session ends after this many minutes without a request...
    session_idle_minutes: int
    #: ...and in any case this many hours after the login.
    session_hours: int
    #: Mark the session cookie ``Secure`` even on plain-HTTP requests (behind a TLS proxy).
    cookie_secure: bool


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    agency_claim: str
    roles_claim: str
    #: The callback URL registered with the provider, when it cannot be derived from the request
    #: (behind a reverse proxy).
    redirect_uri: str | None
    #: Where the browser goes after a successful login.
    after_login_url: str
    scope: str

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{key} must be a positive number, not {raw!r}")
    return value


def _flag(env: Mapping[str, str], key: str) -> bool:
    return env.get(key, "").strip().lower() in {"1", "true", "yes", "on"}


def auth_config(environ: Mapping[str, str] | None = None) -> AuthConfig:
    env = _env(environ)
    default_hours = get_settings().token_hours
    max_hours = _int(env, "VINCULO_TOKEN_MAX_HOURS", max(DEFAULT_TOKEN_MAX_HOURS, default_hours))
    return AuthConfig(
        token_default_hours=min(default_hours, max_hours),
        token_max_hours=max_hours,
        session_idle_minutes=_int(env, "VINCULO_SESSION_IDLE_MINUTES", 30),
        session_hours=_int(env, "VINCULO_SESSION_HOURS", default_hours),
        cookie_secure=_flag(env, "VINCULO_COOKIE_SECURE"),
    )


def oidc_config(environ: Mapping[str, str] | None = None) -> OidcConfig | None:
    """The OpenID Connect settings, or None when OIDC login is off (VINCULO_OIDC_ISSUER unset)."""
    env = _env(environ)
    issuer = env.get("VINCULO_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    client_id = env.get("VINCULO_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise ValueError("VINCULO_OIDC_ISSUER is set but VINCULO_OIDC_CLIENT_ID is not")
    scope = env.get("VINCULO_OIDC_SCOPE", "").split() or ["openid", "profile", "email"]
    if "openid" not in scope:
        scope.insert(0, "openid")  # an ID token is what the login rests on
    return OidcConfig(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=env.get("VINCULO_OIDC_CLIENT_SECRET", ""),
        agency_claim=env.get("VINCULO_OIDC_AGENCY_CLAIM", "").strip() or "vinculo_agency",
        roles_claim=env.get("VINCULO_OIDC_ROLES_CLAIM", "").strip() or "vinculo_roles",
        redirect_uri=env.get("VINCULO_OIDC_REDIRECT_URI", "").strip() or None,
        after_login_url=env.get("VINCULO_OIDC_AFTER_LOGIN_URL", "").strip() or "/",
        scope=" ".join(scope),
    )
