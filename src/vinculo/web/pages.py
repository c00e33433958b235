"""The pages: login (password, then the one-time code when the account has one), logout, the
language switch, and home.

Pages are authenticated by the browser session only (cookie ``vinculo_session``, see
``vinculo.auth.sessions``); every form that changes something carries a CSRF token. The login
form, which comes before any session, uses a double-submit token: a random value in a
``SameSite=Strict`` cookie that the form must send back.
"""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, engine_of, origin_of
from vinculo.auth.config import oidc_config
from vinculo.auth.login import code_step, password_step
from vinculo.auth.sessions import (
    SESSION_COOKIE,
    Authentication,
    Refusal,
    SessionInfo,
    authenticate_request,
    clear_session_cookie,
    end_session,
    set_session_cookie,
)
from vinculo.sharing.directory import (
    UserInfo,
    get_agency,
    set_locale,
)
from vinculo.web import home as home_counts
from vinculo.web import i18n
from vinculo.web.render import language, page

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "vinculo_login_csrf"
LANG_COOKIE_AGE = 365 * 24 * 3600

Username = Annotated[str, Form()]
Password = Annotated[str, Form()]
Code = Annotated[str, Form()]
Csrf = Annotated[str, Form(alias="csrf_token")]


def _actor(request: Request, user: UserInfo | None, username: str | None = None) -> audit.Actor:
    if user is None:
        return audit.Actor(username, None, origin_of(request))
    return audit.Actor(user.username, user.agency, origin_of(request))


def session_of(
    conn: Connection, request: Request, csrf: str | None = None
) -> Authentication | Refusal | None:
    """Who the browser is logged in as (the session cookie; never a Bearer token on pages)."""
    return authenticate_request(
        conn,
        bearer=None,
        cookie=request.cookies.get(SESSION_COOKIE),
        method=request.method,
        csrf=csrf,
        path=request.url.path,
    )


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no ``//`` or ``/\\`` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _forbidden(request: Request, lang: str, user: UserInfo | None = None) -> Response:
    return page(
        request, "error.html", lang, user=user, status_code=status.HTTP_403_FORBIDDEN, code=403
    )


def _csrf_refused(
    conn: Connection, request: Request, lang: str, user: UserInfo | None = None
) -> Response:
    audit.record(
        conn,
        _actor(request, user),
        "auth.csrf",
        outcome="denied",
        details={"path": request.url.path, "method": request.method, "channel": "web"},
    )
    return _forbidden(request, lang, user)


# --- login ------------------------------------------------------------------------------------


