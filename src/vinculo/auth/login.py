"""The two steps of a browser login, shared by the pages (``/login``) and the API
(``/api/v1/auth/session``): the password (with the code when given), then the code for a session
left pending. Each step verifies, opens or ends sessions and writes its audit entry in the
caller's transaction; the faces only turn the outcome into a page or a JSON answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from vinculo import audit
from vinculo.auth.sessions import SessionInfo, check_csrf, create_session, end_session, find_session
from vinculo.sharing.directory import (
    LoginResult,
    UserInfo,
    user_by_id,
    verify_login,
    verify_second_factor,
)

#: Reasons after which a pending login (password right, code awaited) is over.
PENDING_ENDS = frozenset({"locked", "inactive", "otp_not_enrolled", "unknown_user"})


def login_details(result: LoginResult, channel: str) -> dict[str, Any]:
    """The audit details of a login attempt: method, channel and, when refused, the reason."""
    details: dict[str, Any] = {"method": result.method, "channel": channel}
    if result.reason is not None:
        details["reason"] = result.reason
    return details


def _actor(user: UserInfo | None, username: str | None, origin: str | None) -> audit.Actor:
    if user is None:
        return audit.Actor(username, None, origin)
    return audit.Actor(user.username, user.agency, origin)


@dataclass(frozen=True)
class PasswordStep:
    """``user``: logged in, or (``pending``) waiting for the code; None when refused.
    ``cookie`` and ``session``: the new session (pending or not) when ``user`` is set."""

    result: LoginResult
    user: UserInfo | None
    cookie: str | None
    session: SessionInfo | None

    @property
    def pending(self) -> bool:
        return self.result.pending is not None


def password_step(
    conn: Connection,
    username: str,
    password: str,
    otp: str | None,
    origin: str | None,
    channel: str,
) -> PasswordStep:
    """Verify the password (and the code when given) and open a session, pending when the
    account has a second factor and no code came. Audited, refusals included."""
    result = verify_login(conn, username, password, otp, allow_pending=True)
    user = result.user or result.pending
    cookie: str | None = None
    session: SessionInfo | None = None
    if user is not None:
        cookie, session = create_session(
            conn, user.id, result.method, origin, pending_totp=result.pending is not None
        )
    audit.record(
        conn,
        _actor(user, None if user else username or None, origin),
        "auth.login" if result.pending is None else "auth.login.password",
        outcome="ok" if user else "denied",
        details=login_details(result, channel),
    )
    return PasswordStep(result, user, cookie, session)


@dataclass(frozen=True)
class CodeStep:
    """What the code step came to:

    * ``no_pending``: no session waiting for a code (expired, or never opened);
    * ``csrf``: the session's CSRF token was missing or wrong;
    * ``refused``: wrong code, the pending session stays for another try;
    * ``ended``: refused and the pending session is over (account locked, deactivated...);
    * ``ok``: ``cookie`` and ``session`` are the new session, which replaced the pending one.

    ``user``: the account the pending session belongs to (logged in when ``ok``)."""

    outcome: Literal["no_pending", "csrf", "refused", "ended", "ok"]
    user: UserInfo | None = None
    pending: SessionInfo | None = None
    cookie: str | None = None
    session: SessionInfo | None = None


def code_step(
    conn: Connection,
    cookie: str,
    otp: str,
    csrf: str | None,
    origin: str | None,
    channel: str,
    path: str,
    method: str,
) -> CodeStep:
    """Check the code for the pending session of ``cookie`` (with its CSRF token) and, when
    right, replace that session by a new one. Audited, refusals included."""
    pending = find_session(conn, cookie)
    if pending is None or not pending.pending_totp:
        audit.record(
            conn,
            _actor(None, None, origin),
            "auth.login",
            outcome="denied",
            details={"method": "password+totp", "channel": channel, "reason": "no_pending"},
        )
        return CodeStep("no_pending")
    owner = user_by_id(conn, pending.user_id)
    if not check_csrf(pending.csrf_token, csrf):
        audit.record(
            conn,
            _actor(None, None, origin),
            "auth.csrf",
            outcome="denied",
            details={"path": path, "method": method, "channel": channel},
        )
        return CodeStep("csrf", owner, pending)
    result = verify_second_factor(conn, pending.user_id, otp)
    audit.record(
        conn,
        _actor(result.user or owner, None, origin),
        "auth.login",
        outcome="ok" if result.user else "denied",
        details=login_details(result, channel),
    )
    if result.user is None:
        if result.reason in PENDING_ENDS:
            end_session(conn, cookie)
            return CodeStep("ended", owner, pending)
        return CodeStep("refused", owner, pending)
    end_session(conn, cookie)
    value, session = create_session(conn, result.user.id, "password+totp", origin)
    return CodeStep("ok", result.user, pending, value, session)
