"""The one chokepoint deciding what a user may see of a record, and what they may do with it.

Four views, from most to least:

- ``full``: the whole record — the owner's own users, and agencies inside the record's
  distribution (same country, a network, all, or a named sharing group);
- ``released``: only the fields the owner released to the user's agency (on a disclosure request);
- ``hit_only``: that the record exists — owner agency and country, schema, markets, a contact
  point — which is what a hit tells the other side;
- ``none``: nothing (inactive accounts, roles that do not work with records).

Whatever the distribution, a victim's, witness's or informant's record, and every minor's, is
``hit_only`` to other agencies until the owner releases it field by field.

Handling codes limit use, not sight: H1 material may not go into a judicial package without the
owner's permission, H2 material may not be passed beyond the recipient, and H3's restriction text
goes with the record to every recipient.

Every read in api/ and web/ goes through ``present`` (or ``decide`` for a yes/no): no other code
there reads entity data.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select

from vinculo.model.metadata import PROTECTED_SUBJECT_CATEGORIES, HandlingCode, Role
from vinculo.sharing.directory import UserInfo
from vinculo.store.entities import StoredEntity, get_entities_with_releases
from vinculo.store.tables import Agency, Release, SharingGroupMember


class View(StrEnum):
    FULL = "full"
    RELEASED = "released"
    HIT_ONLY = "hit_only"
    NONE = "none"


class Distribution(StrEnum):
    AGENCY = "agency"
    COUNTRY = "country"
    NETWORK = "network"
    ALL = "all"
    GROUP = "group"


#: Roles that work with intelligence records. Administrators manage accounts and agencies and the
#: data-protection officer reads the audit log: neither sees record content (least privilege).
RECORD_ROLES = frozenset(
    {
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.PROSECUTOR,
        Role.PRISON_OFFICER,
        Role.LIAISON_OFFICER,
        Role.SUPERVISOR,
    }
)
#: Fields beyond the FtM properties that an owner can release.
RELEASABLE_META = frozenset({"subject_category", "source_ref"})
ALL_FIELDS = "*"


@dataclass(frozen=True, slots=True)
class Grant:
    """The union of an agency's unrevoked releases of one record."""

    fields: frozenset[str]
    judicial_use: bool

    @property
    def everything(self) -> bool:
        return ALL_FIELDS in self.fields


@dataclass(slots=True)
class Context:
    """What the policy needs to know about the viewer's world, read once per request."""

    user: UserInfo
    country: str | None
    networks: frozenset[str]
    groups: frozenset[str]
    agency_countries: dict[str, str]
    contact_points: dict[str, dict[str, str]]
    grants: dict[str, Grant] = field(default_factory=dict)
    _grants_loaded: set[str] = field(default_factory=set)

    def load_grants(self, conn: Connection, entities: Iterable[str | StoredEntity]) -> None:
        """Read the releases the user's agency holds for these records. Records it sees in full
        anyway need none; ids (rather than records) are always looked up."""
        ids: set[str] = set()
        for item in entities:
            if isinstance(item, str):
                ids.add(item)
            elif item.meta.agency != self.user.agency and (
                is_protected(item) or not in_distribution(item, self)
            ):
                ids.add(item.id)
        wanted = [i for i in ids if i not in self._grants_loaded]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = conn.execute(_GRANTS, {"ids": chunk, "agency": self.user.agency})
            for entity_id, fields, judicial in rows:
                self.add_grant(entity_id, fields or (), bool(judicial))
            self._grants_loaded.update(chunk)

    def add_grant(self, entity_id: str, fields: Iterable[str], judicial_use: bool) -> None:
        """One release to the user's agency, merged with those already known for the record."""
        old = self.grants.get(entity_id)
        merged = frozenset(fields) | (old.fields if old else frozenset())
        self.grants[entity_id] = Grant(merged, judicial_use or bool(old and old.judicial_use))
        self._grants_loaded.add(entity_id)


# Built once: every read pays for the policy's queries, not for constructing them again.
_AGENCIES = select(Agency.code, Agency.country, Agency.networks, Agency.contact_points)
_MEMBERSHIPS = select(SharingGroupMember.agency_code, SharingGroupMember.group_id)
_GRANTS = select(Release.entity_id, Release.fields, Release.judicial_use).where(
    Release.entity_id.in_(bindparam("ids", expanding=True)),
    Release.agency_code == bindparam("agency"),
    Release.revoked_at.is_(None),
)


