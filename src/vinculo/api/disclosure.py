"""Disclosure requests: ask the owner of a record, and the owner's decision."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from vinculo.api.deps import Conn, CurrentUser, actor_of, refusals
from vinculo.api.entities import EntityOut
from vinculo.sharing import disclosure, policy
from vinculo.sharing.directory import UserInfo

router = APIRouter(tags=["disclosure"])
Text = Annotated[str, Field(max_length=5000)]


class RequestIn(BaseModel):
    entity_id: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=5000)
    legal_basis: str = Field(min_length=1, max_length=2000)
    urgency: Literal["routine", "urgent", "immediate"] = "routine"
    fields: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=200)
    hit_id: str | None = Field(default=None, max_length=40)


class DecisionIn(BaseModel):
    decision: Literal["approve", "approve_fields", "ask_info", "decline"]
    fields: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=200)
    reason: Text = ""
    judicial_use: bool = Field(
        default=False, description="H1: allow use in judicial proceedings (a judicial package)"
    )


class InfoIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class WithdrawIn(BaseModel):
    reason: Text = ""


class EventOut(BaseModel):
    kind: str
    username: str | None
    agency: str | None
    text: str
    at: str


class RequestOut(BaseModel):
    id: str
    entity_id: str | None
    hit_id: str | None
    schema_: str = Field(alias="schema")
    owner_agency: str
    requesting_agency: str
    requested_by: str
    purpose: str
    legal_basis: str
    urgency: str
    fields_requested: list[str]
    status: str
    due_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    created_at: str
    events: list[EventOut]
    record: EntityOut | None = Field(
        default=None, description="The record as the policy shows it to the user now"
    )

    model_config = {"populate_by_name": True}


def _outs(
    conn: Connection, user: UserInfo, infos: list[disclosure.RequestInfo]
) -> list[RequestOut]:
    """Requests with their record as the policy shows it to the user now (one read for all)."""
    wanted = [i.entity_id for i in infos if i.entity_id]
    entities, ctx = policy.read_records(conn, user, wanted)
    shown = {e.id: policy.present(user, e, ctx) for e in entities}
    return [_out(info, shown.get(info.entity_id or "")) for info in infos]


def _one(conn: Connection, user: UserInfo, info: disclosure.RequestInfo) -> RequestOut:
    return _outs(conn, user, [info])[0]


def _out(info: disclosure.RequestInfo, shown: policy.Visible | None) -> RequestOut:
    record = None
    if shown is not None and shown.view is not policy.View.NONE:
        record = EntityOut.model_validate(shown.data)
    return RequestOut(
        id=info.id,
        entity_id=info.entity_id,
        hit_id=info.hit_id,
        schema=info.schema,
        owner_agency=info.owner_agency,
        requesting_agency=info.requesting_agency,
        requested_by=info.requested_by,
        purpose=info.purpose,
        legal_basis=info.legal_basis,
        urgency=info.urgency,
        fields_requested=info.fields_requested,
        status=info.status,
        due_at=info.due_at.isoformat(),
        decided_by=info.decided_by,
        decided_at=info.decided_at.isoformat() if info.decided_at else None,
        decision_reason=info.decision_reason,
        created_at=info.created_at.isoformat(),
        events=[EventOut.model_validate(e) for e in info.events],
        record=record,
    )


Refused: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such request or record (or not one of your agency's)"}
}


@router.post(
    "/disclosure-requests",
    status_code=201,
    responses=Refused,
    response_model=RequestOut,
    response_model_by_alias=True,
)
def create(body: RequestIn, request: Request, conn: Conn, user: CurrentUser) -> RequestOut:
    """Ask the owner of a record (known to you as a hit) to disclose it."""
    with refusals(request, user, "disclosure.request", "entity", body.entity_id):
        info = disclosure.request_disclosure(
            conn,
            user,
            actor_of(request, user),
            body.entity_id,
            purpose=body.purpose,
            legal_basis=body.legal_basis,
            urgency=body.urgency,
            fields=body.fields,
            hit_id=body.hit_id,
        )
    return _one(conn, user, info)


@router.get("/disclosure-requests", response_model=list[RequestOut], response_model_by_alias=True)
def index(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: Annotated[str | None, Query(max_length=24)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RequestOut]:
    """Requests to decide (incoming) and your agency's own (outgoing), earliest deadline first."""
    with refusals(request, user, "disclosure.list"):
        if not policy.works_with_records(user):
            raise PermissionError("role without access to records")
        found = disclosure.list_requests(conn, user, direction, status, limit, offset)
    return _outs(conn, user, found)


@router.get(
    "/disclosure-requests/{request_id}",
    responses=Refused,
    response_model=RequestOut,
    response_model_by_alias=True,
)
def show(request_id: str, request: Request, conn: Conn, user: CurrentUser) -> RequestOut:
    with refusals(request, user, "disclosure.read", "disclosure_request", request_id[:200]):
        if not policy.works_with_records(user):
            raise PermissionError("role without access to records")
        info = disclosure.get_request(conn, user, request_id)
    return _one(conn, user, info)


@router.post(
    "/disclosure-requests/{request_id}/decision",
    responses={**Refused, 403: {"description": "Not a supervisor of the owner agency"}},
    response_model=RequestOut,
    response_model_by_alias=True,
)
def decide(
    request_id: str, body: DecisionIn, request: Request, conn: Conn, user: CurrentUser
) -> RequestOut:
    """The owner's supervisor approves (in full or selected fields), asks for more information,
    or declines with a reason."""
    with refusals(request, user, "disclosure.decide", "disclosure_request", request_id[:200]):
        info = disclosure.decide(
            conn,
            user,
            actor_of(request, user),
            request_id,
            body.decision,
            fields=body.fields,
            reason=body.reason,
            judicial_use=body.judicial_use,
        )
    return _one(conn, user, info)


@router.post(
    "/disclosure-requests/{request_id}/info",
    responses=Refused,
    response_model=RequestOut,
    response_model_by_alias=True,
)
def info(
    request_id: str, body: InfoIn, request: Request, conn: Conn, user: CurrentUser
) -> RequestOut:
    """The requester gives the information the owner asked for."""
    with refusals(
        request, user, "disclosure.info_provided", "disclosure_request", request_id[:200]
    ):
        found = disclosure.provide_info(conn, user, actor_of(request, user), request_id, body.text)
    return _one(conn, user, found)


@router.post(
    "/disclosure-requests/{request_id}/withdraw",
    responses=Refused,
    response_model=RequestOut,
    response_model_by_alias=True,
)
def withdraw(
    request_id: str, body: WithdrawIn, request: Request, conn: Conn, user: CurrentUser
) -> RequestOut:
    with refusals(request, user, "disclosure.withdrawn", "disclosure_request", request_id[:200]):
        found = disclosure.withdraw(conn, user, actor_of(request, user), request_id, body.reason)
    return _one(conn, user, found)
