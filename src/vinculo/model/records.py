"""A record: one agency's FtM entity, its intelligence metadata and what validation found."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import orjson
from followthemoney.proxy import EntityProxy

from vinculo.model.metadata import IntelligenceMeta

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def agency_slug(agency: str) -> str:
    return _SLUG_RE.sub("-", agency.lower()).strip("-")


def make_entity_id(agency: str, source_key: str) -> str:
    """Stable id from (agency, source key), so that re-importing a file updates, never duplicates.

    An id that vinculo already derived for this agency is returned unchanged: that is what makes an
    FtM export, imported again, keep its ids (and the references between its entities).
    """
    slug = agency_slug(agency)
    if source_key.startswith(slug + ".") and _is_derived(source_key, slug):
        return source_key
    digest = hashlib.sha1(f"{agency}\x1f{source_key}".encode(), usedforsecurity=False)
    return f"{slug}.{digest.hexdigest()[:24]}"


def _is_derived(value: str, slug: str) -> bool:
    tail = value[len(slug) + 1 :]
    return len(tail) == 24 and all(c in "0123456789abcdef" for c in tail)


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in a source row: where, what and how bad."""

    line: int
    column: str | None
    value: str | None
    reason: str
    #: ``error``: the row cannot be stored; ``warning``: stored, value flagged.
    severity: str = "error"

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "severity": self.severity,
        }


@dataclass(slots=True)
class Record:
    proxy: EntityProxy
    meta: IntelligenceMeta
    line: int | None = None
    flags: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        assert self.proxy.id is not None
        return self.proxy.id


def content_hash(schema: str, properties: dict[str, list[str]], meta: dict[str, object]) -> str:
    payload = orjson.dumps({"s": schema, "p": properties, "m": meta}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha1(payload, usedforsecurity=False).hexdigest()