def _login_form(
    request: Request,
    lang: str,
    *,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
    next_page: str = "/",
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(
        request,
        "login.html",
        lang,
        step="password",
        form_csrf=token,
        error=error,
        username=username,
        next_page=_safe_next(next_page),
        oidc_enabled=oidc_config() is not None,
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _code_form(
    request: Request,
    lang: str,
    session: SessionInfo,
    *,
    error: str | None = None,
    next_page: str = "/",
) -> Response:
    return page(
        request,
        "login.html",
        lang,
        step="code",
        form_csrf=session.csrf_token,
        error=error,
        username="",
        next_page=_safe_next(next_page),
        oidc_enabled=False,
        status_code=status.HTTP_401_UNAUTHORIZED if error else 200,
    )


@router.get("/login")
def login_page(
    request: Request,
    conn: Conn,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    current = session_of(conn, request)
    if isinstance(current, Authentication):
        return RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    return _login_form(request, language(request, None), next_page=next or "/")


@router.post("/login")
def login(
    request: Request,
    username: Username = "",
    password: Password = "",
    otp: Code = "",
    csrf_token: Csrf = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    lang = language(request, None)
    engine = engine_of(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (expected and csrf_token and hmac.compare_digest(expected, csrf_token)):
        with engine.begin() as conn:
            return _csrf_refused(conn, request, lang)
    name = username.strip()[:120]
    with engine.begin() as conn:
        step = password_step(
            conn, name, password[:1024], otp.strip()[:16] or None, origin_of(request), "web"
        )
    user = step.user
    if user is None:
        return _login_form(
            request,
            lang,
            error="refused",
            username=name,
            status_code=status.HTTP_401_UNAUTHORIZED,
            next_page=next,
        )
    assert step.session is not None and step.cookie is not None
    lang = language(request, user)
    if step.pending:
        response = _code_form(request, lang, step.session, next_page=next)
    else:
        response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    set_session_cookie(response, request, step.cookie)
    return response


@router.post("/login/code")
def login_code(
    request: Request,
    otp: Code = "",
    csrf_token: Csrf = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Second step: the authenticator app's code. The pending session is replaced by a new one."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    with engine_of(request).begin() as conn:
        step = code_step(
            conn,
            cookie,
            otp.strip()[:16],
            csrf_token,
            origin_of(request),
            "web",
            request.url.path,
            request.method,
        )
    lang = language(request, step.user)
    if step.outcome == "no_pending":
        return _login_form(request, lang, error="expired", status_code=status.HTTP_401_UNAUTHORIZED)
    if step.outcome == "csrf":
        return _forbidden(request, lang)
    if step.outcome == "ended":
        response = _login_form(
            request, lang, error="refused", status_code=status.HTTP_401_UNAUTHORIZED
        )
        clear_session_cookie(response, request)
        return response
    if step.outcome == "refused":
        assert step.pending is not None
        return _code_form(request, lang, step.pending, error="code", next_page=next)
    assert step.cookie is not None
    response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, step.cookie)
    return response


@router.post("/logout")
def logout(request: Request, conn: Conn, csrf_token: Csrf = "") -> Response:
    current = session_of(conn, request, csrf_token)
    if current is None:
        return _to_login()
    if isinstance(current, Refusal):
        if current.status == status.HTTP_403_FORBIDDEN:
            return _csrf_refused(conn, request, language(request, current.user), current.user)
        response = _to_login()
        clear_session_cookie(response, request)
        return response
    end_session(conn, current.cookie_value or "")
    audit.record(
        conn,
        _actor(request, current.user),
        "auth.logout",
        object_type="web_session",
        details={"via": "session", "channel": "web"},
    )
    response = _to_login()
    clear_session_cookie(response, request)
    return response


# --- language ---------------------------------------------------------------------------------


def _language_set(request: Request, lang: str, target: str | None) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        i18n.LANG_COOKIE,
        lang,
        max_age=LANG_COOKIE_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/lang")
def choose_language(
    request: Request,
    to: Annotated[str, Query(max_length=16)] = "",
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The language of this browser (a cookie), for people not logged in."""
    lang = i18n.supported(to) or i18n.DEFAULT
    return _language_set(request, lang, next)


@router.post("/lang")
def save_language(
    request: Request,
    conn: Conn,
    to: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
    csrf_token: Csrf = "",
) -> Response:
    """A logged-in user's language: saved as their setting (it follows them to other browsers)."""
    current = session_of(conn, request, csrf_token)
    lang = i18n.supported(to) or i18n.DEFAULT
    if current is None:
        return _language_set(request, lang, next)
    if isinstance(current, Refusal):
        if current.status == status.HTTP_403_FORBIDDEN:
            return _csrf_refused(conn, request, language(request, current.user), current.user)
        return _to_login()
    set_locale(conn, current.user.id, lang)
    return _language_set(request, lang, next)


# --- home -------------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, conn: Conn) -> Response:
    current = session_of(conn, request)
    if not isinstance(current, Authentication):
        return _to_login()
    user = current.user
    assert current.session is not None
    return page(
        request,
        "home.html",
        language(request, user),
        user=user,
        agency=get_agency(conn, user.agency),
        csrf_token=current.session.csrf_token,
        counts=home_counts.counts(conn, user),
        imports=home_counts.recent_imports(conn, user),
    )