#: How long a process trusts its copy of the agency directory (countries, networks, contact
#: points, sharing-group memberships). Changes made through vinculo in the same process apply at
#: once; a change made by another process (the CLI while the server runs) applies within this
#: many seconds.
DIRECTORY_TTL_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class _Directory:
    loaded_at: float
    countries: dict[str, str]
    networks: dict[str, frozenset[str]]
    contact_points: dict[str, dict[str, str]]
    memberships: dict[str, frozenset[str]]


_directories: weakref.WeakKeyDictionary[Engine, _Directory] = weakref.WeakKeyDictionary()
_directory_lock = threading.Lock()


def forget_directory() -> None:
    """Drop every cached agency directory (called whenever vinculo changes an agency or a
    sharing group's members)."""
    with _directory_lock:
        _directories.clear()


def _directory(conn: Connection) -> _Directory:
    engine = conn.engine
    now = time.monotonic()
    cached = _directories.get(engine)
    if cached is not None and now - cached.loaded_at < DIRECTORY_TTL_SECONDS:
        return cached
    rows = conn.execute(_AGENCIES).all()
    memberships: dict[str, set[str]] = {}
    for agency, group in conn.execute(_MEMBERSHIPS):
        memberships.setdefault(agency, set()).add(group)
    fresh = _Directory(
        now,
        {r.code: r.country for r in rows},
        {r.code: frozenset(r.networks or ()) for r in rows},
        {r.code: dict(r.contact_points or {}) for r in rows},
        {agency: frozenset(groups) for agency, groups in memberships.items()},
    )
    with _directory_lock:
        _directories[engine] = fresh
    return fresh


def load_context(
    conn: Connection, user: UserInfo, entities: Iterable[str | StoredEntity] = ()
) -> Context:
    """The policy's view of the user's world, with the releases for ``entities`` (records, or
    ids) read in one query."""
    directory = _directory(conn)
    ctx = Context(
        user=user,
        country=directory.countries.get(user.agency),
        networks=directory.networks.get(user.agency, frozenset()),
        groups=directory.memberships.get(user.agency, frozenset()),
        agency_countries=directory.countries,
        contact_points=directory.contact_points,
    )
    ctx.load_grants(conn, entities)
    return ctx


def read_records(
    conn: Connection, user: UserInfo, entity_ids: Iterable[str]
) -> tuple[list[StoredEntity], Context]:
    """Read records for a user together with what the policy needs to show them: one query for
    the records and the releases the user's agency holds for them (the agency directory is
    cached). Present each with ``present(user, entity, ctx)``."""
    found = get_entities_with_releases(conn, entity_ids, user.agency)
    ctx = load_context(conn, user)
    for entity, releases in found:
        ctx._grants_loaded.add(entity.id)  # known to hold none, when ``releases`` is empty
        for fields, judicial in releases:
            ctx.add_grant(entity.id, fields, judicial)
    return [entity for entity, _ in found], ctx


def works_with_records(user: UserInfo) -> bool:
    return user.is_active and any(r in RECORD_ROLES for r in user.roles)


def is_protected(entity: StoredEntity) -> bool:
    meta = entity.meta
    return meta.minor or (
        meta.subject_category is not None and meta.subject_category in PROTECTED_SUBJECT_CATEGORIES
    )


def in_distribution(entity: StoredEntity, ctx: Context) -> bool:
    """Whether the viewer's agency is inside the audience the owner chose for the record."""
    dist = entity.distribution
    ref = entity.distribution_ref
    if dist == Distribution.ALL:
        return True
    if dist == Distribution.COUNTRY:
        owner_country = ctx.agency_countries.get(entity.meta.agency)
        return owner_country is not None and owner_country == ctx.country
    if dist == Distribution.NETWORK:
        return ref is not None and ref in ctx.networks
    if dist == Distribution.GROUP:
        return ref is not None and ref in ctx.groups
    return False


@dataclass(frozen=True, slots=True)
class Decision:
    view: View
    #: For ``released``: the released fields (``*`` for all); empty otherwise.
    fields: frozenset[str]
    #: Why, in words an auditor can read.
    reason: str


