"""OpenID Connect login (authorization code flow with PKCE, via authlib), and the mapping of an
identity provider's claims onto a local account.

The provider is the authority on who someone is, which agency they work for and which vinculo
roles they hold: the agency claim (``VINCULO_OIDC_AGENCY_CLAIM``) must name an agency that exists
here, and the roles claim (``VINCULO_OIDC_ROLES_CLAIM``) is filtered to vinculo's roles. The local
account is linked by ``oidc_subject = "issuer|sub"`` and brought up to date at every login; it has
no usable password. A username never links to an existing local account: taking over an account
by naming oneself after it at the provider is not possible.

The state, nonce and PKCE verifier of a login in progress travel in a short-lived signed cookie
(``vinculo_oidc``), so no server-side store or session middleware is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from sqlalchemy import Connection, insert, select, update

from vinculo.auth.config import OidcConfig
from vinculo.model.metadata import Role
from vinculo.settings import get_settings
from vinculo.sharing.directory import USERNAME_RE, UserInfo, get_agency, user_by_id
from vinculo.store.tables import User, utcnow

with warnings.catch_warnings():
    # authlib warns that it falls back on httpx (rather than httpx2): that is what we use. Its
    # own module turns its warnings on when imported, hence the filter after that import.
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
    from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]

STATE_COOKIE = "vinculo_oidc"
STATE_MAX_AGE = 600
#: What the password column holds for an account that logs in only through the provider: not a
#: valid argon2 hash, so no password ever matches it.
UNUSABLE_PASSWORD = "!oidc"  # noqa: S105 - a marker, not a secret

#: What talking to the provider or checking its answer may raise.
PROVIDER_ERRORS: tuple[type[Exception], ...] = (AuthlibBaseError, JoseError, httpx.HTTPError)
#: Test hook: an httpx transport for the provider's endpoints (discovery, JWKS, token).
http_transport: httpx.AsyncBaseTransport | None = None
_clients: dict[tuple[OidcConfig, int], Any] = {}


class OidcRefused(Exception):
    """A login the provider vouched for but vinculo refuses; ``message`` is safe to show."""

    def __init__(self, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.details = details or {}


def client_for(config: OidcConfig) -> Any:
    """The authlib client for the provider (kept, with the discovery document it loads)."""
    key = (config, id(http_transport))
    client = _clients.get(key)
    if client is None:
        client_kwargs: dict[str, Any] = {
            "scope": config.scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic" if config.client_secret else "none",
        }
        if http_transport is not None:
            client_kwargs["transport"] = http_transport
        oauth = OAuth()
        client = oauth.register(
            "vinculo",
            client_id=config.client_id,
            client_secret=config.client_secret or None,
            server_metadata_url=config.metadata_url,
            client_kwargs=client_kwargs,
        )
        _clients.clear()
        _clients[key] = client
    return client


def reset_clients() -> None:
    _clients.clear()


def _serializer(config: OidcConfig) -> URLSafeTimedSerializer:
    secret = (
        get_settings().secret_key
        or hashlib.sha256(
            f"vinculo-oidc|{config.client_id}|{config.client_secret}".encode()
        ).hexdigest()
    )
    return URLSafeTimedSerializer(secret, salt="vinculo-oidc-state")


def pack_state(config: OidcConfig, data: dict[str, str]) -> str:
    return _serializer(config).dumps(data)


def unpack_state(config: OidcConfig, cookie: str | None, state: str | None) -> dict[str, str]:
    """The login in progress the cookie describes, if it is recent, untampered, and the one
    the provider's answer (``state``) is for."""
    if not cookie or not state:
        raise OidcRefused("state_missing", "no OpenID Connect login in progress in this browser")
    try:
        data: dict[str, str] = _serializer(config).loads(cookie, max_age=STATE_MAX_AGE)
    except BadSignature:
        raise OidcRefused("state_invalid", "OpenID Connect login expired; try again") from None
    if not hmac.compare_digest(str(data.get("state", "")).encode(), state.encode()):
        raise OidcRefused("state_mismatch", "OpenID Connect login expired; try again")
    return data


