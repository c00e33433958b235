"""Review, retention and export of your agency's records."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from vinculo.api.deps import Conn, CurrentUser, actor_of, refusals
from vinculo.sharing import exports, retention

router = APIRouter(tags=["records"])
NotYours: dict[int | str, dict[str, Any]] = {404: {"description": "Not found, or not yours"}}


class DueOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    review_by: dt.date
    markets: list[str]

    model_config = {"populate_by_name": True}


class ExtendIn(BaseModel):
    review_by: dt.date
    reason: str = Field(min_length=1, max_length=2000)


class DeleteIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class DeletionOut(BaseModel):
    entity_id: str
    hits_removed: int
    releases_removed: int
    requests_closed: int
    exports_notified: int


class ExportIn(BaseModel):
    ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=10000)
    purpose: str = Field(min_length=1, max_length=2000)
    judicial: bool = Field(default=False, description="For a judicial package (H1 rules apply)")


class ExportOut(BaseModel):
    export_id: str
    records: list[dict[str, Any]]
    refused: dict[str, str]


@router.get(
    "/review/due", response_model=list[DueOut], response_model_by_alias=True, tags=["records"]
)
def due(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[DueOut]:
    """Your agency's records whose review date has come."""
    with refusals(request, user, "review.list"):
        found = retention.due_for_review(conn, user, limit=limit)
    return [DueOut.model_validate(d, from_attributes=True) for d in found]


@router.post("/entities/{entity_id}/review", status_code=204, responses=NotYours)
def extend(entity_id: str, body: ExtendIn, request: Request, conn: Conn, user: CurrentUser) -> None:
    """Keep the record until a new review date, saying why."""
    with refusals(request, user, "entity.review.extend", "entity", entity_id[:200]):
        retention.extend_review(
            conn, user, actor_of(request, user), entity_id, body.review_by, body.reason
        )


@router.post("/entities/{entity_id}/deletion", response_model=DeletionOut, responses=NotYours)
def delete(
    entity_id: str, body: DeleteIn, request: Request, conn: Conn, user: CurrentUser
) -> DeletionOut:
    """Delete the record and what was made from it (hits, releases, open requests)."""
    with refusals(request, user, "entity.delete", "entity", entity_id[:200]):
        report = retention.delete_record(
            conn, user, actor_of(request, user), entity_id, body.reason
        )
    return DeletionOut.model_validate(report, from_attributes=True)


@router.post("/exports", response_model=ExportOut)
def export(body: ExportIn, request: Request, conn: Conn, user: CurrentUser) -> ExportOut:
    """Records as you may see them; those you may not export are listed with the reason."""
    with refusals(request, user, "export"):
        result = exports.export_records(
            conn, user, actor_of(request, user), body.ids, body.purpose, body.judicial
        )
    return ExportOut(export_id=result.export_id, records=result.records, refused=result.refused)
