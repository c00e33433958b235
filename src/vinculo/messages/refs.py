"""References from a message to records and hits.

A message stores only ids. Sending one checks that the sender may see each record and may pass it
on to the thread's agencies (H2); reading one shows each record through the reader's own policy
view, so a recipient never learns more of a record than the policy gives their agency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from vinculo.messages.errors import Forbidden, Invalid
from vinculo.model.metadata import HandlingCode
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.tables import Hit

MAX_ENTITY_REFS = 100
MAX_HIT_REFS = 20


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))


def check(
    conn: Connection,
    user: UserInfo,
    recipients: Sequence[str],
    entity_ids: Iterable[str],
    hit_ids: Iterable[str],
    action: str,
) -> tuple[list[str], list[str]]:
    """The references, cleaned, once the sender may send them to ``recipients``; raise otherwise."""
    entities = _unique(entity_ids)
    hits = _unique(hit_ids)
    if len(entities) > MAX_ENTITY_REFS or len(hits) > MAX_HIT_REFS:
        raise Invalid(
            f"at most {MAX_ENTITY_REFS} records and {MAX_HIT_REFS} hits per message",
            action=action,
        )
    records, ctx = policy.read_records(conn, user, entities)
    found = {e.id: e for e in records}
    for entity_id in entities:
        entity = found.get(entity_id)
        # The same words whether the record does not exist or the sender may not see it.
        if entity is None or policy.decide(user, entity, ctx).view is policy.View.NONE:
            raise Invalid(
                f"unknown record {entity_id!r}",
                action=action,
                object_type="entity",
                object_id=entity_id,
                reason="referenced record missing or not visible to the sender",
            )
        view = policy.decide(user, entity, ctx).view
        if view in (policy.View.FULL, policy.View.RELEASED) and not policy.may_disseminate(
            user, entity, ctx, recipients
        ):
            owner = entity.meta.agency
            third = sorted(set(recipients) - {user.agency, owner})
            code = entity.meta.handling_code
            raise Forbidden(
                f"record {entity_id} of {owner} has handling code {code.value}: it may not be "
                f"passed on beyond {user.agency} without {owner}'s permission, and this thread "
                f"would pass it to {', '.join(third)}"
                if code == HandlingCode.H2
                else f"record {entity_id} of {owner} may not be passed on to this thread",
                action=action,
                object_type="entity",
                object_id=entity_id,
                reason=f"{code.value} record of {owner} referenced to {', '.join(third)}",
            )
    if hits:
        rows = {
            r.id: r
            for r in conn.execute(
                select(Hit.id, Hit.left_agency, Hit.right_agency).where(Hit.id.in_(hits))
            )
        }
        for hit_id in hits:
            row = rows.get(hit_id)
            if row is None or user.agency not in (row.left_agency, row.right_agency):
                raise Invalid(
                    f"unknown hit {hit_id!r}",
                    action=action,
                    object_type="hit",
                    object_id=hit_id,
                    reason="referenced hit missing or not one of the sender's agency",
                )
    return entities, hits


@dataclass(frozen=True, slots=True)
class HitRef:
    id: str
    #: Shown only to users of the hit's two agencies; others see the id alone.
    schema: str | None = None
    status: str | None = None
    score: float | None = None
    agencies: list[str] | None = None


@dataclass(frozen=True, slots=True)
class Presented:
    #: Each record as the reader's policy shows it (see ``policy.present``).
    entities: dict[str, dict[str, Any]]
    #: Records referenced but no longer stored (deleted by their owner).
    unavailable: set[str]
    hits: dict[str, HitRef]
    #: How many records were shown in which view: for the audit log.
    views: dict[str, int]


def present(
    conn: Connection, user: UserInfo, entity_ids: Iterable[str], hit_ids: Iterable[str]
) -> Presented:
    """Everything a thread references, as this reader may see it."""
    wanted = _unique(entity_ids)
    records, ctx = policy.read_records(conn, user, wanted)
    found = {e.id: e for e in records}
    shown: dict[str, dict[str, Any]] = {}
    views: dict[str, int] = {}
    for entity_id, entity in found.items():
        visible = policy.present(user, entity, ctx)
        if visible.view is policy.View.NONE:
            continue
        shown[entity_id] = visible.data
        views[visible.view.value] = views.get(visible.view.value, 0) + 1
    hits: dict[str, HitRef] = {}
    wanted_hits = _unique(hit_ids)
    if wanted_hits:
        rows = conn.execute(select(Hit).where(Hit.id.in_(wanted_hits)))
        for r in rows:
            if user.agency in (r.left_agency, r.right_agency):
                hits[r.id] = HitRef(
                    r.id, r.schema, r.status, round(float(r.score), 4),
                    [r.left_agency, r.right_agency],
                )  # fmt: skip
    for hit_id in wanted_hits:
        hits.setdefault(hit_id, HitRef(hit_id))
    return Presented(shown, set(wanted) - set(found), hits, views)
