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
  (``Encoder._provably_different``).

``tests/matching/test_vectorised.py`` checks, pair by pair, that every level equals the scalar
``compare_people``'s on generated data and on hard name cases; the scalar code stays the
reference (real-time matching, Spark).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vinculo.identifiers import fold_name
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
from vinculo.names.compare import compare_given, compare_surnames
from vinculo.names.variants import given_name_variants

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
_DIFFERENT = {"given": _LEVEL["given"]["different"], "surnames": _LEVEL["surnames"]["different"]}
_COLUMN = {f: n for n, f in enumerate(_FEATURES)}
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
    them are *not* a typo, variant or gendered pair of each other (see ``_provably_different``)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.first: list[int] = []
        self.length: list[int] = []
        self.phonetic: list[int] = []
        self.known: list[bool] = []
        self.folded: list[bool] = []
        self.letters: list[list[int]] = []
        self._phonetics: dict[str, int] = {}
        self._arrays: dict[str, npt.NDArray[Any]] = {}
        self.variant_pairs = np.zeros(0, dtype=np.int64)
        self._variant_list: list[int] = []
        #: A variant string -> the tokens whose variants include it.
        self._wanted: dict[str, list[int]] = {}

    def id(self, token: str) -> int:
        number = self.ids.get(token)
        if number is not None:
            return number
        number = len(self.first)
        self.ids[token] = number
        self.first.append(ord(token[0]) if token else -1)
        self.length.append(len(token))
        code = phonetic(token)
        self.phonetic.append(self._phonetics.setdefault(code, len(self._phonetics)))
        self.known.append(token in name_data().given)
        self.folded.append(fold_name(token) == token)
        counts = [0] * 27
        for char in token:
            counts[ord(char) - 97 if "a" <= char <= "z" else 26] += 1
        self.letters.append(counts)
        # Variant pairs among the tokens seen so far, both ways (a pair wrongly taken for a
        # variant only goes through the scalar code).
        variants = given_name_variants(token) | name_data().variants.get(token, frozenset())
        for other in variants:
            other_id = self.ids.get(other)
            if other_id is not None and other_id != number:
                self._variant_list += [(number << 32) | other_id, (other_id << 32) | number]
            self._wanted.setdefault(other, []).append(number)
        for other_id in self._wanted.get(token, ()):
            if other_id != number:
                self._variant_list += [(number << 32) | other_id, (other_id << 32) | number]
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
                "letters": np.array(self.letters, dtype=np.int16).reshape(-1, 27),
            }
            self.variant_pairs = _unique(np.array(self._variant_list, dtype=np.int64))
        return self._arrays[name]

    def no_typo(self, a: I32, b: I32) -> Bool:
        """Pairs of tokens that ``is_typo`` provably rejects: lengths more than 2 apart, or
        different phonetic codes and at least 3 edits apart. The edit distance is bounded below
        by the bag distance of the letter counts (the non-letters counted as one letter), and
        ``_edits`` equals the Levenshtein distance from 3 edits on."""
        length = self.array("length")
        letters = self.array("letters")
        apart = np.abs(length[a] - length[b]) > 2
        difference = letters[a].astype(np.int32) - letters[b]
        bag = np.maximum(np.clip(difference, 0, None).sum(1), np.clip(-difference, 0, None).sum(1))
        sound = self.array("phonetic")
        result: Bool = apart | ((sound[a] != sound[b]) & (bag >= 3))
        return result

    def variants(self, a: I32, b: I32) -> Bool:
        self.array("first")
        found: Bool = np.isin(_pack(a, b), self.variant_pairs)
        return found


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
    #: A single regular birth date: its characters (NUL-padded), its length and its year.
    date_chars: npt.NDArray[np.uint8]
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
            date_chars=self.date_chars[rows],
            date_len=self.date_len[rows],
            date_year=self.date_year[rows],
            date_regular=self.date_regular[rows],
            dates_id=self.dates_id[rows],
            birth_place_id=self.birth_place_id[rows],
            gender=self.gender[rows],
            sets={k: v[rows] for k, v in self.sets.items()},
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
        #: Per given-name part: its one token (-1: several, or initials); per surname part: its
        #: one surname's core token (-1: several) and whether it has a maternal surname.
        self._given_token: list[int] = [-1]
        self._surname_token: list[int] = [-1]
        self._surname_maternal: list[bool] = [False]
        self._columns: dict[int, tuple[Sequence[Profile], Encoded]] = {}

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
        return Encoded(
            n, names_count, names_id, given_id, surname_id, date_count, date_chars, date_len,
            date_year, date_regular, dates_id, birth_place_id, gender, sets, sizes,
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
            if name in ("given", "surnames") and len(missing):
                resolved = self._provably_different(name, missing)
                if resolved.any():
                    cache.add(missing[resolved], np.full(int(resolved.sum()), _DIFFERENT[name],
                                                         dtype=np.int8))  # fmt: skip
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

    def _part_tokens(self) -> tuple[I32, I32, Bool]:
        """Token ids of the name parts (see ``__init__``), extended to the parts seen so far."""
        for name in self.given.values[len(self._given_token) :]:
            simple = len(name.given) == 1 and not name.initials and bool(name.given[0])
            self._given_token.append(self.tokens.id(name.given[0]) if simple else -1)
        for name in self.surnames.values[len(self._surname_token) :]:
            core = surname_core(name.surnames[0]) if len(name.surnames) == 1 else ""
            self._surname_token.append(self.tokens.id(core) if core else -1)
            self._surname_maternal.append(bool(name.maternal))
        return (
            np.array(self._given_token, dtype=np.int32),
            np.array(self._surname_token, dtype=np.int32),
            np.array(self._surname_maternal, dtype=np.bool_),
        )

    def _provably_different(self, name: str, keys: IntArray) -> Bool:
        """Which (part a, part b) keys the scalar code would call "different", decided on
        arrays; the others go through the scalar code.

        Given names, one token on each side and no initials: not a variant (the curated groups),
        not a gendered pair (those share their first letter), not a typo (``no_typo``; or both
        tokens known given names, which the scalar code never calls a typo of each other).
        Surnames, one on each side: different cores that are not a typo of each other, and no
        maternal surname on one side (so that "paternal_only_match" cannot apply)."""
        given_token, surname_token, maternal = self._part_tokens()
        part_a = (keys >> 32).astype(np.int64)
        part_b = (keys & 0xFFFFFFFF).astype(np.int64)
        tokens = self.tokens
        if name == "given":
            a, b = given_token[part_a], given_token[part_b]
            ok = (a >= 0) & (b >= 0)
            a, b = np.where(ok, a, 0), np.where(ok, b, 0)
            if not len(tokens.first):
                return np.zeros(len(keys), dtype=np.bool_)
            folded = tokens.array("folded")
            known = tokens.array("known")
            first = tokens.array("first")
            result: Bool = (
                ok
                & (a != b)
                & folded[a]
                & folded[b]
                & (first[a] != first[b])
                & ~tokens.variants(a, b)
                & ((known[a] & known[b]) | tokens.no_typo(a, b))
            )
            return result
        a, b = surname_token[part_a], surname_token[part_b]
        ok = (a >= 0) & (b >= 0)
        a, b = np.where(ok, a, 0), np.where(ok, b, 0)
        if not len(tokens.first):
            return np.zeros(len(keys), dtype=np.bool_)
        single: Bool = ok & (a != b) & ~(maternal[part_a] & maternal[part_b]) & tokens.no_typo(a, b)
        return single

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
        known = self._looked_up(left, right, lefts, rights, workers or os.cpu_count() or 1)
        out = np.empty((len(lefts), len(_FEATURES)), dtype=np.int8)
        for start in range(0, len(lefts), CHUNK):
            stop = min(start + CHUNK, len(lefts))
            out[start:stop] = self._levels(
                left.take(lefts[start:stop]),
                right.take(rights[start:stop]),
                lefts[start:stop],
                rights[start:stop],
                left_profiles,
                right_profiles,
                {name: column[start:stop] for name, column in known.items()},
            )
        return out

    def _levels(
        self,
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
        sa, sb, za, zb = a.sets, b.sets, a.set_sizes, b.set_sizes

        def meets(key: str, other: str | None = None) -> Bool:
            return _intersects(sa[key], sb[other or key])

        # national_id
        level = _LEVEL["national_id"]
        has_a, has_b = za["schemes"] > 0, zb["schemes"] > 0
        equal = meets("digits") | _intersects(sa["digits"], sb["weak"])
        equal |= _intersects(sb["digits"], sa["weak"])
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
            ids_a = np.array(
                [self._weak_id(left_profiles[i]) for i in lefts[rest].tolist()], dtype=np.int32
            )
            ids_b = np.array(
                [self._weak_id(right_profiles[j]) for j in rights[rest].tolist()], dtype=np.int32
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
            common = _common(sa["address"][rows], sb["address"][rows])
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
        ca, cb = a.date_chars[rows], b.date_chars[rows]
        la, lb = a.date_len[rows].astype(np.int32), b.date_len[rows].astype(np.int32)
        same_chars = ca == cb
        equal = same_chars.all(axis=1)  # NUL padding: equal characters means equal lengths
        full = (la == 10) & (lb == 10)
        same_length = la == lb
        year = same_chars[:, :4].all(axis=1)
        # Different lengths: the shorter a prefix of the longer ("1984" and "1984-03-02").
        prefix = np.logical_and.accumulate(same_chars, axis=1)
        shorter = np.minimum(la, lb)
        is_prefix = prefix[np.arange(len(rows)), shorter - 1]
        swapped = (
            year & (ca[:, 5:7] == cb[:, 8:10]).all(axis=1) & (ca[:, 8:10] == cb[:, 5:7]).all(axis=1)
        )
        one_digit = (~same_chars).sum(axis=1) == 1
        year_off = same_chars[:, 4:].all(axis=1) & (
            np.abs(a.date_year[rows] - b.date_year[rows]) == 1
        )
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


def _prefill_worker(jobs: list[tuple[str, int]]) -> list[int]:
    assert _PREFILL is not None
    encoder = _PREFILL
    return [encoder._function(name)(key >> 32, key & 0xFFFFFFFF) for name, key in jobs]


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
    pairs: Sequence[tuple[int, int]] | npt.NDArray[np.int64],
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
