"""The web application: server-rendered pages (Jinja2, autoescaped) in es, pt, en and fr.

``install(app)`` adds the pages (one module per area: ``pages`` for login, logout, language and
home; ``search``, ``profile``, ``hits``, ``disclosure``, ``inbox`` (messages), ``imports``,
``chart``, ``dashboard``, ``directory`` (agencies), ``admin`` and ``review``), the static files
(``/static``, with the npm libraries under ``/static/vendor``) and the HTML error pages to the
FastAPI application of ``vinculo.api``; the API under ``/api/v1`` keeps its JSON errors. See
docs/web.md.
"""

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from vinculo.api.deps import engine_of
from vinculo.auth.sessions import SESSION_COOKIE, find_session
from vinculo.sharing.directory import UserInfo, user_by_id
from vinculo.web import (
    admin,
    chart,
    dashboard,
    directory,
    disclosure,
    hits,
    imports,
    inbox,
    pages,
    profile,
    review,
    search,
)
from vinculo.web.render import STATIC, language, page
from vinculo.web.viewer import LoginRequired, login_redirect

API_PREFIX = "/api/"


def _viewer(request: Request) -> UserInfo | None:
    """The logged-in user, for an error page's language (read only: not counted as activity)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with engine_of(request).connect() as conn:
        session = find_session(conn, cookie)
        if session is None or session.pending_totp:
            return None
        user = user_by_id(conn, session.user_id)
        conn.commit()  # find_session deletes a session it finds dead
    return user if user is not None and user.is_active else None


def install(app: FastAPI) -> None:
    for area in (
        pages,
        search,
        profile,
        hits,
        disclosure,
        inbox,
        imports,
        chart,
        dashboard,
        directory,
        admin,
        review,
    ):
        app.include_router(area.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return login_redirect(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(API_PREFIX) or request.url.path == "/api":
            return await http_exception_handler(request, exc)
        user = await run_in_threadpool(_viewer, request)
        code = exc.status_code if exc.status_code in (403, 404, 405) else 0
        return page(
            request,
            "error.html",
            language(request, user),
            user=user,
            status_code=exc.status_code,
            code=code,
        )
