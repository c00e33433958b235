"""Authentication: password (+ TOTP) login for API clients and browsers, scoped API tokens,
server-side browser sessions with CSRF protection, and OpenID Connect login.

Logins run in a transaction of their own: a failed attempt counts towards the lock-out and is on
the audit record even though the request fails. Audit entries say how someone logged in and why
a login failed, never the password or the code.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from vinculo import audit
from vinculo.api.deps import Auth, Conn, actor_of, deny, engine_of, origin_of
from vinculo.auth import oidc, totp
from vinculo.auth.config import OidcConfig, auth_config, oidc_config
from vinculo.auth.login import code_step, login_details, password_step
from vinculo.auth.sessions import (
    SESSION_COOKIE,
    SessionInfo,
    clear_session_cookie,
    create_session,
    end_session,
    set_session_cookie,
    submitted_csrf,
)
from vinculo.model.metadata import Role
from vinculo.sharing.directory import (
    DirectoryError,
    TokenInfo,
    UserInfo,
    get_user,
    list_tokens,
    new_token,
    revoke_token,
    verify_login,
)

router = APIRouter(prefix="/auth", tags=["auth"])

LOGIN_REFUSED = "wrong username, password or one-time code, or account locked"
_PROVIDER_DOWN: tuple[type[Exception], ...] = (*oidc.PROVIDER_ERRORS, RuntimeError, ValueError)
_PROVIDER_ANSWER_BAD: tuple[type[Exception], ...] = (*oidc.PROVIDER_ERRORS, KeyError, ValueError)


# --- who is asking ----------------------------------------------------------------------------


# --- password login for API clients ------------------------------------------------------------


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)
    #: The current code of the authenticator app, when the account has a second factor.
    otp: str | None = Field(default=None, max_length=16)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: str


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={401: {"description": "Wrong username, password or code, or account locked"}},
)
def token(body: TokenRequest, request: Request) -> TokenResponse:
    """An API token for a username and password (and the one-time code when the account has a
    second factor). The token acts with all of the user's roles; narrower ones: POST /tokens."""
    engine = engine_of(request)
    config = auth_config()
    with engine.begin() as conn:
        result = verify_login(conn, body.username, body.password, body.otp)
        if result.user is not None:
            value, info = new_token(conn, result.user.id, config.token_default_hours, "api")
        audit.record(
            conn,
            actor_of(request, result.user, None if result.user else body.username[:120]),
            "auth.login",
            outcome="ok" if result.user else "denied",
            details=login_details(result, "api"),
        )
    if result.user is None:
        # Already on the record (above): the refusal and the failed-attempt count are committed.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, LOGIN_REFUSED)
    return TokenResponse(access_token=value, expires_at=info.expires_at.isoformat())


# --- browser sessions --------------------------------------------------------------------------


class SessionRequest(BaseModel):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)
    otp: str | None = Field(default=None, max_length=16)


class OtpRequest(BaseModel):
    otp: str = Field(min_length=1, max_length=16)


class SessionResponse(BaseModel):
    #: True: the password was right, send the code to POST /auth/session/totp next.
    pending_totp: bool
    csrf_token: str
    expires_at: str
    username: str


def _session_response(
    response: Response, request: Request, value: str, session: SessionInfo, username: str
) -> SessionResponse:
    set_session_cookie(response, request, value)
    return SessionResponse(
        pending_totp=session.pending_totp,
        csrf_token=session.csrf_token,
        expires_at=session.expires_at.isoformat(),
        username=username,
    )


@router.post(
    "/session",
    response_model=SessionResponse,
    responses={401: {"description": "Wrong username, password or code, or account locked"}},
)
def open_session(body: SessionRequest, request: Request, response: Response) -> SessionResponse:
    """Browser login: sets the ``vinculo_session`` cookie and returns the session's CSRF token,
    to send in ``X-CSRF-Token`` with every POST, PUT, PATCH and DELETE. For an account with a
    second factor and no ``otp`` given, the session is pending until POST /auth/session/totp."""
    with engine_of(request).begin() as conn:
        step = password_step(
            conn, body.username, body.password, body.otp, origin_of(request), "browser"
        )
    if step.user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, LOGIN_REFUSED)
    assert step.cookie is not None and step.session is not None
    return _session_response(response, request, step.cookie, step.session, step.user.username)


