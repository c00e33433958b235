"""Comparison levels of many pairs at once, in NumPy: the same levels as ``compare_people``.

Profiles are encoded once into columns (``Encoder.encode``): every string of an identifier set
(phones, e-mails, passports, id numbers, address tokens, aliases, nationalities) is interned as an
integer and each set becomes a row of a padded integer array; a single birth date becomes its
characters and its year; names, birth places and multi-valued dates become the integer id of the
part of the profile their level depends on. A batch of pairs is then compared column by column:

* set features by broadcasting equality over the two padded rows (intersection, its size, set
  equality), then the scalar code's decision rules as boolean masks;
* single birth dates by comparing their characters (equality, prefix, one differing character,
  day and month swapped, year one apart);
* names, birth places, several birth dates and id numbers that differ (the one-edit typo rule) by
  the scalar code itself, called once per *distinct* pair of part ids and cached: a given name
  like "juan" meets the same few hundred given names over and over, so that a million candidate
  pairs need a few tens of thousands of scalar comparisons; and most of those are decided on
  arrays of name tokens first, when the scalar code would provably say "different"
  (``Encoder._decided``).

``tests/matching/test_vectorised.py`` checks, pair by pair, that every level equals the scalar
``compare_people``'s on generated data and on hard name cases; the scalar code stays the
reference (real-time matching, Spark).
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from vinculo.identifiers import fold_name
from vinculo.matching.blocking import Pairs
from vinculo.matching.compare import (
    MISSING,
    PERSON_FEATURES,
    any_within_one_edit,
    birth_place_level,
    compare_dates,
    name_levels,
)
from vinculo.matching.profile import Profile
from vinculo.names import PersonName, phonetic, surname_core
from vinculo.names._data import name_data
from vinculo.names.compare import compare_given, compare_surnames, is_typo
from vinculo.names.variants import SPECIAL_GENDERED_NAMES, given_name_variants
from vinculo.runtime import collector_paused

IntArray = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]

#: Pairs compared at once: bounds the memory of the broadcast set comparisons.
CHUNK = 65_536
#: Below this many distinct uncached name pairs, worker processes cost more than they save.
PARALLEL_MIN_DISTINCT = 20_000
_LEVEL = {f: {level: n for n, level in enumerate(levels)} for f, levels in PERSON_FEATURES.items()}
_FEATURES = list(PERSON_FEATURES)
_NONE: frozenset[str] = frozenset()
_DIFFERENT = {
    "given": _LEVEL["given"]["different"],
    "surnames": _LEVEL["surnames"]["different"],
    "place": _LEVEL["birth_place"]["different"],
}
_COLUMN = {f: n for n, f in enumerate(_FEATURES)}
_PT = 1
#: The set columns of a profile.
_SETS = (
    "digits", "schemes", "weak", "weak_or_digits", "passports", "phones", "emails", "address",
    "aliases", "countries",
)  # fmt: skip


class _Cache:
    """Results of the scalar code by packed (part a, part b) key: sorted keys, looked up with
    ``searchsorted`` so that a million pairs are looked up without a Python loop."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0, dtype=np.int8)

    def lookup(self, packed: IntArray) -> tuple[npt.NDArray[np.int8], Bool]:
        if not len(self.keys):
            return np.zeros(len(packed), dtype=np.int8), np.zeros(len(packed), dtype=np.bool_)
        at = np.minimum(np.searchsorted(self.keys, packed), len(self.keys) - 1)
        found: Bool = self.keys[at] == packed
        values: npt.NDArray[np.int8] = self.values[at]
        return values, found

    def add(self, keys: IntArray, values: npt.NDArray[np.int8]) -> None:
        merged = np.concatenate([self.keys, keys])
        order = np.argsort(merged, kind="stable")
        self.keys = merged[order]
        self.values = np.concatenate([self.values, values])[order]


