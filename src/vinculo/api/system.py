"""Health. (Token login moved to ``vinculo.api.auth``.)"""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from vinculo import __version__
from vinculo.api.deps import engine_of
from vinculo.store.db import current_revision, head_revision

router = APIRouter()


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
