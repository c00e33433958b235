"""What every API route needs: a transaction, the authenticated user, and the audit trail.

One transaction per request: committed when the route returns, rolled back when it raises. A
refusal must still be on the record, so ``deny`` queues an audit entry that is written, after the
rollback, in a transaction of its own before the error reaches the client.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from vinculo import audit
from vinculo.auth.sessions import (
    SESSION_COOKIE,
    Authentication,
    Refusal,
    authenticate_request,
    submitted_csrf,
)
from vinculo.sharing.directory import UserInfo
from vinculo.store.db import get_engine

bearer = HTTPBearer(auto_error=False)


def engine_of(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    return engine or get_engine()


def origin_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def _pending(request: Request) -> list[tuple[audit.Actor, str, dict[str, Any]]]:
    pending: list[tuple[audit.Actor, str, dict[str, Any]]] | None = getattr(
        request.state, "audit_pending", None
    )
    if pending is None:
        pending = []
        request.state.audit_pending = pending
    return pending


def get_conn(request: Request) -> Iterator[Connection]:
    with engine_of(request).connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        except BaseException:
            transaction.rollback()
            pending = _pending(request)
            if pending:
                with conn.begin():
                    for actor, action, kwargs in pending:
                        audit.record(conn, actor, action, **kwargs)
                pending.clear()
            raise
        else:
            transaction.commit()


Conn = Annotated[Connection, Depends(get_conn)]


def actor_of(request: Request, user: UserInfo | None, username: str | None = None) -> audit.Actor:
    """Who acts: the user, or (before login succeeds) the username they gave, if any."""
    if user is None:
        return audit.Actor(username, None, origin_of(request))
    return audit.Actor(user.username, user.agency, origin_of(request))


def deny(
    request: Request,
    user: UserInfo | None,
    action: str,
    status_code: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    outcome: str = "denied",
    **audit_fields: Any,
) -> NoReturn:
    """Refuse the request, and put the refusal on the audit record."""
    _pending(request).append(
        (actor_of(request, user), action, {"outcome": outcome, **audit_fields})
    )
    raise HTTPException(status_code, detail, headers=headers)


CHALLENGE = {"WWW-Authenticate": "Bearer"}


def current_auth(
    request: Request,
    conn: Conn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    csrf: Annotated[str | None, Depends(submitted_csrf)],
) -> Authentication:
    """The credential a request is authenticated by: a Bearer token, or a browser session cookie
    (whose unsafe requests must then carry the session's CSRF token)."""
    result = authenticate_request(
        conn,
        bearer=credentials.credentials if credentials is not None else None,
        cookie=request.cookies.get(SESSION_COOKIE),
        method=request.method,
        csrf=csrf,
        path=request.url.path,
    )
    if result is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required", CHALLENGE)
    if isinstance(result, Refusal):
        deny(
            request,
            result.user,
            result.action,
            result.status,
            result.detail,
            headers=CHALLENGE if result.challenge else None,
            details=result.details,
        )
    request.state.authentication = result
    return result


Auth = Annotated[Authentication, Depends(current_auth)]


def current_user(auth: Auth) -> UserInfo:
    return auth.user


CurrentUser = Annotated[UserInfo, Depends(current_user)]


@contextmanager
def refusals(
    request: Request,
    user: UserInfo,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
) -> Iterator[None]:
    """Turn a service's refusal into the HTTP answer, and put it on the audit record.

    LookupError (no such thing, or not one the user may know of) → 404; PermissionError → 403;
    ValueError (a request that cannot be carried out as asked) → 422.
    """
    where: dict[str, Any] = {"object_type": object_type, "object_id": object_id}
    try:
        yield
    except LookupError:
        deny(request, user, action, 404, "not found", **where)
    except PermissionError as exc:
        deny(request, user, action, 403, str(exc), details={"reason": str(exc)}, **where)
    except ValueError as exc:
        deny(
            request,
            user,
            action,
            422,
            str(exc),
            outcome="failed",
            details={"reason": str(exc)},
            **where,
        )
