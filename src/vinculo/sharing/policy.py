"""The one chokepoint deciding what a user may see of a record.

Until owners can widen distribution (sharing groups, networks, releases), the rule is the
strictest one that still lets cross-matching work: an agency sees its own records in full; other
agencies' records only as a hit (that the record exists, its owner, schema and markets), never
their content.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vinculo.sharing.directory import UserInfo
from vinculo.store.entities import StoredEntity


class View(StrEnum):
    FULL = "full"
    HIT_ONLY = "hit_only"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Visible:
    view: View
    data: dict[str, Any]


def decide(user: UserInfo, entity: StoredEntity) -> View:
    if not user.is_active:
        return View.NONE
    if entity.meta.agency == user.agency:
        return View.FULL
    return View.HIT_ONLY


def present(user: UserInfo, entity: StoredEntity, agency_country: str | None = None) -> Visible:
    view = decide(user, entity)
    if view is View.NONE:
        return Visible(view, {})
    meta = entity.meta
    base: dict[str, Any] = {
        "id": entity.id,
        "schema": entity.proxy.schema.name,
        "agency": meta.agency,
        "agency_country": agency_country,
        "markets": [m.value for m in meta.markets],
        "view": view.value,
    }
    if view is View.HIT_ONLY:
        return Visible(view, base)
    base.update(
        {
            "caption": entity.proxy.caption,
            "properties": entity.proxy.to_dict()["properties"],
            "handling_code": meta.handling_code.value,
            "handling_text": meta.handling_text,
            "source_evaluation": meta.evaluation,
            "subject_category": meta.subject_category.value if meta.subject_category else None,
            "minor": meta.minor,
            "review_by": meta.review_by.isoformat() if meta.review_by else None,
            "source_ref": meta.source_ref,
            "flags": entity.flags,
            "created_at": entity.created_at.isoformat(),
            "updated_at": entity.updated_at.isoformat(),
        }
    )
    return Visible(view, base)
