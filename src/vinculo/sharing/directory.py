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

from vinculo.auth import totp
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
    from vinculo.sharing.policy import forget_directory  # the policy imports this module

    forget_directory()
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


def get_user(conn: Connection, username: str) -> UserInfo | None:
    row = conn.execute(select(User).where(User.username == username.strip().lower())).first()
    return _user_info(row) if row else None


def user_by_id(conn: Connection, user_id: int) -> UserInfo | None:
    row = conn.execute(select(User).where(User.id == user_id)).first()
    return _user_info(row) if row else None


# --- account administration (the administrator's pages and commands) -------------------------


@dataclass(frozen=True, slots=True)
class AccountState:
    locked: bool
    failed_logins: int
    second_factor: bool


def account_states(conn: Connection) -> dict[int, AccountState]:
    """Every account's lock, failed logins and second factor, by user id."""
    now = utcnow()
    rows = conn.execute(
        select(User.id, User.locked_until, User.failed_logins, User.totp_confirmed_at)
    )
    return {
        r.id: AccountState(
            r.locked_until is not None and r.locked_until > now,
            int(r.failed_logins or 0),
            r.totp_confirmed_at is not None,
        )
        for r in rows
    }


def set_roles(conn: Connection, user_id: int, roles: list[str]) -> None:
    if not roles:
        raise DirectoryError("a user needs at least one role")
    parsed = [r.value for r in parse_roles(roles)]
    conn.execute(update(User).where(User.id == user_id).values(roles=parsed))


def set_active(conn: Connection, user_id: int, active: bool) -> int:
    """Activate or deactivate an account; a deactivated account's browser sessions end with it
    (how many is returned). Its API tokens are refused while it is inactive."""
    from vinculo.auth.sessions import end_sessions_of  # sessions import this module

    conn.execute(update(User).where(User.id == user_id).values(is_active=active))
    return 0 if active else end_sessions_of(conn, user_id)


def unlock(conn: Connection, user_id: int) -> None:
    """Lift a lock after too many failed logins."""
    conn.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_until=None))


def update_agency(
    conn: Connection,
    code: str,
    name: str,
    kind: str,
    networks: list[str],
    contacts: dict[str, str],
) -> None:
    """Change an agency's name, kind, networks and contact points (its code and country stay)."""
    if get_agency(conn, code) is None:
        raise DirectoryError(f"unknown agency {code!r}")
    conn.execute(
        update(Agency)
        .where(Agency.code == code)
        .values(name=name, kind=kind, networks=networks, contact_points=contacts)
    )
    from vinculo.sharing.policy import forget_directory  # the policy imports this module

    forget_directory()


def set_locale(conn: Connection, user_id: int, locale: str | None) -> None:
    """The user's language setting (``es``, ``pt``, ``en``, ``fr``; None: the browser's)."""
    if locale is not None and not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", locale):
        raise DirectoryError(f"language {locale!r}: e.g. es, pt, en, fr or pt-BR")
    conn.execute(update(User).where(User.id == user_id).values(locale=locale))


@dataclass(frozen=True, slots=True)
class LoginResult:
    """What a login attempt came to. ``user`` only when every factor was given and right;
    ``pending`` when the password was right and the second factor is still to come (only when
    the caller allows it); ``reason`` says why not, for the audit log and never for the client."""

    user: UserInfo | None
    pending: UserInfo | None
    reason: str | None
    #: ``password`` or ``password+totp``: what the account asks for.
    method: str


def _has_totp(row: Any) -> bool:
    return row.totp_secret is not None and row.totp_confirmed_at is not None


def _count_failure(conn: Connection, row: Any, now: dt.datetime) -> None:
    failed = row.failed_logins + 1
    values: dict[str, Any] = {"failed_logins": failed}
    if failed >= MAX_FAILED_LOGINS:
        values = {"failed_logins": 0, "locked_until": now + LOCKOUT}
    conn.execute(update(User).where(User.id == row.id).values(**values))


def _succeed(conn: Connection, row: Any, password: str | None) -> None:
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
    if password is not None and _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    conn.execute(update(User).where(User.id == row.id).values(**values))


def verify_login(
    conn: Connection,
    username: str,
    password: str,
    otp: str | None = None,
    *,
    allow_pending: bool = False,
) -> LoginResult:
    """Check a password and, when the account has a confirmed second factor, its one-time code.

    A wrong password, and a wrong, reused or missing code, count as failed logins: after
    ``MAX_FAILED_LOGINS`` the account is locked for ``LOCKOUT``. With ``allow_pending`` a right
    password without a code is not a failure but a ``pending`` result (the browser asks for the
    code next, see ``verify_second_factor``)."""
    row = conn.execute(select(User).where(User.username == username.strip().lower())).first()
    if row is None:
        # Spend the same time as a real verification: no user enumeration by timing.
        _safe_verify(_DUMMY_HASH, password)
        return LoginResult(None, None, "unknown_user", "password")
    method = "password+totp" if _has_totp(row) else "password"
    now = utcnow()
    if not row.is_active or (row.locked_until is not None and row.locked_until > now):
        _safe_verify(_DUMMY_HASH, password)
        return LoginResult(None, None, "inactive" if not row.is_active else "locked", method)
    if not _safe_verify(row.password_hash, password):
        _count_failure(conn, row, now)
        return LoginResult(None, None, "bad_password", method)
    if _has_totp(row):
        if not otp:
            if allow_pending:
                return LoginResult(None, _user_info(row), "otp_required", method)
            _count_failure(conn, row, now)
            return LoginResult(None, None, "otp_missing", method)
        refused = totp.consume(conn, row.id, row.totp_secret, otp)
        if refused is not None:
            _count_failure(conn, row, now)
            return LoginResult(None, None, f"otp_{refused}", method)
    _succeed(conn, row, password)
    return LoginResult(_user_info(row), None, None, method)


