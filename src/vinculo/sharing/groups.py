"""Sharing groups and record distribution: who, besides the owner, sees a record's content.

A sharing group is a list of agencies named by an owner agency. As in MISP, a member given the
``extend`` right may add further agencies; only the owner removes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from vinculo import audit
from vinculo.model.metadata import Network, Role
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo, get_agency
from vinculo.store.entities import get_entity
from vinculo.store.tables import Entity, SharingGroup, SharingGroupMember, utcnow

#: Roles that manage their agency's sharing arrangements.
MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


class SharingError(ValueError):
    """A sharing change that cannot be made, with the reason in words."""


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: str
    name: str
    owner: str
    description: str
    members: dict[str, bool]


def _require_manager(user: UserInfo) -> None:
    if not user.is_active or not MANAGERS & set(user.roles):
        raise PermissionError("only a supervisor or administrator manages sharing")


def _group(conn: Connection, group_id: str) -> GroupInfo | None:
    row = conn.execute(select(SharingGroup).where(SharingGroup.id == group_id)).first()
    if row is None:
        return None
    members = {
        m.agency_code: bool(m.can_extend)
        for m in conn.execute(
            select(SharingGroupMember).where(SharingGroupMember.group_id == group_id)
        )
    }
    return GroupInfo(row.id, row.name, row.owner_agency, row.description, members)


def get_group(conn: Connection, user: UserInfo, group_id: str) -> GroupInfo:
    """A group the user's agency owns or belongs to (others: LookupError, as if absent)."""
    group = _group(conn, group_id)
    if group is None or (user.agency != group.owner and user.agency not in group.members):
        raise LookupError(group_id)
    return group


def list_groups(conn: Connection, user: UserInfo) -> list[GroupInfo]:
    ids = set(
        conn.execute(
            select(SharingGroup.id).where(SharingGroup.owner_agency == user.agency)
        ).scalars()
    ) | set(
        conn.execute(
            select(SharingGroupMember.group_id).where(SharingGroupMember.agency_code == user.agency)
        ).scalars()
    )
    return [g for g in (_group(conn, i) for i in sorted(ids)) if g is not None]


def create_group(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    name: str,
    members: dict[str, bool],
    description: str = "",
) -> GroupInfo:
    """A group owned by the user's agency; ``members`` maps agency code -> may extend."""
    _require_manager(user)
    if not name.strip():
        raise SharingError("a sharing group needs a name")
    for code in members:
        if get_agency(conn, code) is None:
            raise SharingError(f"unknown agency {code!r}")
    group_id = str(uuid.uuid4())
    conn.execute(
        insert(SharingGroup).values(
            id=group_id,
            name=name.strip(),
            owner_agency=user.agency,
            description=description,
            created_by=user.username,
            created_at=utcnow(),
        )
    )
    # The owner is a member too: it sees its own records anyway, and the group's list is whole.
    all_members = {user.agency: True, **members}
    for code, can_extend in all_members.items():
        conn.execute(
            insert(SharingGroupMember).values(
                group_id=group_id,
                agency_code=code,
                can_extend=can_extend,
                added_by=user.username,
                added_at=utcnow(),
            )
        )
    policy.forget_directory()
    audit.record(
        conn,
        actor,
        "sharing.group.create",
        object_type="sharing_group",
        object_id=group_id,
        details={"members": sorted(all_members)},
    )
    group = _group(conn, group_id)
    assert group is not None
    return group


def add_member(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    group_id: str,
    agency: str,
    can_extend: bool = False,
) -> GroupInfo:
    _require_manager(user)
    group = get_group(conn, user, group_id)
    if user.agency != group.owner and not group.members.get(user.agency, False):
        raise PermissionError("your agency may not extend this group")
    if user.agency != group.owner and can_extend:
        raise PermissionError("only the owner grants the extend right")
    if get_agency(conn, agency) is None:
        raise SharingError(f"unknown agency {agency!r}")
    if agency in group.members:
        raise SharingError(f"{agency} is already a member")
    conn.execute(
        insert(SharingGroupMember).values(
            group_id=group_id,
            agency_code=agency,
            can_extend=can_extend,
            added_by=user.username,
            added_at=utcnow(),
        )
    )
    policy.forget_directory()
    audit.record(
        conn,
        actor,
        "sharing.group.add",
        object_type="sharing_group",
        object_id=group_id,
        details={"agency": agency, "can_extend": can_extend},
    )
    return get_group(conn, user, group_id)


def remove_member(
    conn: Connection, user: UserInfo, actor: audit.Actor, group_id: str, agency: str
) -> GroupInfo:
    _require_manager(user)
    group = get_group(conn, user, group_id)
    if user.agency != group.owner:
        raise PermissionError("only the owner removes members")
    if agency == group.owner:
        raise SharingError("the owner cannot leave its own group")
    conn.execute(
        delete(SharingGroupMember).where(
            SharingGroupMember.group_id == group_id, SharingGroupMember.agency_code == agency
        )
    )
    policy.forget_directory()
    audit.record(
        conn,
        actor,
        "sharing.group.remove",
        object_type="sharing_group",
        object_id=group_id,
        details={"agency": agency},
    )
    return get_group(conn, user, group_id)


def set_distribution(
    conn: Connection,
    user: UserInfo,
    actor: audit.Actor,
    entity_id: str,
    distribution: str,
    ref: str | None = None,
) -> None:
    """The owner widens or narrows who sees a record's content.

    The content hash is left alone on purpose: who may see a record is not a change of the record,
    so matching does not raise hits that were rejected again.
    """
    entity = get_entity(conn, entity_id)
    if entity is None or entity.meta.agency != user.agency or not policy.works_with_records(user):
        raise LookupError(entity_id)
    try:
        kind = policy.Distribution(distribution)
    except ValueError:
        raise SharingError(f"unknown distribution {distribution!r}") from None
    if kind is policy.Distribution.NETWORK:
        if ref is None or ref.upper() not in {n.value for n in Network}:
            raise SharingError(f"unknown network {ref!r}")
        ref = ref.upper()
    elif kind is policy.Distribution.GROUP:
        if ref is None:
            raise SharingError("name the sharing group")
        try:
            get_group(conn, user, ref)
        except LookupError:
            raise SharingError(f"unknown sharing group {ref!r}") from None
    else:
        ref = None
    conn.execute(
        update(Entity)
        .where(Entity.id == entity_id)
        .values(distribution=kind.value, distribution_ref=ref, updated_at=utcnow())
    )
    audit.record(
        conn,
        actor,
        "entity.distribution",
        object_type="entity",
        object_id=entity_id,
        details={
            "from": entity.meta.distribution_label,
            "to": f"{kind.value}:{ref}" if ref else kind.value,
        },
    )