def decide(user: UserInfo, entity: StoredEntity, ctx: Context) -> Decision:
    if not user.is_active:
        return Decision(View.NONE, frozenset(), "inactive account")
    if not works_with_records(user):
        return Decision(View.NONE, frozenset(), "role without access to records")
    if entity.meta.agency == user.agency:
        return Decision(View.FULL, frozenset(), "own agency")
    protected = is_protected(entity)
    if not protected and in_distribution(entity, ctx):
        return Decision(View.FULL, frozenset(), f"distribution {entity.distribution}")
    grant = ctx.grants.get(entity.id)
    if grant is not None and grant.fields:
        return Decision(View.RELEASED, grant.fields, "released by the owner")
    if protected:
        return Decision(View.HIT_ONLY, frozenset(), "protected data subject")
    return Decision(View.HIT_ONLY, frozenset(), "outside the distribution")


def may_use_judicially(user: UserInfo, entity: StoredEntity, ctx: Context) -> bool:
    """H1: not in judicial proceedings (a judicial package) without the owner's permission."""
    if decide(user, entity, ctx).view in (View.NONE, View.HIT_ONLY):
        return False
    if entity.meta.agency == user.agency:
        return True
    if entity.meta.handling_code != HandlingCode.H1:
        return True
    grant = ctx.grants.get(entity.id)
    return grant is not None and grant.judicial_use


def may_disseminate(
    user: UserInfo, entity: StoredEntity, ctx: Context, recipients: Iterable[str]
) -> bool:
    """Whether the user may pass the record's content on to ``recipients`` (agency codes).

    H2: not beyond the recipient without the owner's permission — the content may go back to its
    owner, not on to a third agency. Hit-only and protected records carry no content to pass on.
    """
    view = decide(user, entity, ctx).view
    if view in (View.NONE, View.HIT_ONLY):
        return False
    if entity.meta.agency == user.agency:
        return True
    others = set(recipients) - {user.agency, entity.meta.agency}
    return not (entity.meta.handling_code == HandlingCode.H2 and others)


def contact_point(entity: StoredEntity, ctx: Context) -> str | None:
    contacts = ctx.contact_points.get(entity.meta.agency, {})
    for market in entity.meta.markets:
        if market.value in contacts:
            return contacts[market.value]
    return contacts.get("default") or next(iter(contacts.values()), None)


@dataclass(frozen=True, slots=True)
class Visible:
    view: View
    data: dict[str, Any]


def present(user: UserInfo, entity: StoredEntity, ctx: Context) -> Visible:
    """The record as the user may see it: every field outside the decision left out."""
    decision = decide(user, entity, ctx)
    view = decision.view
    if view is View.NONE:
        return Visible(view, {})
    meta = entity.meta
    data: dict[str, Any] = {
        "id": entity.id,
        "schema": entity.proxy.schema.name,
        "agency": meta.agency,
        "agency_country": ctx.agency_countries.get(meta.agency),
        "markets": [m.value for m in meta.markets],
        "view": view.value,
    }
    if view is View.HIT_ONLY:
        data["contact_point"] = contact_point(entity, ctx)
        return Visible(view, data)
    # Whoever receives content receives its conditions with it.
    data.update(
        {
            "handling_code": meta.handling_code.value,
            "handling_text": meta.handling_text,
            "source_evaluation": meta.evaluation,
        }
    )
    properties: dict[str, list[str]] = entity.proxy.to_dict()["properties"]
    if view is View.RELEASED:
        everything = ALL_FIELDS in decision.fields and not is_protected(entity)
        released = {
            prop: values
            for prop, values in properties.items()
            if everything or prop in decision.fields
        }
        data["properties"] = released
        data["released_fields"] = sorted(decision.fields)
        caption_props = set(entity.proxy.schema.caption)
        if everything or caption_props & decision.fields:
            data["caption"] = entity.proxy.caption
        if everything or "subject_category" in decision.fields:
            data["subject_category"] = (
                meta.subject_category.value if meta.subject_category else None
            )
            data["minor"] = meta.minor
        if everything or "source_ref" in decision.fields:
            data["source_ref"] = meta.source_ref
        return Visible(view, data)
    data.update(
        {
            "caption": entity.proxy.caption,
            "properties": properties,
            "subject_category": meta.subject_category.value if meta.subject_category else None,
            "minor": meta.minor,
            "review_by": meta.review_by.isoformat() if meta.review_by else None,
            "distribution": entity.distribution,
            "distribution_ref": entity.distribution_ref,
            "source_ref": meta.source_ref,
            "flags": entity.flags,
            "created_at": entity.created_at.isoformat(),
            "updated_at": entity.updated_at.isoformat(),
        }
    )
    return Visible(view, data)