@router.post(
    "/session/totp",
    response_model=SessionResponse,
    responses={
        401: {"description": "No pending login, or wrong code"},
        403: {"description": "Missing or wrong CSRF token"},
    },
)
def complete_session(
    body: OtpRequest,
    request: Request,
    response: Response,
    csrf: Annotated[str | None, Depends(submitted_csrf)],
) -> SessionResponse:
    """Second step of a browser login: the code of the authenticator app. The pending session is
    replaced by a new one (new cookie, new CSRF token)."""
    with engine_of(request).begin() as conn:
        step = code_step(
            conn,
            request.cookies.get(SESSION_COOKIE, ""),
            body.otp,
            csrf,
            origin_of(request),
            "browser",
            request.url.path,
            request.method,
        )
    if step.outcome == "no_pending":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "no login waiting for a code: log in again"
        )
    if step.outcome == "csrf":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    if step.outcome != "ok":
        # An account locked by this attempt has lost its pending session too (code_step).
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, LOGIN_REFUSED)
    assert step.user is not None and step.cookie is not None and step.session is not None
    return _session_response(response, request, step.cookie, step.session, step.user.username)


class Me(BaseModel):
    username: str
    agency: str
    display_name: str
    roles: list[Role]
    via: str
    totp: bool
    #: For a session: the CSRF token to send with unsafe requests.
    csrf_token: str | None = None
    expires_at: str | None = None


@router.get("/me", response_model=Me)
def me(auth: Auth, conn: Conn) -> Me:
    """Who the request is authenticated as, with the roles it acts with (a scoped token's)."""
    expires = (
        auth.token.expires_at if auth.token else auth.session.expires_at if auth.session else None
    )
    return Me(
        username=auth.user.username,
        agency=auth.user.agency,
        display_name=auth.user.display_name,
        roles=list(auth.user.roles),
        via=auth.via,
        totp=totp.is_confirmed(conn, auth.user.id),
        csrf_token=auth.session.csrf_token if auth.session else None,
        expires_at=expires.isoformat() if expires else None,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(auth: Auth, conn: Conn, request: Request, response: Response) -> None:
    """End what authenticates this request: revoke the token, or end the session."""
    if auth.token is not None:
        revoke_token(conn, auth.token.id)
        object_type, object_id = "api_token", str(auth.token.id)
    else:
        end_session(conn, auth.cookie_value or "")
        clear_session_cookie(response, request)
        object_type, object_id = "web_session", None
    audit.record(
        conn,
        actor_of(request, auth.user),
        "auth.logout",
        object_type=object_type,
        object_id=object_id,
        details={"via": auth.via},
    )


# --- API tokens --------------------------------------------------------------------------------


class TokenCreate(BaseModel):
    label: str = Field(default="", max_length=120)
    #: Lifetime in hours; default ``token_hours``, at most VINCULO_TOKEN_MAX_HOURS.
    hours: int | None = Field(default=None, ge=1)
    #: Roles the token acts with: a subset of the roles of the request; empty means all of them.
    scopes: list[Role] = Field(default_factory=list, max_length=len(Role))


class TokenView(BaseModel):
    id: int
    label: str
    scopes: list[Role]
    created_at: str
    expires_at: str
    last_used_at: str | None
    revoked_at: str | None
    active: bool


class TokenCreated(TokenView):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret


def _token_view(info: TokenInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "label": info.label,
        "scopes": list(info.scopes),
        "created_at": info.created_at.isoformat(),
        "expires_at": info.expires_at.isoformat(),
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "active": info.usable(),
    }


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses={
        403: {"description": "A scope the request does not hold"},
        422: {"description": "Unknown role or lifetime out of bounds"},
    },
)
def create_token(body: TokenCreate, auth: Auth, conn: Conn, request: Request) -> TokenCreated:
    """A new API token for oneself, acting with at most the roles of this request: a token made
    with a scoped token is at most as wide, and does not outlive it. The secret is shown once."""
    config = auth_config()
    hours = body.hours or config.token_default_hours
    if hours > config.token_max_hours:
        deny(
            request,
            auth.user,
            "auth.token.issue",
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"a token may live at most {config.token_max_hours} hours",
            details={"reason": "too_long", "hours": hours},
        )
    beyond = sorted({r.value for r in body.scopes} - {r.value for r in auth.user.roles})
    if beyond:
        deny(
            request,
            auth.user,
            "auth.token.issue",
            status.HTTP_403_FORBIDDEN,
            f"you cannot give a token role(s) you do not act with: {', '.join(beyond)}",
            details={"reason": "scope_beyond_roles", "scopes": beyond},
        )
    # Always explicit: "all roles" of a scoped token is its scopes, not its user's roles.
    scopes = [r.value for r in (body.scopes or list(auth.user.roles))]
    try:
        value, info = new_token(
            conn,
            auth.user.id,
            hours,
            body.label,
            scopes,
            max_hours=config.token_max_hours,
            not_after=auth.token.expires_at if auth.token else None,
        )
    except DirectoryError as exc:
        deny(
            request,
            auth.user,
            "auth.token.issue",
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            str(exc),
            details={"reason": "refused"},
        )
    audit.record(
        conn,
        actor_of(request, auth.user),
        "auth.token.issue",
        object_type="api_token",
        object_id=str(info.id),
        details={"scopes": scopes, "expires_at": info.expires_at.isoformat(), "via": auth.via},
    )
    return TokenCreated(access_token=value, **_token_view(info))


