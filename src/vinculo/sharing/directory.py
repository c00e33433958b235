"""Agencies and users: who holds data, who works with it, and with which roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, insert, select, update

from vinculo.identifiers import normalise_country
from vinculo.model.metadata import AgencyKind, CriminalMarket, Network, Role
from vinculo.store.tables import Agency, ApiToken, User, utcnow

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
AGENCY_CODE_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9][A-Z0-9_-]{0,28}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,119}$")
MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


class DirectoryError(ValueError):
    """A request the directory refuses, with the reason."""


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    code: str
    name: str
    country: str
    kind: AgencyKind
    networks: tuple[Network, ...]
    contact_points: dict[str, str]


def _agency_info(row: Any) -> AgencyInfo:
    return AgencyInfo(
        row.code,
        row.name,
        row.country,
        AgencyKind(row.kind),
        tuple(Network(n) for n in row.networks or []),
        dict(row.contact_points or {}),
    )


def add_agency(
    conn: Connection,
    code: str,
    name: str,
    country: str,
    kind: str,
    networks: list[str] | None = None,
    contact_points: dict[str, str] | None = None,
) -> AgencyInfo:
    code = code.strip().upper()
    if not AGENCY_CODE_RE.match(code):
        raise DirectoryError(
            f"agency code {code!r}: use the country code, a dash and a short name (e.g. CO-DIJIN)"
        )
    country_code = normalise_country(country)
    if country_code is None:
        raise DirectoryError(f"unknown country {country!r} (ISO 3166-1 code or name)")
    try:
        agency_kind = AgencyKind(kind.strip().lower())
    except ValueError:
        raise DirectoryError(
            f"unknown agency kind {kind!r}; one of: {', '.join(k.value for k in AgencyKind)}"
        ) from None
    nets: list[str] = []
    for net in networks or []:
        try:
            nets.append(Network(net.strip().upper()).value)
        except ValueError:
            raise DirectoryError(
                f"unknown network {net!r}; one of: {', '.join(n.value for n in Network)}"
            ) from None
    contacts: dict[str, str] = {}
    for market, contact in (contact_points or {}).items():
        try:
            contacts[CriminalMarket(market).value] = contact
        except ValueError:
            raise DirectoryError(f"unknown criminal market {market!r}") from None
    if conn.execute(select(Agency.code).where(Agency.code == code)).first():
        raise DirectoryError(f"agency {code} already exists")
    conn.execute(
        insert(Agency).values(
            code=code,
            name=name.strip(),
            country=country_code,
            kind=agency_kind.value,
            networks=nets,
            contact_points=contacts,
            created_at=utcnow(),
        )
    )
    return AgencyInfo(
        code, name.strip(), country_code, agency_kind, tuple(Network(n) for n in nets), contacts
    )


def list_agencies(conn: Connection) -> list[AgencyInfo]:
    return [_agency_info(r) for r in conn.execute(select(Agency).order_by(Agency.code))]


def get_agency(conn: Connection, code: str) -> AgencyInfo | None:
    row = conn.execute(select(Agency).where(Agency.code == code)).first()
    return _agency_info(row) if row else None


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    agency: str
    display_name: str
    roles: tuple[Role, ...]
    locale: str | None
    is_active: bool


def _user_info(row: Any) -> UserInfo:
    return UserInfo(
        row.id,
        row.username,
        row.agency_code,
        row.display_name,
        tuple(Role(r) for r in row.roles or []),
        row.locale,
        bool(row.is_active),
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(
    conn: Connection,
    username: str,
    agency: str,
    password: str,
    roles: list[str],
    display_name: str = "",
    email: str | None = None,
    locale: str | None = None,
) -> UserInfo:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise DirectoryError(f"username {username!r}: 2-120 of a-z 0-9 . _ @ -")
    if get_agency(conn, agency) is None:
        raise DirectoryError(f"unknown agency {agency!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DirectoryError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if not roles:
        raise DirectoryError("a user needs at least one role")
    parsed: list[str] = []
    for role in roles:
        try:
            parsed.append(Role(role.strip().lower()).value)
        except ValueError:
            raise DirectoryError(
                f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}"
            ) from None
    if conn.execute(select(User.id).where(User.username == username)).first():
        raise DirectoryError(f"user {username} already exists")
    result = conn.execute(
        insert(User).values(
            username=username,
            agency_code=agency,
            display_name=display_name or username,
            email=email,
            password_hash=hash_password(password),
            roles=parsed,
            locale=locale,
            is_active=True,
            failed_logins=0,
            created_at=utcnow(),
        )
    )
    user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return UserInfo(
        user_id,
        username,
        agency,
        display_name or username,
        tuple(Role(r) for r in parsed),
        locale,
        True,
    )


def list_users(conn: Connection, agency: str | None = None) -> list[UserInfo]:
    stmt = select(User).order_by(User.agency_code, User.username)
    if agency:
        stmt = stmt.where(User.agency_code == agency)
    return [_user_info(r) for r in conn.execute(stmt)]


def authenticate(conn: Connection, username: str, password: str) -> UserInfo | None:
    """The user if the password is right and the account usable; counts failures and locks the
    account for a while after repeated ones. The same answer (None) for every failure reason."""
    row = conn.execute(select(User).where(User.username == username.strip().lower())).first()
    if row is None:
        # Spend the same time as a real verification: no user enumeration by timing.
        _safe_verify(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if not row.is_active or (row.locked_until is not None and row.locked_until > now):
        _safe_verify(_DUMMY_HASH, password)
        return None
    if not _safe_verify(row.password_hash, password):
        failed = row.failed_logins + 1
        values: dict[str, Any] = {"failed_logins": failed}
        if failed >= MAX_FAILED_LOGINS:
            values = {"failed_logins": 0, "locked_until": now + LOCKOUT}
        conn.execute(update(User).where(User.id == row.id).values(**values))
        return None
    values = {"failed_logins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    conn.execute(update(User).where(User.id == row.id).values(**values))
    return _user_info(row)


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    conn: Connection, user_id: int, hours: int, label: str = ""
) -> tuple[str, dt.datetime]:
    token = "vin_" + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=hours)
    conn.execute(
        insert(ApiToken).values(
            user_id=user_id,
            token_hash=_token_digest(token),
            label=label,
            created_at=utcnow(),
            expires_at=expires,
        )
    )
    return token, expires


def user_for_token(conn: Connection, token: str) -> UserInfo | None:
    now = utcnow()
    found = conn.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.expires_at).where(
            ApiToken.token_hash == _token_digest(token)
        )
    ).first()
    if found is None or found.expires_at <= now:
        return None
    user = conn.execute(select(User).where(User.id == found.user_id)).first()
    if user is None or not user.is_active:
        return None
    conn.execute(update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=now))
    return _user_info(user)
