"""The directory of agencies on this installation."""

from fastapi import APIRouter
from pydantic import BaseModel

from vinculo.api.deps import Conn, CurrentUser
from vinculo.sharing.directory import list_agencies

router = APIRouter(tags=["agencies"])


class AgencyOut(BaseModel):
    code: str
    name: str
    country: str
    kind: str
    networks: list[str]
    contact_points: dict[str, str]


@router.get("/agencies", response_model=list[AgencyOut])
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
