"""Hits: on ingest, every new or changed entity is checked against the other agencies' data.

``match_entities`` runs in the caller's transaction (the import batch's), so a hit never refers
to a record that was not committed, and a crash leaves neither half. Judgements are kept; a
rejected pair is raised again only when one of its records changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from vinculo.matching.blocking import profile_keys
from vinculo.matching.compare import compare_people, shared_strong
from vinculo.matching.index import CandidateIndex, max_holders
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile, from_values
from vinculo.model.normalise import ValueRow
from vinculo.store.tables import (
    Hit,
    HitJudgement,
    KeyExclusion,
    MatchKey,
    MatchProfile,
    utcnow,
)

#: Properties a profile is rebuilt from.
PROFILE_PROPS = (
    "name", "firstName", "lastName", "alias", "birthDate", "birthPlace", "gender", "nationality",
    "citizenship", "country", "address", "make", "title",
)  # fmt: skip
STATUSES = ("new", "needs_review", "confirmed", "rejected")
JUDGEMENTS = ("confirmed", "rejected", "needs_review")
STRONG_TEXT = {
    "imo": "same IMO number",
    "mmsi": "same MMSI",
    "container": "same container number",
    "vin": "same VIN",
    "iban": "same IBAN",
    "crypto": "same crypto address",
    "firearm": "same firearm make and serial number",
    "vehicle_registration": "same registration plate",
}


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the matcher needs to know of a freshly written entity."""

    id: str
    agency: str
    schema: str
    content_hash: str
    properties: Mapping[str, list[str]]
    values: Sequence[ValueRow]


def _profile_data(item: Indexed) -> dict[str, Any]:
    return {
        "properties": {p: item.properties[p] for p in PROFILE_PROPS if p in item.properties},
        "values": [[v.kind, v.prop, v.original, v.value, v.valid, v.scheme] for v in item.values],
    }


def profile_from_data(
    entity_id: str, agency: str, schema: str, content_hash: str, data: Mapping[str, Any]
) -> Profile:
    values = [ValueRow(k, p, o, v, bool(ok), s) for k, p, o, v, ok, s in data.get("values", [])]
    return from_values(
        entity_id, schema, data.get("properties", {}), values, agency, content_hash=content_hash
    )


#: A new person record is compared with at most this many candidates, the strongest first
#: (``CandidateIndex.ranked``): a common surname with a common initial can put two thousand
#: namesakes in one block, while the records of the same person share several keys, stronger
#: ones. Objects and accounts are not cut: they hit on strong identifiers only.
MAX_SCORED = 50


def hit_id(a: str, b: str) -> str:
    left, right = sorted((a, b))
    return hashlib.sha1(f"{left}\x1f{right}".encode(), usedforsecurity=False).hexdigest()


