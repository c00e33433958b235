"""Hits of the user's agency, and human judgements on them."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from vinculo import audit
from vinculo.api.deps import Conn, CurrentUser, actor_of, deny
from vinculo.api.entities import EntityOut
from vinculo.matching.hits import judge
from vinculo.matching.views import hits_for_user
from vinculo.sharing import policy

router = APIRouter(tags=["hits"])


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


@router.get(
    "/hits",
    response_model=list[HitOut],
    response_model_by_alias=True,
    response_model_exclude_none=True,
)
def hits(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    status_: Annotated[
        Literal["new", "needs_review", "confirmed", "rejected"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[HitOut]:
    """Hits involving the user's agency; the other agency's record as the policy allows."""
    if not policy.works_with_records(user):
        deny(request, user, "hit.list", 403, "role cannot see hits")
    found = [
        HitOut.model_validate(h)
        for h in hits_for_user(conn, user, status_, limit=limit, offset=offset)
    ]
    audit.record(
        conn,
        actor_of(request, user),
        "hit.list",
        details={"status": status_, "count": len(found), "offset": offset},
    )
    return found


@router.post(
    "/hits/{hit}/judgement",
    status_code=204,
    responses={404: {"description": "No such hit, or not one of the user's agency"}},
)
def judge_hit(hit: str, body: JudgementIn, request: Request, conn: Conn, user: CurrentUser) -> None:
    """Confirm, reject or send a hit for review. Only the two agencies of the hit may."""
    if not policy.works_with_records(user):
        deny(
            request,
            user,
            "hit.judge",
            403,
            "role cannot judge hits",
            object_type="hit",
            object_id=hit[:200],
        )
    try:
        judge(conn, hit, body.status, user.username, user.agency, body.note)
    except (LookupError, PermissionError):
        # The same answer whether the hit does not exist or belongs to others.
        deny(request, user, "hit.judge", 404, "no such hit", object_type="hit", object_id=hit[:200])
    audit.record(
        conn,
        actor_of(request, user),
        "hit.judge",
        object_type="hit",
        object_id=hit,
        details={"status": body.status},
    )
