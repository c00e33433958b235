"""The REST API, under /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine

from vinculo import __version__
from vinculo.identifiers import detect
from vinculo.matching.hits import judge
from vinculo.matching.views import hits_for_user
from vinculo.settings import get_settings
from vinculo.sharing import policy
from vinculo.sharing.directory import (
    UserInfo,
    authenticate,
    get_agency,
    issue_token,
    list_agencies,
    user_for_token,
)
from vinculo.store.db import current_revision, get_engine, head_revision
from vinculo.store.entities import get_entities, get_entity, search_ids

bearer = HTTPBearer(auto_error=False)


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: str


class AgencyOut(BaseModel):
    code: str
    name: str
    country: str
    kind: str
    networks: list[str]
    contact_points: dict[str, str]


class EntityOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    agency: str
    agency_country: str | None = None
    markets: list[str]
    view: str
    caption: str | None = None
    properties: dict[str, list[str]] | None = None
    handling_code: str | None = None
    handling_text: str | None = None
    source_evaluation: str | None = None
    subject_category: str | None = None
    minor: bool | None = None
    review_by: str | None = None
    source_ref: str | None = None
    flags: list[dict[str, Any]] | None = None
    created_at: str | None = None
    updated_at: str | None = None

    model_config = {"populate_by_name": True}


class SearchOut(BaseModel):
    query: str
    results: list[EntityOut]


class HitOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    score: float
    status: str
    explanation: list[str]
    own: EntityOut
    other: EntityOut
    other_contact: str | None = None
    created_at: str

    model_config = {"populate_by_name": True}


class JudgementIn(BaseModel):
    status: Literal["confirmed", "rejected", "needs_review"]
    note: str = Field(default="", max_length=2000)


class Health(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="vinculo",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.engine = engine

    def get_conn(request: Request) -> Iterator[Connection]:
        eng: Engine = request.app.state.engine or get_engine()
        with eng.begin() as conn:
            yield conn

    Conn = Annotated[Connection, Depends(get_conn)]

    def current_user(
        conn: Conn,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> UserInfo:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "authentication required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        user = user_for_token(conn, credentials.credentials)
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid or expired token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user

    CurrentUser = Annotated[UserInfo, Depends(current_user)]
    router = APIRouter(prefix="/api/v1")

    @router.get("/health", response_model=Health, tags=["system"])
    def health(request: Request) -> Health:
        eng: Engine = request.app.state.engine or get_engine()
        revision = current_revision(eng)
        ok = revision == head_revision()
        return Health(
            status="ok" if ok else "needs-migration",
            version=__version__,
            database=eng.dialect.name,
            schema_revision=revision,
        )

    @router.post("/auth/token", response_model=TokenResponse, tags=["auth"])
    def token(body: TokenRequest, request: Request) -> TokenResponse:
        eng: Engine = request.app.state.engine or get_engine()
        # Its own transaction: a failed attempt must be counted even though the request fails.
        with eng.begin() as conn:
            user = authenticate(conn, body.username, body.password)
            if user is not None:
                value, expires = issue_token(conn, user.id, get_settings().token_hours, "api")
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "wrong username or password, or account locked"
            )
        return TokenResponse(access_token=value, expires_at=expires.isoformat())

    @router.get("/agencies", response_model=list[AgencyOut], tags=["agencies"])
    def agencies(conn: Conn, user: CurrentUser) -> list[AgencyOut]:
        return [
            AgencyOut(
                code=a.code,
                name=a.name,
                country=a.country,
                kind=a.kind.value,
                networks=[n.value for n in a.networks],
                contact_points=a.contact_points,
            )
            for a in list_agencies(conn)
        ]

    def _countries(conn: Connection) -> dict[str, str]:
        return {a.code: a.country for a in list_agencies(conn)}

    @router.get(
        "/entities",
        response_model=SearchOut,
        response_model_by_alias=True,
        response_model_exclude_none=True,
        tags=["entities"],
    )
    def search(
        conn: Conn,
        user: CurrentUser,
        q: Annotated[str, Query(min_length=1, max_length=200, description="Names or identifiers")],
        schema: Annotated[str | None, Query(max_length=64)] = None,
        agency: Annotated[str | None, Query(max_length=32)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> SearchOut:
        ident = detect(q)
        found = search_ids(
            conn,
            q,
            limit=limit,
            schema=schema,
            agency=agency,
            identifier=ident.value if ident and ident.valid else None,
        )
        countries = _countries(conn)
        results = []
        for entity in get_entities(conn, found):
            shown = policy.present(user, entity, countries.get(entity.meta.agency))
            if shown.view is not policy.View.NONE:
                results.append(EntityOut.model_validate(shown.data))
        return SearchOut(query=q, results=results)

    @router.get(
        "/entities/{entity_id}",
        response_model=EntityOut,
        response_model_by_alias=True,
        response_model_exclude_none=True,
        tags=["entities"],
    )
    def read(entity_id: str, conn: Conn, user: CurrentUser) -> EntityOut:
        entity = get_entity(conn, entity_id)
        if entity is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such entity")
        owner = get_agency(conn, entity.meta.agency)
        shown = policy.present(user, entity, owner.country if owner else None)
        if shown.view is policy.View.NONE:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such entity")
        return EntityOut.model_validate(shown.data)

    @router.get(
        "/hits",
        response_model=list[HitOut],
        response_model_by_alias=True,
        response_model_exclude_none=True,
        tags=["hits"],
    )
    def hits(
        conn: Conn,
        user: CurrentUser,
        status_: Annotated[
            Literal["new", "needs_review", "confirmed", "rejected"] | None, Query(alias="status")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[HitOut]:
        """Hits involving the user's agency; the other agency's record as the policy allows."""
        return [
            HitOut.model_validate(h)
            for h in hits_for_user(conn, user, status_, limit=limit, offset=offset)
        ]

    @router.post("/hits/{hit}/judgement", status_code=204, tags=["hits"])
    def judge_hit(hit: str, body: JudgementIn, conn: Conn, user: CurrentUser) -> None:
        """Confirm, reject or send a hit for review. Only the two agencies of the hit may."""
        try:
            judge(conn, hit, body.status, user.username, user.agency, body.note)
        except (LookupError, PermissionError):
            # The same answer whether the hit does not exist or belongs to others.
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such hit") from None

    app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return app