@dataclass
class Matcher:
    """Holds the resident index and profiles for one process."""

    model: Model
    index: CandidateIndex
    profiles: dict[str, Profile]

    @classmethod
    def load(cls, conn: Connection, model: Model | None = None) -> Matcher:
        profiles = {
            row.entity_id: profile_from_data(
                row.entity_id, row.agency_code, row.schema, row.content_hash, row.data
            )
            for row in conn.execute(select(MatchProfile))
        }
        index = CandidateIndex.load(conn)
        for profile in profiles.values():
            index.set_agency(profile.id, profile.agency)
        return cls(model or Model.load(), index, profiles)

    def candidates(self, profile: Profile, keys: Iterable[str]) -> tuple[list[Profile], set[str]]:
        """The records of other agencies (same schema) to compare ``profile`` with, strongest
        evidence first and at most ``MAX_SCORED`` of them for a person; and the keys found
        over-correlated on the way."""
        limit = MAX_SCORED if profile.is_person else None
        ranked, oversized, _ = self.index.ranked(keys, profile.agency, limit)
        found = []
        for other_id in ranked:
            other = self.profiles.get(other_id)
            if other is None or other.agency == profile.agency or other.schema != profile.schema:
                continue
            found.append(other)
        return found, oversized

    def match_entities(self, conn: Connection, items: Iterable[Indexed], score: bool = True) -> int:
        """Index the entities and (unless ``score`` is False) raise hits against other agencies;
        returns hits written."""
        items = list(items)
        if not items:
            return 0
        ids = [i.id for i in items]
        conn.execute(delete(MatchKey).where(MatchKey.entity_id.in_(ids)))
        conn.execute(delete(MatchProfile).where(MatchProfile.entity_id.in_(ids)))
        key_rows: list[dict[str, str]] = []
        profile_rows: list[dict[str, Any]] = []
        fresh: list[tuple[Profile, set[str]]] = []
        for item in items:
            # Built once: it is both what is stored and what the profile is read back from.
            data = _profile_data(item)
            profile = profile_from_data(item.id, item.agency, item.schema, item.content_hash, data)
            keys = profile_keys(profile)
            key_rows.extend({"key": k, "entity_id": item.id} for k in keys)
            profile_rows.append(
                {"entity_id": item.id, "agency_code": item.agency, "schema": item.schema,
                 "content_hash": item.content_hash, "data": data, "scored": score}
            )  # fmt: skip
            self.profiles[item.id] = profile
            self.index.add(item.id, keys, item.agency)
            fresh.append((profile, keys))
        if key_rows:
            conn.execute(insert(MatchKey), key_rows)
        conn.execute(insert(MatchProfile), profile_rows)
        if not score:
            return 0
        written = 0
        oversized_all: set[str] = set()
        for profile, keys in fresh:
            candidates, oversized = self.candidates(profile, keys)
            oversized_all |= oversized
            for other in candidates:
                written += self._score_pair(conn, profile, other)
        self._exclude(conn, oversized_all)
        return written

    def _score_pair(self, conn: Connection, a: Profile, b: Profile) -> int:
        if a.is_person:
            levels = compare_people(a, b)
            if self.model.probability_of(levels) < self.model.review_threshold:
                return 0
            scored = self.model.score(levels)
            score = scored.probability
            explanation = scored.explanation()
            level_data: dict[str, Any] = levels
        else:
            shared = shared_strong(a, b)
            if not shared:
                return 0
            score = 1.0
            explanation = sorted(
                STRONG_TEXT.get(s.split(":", 1)[0], "same identifier") + f" ({s.split(':')[-1]})"
                for s in shared
            )
            level_data = {"identifiers": sorted(shared)}
        if score < self.model.review_threshold:
            return 0
        status = "new" if score >= self.model.match_threshold else "needs_review"
        left, right = (a, b) if a.id < b.id else (b, a)
        key = hit_id(a.id, b.id)
        existing = conn.execute(select(Hit).where(Hit.id == key)).first()
        now = utcnow()
        values = {
            "score": score, "explanation": explanation, "levels": level_data,
            "left_hash": left.content_hash, "right_hash": right.content_hash, "updated_at": now,
        }  # fmt: skip
        if existing is None:
            conn.execute(
                insert(Hit).values(
                    id=key, left_id=left.id, right_id=right.id, left_agency=left.agency,
                    right_agency=right.agency, schema=left.schema, status=status,
                    created_at=now, **values,
                )
            )  # fmt: skip
            return 1
        unchanged = (existing.left_hash, existing.right_hash) == (
            left.content_hash,
            right.content_hash,
        )
        if existing.status in ("rejected", "confirmed") and unchanged:
            return 0  # a human judged exactly these records: that stands
        if existing.status in ("rejected", "confirmed"):
            values["status"] = status  # a record changed: the pair is raised again
        conn.execute(update(Hit).where(Hit.id == key).values(**values))
        return 1

    def _exclude(self, conn: Connection, keys: set[str]) -> None:
        new = keys - self.index.excluded
        if not new:
            return
        conn.execute(
            insert(KeyExclusion),
            [{"key": k, "source": "auto", "holders": self.index.holders(k),
              "reason": f"held by more than {max_holders(k)} records", "created_at": utcnow()}
             for k in sorted(new)],
        )  # fmt: skip
        self.index.excluded |= new