@router.get("/tokens", response_model=list[TokenView])
def my_tokens(auth: Auth, conn: Conn) -> list[TokenView]:
    """One's own tokens, active or not. Never their secrets (only their hashes are kept)."""
    return [TokenView(**_token_view(t)) for t in list_tokens(conn, auth.user.id)]


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No such token among one's own"}},
)
def delete_token(token_id: int, auth: Auth, conn: Conn, request: Request) -> None:
    """Revoke one of one's own tokens. Someone else's is answered as if it did not exist."""
    if not revoke_token(conn, token_id, auth.user.id):
        deny(
            request,
            auth.user,
            "auth.token.revoke",
            status.HTTP_404_NOT_FOUND,
            "no such token",
            object_type="api_token",
            object_id=str(token_id),
        )
    audit.record(
        conn,
        actor_of(request, auth.user),
        "auth.token.revoke",
        object_type="api_token",
        object_id=str(token_id),
    )


# --- second factor -----------------------------------------------------------------------------


class TotpEnrolment(BaseModel):
    #: Base32 secret, for apps that cannot read the URI.
    secret: str
    #: ``otpauth://`` URI, to show as a QR code.
    uri: str


@router.post(
    "/totp/enrol",
    response_model=TotpEnrolment,
    responses={409: {"description": "A second factor is already in force"}},
)
def totp_enrol(auth: Auth, conn: Conn, request: Request) -> TotpEnrolment:
    """Start enrolling an authenticator app: not in force until POST /auth/totp/confirm."""
    try:
        enrolment = totp.enrol(conn, auth.user.id, auth.user.username)
    except totp.TotpError as exc:
        deny(
            request,
            auth.user,
            "auth.totp.enrol",
            status.HTTP_409_CONFLICT,
            str(exc),
            details={"reason": "already_confirmed"},
        )
    audit.record(conn, actor_of(request, auth.user), "auth.totp.enrol")
    return TotpEnrolment(secret=enrolment.secret, uri=enrolment.uri)


@router.post(
    "/totp/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"description": "Not enrolled, already confirmed, or wrong code"}},
)
def totp_confirm(body: OtpRequest, auth: Auth, conn: Conn, request: Request) -> None:
    """Put the second factor in force with a first code from the app: from now on every login
    asks for a code."""
    reason = totp.confirm(conn, auth.user.id, body.otp)
    if reason is not None:
        deny(
            request,
            auth.user,
            "auth.totp.confirm",
            status.HTTP_400_BAD_REQUEST,
            "wrong code" if reason in {"invalid", "malformed", "reused"} else reason,
            details={"reason": reason},
        )
    audit.record(conn, actor_of(request, auth.user), "auth.totp.confirm")


@router.delete(
    "/users/{username}/totp",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        403: {"description": "Not an administrator"},
        404: {"description": "No such user in the administrator's agency"},
    },
)
def totp_disable(username: str, auth: Auth, conn: Conn, request: Request) -> None:
    """Remove a user's second factor (lost phone): administrators, for their own agency."""
    if Role.ADMINISTRATOR not in auth.user.roles:
        deny(
            request,
            auth.user,
            "auth.totp.disable",
            status.HTTP_403_FORBIDDEN,
            "only an administrator may remove a second factor",
            object_type="user",
            object_id=username[:120],
        )
    target = get_user(conn, username)
    if target is None or target.agency != auth.user.agency:
        deny(
            request,
            auth.user,
            "auth.totp.disable",
            status.HTTP_404_NOT_FOUND,
            "no such user in your agency",
            object_type="user",
            object_id=username[:120],
        )
    had = totp.disable(conn, target.id)
    audit.record(
        conn,
        actor_of(request, auth.user),
        "auth.totp.disable",
        object_type="user",
        object_id=target.username,
        details={"had_totp": had},
    )


# --- OpenID Connect ----------------------------------------------------------------------------


def _oidc_or_404() -> OidcConfig:
    config = oidc_config()
    if config is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    return config


def _state_cookie_path(request: Request) -> str:
    return str(request.url_for("oidc_login").path).rsplit("/", 1)[0]