def verify_second_factor(conn: Connection, user_id: int, otp: str) -> LoginResult:
    """The second step of a login whose password was already right (``pending``): the code,
    counted like a password against the lock-out."""
    row = conn.execute(select(User).where(User.id == user_id)).first()
    method = "password+totp"
    if row is None:
        return LoginResult(None, None, "unknown_user", method)
    now = utcnow()
    if not row.is_active or (row.locked_until is not None and row.locked_until > now):
        return LoginResult(None, None, "inactive" if not row.is_active else "locked", method)
    if not _has_totp(row):
        # Disabled between the two steps: nothing to check, but nothing was proven either.
        return LoginResult(None, None, "otp_not_enrolled", method)
    refused = totp.consume(conn, row.id, row.totp_secret, otp)
    if refused is not None:
        _count_failure(conn, row, now)
        return LoginResult(None, None, f"otp_{refused}", method)
    _succeed(conn, row, None)
    return LoginResult(_user_info(row), None, None, method)


def authenticate(
    conn: Connection, username: str, password: str, otp: str | None = None
) -> UserInfo | None:
    """The user if the password (and the one-time code, when the account has a second factor)
    is right and the account usable; counts failures and locks the account for a while after
    repeated ones. The same answer (None) for every failure reason."""
    return verify_login(conn, username, password, otp).user


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as its owner may see it: never the secret, which exists only at issue."""

    id: int
    user_id: int
    label: str
    #: Roles the token acts with; empty means all of its user's roles.
    scopes: tuple[Role, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())


def _token_info(row: Any) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.user_id,
        row.label,
        tuple(Role(r) for r in row.scopes or []),
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


def parse_roles(roles: list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    parsed: list[Role] = []
    for role in roles:
        try:
            value = Role(role.strip().lower())
        except ValueError:
            raise DirectoryError(
                f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}"
            ) from None
        if value not in parsed:
            parsed.append(value)
    return tuple(parsed)


def new_token(
    conn: Connection,
    user_id: int,
    hours: int,
    label: str = "",
    scopes: list[str] | tuple[str, ...] | None = None,
    *,
    max_hours: int | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[str, TokenInfo]:
    """A new API token for the user: the secret (shown once, stored only as its SHA-256) and the
    token. ``scopes`` narrows the roles the token acts with and must be a subset of the user's
    roles (empty: all of them). ``not_after`` caps the expiry (a token made with a token does not
    outlive it)."""
    if hours < 1:
        raise DirectoryError("a token must live at least one hour")
    if max_hours is not None and hours > max_hours:
        raise DirectoryError(f"a token may live at most {max_hours} hours")
    user = conn.execute(select(User.roles).where(User.id == user_id)).first()
    if user is None:
        raise DirectoryError("no such user")
    wanted = parse_roles(list(scopes or []))
    held = {Role(r) for r in user.roles or []}
    beyond = [r.value for r in wanted if r not in held]
    if beyond:
        raise DirectoryError(f"the user does not hold the role(s) {', '.join(beyond)}")
    token = "vin_" + secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(hours=hours)
    if not_after is not None:
        expires = min(expires, not_after)
    result = conn.execute(
        insert(ApiToken).values(
            user_id=user_id,
            token_hash=_token_digest(token),
            label=label,
            scopes=[r.value for r in wanted],
            created_at=now,
            expires_at=expires,
        )
    )
    token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return token, TokenInfo(token_id, user_id, label, wanted, now, expires, None, None)


def issue_token(
    conn: Connection,
    user_id: int,
    hours: int,
    label: str = "",
    scopes: list[str] | tuple[str, ...] | None = None,
) -> tuple[str, dt.datetime]:
    """A new API token for the user; returns the secret (shown once) and its expiry."""
    token, info = new_token(conn, user_id, hours, label, scopes)
    return token, info.expires_at


def resolve_token(conn: Connection, token: str) -> tuple[UserInfo, TokenInfo] | None:
    """The user a token acts for, with only the roles the token is scoped to, and the token;
    None for an unknown, revoked or expired token, or an inactive user."""
    now = utcnow()
    found = conn.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token))
    ).first()
    if found is None:
        return None
    info = _token_info(found)
    if not info.usable(now):
        return None
    row = conn.execute(select(User).where(User.id == info.user_id)).first()
    if row is None or not row.is_active:
        return None
    user = _user_info(row)
    if info.scopes:
        roles = tuple(r for r in user.roles if r in info.scopes)
        if not roles:
            # The user has lost every role the token was for: it can do nothing.
            return None
        user = UserInfo(
            user.id, user.username, user.agency, user.display_name, roles, user.locale, True
        )
    conn.execute(update(ApiToken).where(ApiToken.id == info.id).values(last_used_at=now))
    return user, info


def user_for_token(conn: Connection, token: str) -> UserInfo | None:
    resolved = resolve_token(conn, token)
    return resolved[0] if resolved else None


def list_tokens(conn: Connection, user_id: int) -> list[TokenInfo]:
    rows = conn.execute(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [_token_info(r) for r in rows]


def get_token(conn: Connection, token_id: int) -> TokenInfo | None:
    row = conn.execute(select(ApiToken).where(ApiToken.id == token_id)).first()
    return _token_info(row) if row else None


def revoke_token(conn: Connection, token_id: int, user_id: int | None = None) -> bool:
    """Revoke a token (of ``user_id`` only, when given); False when there is no such token.
    Revoking twice keeps the first revocation time."""
    stmt = select(ApiToken.id, ApiToken.revoked_at).where(ApiToken.id == token_id)
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    found = conn.execute(stmt).first()
    if found is None:
        return False
    if found.revoked_at is None:
        conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
    return True