def judge(
    conn: Connection, hit: str, status: str, username: str, agency: str, note: str = ""
) -> None:
    """Record a human judgement on a hit: confirmed, rejected or needs_review."""
    if status not in JUDGEMENTS:
        raise ValueError(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    row = conn.execute(select(Hit).where(Hit.id == hit)).first()
    if row is None:
        raise LookupError(f"no hit {hit}")
    if agency not in (row.left_agency, row.right_agency):
        raise PermissionError("only the two agencies of a hit may judge it")
    now = utcnow()
    conn.execute(update(Hit).where(Hit.id == hit).values(status=status, updated_at=now))
    conn.execute(
        insert(HitJudgement).values(
            hit_id=hit, username=username, agency_code=agency, status=status, note=note,
            created_at=now,
        )
    )  # fmt: skip


def merged_profile(conn: Connection, entity_id: str) -> set[str]:
    """The entity and every record joined to it through confirmed hits, across agencies."""
    seen = {entity_id}
    frontier = [entity_id]
    while frontier:
        rows = conn.execute(
            select(Hit.left_id, Hit.right_id).where(
                Hit.status == "confirmed",
                (Hit.left_id.in_(frontier)) | (Hit.right_id.in_(frontier)),
            )
        ).all()
        frontier = []
        for left, right in rows:
            for other in (left, right):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return seen


def exclude_key(conn: Connection, key: str, reason: str, username: str) -> None:
    conn.execute(delete(KeyExclusion).where(KeyExclusion.key == key))
    conn.execute(
        insert(KeyExclusion).values(
            key=key, source="manual", holders=0, reason=reason, created_at=utcnow(),
            created_by=username,
        )
    )  # fmt: skip


def xref_agency(
    engine: Any,
    agency: str | None = None,
    batch: int = 1000,
    progress: Any = None,
    matcher: Matcher | None = None,
) -> tuple[int, int]:
    """Batch cross-referencing of ``agency`` against all others (or of the whole installation):
    every entity not yet checked, or changed since, is indexed and checked. With one agency, the
    others' unindexed entities are first indexed (not checked), so that they can be found.
    Resumable: each batch commits, and finished entities are skipped on the next run.
    Returns (entities checked, hits written)."""
    from vinculo.store.tables import Entity

    with engine.connect() as conn:
        matcher = matcher or Matcher.load(conn)
        stmt = (
            select(
                Entity.id,
                Entity.agency_code,
                Entity.content_hash,
                MatchProfile.content_hash.label("indexed"),
                MatchProfile.scored,
            )
            .outerjoin(MatchProfile, MatchProfile.entity_id == Entity.id)
            .order_by(Entity.id)
        )
        rows = list(conn.execute(stmt))
    mine = [r.id for r in rows if (agency is None or r.agency_code == agency)
            and (r.indexed != r.content_hash or not r.scored)]  # fmt: skip
    others = [r.id for r in rows if agency is not None and r.agency_code != agency
              and r.indexed != r.content_hash]  # fmt: skip
    _process(engine, matcher, others, batch, score=False)
    done = written = 0
    for start in range(0, len(mine), batch):
        chunk = mine[start : start + batch]
        written += _process(engine, matcher, chunk, batch, score=True)
        done += len(chunk)
        if progress:
            progress(done, len(mine))
    return done, written


def _process(engine: Any, matcher: Matcher, ids: list[str], batch: int, score: bool) -> int:
    from vinculo.store.entities import CHUNK
    from vinculo.store.tables import Entity, EntityValue

    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with engine.begin() as conn:
            rows = list(conn.execute(select(Entity).where(Entity.id.in_(chunk))))
            values: dict[str, list[ValueRow]] = {}
            for part in range(0, len(chunk), CHUNK):
                for v in conn.execute(
                    select(EntityValue).where(EntityValue.entity_id.in_(chunk[part : part + CHUNK]))
                ):
                    values.setdefault(v.entity_id, []).append(
                        ValueRow(v.kind, v.prop, v.original, v.value, v.valid, v.scheme)
                    )
            written += matcher.match_entities(
                conn,
                [
                    Indexed(r.id, r.agency_code, r.schema, r.content_hash, r.properties,
                            values.get(r.id, []))
                    for r in rows
                ],
                score=score,
            )  # fmt: skip
    return written