def claims_options(config: OidcConfig) -> dict[str, Any]:
    """What the ID token must say, beyond its signature, expiry and nonce."""
    return {
        "iss": {"essential": True, "values": [config.issuer, config.issuer + "/"]},
        "aud": {"essential": True, "values": [config.client_id]},
        "sub": {"essential": True},
    }


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by name; a dotted name looks inside nested objects (``resource_access.x.roles``)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    agency: str
    roles: tuple[Role, ...]
    ignored_roles: tuple[str, ...]
    preferred_username: str
    display_name: str
    email: str | None


def map_claims(conn: Connection, config: OidcConfig, claims: Mapping[str, Any]) -> Identity:
    """The vinculo identity the provider's claims describe, or ``OidcRefused``."""
    issuer = str(claims.get("iss", "")).rstrip("/")
    sub = str(claims.get("sub", ""))
    if not issuer or not sub:
        raise OidcRefused("claims_incomplete", "the identity provider sent no subject")
    raw_agency = _claim(claims, config.agency_claim)
    if isinstance(raw_agency, list) and len(raw_agency) == 1:
        raw_agency = raw_agency[0]
    if not isinstance(raw_agency, str) or not raw_agency.strip():
        raise OidcRefused(
            "agency_missing",
            f"the identity provider did not say which agency you work for "
            f"(claim {config.agency_claim!r}); ask its administrator",
        )
    agency = raw_agency.strip().upper()
    if get_agency(conn, agency) is None:
        raise OidcRefused(
            "agency_unknown",
            f"agency {agency!r} named by the identity provider is not known on this "
            "installation; ask an administrator to add it or correct the claim",
            {"agency": agency[:64]},
        )
    raw_roles = _claim(claims, config.roles_claim)
    if isinstance(raw_roles, str):
        raw_roles = re.split(r"[\s,]+", raw_roles)
    if not isinstance(raw_roles, list):
        raw_roles = []
    known = {r.value for r in Role}
    roles: list[Role] = []
    ignored: list[str] = []
    for value in raw_roles:
        name = str(value).strip().lower()
        if name in known:
            if Role(name) not in roles:
                roles.append(Role(name))
        elif name:
            ignored.append(name[:64])
    if not roles:
        raise OidcRefused(
            "roles_missing",
            f"the identity provider gave you no vinculo role (claim {config.roles_claim!r})",
            {"agency": agency, "ignored_roles": ignored},
        )
    name = str(claims.get("name") or "").strip()
    email = claims.get("email")
    return Identity(
        subject=f"{issuer}|{sub}",
        agency=agency,
        roles=tuple(roles),
        ignored_roles=tuple(ignored),
        preferred_username=str(claims.get("preferred_username") or "").strip().lower(),
        display_name=name[:200],
        email=str(email)[:320] if isinstance(email, str) and email else None,
    )


def _free_username(conn: Connection, identity: Identity) -> str:
    tag = hashlib.sha256(identity.subject.encode()).hexdigest()
    wanted = identity.preferred_username
    candidates = [wanted, f"{wanted[:110]}.{tag[:8]}"] if USERNAME_RE.match(wanted) else []
    candidates.append(f"oidc.{tag[:16]}")
    for candidate in candidates:
        taken = conn.execute(select(User.id).where(User.username == candidate)).first()
        if taken is None:
            return candidate
    raise OidcRefused("username_taken", "no free username for this identity")


def provision_user(conn: Connection, identity: Identity) -> UserInfo:
    """Create the local account for the identity, or bring the linked one up to date."""
    row = conn.execute(
        select(User.id, User.is_active).where(User.oidc_subject == identity.subject)
    ).first()
    roles = [r.value for r in identity.roles]
    if row is not None:
        if not row.is_active:
            raise OidcRefused("inactive", "this account has been disabled on vinculo")
        values: dict[str, Any] = {"agency_code": identity.agency, "roles": roles}
        if identity.display_name:
            values["display_name"] = identity.display_name
        if identity.email:
            values["email"] = identity.email
        conn.execute(update(User).where(User.id == row.id).values(**values))
        user_id = int(row.id)
    else:
        username = _free_username(conn, identity)
        result = conn.execute(
            insert(User).values(
                username=username,
                agency_code=identity.agency,
                display_name=identity.display_name or username,
                email=identity.email,
                password_hash=UNUSABLE_PASSWORD,
                roles=roles,
                is_active=True,
                failed_logins=0,
                oidc_subject=identity.subject,
                created_at=utcnow(),
            )
        )
        user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    user = user_by_id(conn, user_id)
    assert user is not None
    return user
