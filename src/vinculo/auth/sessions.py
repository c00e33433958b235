"""Browser sessions, kept server-side, and the CSRF check that goes with them.

The cookie ``vinculo_session`` carries a random value; the table ``web_session`` keeps only its
SHA-256, so a copy of the database opens no session. A session ends after
``session_idle_minutes`` without a request, and in any case ``session_hours`` after the login.
Each session has its own CSRF token: a request authenticated by the cookie with an unsafe method
(POST, PUT, PATCH, DELETE) must send it back in the ``X-CSRF-Token`` header or the ``csrf_token``
form field. Requests with a Bearer token are not authenticated by the cookie and need no CSRF
token: a browser never adds that header on its own.

``authenticate_request`` is the one place that decides who a request comes from; the API's
``current_user`` dependency calls it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from starlette.requests import Request
from starlette.responses import Response

from vinculo.auth.config import AuthConfig, auth_config
from vinculo.sharing.directory import TokenInfo, UserInfo, resolve_token, user_by_id
from vinculo.store.tables import WebSession, utcnow

SESSION_COOKIE = "vinculo_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: A password-checked session waiting for its one-time code lives this long.
PENDING_LIFETIME = dt.timedelta(minutes=5)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def digest(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id_hash: str
    user_id: int
    csrf_token: str
    method: str
    pending_totp: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime


def _session_info(row: Any) -> SessionInfo:
    return SessionInfo(
        row.id_hash,
        row.user_id,
        row.csrf_token,
        row.method,
        bool(row.pending_totp),
        row.created_at,
        row.expires_at,
        row.last_seen_at,
    )


def create_session(
    conn: Connection,
    user_id: int,
    method: str,
    origin: str | None = None,
    *,
    pending_totp: bool = False,
    config: AuthConfig | None = None,
) -> tuple[str, SessionInfo]:
    """A new session; returns the cookie value (never stored) and the session."""
    config = config or auth_config()
    value = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = PENDING_LIFETIME if pending_totp else dt.timedelta(hours=config.session_hours)
    info = SessionInfo(
        digest(value),
        user_id,
        secrets.token_urlsafe(32),
        method,
        pending_totp,
        now,
        now + lifetime,
        now,
    )
    conn.execute(
        insert(WebSession).values(
            id_hash=info.id_hash,
            user_id=user_id,
            csrf_token=info.csrf_token,
            method=method,
            pending_totp=pending_totp,
            created_at=now,
            expires_at=info.expires_at,
            last_seen_at=now,
            origin=(origin or "")[:200] or None,
        )
    )
    return value, info


def find_session(
    conn: Connection, cookie_value: str, *, config: AuthConfig | None = None
) -> SessionInfo | None:
    """The live session the cookie names (pending or not), or None; a session found dead (idle
    too long, or past its absolute lifetime) is deleted. Does not count as activity."""
    if not cookie_value:
        return None
    config = config or auth_config()
    row = conn.execute(select(WebSession).where(WebSession.id_hash == digest(cookie_value))).first()
    if row is None:
        return None
    info = _session_info(row)
    now = utcnow()
    idle_limit = info.last_seen_at + dt.timedelta(minutes=config.session_idle_minutes)
    if now >= info.expires_at or now >= idle_limit:
        conn.execute(delete(WebSession).where(WebSession.id_hash == info.id_hash))
        return None
    return info


def touch(conn: Connection, session: SessionInfo) -> None:
    conn.execute(
        update(WebSession)
        .where(WebSession.id_hash == session.id_hash)
        .values(last_seen_at=utcnow())
    )


def user_for_session(
    conn: Connection, cookie_value: str, *, config: AuthConfig | None = None
) -> UserInfo | None:
    """The user of a live, complete (not TOTP-pending) session, for an active account; records
    the activity that keeps the session from idling out."""
    session = find_session(conn, cookie_value, config=config)
    if session is None or session.pending_totp:
        return None
    user = user_by_id(conn, session.user_id)
    if user is None or not user.is_active:
        return None
    touch(conn, session)
    return user


def end_session(conn: Connection, cookie_value: str) -> bool:
    result = conn.execute(delete(WebSession).where(WebSession.id_hash == digest(cookie_value)))
    return result.rowcount > 0


def end_sessions_of(conn: Connection, user_id: int) -> int:
    """End every session of a user (account disabled, second factor reset)."""
    return conn.execute(delete(WebSession).where(WebSession.user_id == user_id)).rowcount


def set_session_cookie(
    response: Response, request: Request, value: str, config: AuthConfig | None = None
) -> None:
    config = config or auth_config()
    response.set_cookie(
        SESSION_COOKIE,
        value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or config.cookie_secure,
    )


def clear_session_cookie(
    response: Response, request: Request, config: AuthConfig | None = None
) -> None:
    config = config or auth_config()
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or config.cookie_secure,
    )


def check_csrf(expected: str, provided: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one the request sent."""
    if not provided or not expected:
        return False
    return hmac.compare_digest(expected.encode(), provided.encode())


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token a request sends: the ``X-CSRF-Token`` header, or for an unsafe form post
    the ``csrf_token`` field (read only for cookie-authenticated requests). Usable as a FastAPI
    dependency (the form it reads stays cached for the route)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if SESSION_COOKIE not in request.cookies or "authorization" in request.headers:
        return None  # not cookie-authenticated: leave the body alone (uploads, streams)
    content_type = request.headers.get("content-type", "").lower()
    if request.method in UNSAFE_METHODS and content_type.startswith(_FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


@dataclass(frozen=True, slots=True)
class Authentication:
    """Who a request comes from, and by which credential."""

    user: UserInfo
    via: str  # "token" or "session"
    token: TokenInfo | None = None
    session: SessionInfo | None = None
    cookie_value: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A credential that was presented and refused: the caller answers ``status`` and puts the
    refusal on the audit record (``action``, ``details``, actor ``user`` when known)."""

    status: int
    detail: str
    action: str
    details: dict[str, Any]
    user: UserInfo | None = None
    challenge: bool = True


def authenticate_request(
    conn: Connection,
    *,
    bearer: str | None,
    cookie: str | None,
    method: str,
    csrf: str | None,
    path: str,
) -> Authentication | Refusal | None:
    """Decide who a request comes from. A Bearer token, when present, is the only credential
    looked at (no CSRF check); otherwise the session cookie, with the CSRF check for unsafe
    methods. None when the request carries no credential at all."""
    if bearer is not None:
        resolved = resolve_token(conn, bearer)
        if resolved is None:
            return Refusal(401, "invalid or expired token", "auth.token", {"path": path})
        return Authentication(resolved[0], "token", token=resolved[1])
    if not cookie:
        return None
    session = find_session(conn, cookie)
    if session is None or session.pending_totp:
        return Refusal(401, "session expired or not logged in", "auth.session", {"path": path})
    user = user_by_id(conn, session.user_id)
    if user is None or not user.is_active:
        return Refusal(401, "session expired or not logged in", "auth.session", {"path": path})
    if method.upper() in UNSAFE_METHODS and not check_csrf(session.csrf_token, csrf):
        return Refusal(
            403,
            "missing or wrong CSRF token",
            "auth.csrf",
            {"path": path, "method": method.upper()},
            user,
            challenge=False,
        )
    touch(conn, session)
    return Authentication(user, "session", session=session, cookie_value=cookie)
