"""The REST API, under /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Each capability has its router module; every route that touches records goes through
``vinculo.sharing.policy`` and leaves an entry in the audit log (``vinculo.audit``).
"""

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from vinculo import __version__
from vinculo.api import (
    agencies,
    audit,
    auth,
    disclosure,
    entities,
    graph,
    hits,
    messages,
    notifications,
    records,
    sharing,
    system,
)


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="vinculo",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    api = APIRouter(prefix="/api/v1")
    for module in (
        system,
        auth,
        agencies,
        entities,
        graph,
        hits,
        disclosure,
        sharing,
        records,
        notifications,
        messages,
        audit,
    ):
        api.include_router(module.router)
    app.include_router(api)
    # The web application's pages, static files and HTML error pages (imported here: it uses
    # vinculo.api.deps, so a module-level import would be circular).
    from vinculo import web

    web.install(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        if request.url.path != app.docs_url:
            # Style *attributes* only: htmx and ECharts write them while swapping and drawing,
            # and they cannot run code. Scripts and <style> elements stay 'self'.
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; style-src-attr 'unsafe-inline'; frame-ancestors 'none'",
            )
        return response

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a NUL character in text for PostgreSQL, a number out
        # of range): the client's input, not a server fault. The transaction is rolled back.
        return JSONResponse(
            {"detail": "a value in the request cannot be stored (e.g. a NUL character in text)"},
            status_code=400,
        )

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return app
