"""Named link-chart workspaces, shared with the colleagues of one agency.

A workspace keeps ids, pinned positions, the analysts' notes and the filters, never record
content: whoever opens it sees the records as the policy shows them to them at that moment (a
record since made invisible to them simply drops out). Another agency's workspace is answered as
missing (LookupError). Anyone of the agency who works with records may save, rename, change and
delete its workspaces, as on the web page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy import update as update_stmt

from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.graph_tables import ChartWorkspace
from vinculo.store.tables import utcnow

MAX_IDS = 2000
MAX_NOTE = 2000
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class Workspace:
    id: int
    name: str
    state: dict[str, Any]
    created_by: str
    updated_by: str
    updated_at: str

    @property
    def ids(self) -> list[str]:
        return list(self.state.get("ids", []))


class NameTaken(ValueError):
    """Another workspace of the agency already has that name."""


def _check_user(user: UserInfo) -> None:
    if not policy.works_with_records(user):
        raise PermissionError("role without access to records")


def clean_state(state: Any) -> dict[str, Any]:
    """The state as kept: ids, pinned positions and notes, each checked (ValueError names what is
    wrong)."""
    if not isinstance(state, dict):
        raise ValueError("state: an object is expected")
    ids = state.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and 0 < len(i) <= 200 for i in ids):
        raise ValueError("state.ids: a list of entity ids is expected")
    if not ids:
        raise ValueError("state.ids: the chart is empty")
    if len(ids) > MAX_IDS:
        raise ValueError(f"state.ids: at most {MAX_IDS} ids")
    keep = set(ids)
    pinned: dict[str, list[float]] = {}
    for key, value in (state.get("pinned") or {}).items():
        if key not in keep:
            continue
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in value
            )
        ):
            raise ValueError(f"state.pinned[{key}]: a position [x, y] is expected")
        pinned[key] = [float(value[0]), float(value[1])]
    notes: dict[str, str] = {}
    for key, value in (state.get("notes") or {}).items():
        if key not in keep or not isinstance(value, str) or not value.strip():
            continue
        if len(value) > MAX_NOTE:
            raise ValueError(f"state.notes[{key}]: at most {MAX_NOTE} characters")
        notes[key] = value.strip()
    return {"ids": list(dict.fromkeys(ids)), "pinned": pinned, "notes": notes}


def _workspace(row: Any) -> Workspace:
    return Workspace(
        row.id,
        row.name,
        dict(row.state or {}),
        row.created_by,
        row.updated_by,
        row.updated_at.isoformat(),
    )


def clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise ValueError(f"name: between 1 and {MAX_NAME} characters")
    return name.strip()


def _named(conn: Connection, user: UserInfo, name: str) -> int | None:
    found = conn.execute(
        select(ChartWorkspace.id).where(
            ChartWorkspace.agency_code == user.agency, ChartWorkspace.name == name
        )
    ).scalar()
    return None if found is None else int(found)


def create(conn: Connection, user: UserInfo, name: str, state: Any) -> Workspace:
    """A new workspace of the agency; NameTaken when the agency has one of that name."""
    _check_user(user)
    name = clean_name(name)
    if _named(conn, user, name) is not None:
        raise NameTaken(f"name: the agency already has a workspace called {name!r}")
    return save(conn, user, name, state)


def update(
    conn: Connection,
    user: UserInfo,
    workspace_id: int,
    name: str | None = None,
    state: Any = None,
) -> Workspace:
    """Rename the agency's workspace and/or replace its state (LookupError for one of another
    agency, NameTaken when the new name is another workspace's)."""
    current = get(conn, user, workspace_id)
    values: dict[str, Any] = {}
    if name is not None:
        new_name = clean_name(name)
        other = _named(conn, user, new_name)
        if other is not None and other != workspace_id:
            raise NameTaken(f"name: the agency already has a workspace called {new_name!r}")
        values["name"] = new_name
    if state is not None:
        values["state"] = clean_state(state)
    if not values:
        return current
    conn.execute(
        update_stmt(ChartWorkspace)
        .where(ChartWorkspace.id == workspace_id, ChartWorkspace.agency_code == user.agency)
        .values(**values, updated_by=user.username, updated_at=utcnow())
    )
    return get(conn, user, workspace_id)


def save(conn: Connection, user: UserInfo, name: str, state: Any) -> Workspace:
    """Create the agency's workspace called ``name``, or replace its content."""
    _check_user(user)
    name = clean_name(name)
    cleaned = clean_state(state)
    now = utcnow()
    existing = conn.execute(
        select(ChartWorkspace.id).where(
            ChartWorkspace.agency_code == user.agency, ChartWorkspace.name == name
        )
    ).scalar()
    if existing is None:
        conn.execute(
            insert(ChartWorkspace).values(
                agency_code=user.agency,
                name=name,
                state=cleaned,
                created_by=user.username,
                updated_by=user.username,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        conn.execute(
            update_stmt(ChartWorkspace)
            .where(ChartWorkspace.id == existing)
            .values(state=cleaned, updated_by=user.username, updated_at=now)
        )
    row = conn.execute(
        select(ChartWorkspace).where(
            ChartWorkspace.agency_code == user.agency, ChartWorkspace.name == name
        )
    ).one()
    return _workspace(row)


def list_workspaces(conn: Connection, user: UserInfo) -> list[Workspace]:
    _check_user(user)
    rows = conn.execute(
        select(ChartWorkspace)
        .where(ChartWorkspace.agency_code == user.agency)
        .order_by(ChartWorkspace.updated_at.desc(), ChartWorkspace.id)
    )
    return [_workspace(r) for r in rows]


def get(conn: Connection, user: UserInfo, workspace_id: int) -> Workspace:
    _check_user(user)
    row = conn.execute(
        select(ChartWorkspace).where(
            ChartWorkspace.id == workspace_id, ChartWorkspace.agency_code == user.agency
        )
    ).first()
    if row is None:
        raise LookupError(workspace_id)
    return _workspace(row)


def remove(conn: Connection, user: UserInfo, workspace_id: int) -> None:
    get(conn, user, workspace_id)
    conn.execute(delete(ChartWorkspace).where(ChartWorkspace.id == workspace_id))
