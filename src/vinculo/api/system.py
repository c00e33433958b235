"""Health and token login."""

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from vinculo import __version__, audit
from vinculo.api.deps import engine_of, origin_of
from vinculo.settings import get_settings
from vinculo.sharing.directory import authenticate, issue_token
from vinculo.store.db import current_revision, head_revision

router = APIRouter()


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: str


class Health(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None


@router.get("/health", response_model=Health, tags=["system"])
def health(request: Request) -> Health:
    engine = engine_of(request)
    revision = current_revision(engine)
    return Health(
        status="ok" if revision == head_revision() else "needs-migration",
        version=__version__,
        database=engine.dialect.name,
        schema_revision=revision,
    )


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    tags=["auth"],
    responses={401: {"description": "Wrong username or password, or account locked"}},
)
def token(body: TokenRequest, request: Request) -> TokenResponse:
    engine = engine_of(request)
    # Its own transaction: a failed attempt must be counted even though the request fails.
    with engine.begin() as conn:
        user = authenticate(conn, body.username, body.password)
        if user is not None:
            value, expires = issue_token(conn, user.id, get_settings().token_hours, "api")
            audit.record(
                conn,
                audit.Actor(user.username, user.agency, origin_of(request)),
                "auth.login",
                details={"method": "password", "channel": "api"},
            )
        else:
            audit.record(
                conn,
                audit.Actor(body.username, None, origin_of(request)),
                "auth.login",
                outcome="denied",
                details={"method": "password", "channel": "api"},
            )
    if user is None:
        # Already on the record (above): the refusal and the failed-attempt count are committed.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong username or password, or account locked"
        )
    return TokenResponse(access_token=value, expires_at=expires.isoformat())
