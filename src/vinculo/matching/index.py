"""The resident candidate index: blocking key -> entities, in memory, persisted in ``match_key``
and rebuilt from it when a process starts matching.

Entity ids are interned as integers so that a large installation's index stays compact.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from sqlalchemy import Connection, select

from vinculo.store.tables import KeyExclusion, MatchKey

#: Keys made of one identifier value (a phone, an id number, an address): a value held by more
#: records than this is a placeholder or an institution's, not a person's.
IDENTIFIER_KEY_PREFIXES = ("ph:", "em:", "nid:", "wid:", "pp:", "id:", "addr:")
MAX_IDENTIFIER_HOLDERS = 50
#: Name and date keys group people by design; only a huge group ("SIN NOMBRE") is excluded.
MAX_NAME_HOLDERS = 2000


def max_holders(key: str) -> int:
    if key.startswith(IDENTIFIER_KEY_PREFIXES):
        return MAX_IDENTIFIER_HOLDERS
    return MAX_NAME_HOLDERS


#: How much sharing one key of a kind says that two records are one person, in rough bits: an
#: identifier far more than a birth date with an initial, which says more than a name's phonetic
#: key. Used only to rank candidates (``CandidateIndex.ranked``), never to score them.
KEY_STRENGTH: dict[str, float] = {
    "nid": 16.0, "pp": 16.0, "em": 14.0, "wid": 12.0, "ph": 12.0, "id": 16.0,
    "addr": 8.0, "dobs": 8.0, "dobg": 8.0, "ss": 4.0, "gp": 3.0, "s": 2.0, "g": 1.0,
}  # fmt: skip
#: Weight of a key kind not listed (a recall key, a future kind).
DEFAULT_STRENGTH = 2.0


#: At most this many bits for a key's rarity, so that the kind of key ranks first.
MAX_RARITY = 4.0


def key_strength(key: str, holders: int) -> float:
    """A key's kind strength, plus up to ``MAX_RARITY`` bits for rarity: "s:GRSI:j" held by
    1,500 records says less than "s:SBRKSSBL:j" held by 3."""
    kind = key.split(":", 1)[0]
    rarity = min(MAX_RARITY, math.log2(max_holders(key) / max(holders, 1)))
    return KEY_STRENGTH.get(kind, DEFAULT_STRENGTH) + max(rarity, 0.0)


class CandidateIndex:
    def __init__(self) -> None:
        self._ids: list[str] = []
        self._number: dict[str, int] = {}
        self._postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        self._keys_of: dict[int, tuple[str, ...]] = {}
        #: Entity number -> its agency's number (0: not known), to skip one's own agency early.
        self._agency_of = array("I")
        self._agencies: dict[str, int] = {}
        self.excluded: set[str] = set()

    def __len__(self) -> int:
        return len(self._keys_of)

    def _intern(self, entity_id: str) -> int:
        number = self._number.get(entity_id)
        if number is None:
            number = len(self._ids)
            self._ids.append(entity_id)
            self._number[entity_id] = number
        return number

    def add(self, entity_id: str, keys: Iterable[str], agency: str | None = None) -> None:
        self.remove(entity_id)
        number = self._intern(entity_id)
        unique = tuple(sorted(set(keys)))
        for key in unique:
            self._postings[key].append(number)
        self._keys_of[number] = unique
        if agency is not None:
            self.set_agency(entity_id, agency)

    def set_agency(self, entity_id: str, agency: str) -> None:
        number = self._intern(entity_id)
        code = self._agencies.setdefault(agency, len(self._agencies) + 1)
        if len(self._agency_of) <= number:
            self._agency_of.extend([0] * (number + 1 - len(self._agency_of)))
        self._agency_of[number] = code

    def remove(self, entity_id: str) -> None:
        number = self._number.get(entity_id)
        if number is None or number not in self._keys_of:
            return
        for key in self._keys_of.pop(number):
            postings = self._postings.get(key)
            if postings is not None:
                self._postings[key] = array("I", (n for n in postings if n != number))

    def holders(self, key: str) -> int:
        postings = self._postings.get(key)
        return len(postings) if postings is not None else 0

    def candidates(self, keys: Iterable[str]) -> tuple[set[str], set[str]]:
        """Entities sharing a usable key, and the keys found over-correlated on the way."""
        found: set[str] = set()
        oversized: set[str] = set()
        for key in keys:
            if key in self.excluded:
                continue
            postings = self._postings.get(key)
            if postings is None:
                continue
            if len(postings) > max_holders(key):
                oversized.add(key)
                continue
            found.update(self._ids[n] for n in postings)
        return found, oversized

    def ranked(
        self, keys: Iterable[str], agency: str | None = None, limit: int | None = None
    ) -> tuple[list[str], set[str], int]:
        """Entities sharing a usable key, strongest evidence first, and at most ``limit`` of
        them; the entities of ``agency`` are left out. A candidate's strength is the sum of the
        strengths of the keys it shares (``key_strength``): one that shares a phone number and
        a birth date comes before one that shares only a surname's phonetic key. Ties keep the
        order of indexing. Returns the entity ids, the keys found over-correlated and the
        number of candidates before the cut."""
        arrays: list[np.ndarray] = []
        strengths: list[float] = []
        oversized: set[str] = set()
        for key in keys:
            if key in self.excluded:
                continue
            postings = self._postings.get(key)
            if postings is None or not len(postings):
                continue
            if len(postings) > max_holders(key):
                oversized.add(key)
                continue
            arrays.append(np.frombuffer(postings, dtype=np.uint32))
            strengths.append(key_strength(key, len(postings)))
        if not arrays:
            return [], oversized, 0
        numbers = np.concatenate(arrays)
        weights = np.repeat(np.array(strengths), [len(a) for a in arrays])
        unique, inverse = np.unique(numbers, return_inverse=True)
        strength = np.bincount(inverse.reshape(-1), weights=weights, minlength=len(unique))
        code = self._agencies.get(agency) if agency is not None else None
        if code is not None and len(self._agency_of):
            agency_of = np.frombuffer(self._agency_of, dtype=np.uint32)
            known = unique < len(agency_of)
            mine = np.zeros(len(unique), dtype=np.bool_)
            mine[known] = agency_of[unique[known]] == code
            unique, strength = unique[~mine], strength[~mine]
        total = len(unique)
        order = np.lexsort((unique, -strength))
        if limit is not None:
            order = order[:limit]
        ids = self._ids
        return [ids[n] for n in unique[order].tolist()], oversized, total

    @classmethod
    def load(cls, conn: Connection) -> CandidateIndex:
        index = cls()
        keys_by_entity: dict[str, list[str]] = defaultdict(list)
        for key, entity_id in conn.execute(select(MatchKey.key, MatchKey.entity_id)):
            keys_by_entity[entity_id].append(key)
        for entity_id, keys in keys_by_entity.items():
            index.add(entity_id, keys)
        index.excluded = {k for (k,) in conn.execute(select(KeyExclusion.key))}
        return index
