"""The resident candidate index: blocking key -> entities, in memory, persisted in ``match_key``
and rebuilt from it when a process starts matching.

Entity ids are interned as integers so that a large installation's index stays compact.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable

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


class CandidateIndex:
    def __init__(self) -> None:
        self._ids: list[str] = []
        self._number: dict[str, int] = {}
        self._postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        self._keys_of: dict[int, tuple[str, ...]] = {}
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

    def add(self, entity_id: str, keys: Iterable[str]) -> None:
        self.remove(entity_id)
        number = self._intern(entity_id)
        unique = tuple(sorted(set(keys)))
        for key in unique:
            self._postings[key].append(number)
        self._keys_of[number] = unique

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