@router.get("/oidc/login", name="oidc_login", responses={404: {"description": "OIDC is off"}})
async def oidc_login(request: Request) -> Response:
    """Start a login at the identity provider (authorization code flow, state, nonce, PKCE)."""
    config = _oidc_or_404()
    client = oidc.client_for(config)
    redirect_uri = config.redirect_uri or str(request.url_for("oidc_callback"))
    try:
        rv = await client.create_authorization_url(redirect_uri)
    except _PROVIDER_DOWN:
        return JSONResponse(
            {"detail": "the identity provider cannot be reached"},
            status_code=status.HTTP_502_BAD_GATEWAY,
        )
    response = RedirectResponse(rv["url"], status_code=status.HTTP_302_FOUND)
    state = {
        "state": rv["state"],
        "nonce": rv["nonce"],
        "code_verifier": rv["code_verifier"],
        "redirect_uri": redirect_uri,
    }
    response.set_cookie(
        oidc.STATE_COOKIE,
        oidc.pack_state(config, state),
        max_age=oidc.STATE_MAX_AGE,
        path=_state_cookie_path(request),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or auth_config().cookie_secure,
    )
    return response


def _finish_oidc(
    engine: Engine, config: OidcConfig, claims: dict[str, Any], origin: str | None
) -> tuple[UserInfo, str, SessionInfo] | oidc.OidcRefused:
    try:
        with engine.begin() as conn:
            identity = oidc.map_claims(conn, config, claims)
            user = oidc.provision_user(conn, identity)
            value, session = create_session(conn, user.id, "oidc", origin)
            details: dict[str, Any] = {"method": "oidc", "channel": "browser"}
            if identity.ignored_roles:
                details["ignored_roles"] = list(identity.ignored_roles)
            audit.record(
                conn, audit.Actor(user.username, user.agency, origin), "auth.login", details=details
            )
        return user, value, session
    except oidc.OidcRefused as exc:
        _refuse_oidc(engine, claims.get("preferred_username"), origin, exc)
        return exc


def _refuse_oidc(engine: Engine, username: Any, origin: str | None, exc: oidc.OidcRefused) -> None:
    name = str(username)[:120] if isinstance(username, str) and username else None
    audit.record_now(
        engine,
        audit.Actor(name, None, origin),
        "auth.login",
        outcome="denied",
        details={"method": "oidc", "channel": "browser", "reason": exc.reason, **exc.details},
    )


def _oidc_refusal(request: Request, exc: oidc.OidcRefused, code: int) -> Response:
    response = JSONResponse({"detail": exc.message, "reason": exc.reason}, status_code=code)
    response.delete_cookie(oidc.STATE_COOKIE, path=_state_cookie_path(request))
    return response


@router.get(
    "/oidc/callback",
    name="oidc_callback",
    responses={
        401: {"description": "The provider's answer is invalid"},
        403: {"description": "Unknown agency, or no vinculo role"},
        404: {"description": "OIDC is off"},
    },
)
async def oidc_callback(request: Request) -> Response:
    """Where the identity provider sends the browser back: checks the ID token, maps its claims
    onto a local account, opens a session and redirects to the application."""
    config = _oidc_or_404()
    engine = engine_of(request)
    origin = origin_of(request)
    params = request.query_params
    try:
        if params.get("error"):
            raise oidc.OidcRefused(
                "provider_error", f"the identity provider refused the login ({params['error']})"
            )
        data = oidc.unpack_state(
            config, request.cookies.get(oidc.STATE_COOKIE), params.get("state")
        )
        code = params.get("code")
        if not code:
            raise oidc.OidcRefused("code_missing", "the identity provider sent no code")
        client = oidc.client_for(config)
        token = await client.fetch_access_token(
            redirect_uri=data["redirect_uri"], code=code, code_verifier=data["code_verifier"]
        )
        claims = await client.parse_id_token(
            token, nonce=data["nonce"], claims_options=oidc.claims_options(config)
        )
        if claims is None:
            raise oidc.OidcRefused("id_token_missing", "the identity provider sent no ID token")
    except oidc.OidcRefused as exc:
        await run_in_threadpool(_refuse_oidc, engine, None, origin, exc)
        return _oidc_refusal(request, exc, status.HTTP_401_UNAUTHORIZED)
    except _PROVIDER_ANSWER_BAD as exc:
        refused = oidc.OidcRefused(
            "id_token_invalid",
            "the identity provider's answer could not be verified",
            {"error": type(exc).__name__},
        )
        await run_in_threadpool(_refuse_oidc, engine, None, origin, refused)
        return _oidc_refusal(request, refused, status.HTTP_401_UNAUTHORIZED)
    result = await run_in_threadpool(_finish_oidc, engine, config, dict(claims), origin)
    if isinstance(result, oidc.OidcRefused):
        return _oidc_refusal(request, result, status.HTTP_403_FORBIDDEN)
    _user, value, _session = result
    response = RedirectResponse(config.after_login_url, status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(oidc.STATE_COOKIE, path=_state_cookie_path(request))
    set_session_cookie(response, request, value)
    return response