def _unique(values: IntArray) -> IntArray:
    """Sorted distinct values. ``np.unique`` hashes (numpy 2) and takes seconds on the million
    packed name pairs of a first pass; a sort takes tens of milliseconds."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=np.bool_)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    result: IntArray = values[keep]
    return result


def _pack(parts_a: I32, parts_b: I32) -> IntArray:
    packed: IntArray = (parts_a.astype(np.int64) << 32) | parts_b.astype(np.int64)
    return packed


class _Tokens:
    """Name tokens (given names, surname cores) interned, with what decides cheaply that two of
    them are *not* a typo, variant or gendered pair of each other (see ``Encoder._decided``)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []
        self.first: list[int] = []
        self.length: list[int] = []
        self.phonetic: list[int] = []
        self.known: list[bool] = []
        self.folded: list[bool] = []
        #: Ends in "a" (every ending rule of a gendered pair needs one side to) or belongs to a
        #: gendered pair that no ending rule produces.
        self.ends_a: list[bool] = []
        self.special: list[bool] = []
        #: In the variants table at all (as a name or as one of a name's variants).
        self.listed: list[bool] = []
        self._phonetics: dict[str, int] = {}
        self._arrays: dict[str, npt.NDArray[Any]] = {}

    def id(self, token: str) -> int:
        number = self.ids.get(token)
        if number is not None:
            return number
        number = len(self.first)
        self.ids[token] = number
        self.strings.append(token)
        self.first.append(ord(token[0]) if token else -1)
        self.length.append(len(token))
        code = phonetic(token)
        self.phonetic.append(self._phonetics.setdefault(code, len(self._phonetics)))
        self.known.append(token in name_data().given)
        self.folded.append(fold_name(token) == token)
        self.ends_a.append(token.endswith("a"))
        self.special.append(token in SPECIAL_GENDERED_NAMES)
        self.listed.append(token in _variant_names())
        self._arrays.clear()
        return number

    def array(self, name: str) -> npt.NDArray[Any]:
        if not self._arrays:
            self._arrays = {
                "first": np.array(self.first, dtype=np.int32),
                "length": np.array(self.length, dtype=np.int32),
                "phonetic": np.array(self.phonetic, dtype=np.int32),
                "known": np.array(self.known, dtype=np.bool_),
                "folded": np.array(self.folded, dtype=np.bool_),
                "ends_a": np.array(self.ends_a, dtype=np.bool_),
                "special": np.array(self.special, dtype=np.bool_),
                "listed": np.array(self.listed, dtype=np.bool_),
                "letters": _letter_counts(self.strings),
            }
        return self._arrays[name]

    def variants(self, a: I32, b: I32) -> Bool:
        """Pairs that are variants of each other in either direction (the curated groups and
        the name table's variants), looked up pair by pair: far fewer pairs than tokens times
        their variants."""
        return self._each(a, b, lambda x, y: y in _variants_of(x) or x in _variants_of(y))

    def not_gendered(self, a: I32, b: I32, bag: I32 | None = None) -> Bool:
        """Pairs of folded tokens that ``gendered_pair`` provably rejects: the first letters
        differ, or neither ends in "a" (every ending rule needs one to), or they are 3 letters
        apart by bag distance or their lengths 2 apart (every ending rule changes at most
        two letters and the length by one); and not both names of the special pairs."""
        first, length = self.array("first"), self.array("length")
        ends_a, special = self.array("ends_a"), self.array("special")
        if bag is None:
            bag = self.bag(a, b)
        result: Bool = (
            (first[a] != first[b])
            | ~(ends_a[a] | ends_a[b])
            | (bag >= 3)
            | (np.abs(length[a] - length[b]) >= 2)
        ) & ~(special[a] & special[b])
        return result

    def listed_variant(self, a: I32, b: I32) -> Bool:
        """``are_variants`` exactly: the second is listed among the first's variants."""
        table = name_data().variants
        return self._each(a, b, lambda x, y: y in table.get(x, ()))

    def fits_initial(self, tokens: I32, letters: I32) -> Bool:
        """The token or one of its variants starts with the letter (``_initials_fit``)."""
        found: Bool = np.array(
            [
                letter in _initial_letters(self.strings[t])
                for t, letter in zip(tokens.tolist(), letters.tolist(), strict=True)
            ],
            dtype=np.bool_,
        )
        return found

    def bag(self, a: I32, b: I32) -> I32:
        """Bag distance of the letter counts (the non-letters counted as one letter): a lower
        bound of the edit distance."""
        letters = self.array("letters")
        difference = letters[a].astype(np.int32) - letters[b]
        bag: I32 = np.maximum(
            np.clip(difference, 0, None).sum(1), np.clip(-difference, 0, None).sum(1)
        )
        return bag

    def no_typo(self, a: I32, b: I32, bag: I32 | None = None) -> Bool:
        """Pairs of tokens that ``is_typo`` provably rejects: lengths more than 2 apart; the
        longer under 3 letters; or different phonetic codes and the longer under 4 letters, or
        at least 3 edits apart, or 2 edits apart and the longer under 7 letters. Edits are
        bounded below by ``bag`` (an adjacent transposition, which ``_edits`` counts as one,
        keeps the letter counts: bag 0)."""
        length = self.array("length")
        longest = np.maximum(length[a], length[b])
        apart = (np.abs(length[a] - length[b]) > 2) | (longest < 3)
        if bag is None:
            bag = self.bag(a, b)
        sound = self.array("phonetic")
        far = (bag >= 3) | ((bag >= 2) & (longest < 7)) | (longest < 4)
        result: Bool = apart | ((sound[a] != sound[b]) & far)
        return result

    def is_typo(self, a: I32, b: I32) -> Bool:
        """``is_typo`` itself on the pairs that arrays leave open (one call each, no more)."""
        return self._each(a, b, is_typo)

    def _each(self, a: I32, b: I32, test: Callable[[str, str], bool]) -> Bool:
        """``test`` of the two tokens' strings, pair by pair (the few pairs arrays leave)."""
        strings = self.strings
        found: Bool = np.array(
            [test(strings[x], strings[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)],
            dtype=np.bool_,
        )
        return found

    def typo(self, a: I32, b: I32) -> Bool:
        """Pairs of different tokens that ``is_typo`` provably accepts: lengths at most 2 apart,
        the same phonetic code, the longer at least 3 letters."""
        length = self.array("length")
        sound = self.array("phonetic")
        result: Bool = (
            (a != b)
            & (np.abs(length[a] - length[b]) <= 2)
            & (sound[a] == sound[b])
            & (np.maximum(length[a], length[b]) >= 3)
        )
        return result


class _PartArrays(NamedTuple):
    """Per given-name part: its one token when it is one name without initials (else -1), how
    many names and initials, its lone one-letter initial (a = 0; else -1), its one to three
    tokens when it has no initials (-1 padded), whether the names written together are in the
    variants table. Per surname part: how many surnames, their one to three core tokens (-1
    padded; all -1 when more or one is empty), the culture (0 none, ``_PT`` Portuguese)."""

    given_token: I32
    given_size: I32
    given_initial: I32
    given_tokens: I32
    given_listed: Bool
    surname_count: I32
    surname_cores: I32
    surname_culture: I32


class _Parts:
    """Interns hashable parts of profiles as integers (0 is reserved for "none") and keeps one
    representative of each, for the scalar comparison of distinct pairs."""

    def __init__(self) -> None:
        self.ids: dict[Hashable, int] = {}
        self.values: list[Any] = [None]

    def id(self, key: Hashable, value: Any) -> int:
        number = self.ids.get(key)
        if number is None:
            number = len(self.values)
            self.ids[key] = number
            self.values.append(value)
        return number


@dataclass
class Encoded:
    """The columns of a sequence of profiles (see the module's docstring)."""

    size: int
    names_count: npt.NDArray[np.int8]
    names_id: I32
    given_id: I32
    surname_id: I32
    date_count: npt.NDArray[np.int8]
    #: A single regular birth date: its ten characters (NUL-padded) packed little-endian, the
    #: first eight in ``date_lo`` and the last two in ``date_hi``; its length and its year.
    date_lo: npt.NDArray[np.uint64]
    date_hi: npt.NDArray[np.uint16]
    date_len: npt.NDArray[np.int8]
    date_year: I32
    #: 1 when the single date is regular (vectorised), 0 otherwise (scalar, by ``dates_id``).
    date_regular: Bool
    dates_id: I32
    birth_place_id: I32
    gender: I32
    sets: dict[str, I32]
    set_sizes: dict[str, npt.NDArray[np.int16]]

    def take(self, rows: IntArray) -> Encoded:
        return Encoded(
            size=len(rows),
            names_count=self.names_count[rows],
            names_id=self.names_id[rows],
            given_id=self.given_id[rows],
            surname_id=self.surname_id[rows],
            date_count=self.date_count[rows],
            date_lo=self.date_lo[rows],
            date_hi=self.date_hi[rows],
            date_len=self.date_len[rows],
            date_year=self.date_year[rows],
            date_regular=self.date_regular[rows],
            dates_id=self.dates_id[rows],
            birth_place_id=self.birth_place_id[rows],
            gender=self.gender[rows],
            sets={},  # gathered only for the pairs with values on both sides (``_levels``)
            set_sizes={k: v[rows] for k, v in self.set_sizes.items()},
        )


def _given_part(name: PersonName) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return name.given, name.initials


def _surname_part(
    name: PersonName,
) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    return name.surnames, name.culture, name.paternal, name.maternal


def _regular_date(value: str) -> bool:
    return 0 < len(value) <= 10 and value.isascii() and len(value) >= 4 and value[:4].isdigit()


class Encoder:
    """Encodes profiles into columns; the vocabularies and the caches of scalar results are
    shared by everything one encoder encodes, so that the two sides of a linkage compare."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.names = _Parts()
        self.given = _Parts()
        self.surnames = _Parts()
        self.dates = _Parts()
        self.places = _Parts()
        self.weak_sets = _Parts()
        self.genders: dict[str, int] = {}
        self.cache: dict[str, _Cache] = {}
        self.tokens = _Tokens()
        #: Per given-name part: how many given names and initials, its lone one-letter initial.
        self._given_size: list[int] = [0]
        self._given_initial: list[int] = [-1]
        #: Per given-name part without initials: its one to three tokens (-1 padded), and
        #: whether the names written together are in the variants table ("jose maria").
        self._given_tokens: list[list[int]] = [[-1, -1, -1]]
        self._given_listed: list[bool] = [False]
        self._given_joined: list[str] = [""]
        self._surname_cores: list[list[int]] = [[-1, -1, -1]]
        #: Cultures interned: 0 none, _PT Portuguese (the paternal surname comes last).
        self._cultures: dict[str | None, int] = {None: 0, "pt": _PT}
        self._surname_culture: list[int] = [0]
        self._surname_count: list[int] = [0]
        #: Per birth-place part holding one place: its length and letter counts (-1: several).
        self._place_length: list[int] = [-1]
        self._place_letters: list[npt.NDArray[np.int16]] = [np.zeros((1, 27), dtype=np.int16)]
        self._columns: dict[int, tuple[Sequence[Profile], Encoded]] = {}
        #: Held while the caches and the weak-id parts change (chunks run on threads).
        self._lock = threading.Lock()

    def _ints(self, values: frozenset[str] | set[str]) -> list[int]:
        if not values:
            return []
        strings = self.strings
        out = []
        for v in values:
            number = strings.get(v)
            if number is None:
                number = len(strings)
                strings[v] = number
            out.append(number)
        return out

    def encode(self, profiles: Sequence[Profile]) -> Encoded:
        n = len(profiles)
        names_count = np.zeros(n, dtype=np.int8)
        names_id = np.zeros(n, dtype=np.int32)
        given_id = np.zeros(n, dtype=np.int32)
        surname_id = np.zeros(n, dtype=np.int32)
        date_count = np.zeros(n, dtype=np.int8)
        date_chars = np.zeros((n, 10), dtype=np.uint8)
        date_len = np.zeros(n, dtype=np.int8)
        date_year = np.zeros(n, dtype=np.int32)
        date_regular = np.zeros(n, dtype=np.bool_)
        dates_id = np.zeros(n, dtype=np.int32)
        birth_place_id = np.zeros(n, dtype=np.int32)
        gender = np.zeros(n, dtype=np.int32)
        rows: dict[str, list[list[int]]] = {k: [] for k in _SETS}
        for i, p in enumerate(profiles):
            names_count[i] = min(len(p.names), 2)
            if p.names:
                names_id[i] = self.names.id(p.names, p.names)
                if len(p.names) == 1:
                    name = p.names[0]
                    given_id[i] = self.given.id(_given_part(name), name)
                    surname_id[i] = self.surnames.id(_surname_part(name), name)
            date_count[i] = min(len(p.birth_dates), 2)
            if p.birth_dates:
                dates_id[i] = self.dates.id(p.birth_dates, p.birth_dates)
                if len(p.birth_dates) == 1 and _regular_date(p.birth_dates[0]):
                    date = p.birth_dates[0]
                    encoded = date.encode("ascii")
                    date_chars[i, : len(encoded)] = np.frombuffer(encoded, dtype=np.uint8)
                    date_len[i] = len(date)
                    date_year[i] = int(date[:4])
                    date_regular[i] = True
            if p.birth_places:
                birth_place_id[i] = self.places.id(p.birth_places, p.birth_places)
            if p.gender and p.gender != "other":
                gender[i] = self.genders.setdefault(p.gender, len(self.genders) + 1)
            digits = {v.split(":", 1)[1] for v in p.national_ids} if p.national_ids else _NONE
            rows["digits"].append(self._ints(digits))
            rows["schemes"].append(
                self._ints({v.split(":", 1)[0] for v in p.national_ids}) if p.national_ids else []
            )
            rows["weak"].append(self._ints(p.weak_ids))
            rows["weak_or_digits"].append(self._ints(p.weak_ids | digits if digits else p.weak_ids))
            rows["passports"].append(self._ints(p.passports))
            rows["phones"].append(self._ints(p.phones))
            rows["emails"].append(self._ints(p.emails))
            rows["address"].append(self._ints(p.address_tokens))
            rows["aliases"].append(self._ints(p.aliases))
            rows["countries"].append(self._ints(p.countries))
        sets: dict[str, I32] = {}
        sizes: dict[str, npt.NDArray[np.int16]] = {}
        for key, values in rows.items():
            width = max((len(v) for v in values), default=0) or 1
            array = np.full((n, width), -1, dtype=np.int32)
            for i, v in enumerate(values):
                if v:
                    array[i, : len(v)] = v
            sets[key] = array
            sizes[key] = (array >= 0).sum(axis=1, dtype=np.int16)
        date_lo = np.ascontiguousarray(date_chars[:, :8]).view("<u8").ravel().astype(np.uint64)
        date_hi = np.ascontiguousarray(date_chars[:, 8:]).view("<u2").ravel().astype(np.uint16)
        return Encoded(
            n, names_count, names_id, given_id, surname_id, date_count, date_lo, date_hi,
            date_len, date_year, date_regular, dates_id, birth_place_id, gender, sets, sizes,
        )  # fmt: skip

    def columns(self, left: Sequence[Profile], right: Sequence[Profile]) -> tuple[Encoded, Encoded]:
        """The columns of both sides, encoded once per sequence by this encoder."""
        cached = self._columns.get(id(left))
        if cached is None or cached[0] is not left:
            cached = (left, self.encode(left))
            self._columns[id(left)] = cached
        if right is left:
            return cached[1], cached[1]
        other = self._columns.get(id(right))
        if other is None or other[0] is not right:
            other = (right, self.encode(right))
            self._columns[id(right)] = other
        return cached[1], other[1]

    # -- distinct pairs through the scalar code --------------------------------------------
    def _distinct(
        self,
        cache_name: str,
        parts_a: I32,
        parts_b: I32,
        function: Callable[[int, int], int],
    ) -> npt.NDArray[np.int8]:
        """``function`` of each distinct (part a, part b), computed once and cached."""
        with self._lock:
            return self._distinct_locked(cache_name, parts_a, parts_b, function)

    def _distinct_locked(
        self,
        cache_name: str,
        parts_a: I32,
        parts_b: I32,
        function: Callable[[int, int], int],
    ) -> npt.NDArray[np.int8]:
        cache = self.cache.setdefault(cache_name, _Cache())
        packed = _pack(parts_a, parts_b)
        values, found = cache.lookup(packed)
        if found.all():
            return values
        keys = _unique(packed[~found])
        results = np.array(
            [function(key >> 32, key & 0xFFFFFFFF) for key in keys.tolist()], dtype=np.int8
        )
        cache.add(keys, results)
        values, found = cache.lookup(packed)
        assert found.all()
        return values

    def _given_level(self, a: int, b: int) -> int:
        return _LEVEL["given"][compare_given(self.given.values[a], self.given.values[b])]

    def _surname_level(self, a: int, b: int) -> int:
        level = compare_surnames(self.surnames.values[a], self.surnames.values[b])
        return _LEVEL["surnames"][level]

    def _names_pair(self, a: int, b: int) -> int:
        given, surnames = name_levels(self.names.values[a], self.names.values[b])
        return _LEVEL["given"][given] * 16 + _LEVEL["surnames"][surnames]

    def _dates_level(self, a: int, b: int) -> int:
        return _LEVEL["birth_date"][compare_dates(self.dates.values[a], self.dates.values[b])]

    def _place_level(self, a: int, b: int) -> int:
        level = birth_place_level(self.places.values[a], self.places.values[b])
        return _LEVEL["birth_place"][level]

    def _weak_typo(self, a: int, b: int) -> int:
        typo = any_within_one_edit(self.weak_sets.values[a], self.weak_sets.values[b])
        return _LEVEL["weak_id"]["typo" if typo else "different"]

    def _looked_up(
        self,
        left: Encoded,
        right: Encoded,
        lefts: IntArray,
        rights: IntArray,
        workers: int,
    ) -> dict[str, npt.NDArray[np.int8]]:
        """Given-name, surname and birth-place levels of every pair whose two sides have one name
        (and a birth place): looked up in the caches, after computing the distinct pairs the
        caches lack, on ``workers`` forked processes when there are many."""
        single = (left.names_count[lefts] == 1) & (right.names_count[rights] == 1)
        place = (left.birth_place_id[lefts] > 0) & (right.birth_place_id[rights] > 0)
        found: dict[str, tuple[IntArray, IntArray, npt.NDArray[np.int8], Bool]] = {}
        jobs: list[tuple[str, int]] = []
        for name, mask, column_a, column_b in (
            ("given", single, left.given_id, right.given_id),
            ("surnames", single, left.surname_id, right.surname_id),
            ("place", place, left.birth_place_id, right.birth_place_id),
        ):
            rows = np.flatnonzero(mask)
            packed = _pack(column_a[lefts[rows]], column_b[rights[rows]])
            cache = self.cache.setdefault(name, _Cache())
            values, known = cache.lookup(packed)
            missing = _unique(packed[~known])
            if len(missing):
                if name == "place":
                    resolved = self._places_apart(missing)
                    decided = np.full(len(missing), _DIFFERENT[name], dtype=np.int8)
                else:
                    resolved, decided = self._decided(name, missing)
                if resolved.any():
                    cache.add(missing[resolved], decided[resolved])
                    missing = missing[~resolved]
            found[name] = (rows, packed, values, known)
            jobs.extend((name, key) for key in missing.tolist())
        self._compute(jobs, workers)
        out: dict[str, npt.NDArray[np.int8]] = {}
        for name, (rows, packed, values, known) in found.items():
            if not known.all():
                values[~known], again = self.cache[name].lookup(packed[~known])
                assert again.all()
            column = np.zeros(len(lefts), dtype=np.int8)
            column[rows] = values
            out[name] = column
        return out

    def _part_tokens(self) -> _PartArrays:
        """What ``_decided`` needs of every given-name and surname part, extended to the parts
        seen so far."""
        for name in self.given.values[len(self._given_size) :]:
            self._given_size.append(len(name.given) + len(name.initials))
            lone = not name.given and len(name.initials) == 1 and len(name.initials[0]) == 1
            letter = ord(name.initials[0]) - 97 if lone else -1
            self._given_initial.append(letter if 0 <= letter < 26 else -1)
            plain = not name.initials and 1 <= len(name.given) <= 3 and all(name.given)
            ids = [self.tokens.id(t) for t in name.given] if plain else []
            self._given_tokens.append([*ids, -1, -1, -1][:3])
            joined = fold_name(" ".join(name.given))
            self._given_listed.append(bool(joined) and joined in name_data().variants)
            self._given_joined.append(" ".join(name.given))
        for name in self.surnames.values[len(self._surname_count) :]:
            self._surname_count.append(len(name.surnames))
            cores = [surname_core(x) for x in name.surnames] if len(name.surnames) <= 3 else []
            ids = [self.tokens.id(c) for c in cores] if all(cores) else []
            self._surname_cores.append([*ids, -1, -1, -1][:3])
            self._surname_culture.append(
                self._cultures.setdefault(name.culture, len(self._cultures))
            )
        given_size = np.array(self._given_size, dtype=np.int32)
        given_tokens = np.array(self._given_tokens, dtype=np.int32).reshape(-1, 3)
        return _PartArrays(
            # One given name, no initials: its token (the only one of ``given_tokens``).
            given_token=np.where(given_size == 1, given_tokens[:, 0], -1).astype(np.int32),
            given_size=given_size,
            given_initial=np.array(self._given_initial, dtype=np.int32),
            given_tokens=given_tokens,
            given_listed=np.array(self._given_listed, dtype=np.bool_),
            surname_count=np.array(self._surname_count, dtype=np.int32),
            surname_cores=np.array(self._surname_cores, dtype=np.int32).reshape(-1, 3),
            surname_culture=np.array(self._surname_culture, dtype=np.int32),
        )

    def _decided(self, name: str, keys: IntArray) -> tuple[Bool, npt.NDArray[np.int8]]:
        """Which (part a, part b) keys of given names or surnames are decided on arrays, and
        their levels: what the scalar code would say, provably; the rest go through it.

        Given names: the same part on both sides is "exact" ("missing" when empty). One token on
        each side and no initials, not variants (the curated groups): not a gendered pair when
        the first letters differ, or neither ends in "a" (every ending rule needs one to),
        or the two are too far apart for an ending rule (3 letters by bag distance, or lengths
        2 apart), and not both names of the special pairs; then "different" when not a typo (both
        tokens known given names, which the scalar code never calls typos of each other, or
        ``no_typo``), "typo" when ``typo`` says so, and the rest by ``is_typo`` alone. One given
        name against a lone initial: "initial" or "different" by the first letters of the name
        and its variants.
        Surnames: the same part is "both_exact" ("missing" when empty); none on one side is
        "missing"; one or two on each side: every rule from the match matrix
        (``_surnames_matrix``); up to three against up to three, none of one side possibly the
        same as one of the other: "different". Compound given names: ``_compound_given`` and
        ``_equal_given``."""
        parts = self._part_tokens()
        given_token, given_size, initial = parts.given_token, parts.given_size, parts.given_initial
        given_tokens, given_listed = parts.given_tokens, parts.given_listed
        surname_count, cores, culture = (
            parts.surname_count,
            parts.surname_cores,
            parts.surname_culture,
        )
        part_a = (keys >> 32).astype(np.int64)
        part_b = (keys & 0xFFFFFFFF).astype(np.int64)
        levels = _LEVEL["given" if name == "given" else "surnames"]
        out = np.zeros(len(keys), dtype=np.int8)
        decided = np.zeros(len(keys), dtype=np.bool_)
        same = part_a == part_b
        tokens = self.tokens

        def set_(mask: Bool, level: str) -> None:
            mask = mask & ~decided
            out[mask] = levels[level]
            decided[mask] = True

        if name == "given":
            empty = given_size[part_a] == 0
            set_(same & empty, MISSING)
            set_(same & ~empty, "exact")
            set_((given_size[part_a] == 0) | (given_size[part_b] == 0), MISSING)
            if not len(tokens.first):
                return decided, out
            a, b = given_token[part_a], given_token[part_b]
            # One given name against one initial alone: "initial" when the name or one of its
            # variants starts with it (``_initials_fit``), else "different".
            for token, letter in ((a, initial[part_b]), (b, initial[part_a])):
                rows = np.flatnonzero((token >= 0) & (letter >= 0) & ~decided)
                fits = tokens.fits_initial(token[rows], letter[rows])
                set_(_rows(len(keys), rows[fits]), "initial")
                set_(_rows(len(keys), rows[~fits]), "different")
            self._compound_given(part_a, part_b, given_tokens, given_listed, decided, out)
            self._equal_given(part_a, part_b, given_tokens, given_listed, decided, out)
            ok = (a >= 0) & (b >= 0) & ~same
            if not ok.any():
                return decided, out
            a, b = np.where(ok, a, 0), np.where(ok, b, 0)
            folded, known = tokens.array("folded"), tokens.array("known")
            bag = tokens.bag(a, b)
            ok &= folded[a] & folded[b] & tokens.not_gendered(a, b, bag)
            # Two different names are variants only if both are in the table.
            listed = tokens.array("listed")
            rows = np.flatnonzero(ok & listed[a] & listed[b])
            ok[rows[tokens.variants(a[rows], b[rows])]] = False
            both_known = known[a] & known[b]
            set_(ok & (both_known | tokens.no_typo(a, b, bag)), "different")
            set_(ok & ~both_known & tokens.typo(a, b), "typo")
            rest = np.flatnonzero(ok & ~decided)
            if len(rest):
                typo = tokens.is_typo(a[rest], b[rest])
                out[rest] = np.where(typo, levels["typo"], levels["different"])
                decided[rest] = True
            return decided, out
        count_a, count_b = surname_count[part_a], surname_count[part_b]
        set_(same & (count_a == 0), MISSING)
        set_(same, "both_exact")
        set_((count_a == 0) | (count_b == 0), MISSING)
        if not len(tokens.first):
            return decided, out
        # One or two surnames on each side: every rule of the scalar code from the matrix of
        # which surnames match (equal, or a typo) across the two sides.
        rows = np.flatnonzero(
            (cores[part_a, 0] >= 0)
            & (cores[part_b, 0] >= 0)
            & (surname_count[part_a] <= 2)
            & (surname_count[part_b] <= 2)
            & ~decided
        )
        if len(rows):
            levels_of_rows = self._surnames_matrix(part_a[rows], part_b[rows], cores, culture)
            out[rows] = levels_of_rows
            decided[rows] = True
        # Up to three surnames on each side, no surname of one equal to or possibly a typo of
        # any of the other's: "different" — every other rule (equal, swapped, typos, one
        # missing, paternal only, one shared) needs such a pair, the paternal and maternal
        # surnames being two of the surnames.
        rows = np.flatnonzero((cores[part_a, 0] >= 0) & (cores[part_b, 0] >= 0) & ~decided)
        if len(rows):
            apart = np.ones(len(rows), dtype=np.bool_)
            for i in range(3):
                x = cores[part_a[rows], i]
                for j in range(3):
                    y = cores[part_b[rows], j]
                    present = (x >= 0) & (y >= 0)
                    xs, ys = np.where(present, x, 0), np.where(present, y, 0)
                    apart &= ~present | ((xs != ys) & tokens.no_typo(xs, ys))
            set_(_rows(len(keys), rows[apart]), "different")
        return decided, out

    def _compound_given(
        self,
        part_a: IntArray,
        part_b: IntArray,
        given_tokens: I32,
        given_listed: Bool,
        decided: Bool,
        out: npt.NDArray[np.int8],
    ) -> None:
        """One given name against two or three, no initials, the second side's names written
        together not listed as a variant of the first's: "compound_partial" when the one
        equals, or is listed as a variant of, one of the others; otherwise "different" when the
        first names cannot be a gendered pair. Other cases are left to the scalar code."""
        levels = _LEVEL["given"]
        tokens = self.tokens
        size_a = (given_tokens[part_a] >= 0).sum(axis=1)
        size_b = (given_tokens[part_b] >= 0).sum(axis=1)
        rows = np.flatnonzero(
            ~decided & (np.minimum(size_a, size_b) == 1) & (np.maximum(size_a, size_b) >= 2)
        )
        rows = self._not_joined_variants(part_a, part_b, rows, given_listed)
        if not len(rows):
            return
        a_short = size_a[rows] == 1
        short_part = np.where(a_short, part_a[rows], part_b[rows])
        long_part = np.where(a_short, part_b[rows], part_a[rows])
        x = given_tokens[short_part, 0]
        folded, listed = tokens.array("folded"), tokens.array("listed")
        matched = np.zeros(len(rows), dtype=np.bool_)
        for k in range(3):
            y = given_tokens[long_part, k]
            present = y >= 0
            ys = np.where(present, y, 0)
            matched |= present & (x == ys)
            check = np.flatnonzero(present & (x != ys) & listed[x] & listed[ys])
            if len(check):
                matched[check] |= tokens.listed_variant(x[check], ys[check])
        # The scalar code looks for a gendered pair between the first names of each side.
        first_a, first_b = given_tokens[part_a[rows], 0], given_tokens[part_b[rows], 0]
        not_gendered = tokens.not_gendered(first_a, first_b)
        plain = folded[first_a] & folded[first_b]  # gendered_pair folds; these need not
        compound = rows[matched]
        out[compound] = levels["compound_partial"]
        decided[compound] = True
        different = rows[~matched & not_gendered & plain]
        out[different] = levels["different"]
        decided[different] = True

    def _not_joined_variants(
        self, part_a: IntArray, part_b: IntArray, rows: IntArray, given_listed: Bool
    ) -> IntArray:
        """``rows`` less those whose second side's names written together are a listed
        variant of the first's ("jose maria" and "chema"): the scalar code's first question,
        asked as it asks it."""
        listed = np.flatnonzero(given_listed[part_a[rows]])
        if not len(listed):
            return rows
        joined = self._given_joined
        variant = np.array(
            [
                joined[b] in given_name_variants(joined[a])
                for a, b in zip(
                    part_a[rows[listed]].tolist(), part_b[rows[listed]].tolist(), strict=True
                )
            ],
            dtype=np.bool_,
        )
        kept: IntArray = np.delete(rows, listed[variant])
        return kept

    def _equal_given(
        self,
        part_a: IntArray,
        part_b: IntArray,
        given_tokens: I32,
        given_listed: Bool,
        decided: Bool,
        out: npt.NDArray[np.int8],
    ) -> None:
        """Two or three given names on each side, no initials: "different" when the first
        names cannot be a gendered pair and, in some position, the two names are neither equal
        nor listed variants nor possibly a typo (both known given names, or ``no_typo``): the
        variant, compound and typo rules all need every position to agree."""
        tokens = self.tokens
        size_a = (given_tokens[part_a] >= 0).sum(axis=1)
        size_b = (given_tokens[part_b] >= 0).sum(axis=1)
        rows = np.flatnonzero(~decided & (size_a == size_b) & (size_a >= 2))
        rows = self._not_joined_variants(part_a, part_b, rows, given_listed)
        if not len(rows):
            return
        folded, known = tokens.array("folded"), tokens.array("known")
        listed = tokens.array("listed")
        x_all, y_all = given_tokens[part_a[rows]], given_tokens[part_b[rows]]
        apart = np.zeros(len(rows), dtype=np.bool_)
        for k in range(3):
            x, y = x_all[:, k], y_all[:, k]
            present = (x >= 0) & (y >= 0)
            xs, ys = np.where(present, x, 0), np.where(present, y, 0)
            far = present & (xs != ys) & ((known[xs] & known[ys]) | tokens.no_typo(xs, ys))
            check = np.flatnonzero(far & listed[xs] & listed[ys])
            if len(check):
                far[check] &= ~tokens.listed_variant(xs[check], ys[check])
            apart |= far
        first_a, first_b = x_all[:, 0], y_all[:, 0]
        apart &= folded[first_a] & folded[first_b] & tokens.not_gendered(first_a, first_b)
        different = rows[apart]
        out[different] = _LEVEL["given"]["different"]
        decided[different] = True

    def _surnames_matrix(
        self, part_a: IntArray, part_b: IntArray, cores: I32, culture: I32
    ) -> npt.NDArray[np.int8]:
        """Surname levels of parts with one or two surnames each, as ``_compare_surnames``
        gives them, from which surnames are equal and which match (equal or ``is_typo``)."""
        levels = _LEVEL["surnames"]
        tokens = self.tokens
        n = len(part_a)
        x, y = cores[part_a, :2], cores[part_b, :2]
        equal = np.zeros((n, 2, 2), dtype=np.bool_)
        match = np.zeros((n, 2, 2), dtype=np.bool_)
        for i in range(2):
            for j in range(2):
                # Only where both sides have an i-th and a j-th surname (one each, mostly).
                at = np.flatnonzero((x[:, i] >= 0) & (y[:, j] >= 0))
                xs, ys = x[at, i], y[at, j]
                same = xs == ys
                typo = ~same & tokens.typo(xs, ys)
                open_ = np.flatnonzero(~same & ~typo & ~tokens.no_typo(xs, ys))
                if len(open_):
                    typo[open_] = tokens.is_typo(xs[open_], ys[open_])
                equal[at, i, j] = same
                match[at, i, j] = same | typo
        one_a, one_b = x[:, 1] < 0, y[:, 1] < 0
        pt_a, pt_b = culture[part_a] == _PT, culture[part_b] == _PT
        out = np.full(n, levels["different"], dtype=np.int8)
        decided = np.zeros(n, dtype=np.bool_)

        def set_(mask: Bool, level: str) -> None:
            mask = mask & ~decided
            out[mask] = levels[level]
            decided[mask] = True

        # One against one.
        single = one_a & one_b
        set_(single & equal[:, 0, 0], "both_exact")
        set_(single & match[:, 0, 0], "both_typo")
        set_(single, "different")
        # Two against two.
        double = ~one_a & ~one_b
        set_(double & equal[:, 0, 0] & equal[:, 1, 1], "both_exact")
        crossed = double & equal[:, 0, 1] & equal[:, 1, 0]
        same_culture = (culture[part_a] > 0) & (culture[part_a] == culture[part_b])
        set_(crossed & same_culture, "swapped")
        set_(crossed, "order_culture")
        set_(double & match[:, 0, 0] & match[:, 1, 1], "both_typo")
        # Paternal surname: the last of two for Portuguese names, the first otherwise.
        rows = np.arange(n)
        paternal_a, paternal_b = pt_a.astype(np.int64), pt_b.astype(np.int64)
        paternal = match[rows, paternal_a, paternal_b]
        maternal = match[rows, 1 - paternal_a, 1 - paternal_b]
        set_(double & paternal & ~maternal, "paternal_only_match")
        # One against two: the one matches the first surname of the two that can be the one
        # written (the paternal), or the Portuguese one's last: "one_missing".
        for short_is_a in (True, False):
            lone = (one_a & ~one_b) if short_is_a else (~one_a & one_b)
            first_match = match[:, 0, 0]
            second_match = match[:, 0, 1] if short_is_a else match[:, 1, 0]
            pt_long = pt_b if short_is_a else pt_a
            pt_short = pt_a if short_is_a else pt_b
            # The first surname of the two that matches the one (the scalar code's scan).
            at = np.where(first_match, 0, np.where(second_match, 1, -1))
            kept = np.asarray(
                np.where(at == 0, ~pt_long, (at == 1) & (pt_long | pt_short)), dtype=np.bool_
            )
            set_(lone & (at >= 0) & kept, "one_missing")
        shared: Bool = np.asarray(match.any(axis=(1, 2)), dtype=np.bool_)
        set_(shared, "one_shared")
        return out

    def _places_apart(self, keys: IntArray) -> Bool:
        """Which (place part a, place part b) keys ``birth_place_level`` calls "different",
        decided on arrays: one place on each side, different parts (so different strings), and
        lengths or letter counts too far apart for ``_within_one_edit`` (one substitution,
        insertion or deletion changes the bag distance by at most 1, a transposition not at
        all). The others go through the scalar code."""
        values = self.places.values
        if len(self._place_length) < len(values):
            new = values[len(self._place_length) :]
            single = [next(iter(p)) if len(p) == 1 else "" for p in new]
            self._place_length += [len(p) if len(p) == 1 else -1 for p in new]
            self._place_letters.append(_letter_counts(single))
            self._place_letters = [np.concatenate(self._place_letters)]
        length = np.array(self._place_length, dtype=np.int32)
        letters = self._place_letters[0]
        a = (keys >> 32).astype(np.int64)
        b = (keys & 0xFFFFFFFF).astype(np.int64)
        single = (length[a] >= 0) & (length[b] >= 0) & (a != b)
        difference = letters[a].astype(np.int32) - letters[b]
        bag = np.maximum(np.clip(difference, 0, None).sum(1), np.clip(-difference, 0, None).sum(1))
        apart: Bool = single & ((np.abs(length[a] - length[b]) > 1) | (bag >= 2))
        return apart

    def _compute(self, jobs: list[tuple[str, int]], workers: int) -> None:
        """Fill the caches with the scalar results of ``jobs`` ((cache name, packed key))."""
        if not jobs:
            return
        parallel = (
            len(jobs) >= PARALLEL_MIN_DISTINCT
            and workers >= 2
            and "fork" in multiprocessing.get_all_start_methods()
        )
        if parallel:
            global _PREFILL
            _PREFILL = self
            try:
                size = -(-len(jobs) // (workers * 4))
                parts = [jobs[i : i + size] for i in range(0, len(jobs), size)]
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    levels = [v for part in pool.map(_prefill_worker, parts) for v in part]
            finally:
                _PREFILL = None
        else:
            levels = [self._function(name)(key >> 32, key & 0xFFFFFFFF) for name, key in jobs]
        results: dict[str, tuple[list[int], list[int]]] = {}
        for (name, key), level in zip(jobs, levels, strict=True):
            keys, values = results.setdefault(name, ([], []))
            keys.append(key)
            values.append(level)
        for name, (keys, values) in results.items():
            self.cache[name].add(np.array(keys, dtype=np.int64), np.array(values, dtype=np.int8))

    def _function(self, name: str) -> Callable[[int, int], int]:
        return {
            "given": self._given_level,
            "surnames": self._surname_level,
            "place": self._place_level,
        }[name]

    # -- comparison ------------------------------------------------------------------------
    def levels(
        self,
        left: Encoded,
        right: Encoded,
        lefts: IntArray,
        rights: IntArray,
        left_profiles: Sequence[Profile],
        right_profiles: Sequence[Profile],
        workers: int | None = None,
    ) -> npt.NDArray[np.int8]:
        """(pairs × features) level indices in ``PERSON_FEATURES`` order, for the pairs
        (``left[lefts[k]]``, ``right[rights[k]]``). The distinct name and birth-place pairs
        not yet cached are compared on ``workers`` processes (default: all cores) first."""
        with collector_paused():
            return self._levels_of(
                left, right, lefts, rights, left_profiles, right_profiles, workers
            )

    def _levels_of(
        self,
        left: Encoded,
        right: Encoded,
        lefts: IntArray,
        rights: IntArray,
        left_profiles: Sequence[Profile],
        right_profiles: Sequence[Profile],
        workers: int | None,
    ) -> npt.NDArray[np.int8]:
        workers = workers or os.cpu_count() or 1
        known = self._looked_up(left, right, lefts, rights, workers)
        out = np.empty((len(lefts), len(_FEATURES)), dtype=np.int8)

        def chunk(start: int) -> None:
            stop = min(start + CHUNK, len(lefts))
            out[start:stop] = self._levels(
                left,
                right,
                left.take(lefts[start:stop]),
                right.take(rights[start:stop]),
                lefts[start:stop],
                rights[start:stop],
                left_profiles,
                right_profiles,
                {name: column[start:stop] for name, column in known.items()},
            )

        starts = range(0, len(lefts), CHUNK)
        if workers < 2 or len(starts) < 2:
            for start in starts:
                chunk(start)
        else:
            # Threads: the chunks are column operations in NumPy, which releases the GIL
            # while it loops; the few scalar comparisons left are serialised by ``_lock``.
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(chunk, starts))
        return out

    def _levels(
        self,
        whole_a: Encoded,
        whole_b: Encoded,
        a: Encoded,
        b: Encoded,
        lefts: IntArray,
        rights: IntArray,
        left_profiles: Sequence[Profile],
        right_profiles: Sequence[Profile],
        known: Mapping[str, npt.NDArray[np.int8]],
    ) -> npt.NDArray[np.int8]:
        n = a.size
        out = np.empty((n, len(_FEATURES)), dtype=np.int8)
        self._names_columns(a, b, out, known)
        out[:, _COLUMN["birth_date"]] = self._dates_column(a, b)
        za, zb = a.set_sizes, b.set_sizes

        def sets_of(key: str, other: str, rows: IntArray) -> tuple[I32, I32]:
            return whole_a.sets[key][lefts[rows]], whole_b.sets[other][rights[rows]]

        def meets(key: str, other: str | None = None) -> Bool:
            other = other or key
            # Only the pairs with values on both sides: most profiles have no phone, passport..
            rows = np.flatnonzero((za[key] > 0) & (zb[other] > 0))
            found = np.zeros(n, dtype=np.bool_)
            if len(rows):
                found[rows] = _intersects(*sets_of(key, other, rows))
            return found

        # national_id
        level = _LEVEL["national_id"]
        has_a, has_b = za["schemes"] > 0, zb["schemes"] > 0
        equal = meets("digits") | meets("digits", "weak") | meets("weak", "digits")
        column = np.full(n, level[MISSING], dtype=np.int8)
        column[(has_a & has_b) & meets("schemes")] = level["conflict"]
        column[(has_a | has_b) & equal] = level["equal"]
        out[:, _COLUMN["national_id"]] = column
        # weak_id
        level = _LEVEL["weak_id"]
        column = np.full(n, level[MISSING], dtype=np.int8)
        both = ((za["weak"] > 0) | (zb["weak"] > 0)) & (za["weak_or_digits"] > 0)
        both &= zb["weak_or_digits"] > 0
        same = both & meets("weak_or_digits")
        column[same] = level["equal"]
        rest = np.flatnonzero(both & ~same)
        if len(rest):
            with self._lock:
                ids_a = np.array(
                    [self._weak_id(left_profiles[i]) for i in lefts[rest].tolist()], dtype=np.int32
                )
                ids_b = np.array(
                    [self._weak_id(right_profiles[j]) for j in rights[rest].tolist()],
                    dtype=np.int32,
                )
            column[rest] = self._distinct("weak", ids_a, ids_b, self._weak_typo)
        out[:, _COLUMN["weak_id"]] = column
        # the plain shared-value features
        for feature, key, equal_level, other_level in (
            ("passport", "passports", "equal", "different"),
            ("phone", "phones", "shared", "different"),
            ("email", "emails", "shared", "different"),
            ("nationality", "countries", "overlap", "disjoint"),
        ):
            level = _LEVEL[feature]
            column = np.full(n, level[MISSING], dtype=np.int8)
            present = (za[key] > 0) & (zb[key] > 0)
            column[present] = level[other_level]
            column[present & meets(key)] = level[equal_level]
            out[:, _COLUMN[feature]] = column
        # address
        level = _LEVEL["address"]
        column = np.full(n, level[MISSING], dtype=np.int8)
        rows = np.flatnonzero((za["address"] > 0) & (zb["address"] > 0))
        if len(rows):
            common = _common(*sets_of("address", "address", rows))
            size_a = za["address"][rows].astype(np.int32)
            size_b = zb["address"][rows].astype(np.int32)
            sub = np.full(len(rows), level["different"], dtype=np.int8)
            sub[2 * common >= np.minimum(size_a, size_b)] = level["overlap"]
            sub[(common == size_a) & (common == size_b)] = level["exact"]
            column[rows] = sub
        out[:, _COLUMN["address"]] = column
        # birth place
        level = _LEVEL["birth_place"]
        column = np.full(n, level[MISSING], dtype=np.int8)
        present = (a.birth_place_id > 0) & (b.birth_place_id > 0)
        column[present] = known["place"][present]
        out[:, _COLUMN["birth_place"]] = column
        # alias
        level = _LEVEL["alias"]
        column = np.full(n, level[MISSING], dtype=np.int8)
        column[meets("aliases")] = level["shared"]
        out[:, _COLUMN["alias"]] = column
        # gender
        level = _LEVEL["gender"]
        column = np.full(n, level[MISSING], dtype=np.int8)
        present = (a.gender > 0) & (b.gender > 0)
        column[present] = level["conflict"]
        column[present & (a.gender == b.gender)] = level["agree"]
        out[:, _COLUMN["gender"]] = column
        return out

    def _weak_id(self, profile: Profile) -> int:
        values = profile.weak_ids | {v.split(":", 1)[1] for v in profile.national_ids}
        return self.weak_sets.id(values, values)

    def _names_columns(
        self,
        a: Encoded,
        b: Encoded,
        out: npt.NDArray[np.int8],
        known: Mapping[str, npt.NDArray[np.int8]],
    ) -> None:
        given = np.full(a.size, _LEVEL["given"][MISSING], dtype=np.int8)
        surnames = np.full(a.size, _LEVEL["surnames"][MISSING], dtype=np.int8)
        single = (a.names_count == 1) & (b.names_count == 1)
        given[single] = known["given"][single]
        surnames[single] = known["surnames"][single]
        several = np.flatnonzero(
            (a.names_count > 0) & (b.names_count > 0) & ((a.names_count > 1) | (b.names_count > 1))
        )
        if len(several):
            both = self._distinct(
                "names", a.names_id[several], b.names_id[several], self._names_pair
            ).astype(np.int16)
            given[several] = both // 16
            surnames[several] = both % 16
        out[:, _COLUMN["given"]] = given
        out[:, _COLUMN["surnames"]] = surnames

    def _dates_column(self, a: Encoded, b: Encoded) -> npt.NDArray[np.int8]:
        level = _LEVEL["birth_date"]
        column = np.full(a.size, level[MISSING], dtype=np.int8)
        present = (a.date_count > 0) & (b.date_count > 0)
        regular = present & a.date_regular & b.date_regular
        other = np.flatnonzero(present & ~regular)
        column[other] = self._distinct(
            "dates", a.dates_id[other], b.dates_id[other], self._dates_level
        )
        rows = np.flatnonzero(regular)
        if not len(rows):
            return column
        # The characters compared eight and two at a time: a byte of the XOR is zero where the
        # two dates have the same character.
        lo_a, lo_b = a.date_lo[rows], b.date_lo[rows]
        hi_a, hi_b = a.date_hi[rows], b.date_hi[rows]
        xl, xh = lo_a ^ lo_b, hi_a ^ hi_b
        la, lb = a.date_len[rows].astype(np.int32), b.date_len[rows].astype(np.int32)
        equal = (xl == 0) & (xh == 0)  # NUL padding: equal characters means equal lengths
        full = (la == 10) & (lb == 10)
        same_length = la == lb
        year = (xl & np.uint64(0xFFFFFFFF)) == 0
        # Different lengths: the shorter a prefix of the longer ("1984" and "1984-03-02").
        shorter = np.minimum(la, lb)
        is_prefix = ((xl & _PREFIX_LO[shorter]) == 0) & ((xh & _PREFIX_HI[shorter]) == 0)
        month_a = ((lo_a >> np.uint64(40)) & np.uint64(0xFFFF)).astype(np.uint16)
        month_b = ((lo_b >> np.uint64(40)) & np.uint64(0xFFFF)).astype(np.uint16)
        swapped = year & (month_a == hi_b) & (hi_a == month_b)
        one_digit = (_bytes_set(xl) + ((xh & 0xFF) != 0) + ((xh >> 8) != 0)) == 1
        year_off = ((xl >> np.uint64(32)) == 0) & (xh == 0)
        year_off &= np.abs(a.date_year[rows] - b.date_year[rows]) == 1
        sub = np.full(len(rows), level["conflict"], dtype=np.int8)
        # Order of the scalar rules, applied last to first so that the first one wins.
        sub[same_length & (la == 7) & year] = level["same_year"]
        sub[full & year] = level["same_year"]
        sub[full & year_off] = level["one_year_off"]
        sub[full & one_digit] = level["one_digit"]
        sub[full & swapped] = level["swapped_day_month"]
        sub[~same_length & ~is_prefix] = level["conflict"]
        sub[~same_length & is_prefix] = level["partial_agree"]
        sub[equal] = np.where(full[equal], level["exact"], level["partial_agree"])
        column[rows] = sub
        return column


_PREFILL: Encoder | None = None

#: By length L: the bits of ``date_lo`` and ``date_hi`` that hold a date's first L characters.
_PREFIX_LO = np.array(
    [(1 << (8 * min(n, 8))) - 1 for n in range(11)], dtype=np.uint64
)  # fmt: skip
_PREFIX_HI = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(11)], dtype=np.uint16)
_LOW_BITS = np.uint64(0x0101010101010101)


def _bytes_set(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """How many of the eight bytes of each value are not zero."""
    y = x | (x >> np.uint64(4))
    y |= y >> np.uint64(2)
    y |= y >> np.uint64(1)
    y &= _LOW_BITS
    counts: npt.NDArray[np.uint64] = (y * _LOW_BITS) >> np.uint64(56)
    return counts


def _prefill_worker(jobs: list[tuple[str, int]]) -> list[int]:
    assert _PREFILL is not None
    encoder = _PREFILL
    return [encoder._function(name)(key >> 32, key & 0xFFFFFFFF) for name, key in jobs]


@functools.lru_cache(maxsize=65536)
def _variants_of(token: str) -> frozenset[str]:
    return given_name_variants(token) | name_data().variants.get(token, frozenset())


@functools.cache
def _variant_names() -> frozenset[str]:
    table = name_data().variants
    return frozenset(table).union(*table.values())


@functools.lru_cache(maxsize=65536)
def _initial_letters(token: str) -> frozenset[int]:
    """Letter numbers (a = 0) the token and its variants start with."""
    return frozenset(
        ord(v[0]) - 97 for v in given_name_variants(token) | {token} if v and "a" <= v[0] <= "z"
    )


def _letter_counts(strings: Sequence[str]) -> npt.NDArray[np.int16]:
    """(strings × 27) counts of each letter a-z, the other characters counted together."""
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    codes = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
    bins = np.where((codes >= 97) & (codes <= 122), codes.astype(np.int64) - 97, 26)
    owner = np.repeat(np.arange(len(strings), dtype=np.int64), lengths)
    counts = np.bincount(owner * 27 + bins, minlength=len(strings) * 27)
    return counts.reshape(len(strings), 27).astype(np.int16)


def _rows(n: int, rows: IntArray) -> Bool:
    mask = np.zeros(n, dtype=np.bool_)
    mask[rows] = True
    return mask


def _intersects(a: I32, b: I32) -> Bool:
    """Rows of two padded integer sets (-1: no value) that share a value."""
    if a.shape[1] == 1 and b.shape[1] == 1:
        result: Bool = (a[:, 0] == b[:, 0]) & (a[:, 0] >= 0)
        return result
    found: Bool = ((a[:, :, None] == b[:, None, :]) & (a >= 0)[:, :, None]).any(axis=(1, 2))
    return found


def _common(a: I32, b: I32) -> npt.NDArray[np.int32]:
    """Size of the intersection of two padded integer sets, row by row."""
    equal = (a[:, :, None] == b[:, None, :]) & (a >= 0)[:, :, None]
    counts: npt.NDArray[np.int32] = equal.sum(axis=(1, 2), dtype=np.int32)
    return counts


def level_codes_vectorised(
    features: Mapping[str, tuple[str, ...]],
    left: Sequence[Profile],
    right: Sequence[Profile],
    pairs: Pairs,
    encoder: Encoder | None = None,
    encoded: tuple[Encoded, Encoded] | None = None,
    workers: int | None = None,
) -> npt.NDArray[np.int8]:
    """Level codes of ``pairs`` as ``Model.encode`` gives them (the model's feature and level
    order), computed vectorised. ``left`` and ``right`` may be the same sequence."""
    encoder = encoder or Encoder()
    if encoded is None:
        left_encoded = encoder.encode(left)
        right_encoded = left_encoded if right is left else encoder.encode(right)
    else:
        left_encoded, right_encoded = encoded
    if isinstance(pairs, np.ndarray):
        index = pairs.astype(np.int64).reshape(-1, 2)
    else:
        flat = itertools.chain.from_iterable(pairs)
        index = np.fromiter(flat, dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
    codes = encoder.levels(
        left_encoded, right_encoded, index[:, 0], index[:, 1], left, right, workers
    )
    return _reorder(codes, features)


def _reorder(
    codes: npt.NDArray[np.int8], features: Mapping[str, tuple[str, ...]]
) -> npt.NDArray[np.int8]:
    """From ``PERSON_FEATURES`` order to a model's own feature and level order."""
    if list(features) == _FEATURES and all(
        tuple(levels) == PERSON_FEATURES[f] for f, levels in features.items()
    ):
        return codes
    out = np.empty((len(codes), len(features)), dtype=np.int8)
    for column, (feature, levels) in enumerate(features.items()):
        mapping = np.array([levels.index(level) for level in PERSON_FEATURES[feature]])
        out[:, column] = mapping[codes[:, _COLUMN[feature]]]
    return out
