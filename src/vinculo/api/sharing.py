"""Sharing groups, record distribution and releases: the owner's controls."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from vinculo.api.deps import Conn, CurrentUser, actor_of, refusals
from vinculo.sharing import disclosure, groups

router = APIRouter(tags=["sharing"])
Code = Annotated[str, Field(min_length=1, max_length=32)]
NotYours: dict[int | str, dict[str, Any]] = {404: {"description": "Not found, or not yours"}}


class GroupIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    members: dict[Code, bool] = Field(
        default_factory=dict, description="Agency code -> may extend the group", max_length=200
    )


class GroupOut(BaseModel):
    id: str
    name: str
    owner: str
    description: str
    members: dict[str, bool]


class MemberIn(BaseModel):
    agency: Code
    can_extend: bool = False


class DistributionIn(BaseModel):
    distribution: Literal["agency", "country", "network", "all", "group"]
    ref: str | None = Field(default=None, max_length=64, description="Network name or group id")


class ReleaseOut(BaseModel):
    id: int
    agency: str
    request_id: str | None
    fields: list[str]
    judicial_use: bool
    granted_by: str
    granted_at: str
    revoked_at: str | None


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def _group_out(group: groups.GroupInfo) -> GroupOut:
    return GroupOut(
        id=group.id,
        name=group.name,
        owner=group.owner,
        description=group.description,
        members=group.members,
    )


@router.get("/sharing-groups", response_model=list[GroupOut])
def list_groups(conn: Conn, user: CurrentUser) -> list[GroupOut]:
    """Groups your agency owns or belongs to."""
    return [_group_out(g) for g in groups.list_groups(conn, user)]


@router.post("/sharing-groups", response_model=GroupOut, status_code=201)
def create_group(body: GroupIn, request: Request, conn: Conn, user: CurrentUser) -> GroupOut:
    with refusals(request, user, "sharing.group.create"):
        group = groups.create_group(
            conn, user, actor_of(request, user), body.name, body.members, body.description
        )
    return _group_out(group)


@router.post("/sharing-groups/{group_id}/members", response_model=GroupOut, responses=NotYours)
def add_member(
    group_id: str, body: MemberIn, request: Request, conn: Conn, user: CurrentUser
) -> GroupOut:
    """The owner, or a member with the extend right, adds an agency."""
    with refusals(request, user, "sharing.group.add", "sharing_group", group_id[:200]):
        group = groups.add_member(
            conn, user, actor_of(request, user), group_id, body.agency, body.can_extend
        )
    return _group_out(group)


@router.delete(
    "/sharing-groups/{group_id}/members/{agency}", response_model=GroupOut, responses=NotYours
)
def remove_member(
    group_id: str, agency: str, request: Request, conn: Conn, user: CurrentUser
) -> GroupOut:
    with refusals(request, user, "sharing.group.remove", "sharing_group", group_id[:200]):
        group = groups.remove_member(conn, user, actor_of(request, user), group_id, agency)
    return _group_out(group)


@router.put("/entities/{entity_id}/distribution", status_code=204, responses=NotYours)
def set_distribution(
    entity_id: str, body: DistributionIn, request: Request, conn: Conn, user: CurrentUser
) -> None:
    """Who besides your agency sees the record's content (protected subjects stay hit-only)."""
    with refusals(request, user, "entity.distribution", "entity", entity_id[:200]):
        groups.set_distribution(
            conn, user, actor_of(request, user), entity_id, body.distribution, body.ref
        )


@router.get("/entities/{entity_id}/releases", response_model=list[ReleaseOut], responses=NotYours)
def releases(entity_id: str, request: Request, conn: Conn, user: CurrentUser) -> list[ReleaseOut]:
    """What your agency released of its record, to whom."""
    with refusals(request, user, "release.list", "entity", entity_id[:200]):
        found = disclosure.releases_for(conn, user, entity_id)
    return [ReleaseOut.model_validate(r) for r in found]


@router.post("/releases/{release_id}/revoke", status_code=204, responses=NotYours)
def revoke(
    release_id: int, body: RevokeIn, request: Request, conn: Conn, user: CurrentUser
) -> None:
    with refusals(request, user, "release.revoke", "release", str(release_id)):
        disclosure.revoke_release(conn, user, actor_of(request, user), release_id, body.reason)
