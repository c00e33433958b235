"""What the user should act on: hits, requests, decisions, messages, deletions."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from vinculo.api.deps import Conn, CurrentUser
from vinculo.sharing import notify

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    kind: str
    ref_type: str
    ref_id: str
    data: dict[str, Any]
    created_at: str
    read: bool


class ReadIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=1000)


class ReadOut(BaseModel):
    marked: int


@router.get("/notifications", response_model=list[NotificationOut])
def index(
    conn: Conn,
    user: CurrentUser,
    unread_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    return [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            ref_type=n.ref_type,
            ref_id=n.ref_id,
            data=n.data,
            created_at=n.created_at.isoformat(),
            read=n.read_at is not None,
        )
        for n in notify.for_user(conn, user.agency, user.username, unread_only, limit)
    ]


@router.post("/notifications/read", response_model=ReadOut)
def mark_read(body: ReadIn, conn: Conn, user: CurrentUser) -> ReadOut:
    return ReadOut(marked=notify.mark_read(conn, user.agency, user.username, body.ids))
