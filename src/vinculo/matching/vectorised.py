"""Comparison levels of many pairs at once, in NumPy: the same levels as ``compare_people``.

Profiles are encoded once into columns (``Encoder.encode``): every string of an identifier set
(phones, e-mails, passports, id numbers, address tokens, aliases, nationalities) is interned as an
integer and each set becomes a row of a padded integer array; a single birth date becomes its
characters and its year; names, birth places and multi-valued dates become the integer id of the
part of the profile their level depends on. A batch of pairs is then compared column by column:

* set features by comparing the two padded rows slot by slot (intersection, its size, set
  equality), then the scalar code's decision rules as boolean masks;
* single birth dates by comparing their characters (equality, prefix, one differing character,
  day and month swapped, year one apart);
* names, birth places, several birth dates and id numbers that differ (the one-edit typo rule)
  once per *distinct* pair of part ids, cached: a given name like "juan" meets the same few
  hundred given names over and over. Names and birth places are decided on arrays of what the
  rules need of each name token, computed once when the name is encoded, exactly as the scalar
  rules decide them (``Encoder._decided``); the few pairs the arrays leave, and the rest, go
  through the scalar code itself.

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
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
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
from vinculo.names.variants import SPECIAL_GENDERED_NAMES, gendered_pair, given_name_variants
from vinculo.runtime import collector_paused

IntArray = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]

#: Pairs compared at once: bounds the memory of the broadcast set comparisons.
CHUNK = 65_536
#: Below this many distinct uncached name pairs, worker processes cost more than they save.
PARALLEL_MIN_DISTINCT = 20_000
#: Below this many distinct name pairs of one feature left to the scalar code, they are
#: compared at once on the thread that decided the others (at most a few tens of milliseconds).
SCALAR_IN_THREAD = 2_000
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
        # Sorted first: ``searchsorted`` of sorted queries walks the keys in order, several
        # times faster than the same queries in random order, sort included.
        order = np.argsort(packed)
        queries = packed[order]
        at = np.minimum(np.searchsorted(self.keys, queries), len(self.keys) - 1)
        found = np.empty(len(packed), dtype=np.bool_)
        found[order] = self.keys[at] == queries
        values = np.empty(len(packed), dtype=np.int8)
        values[order] = self.values[at]
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


def _member(keys: IntArray, values: IntArray) -> Bool:
    """Which values are among the sorted keys."""
    if not len(keys):
        return np.zeros(len(values), dtype=np.bool_)
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    found: Bool = keys[at] == values
    return found


def _unique_inverse(values: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct values, and where each value is among them (as ``_unique``: a sort)."""
    order = np.argsort(values)
    ordered = values[order]
    keep = np.empty(len(values), dtype=np.bool_)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(keep) - 1
    unique: IntArray = ordered[keep]
    return unique, inverse


def _pack(parts_a: npt.NDArray[np.integer[Any]], parts_b: npt.NDArray[np.integer[Any]]) -> IntArray:
    packed: IntArray = (parts_a.astype(np.int64) << 32) | parts_b.astype(np.int64)
    return packed


class _Tokens:
    """Name tokens (given names, surname cores) interned, with what decides cheaply whether two
    of them are a typo, variant or gendered pair of each other (see ``Encoder._decided``).

    A token's attributes are computed once, when the encoder that saw it first finishes
    encoding (``flush``), so that a first pass over pairs does only pair work."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []
        self._phonetics: dict[str, int] = {}
        #: Folded tokens and the feminine forms the ending rules give them, interned together:
        #: a gendered pair by ending is a token whose folded form is one of the other's forms.
        self._forms: dict[str, int] = {}
        self._arrays: dict[str, npt.NDArray[Any]] = {
            "length": np.zeros(0, dtype=np.int32),
            "phonetic": np.zeros(0, dtype=np.int32),
            "known": np.zeros(0, dtype=np.bool_),
            "special": np.zeros(0, dtype=np.bool_),
            "form": np.zeros(0, dtype=np.int32),
            "feminine": np.zeros((0, 2), dtype=np.int32),
            "letters": np.zeros((0, 27), dtype=np.int16),
            "bits_lo": np.zeros(0, dtype=np.uint64),
            "bits_hi": np.zeros(0, dtype=np.uint64),
            "many": np.zeros(0, dtype=np.bool_),
            "raw": np.zeros(0, dtype=np.int32),
        }
        #: (token as written, a variant the table lists for it) as packed form ids, sorted.
        self._variants = np.zeros(0, dtype=np.int64)

    def id(self, token: str) -> int:
        number = self.ids.get(token)
        if number is None:
            number = len(self.strings)
            self.ids[token] = number
            self.strings.append(token)
        return number

    def flush(self) -> None:
        """Compute the attributes of the tokens interned since the last call."""
        new = self.strings[len(self._arrays["length"]) :]
        if not new:
            return
        data = name_data()
        folded = [fold_name(t) for t in new]
        phonetics, forms = self._phonetics, self._forms
        feminine = [
            [*(forms.setdefault(f, len(forms)) for f in _feminine(x)), -1, -1][:2] for x in folded
        ]
        letters = _letter_counts(new)
        bits_lo, bits_hi, many = _letter_bits(letters)
        raw = [forms.setdefault(t, len(forms)) for t in new]
        pairs = [
            (number, forms.setdefault(v, len(forms)))
            for t, number in zip(new, raw, strict=True)
            for v in data.variants.get(t, ())
        ]
        if pairs:
            listed = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            self._variants = np.sort(
                np.concatenate([self._variants, _pack(listed[:, 0], listed[:, 1])])
            )
        added: dict[str, npt.NDArray[Any]] = {
            "length": np.fromiter(map(len, new), dtype=np.int32, count=len(new)),
            "phonetic": np.array(
                [phonetics.setdefault(phonetic(t), len(phonetics)) for t in new], dtype=np.int32
            ),
            "known": np.array([t in data.given for t in new], dtype=np.bool_),
            "special": np.array([x in SPECIAL_GENDERED_NAMES for x in folded], dtype=np.bool_),
            "form": np.array([forms.setdefault(x, len(forms)) for x in folded], dtype=np.int32),
            "feminine": np.array(feminine, dtype=np.int32).reshape(-1, 2),
            "letters": letters,
            "bits_lo": bits_lo,
            "bits_hi": bits_hi,
            "many": many,
            "raw": np.array(raw, dtype=np.int32),
        }
        self._arrays = {k: np.concatenate([v, added[k]]) for k, v in self._arrays.items()}

    def array(self, name: str) -> npt.NDArray[Any]:
        return self._arrays[name]

    def gendered(self, a: I32, b: I32) -> Bool:
        """``gendered_pair`` of each pair, exactly: called only on the pairs that can be one
        (both names of the special pairs, or one folded token among the feminine forms the
        ending rules give the other's); the others are not."""
        form, feminine = self._arrays["form"], self._arrays["feminine"]
        special = self._arrays["special"]
        candidate = (special[a] & special[b]) | (form[a] != form[b]) & (
            (feminine[a, 0] == form[b])
            | (feminine[a, 1] == form[b])
            | (feminine[b, 0] == form[a])
            | (feminine[b, 1] == form[a])
        )
        result = np.zeros(len(a), dtype=np.bool_)
        rows = np.flatnonzero(candidate)
        if len(rows):
            result[rows] = self._each(a[rows], b[rows], gendered_pair)
        return result

    def listed_variant(self, a: I32, b: I32) -> Bool:
        """``are_variants`` of two different tokens exactly: the second is listed among the
        first's variants."""
        raw = self._arrays["raw"]
        listed: Bool = (a != b) & _member(self._variants, _pack(raw[a], raw[b]))
        return listed

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
        bound of the edit distance. The letters both share are counted by the bits they share
        (``_letter_bits``), the counts themselves only where both tokens have a letter more
        than four times."""
        length = self._arrays["length"]
        lo, hi = self._arrays["bits_lo"], self._arrays["bits_hi"]
        common = np.bitwise_count(lo[a] & lo[b]).astype(np.int32)
        common += np.bitwise_count(hi[a] & hi[b])
        bag: I32 = np.maximum(length[a], length[b]) - common
        many = self._arrays["many"]
        rows = np.flatnonzero(many[a] & many[b])
        if len(rows):
            letters = self._arrays["letters"]
            shared = np.minimum(letters[a[rows]], letters[b[rows]]).sum(1, dtype=np.int32)
            bag[rows] = np.maximum(length[a[rows]], length[b[rows]]) - shared
        return bag

    def is_typo(self, a: I32, b: I32) -> Bool:
        """``is_typo`` of each pair, on arrays where they decide: different tokens, lengths at
        most 2 apart and the longer at least 3 letters, with the same phonetic code are typos;
        with different codes, the edit rule needs the longer at least 4 letters and 1 edit (2
        from 7 letters), and edits are bounded below by the bag distance (an adjacent
        transposition, which ``_edits`` counts as one, keeps the letter counts: bag 0). The
        function itself decides the pairs left: a bag distance of 1, or 2 and 7 letters."""
        length, sound = self._arrays["length"], self._arrays["phonetic"]
        length_a, length_b = length[a], length[b]
        longest = np.maximum(length_a, length_b)
        near = (np.abs(length_a - length_b) <= 2) & (a != b) & (longest >= 3)
        same_sound = sound[a] == sound[b]
        result: Bool = near & same_sound
        rows = np.flatnonzero(near & ~same_sound & (longest >= 4))
        if len(rows):
            bag = self.bag(a[rows], b[rows])
            rows = rows[(bag <= 1) | ((bag == 2) & (longest[rows] >= 7))]
            result[rows] = self._each(a[rows], b[rows], is_typo)
        return result

    def _each(self, a: I32, b: I32, test: Callable[[str, str], bool]) -> Bool:
        """``test`` of the two tokens' strings, pair by pair (the few pairs arrays leave)."""
        strings = self.strings
        found: Bool = np.array(
            [test(strings[x], strings[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)],
            dtype=np.bool_,
        )
        return found


class _Lookup(NamedTuple):
    """Pairs of one name feature looked up in its cache: their rows, the values found and which
    were; the distinct keys not found, where each of those pairs is among them, and their
    levels so far (resolved: on arrays, or by the scalar code on the thread)."""

    rows: IntArray
    values: npt.NDArray[np.int8]
    found: Bool
    missing: IntArray
    inverse: IntArray
    levels: npt.NDArray[np.int8]
    resolved: Bool


class _PartArrays(NamedTuple):
    """Per given-name part: how many names and initials, its lone one-letter initial (a = 0;
    else -1), its one to three tokens when it has no initials (-1 padded), and the ids of its
    names written together as they are and folded (-1 when folding leaves nothing), interned
    together. Per surname part: how many surnames, their one to three core tokens (-1 padded;
    all -1 when more or one is empty), the culture (0 none, ``_PT`` Portuguese)."""

    given_size: I32
    given_initial: I32
    given_tokens: I32
    given_joined: I32
    given_folded: I32
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
        #: Per given-name part without initials: its one to three tokens (-1 padded).
        self._given_tokens: list[int] = [-1, -1, -1]  # flat, three a part: no list per part
        #: Per given-name part: its names written together ("jose maria"), as they are and
        #: folded, interned in ``_joined`` (for ``given_name_variants`` of compound names).
        self._joined: dict[str, int] = {"": 0}
        self._given_joined_id: list[int] = [0]
        self._given_folded_id: list[int] = [-1]
        #: (names written together and folded, a variant the table lists for them) as packed
        #: ids of ``_joined``, sorted; and which folded forms have theirs in it.
        self._joined_variants = np.zeros(0, dtype=np.int64)
        self._joined_listed: set[int] = set()
        self._surname_cores: list[int] = [-1, -1, -1]
        #: Cultures interned: 0 none, _PT Portuguese (the paternal surname comes last).
        self._cultures: dict[str | None, int] = {None: 0, "pt": _PT}
        self._surname_culture: list[int] = [0]
        self._surname_count: list[int] = [0]
        self._part_arrays: _PartArrays | None = None
        #: Per birth-place part holding one place: its length and letter counts (-1: several).
        self._place_length: list[int] = [-1]
        self._place_letters: list[npt.NDArray[np.int16]] = [np.zeros((1, 27), dtype=np.int16)]
        self._columns: dict[int, tuple[Sequence[Profile], Encoded]] = {}
        #: Held while the caches and the weak-id parts change (chunks run on threads).
        self._lock = threading.Lock()

    def _set_column(
        self, values: Sequence[frozenset[str] | set[str]]
    ) -> tuple[I32, npt.NDArray[np.int16]]:
        """One set per profile as a padded integer array (-1: no value) and the sets' sizes;
        the strings interned in bulk (most sets are empty)."""
        n = len(values)
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=n)
        flat = list(itertools.chain.from_iterable(values))
        strings = self.strings
        new = [v for v in dict.fromkeys(flat) if v not in strings]
        strings.update(zip(new, range(len(strings), len(strings) + len(new)), strict=True))
        width = int(sizes.max(initial=0)) or 1
        array = np.full((n, width), -1, dtype=np.int32)
        if flat:
            ids = np.fromiter(map(strings.__getitem__, flat), dtype=np.int32, count=len(flat))
            owner = np.repeat(np.arange(n), sizes)
            start = np.repeat(np.cumsum(sizes) - sizes, sizes)
            array[owner, np.arange(len(flat)) - start] = ids
        return array, sizes.astype(np.int16)

    @collector_paused()  # a burst of small objects over a heap of profiles (see ``levels``)
    def encode(self, profiles: Sequence[Profile]) -> Encoded:
        n = len(profiles)
        names_count = np.zeros(n, dtype=np.int8)
        names_id = np.zeros(n, dtype=np.int32)
        given_id = np.zeros(n, dtype=np.int32)
        surname_id = np.zeros(n, dtype=np.int32)
        date_count = np.zeros(n, dtype=np.int8)
        dates_id = np.zeros(n, dtype=np.int32)
        birth_place_id = np.zeros(n, dtype=np.int32)
        gender = np.zeros(n, dtype=np.int32)
        # Python lists filled per profile, then one array each: item assignment to a NumPy
        # array costs as much as the rest of the loop.
        names_ids, given_ids, surname_ids, dates_ids, place_ids, genders = [], [], [], [], [], []
        single_rows, dated_rows, regular_rows, place_rows, gender_rows = [], [], [], [], []
        regular: list[str] = []
        named = [i for i, p in enumerate(profiles) if p.names]
        for i in named:
            p_names = profiles[i].names
            names_ids.append(self.names.id(p_names, p_names))
            if len(p_names) == 1:
                name = p_names[0]
                single_rows.append(i)
                given_ids.append(self.given.id(_given_part(name), name))
                surname_ids.append(self.surnames.id(_surname_part(name), name))
        for i, p in enumerate(profiles):
            if p.birth_dates:
                dated_rows.append(i)
                dates_ids.append(self.dates.id(p.birth_dates, p.birth_dates))
                if len(p.birth_dates) == 1 and _regular_date(p.birth_dates[0]):
                    regular_rows.append(i)
                    regular.append(p.birth_dates[0])
            if p.birth_places:
                place_rows.append(i)
                place_ids.append(self.places.id(p.birth_places, p.birth_places))
            if p.gender and p.gender != "other":
                gender_rows.append(i)
                genders.append(self.genders.setdefault(p.gender, len(self.genders) + 1))
        names_count[named] = [min(len(profiles[i].names), 2) for i in named]
        names_id[named] = names_ids
        given_id[single_rows] = given_ids
        surname_id[single_rows] = surname_ids
        date_count[dated_rows] = [min(len(profiles[i].birth_dates), 2) for i in dated_rows]
        dates_id[dated_rows] = dates_ids
        birth_place_id[place_rows] = place_ids
        gender[gender_rows] = genders
        # A single regular date: its characters NUL-padded to ten, all dates in one buffer.
        date_chars = np.zeros((n, 10), dtype=np.uint8)
        date_len = np.zeros(n, dtype=np.int8)
        date_year = np.zeros(n, dtype=np.int32)
        date_regular = np.zeros(n, dtype=np.bool_)
        if regular:
            chars = np.frombuffer(
                b"".join(d.encode("ascii").ljust(10, b"\0") for d in regular), dtype=np.uint8
            ).reshape(-1, 10)
            date_chars[regular_rows] = chars
            date_len[regular_rows] = [len(d) for d in regular]
            digits = chars[:, :4].astype(np.int32) - ord("0")  # ``_regular_date``: ASCII digits
            date_year[regular_rows] = digits @ np.array([1000, 100, 10, 1], dtype=np.int32)
            date_regular[regular_rows] = True
        # The identifier sets. National ids are "scheme:digits".
        split = [
            [v.split(":", 1) for v in p.national_ids] if p.national_ids else [] for p in profiles
        ]
        digits_sets = [{v[1] for v in ids} if ids else _NONE for ids in split]
        columns: dict[str, Sequence[frozenset[str] | set[str]]] = {
            "digits": digits_sets,
            "schemes": [{v[0] for v in ids} if ids else _NONE for ids in split],
            "weak": [p.weak_ids for p in profiles],
            "weak_or_digits": [
                p.weak_ids | d if d else p.weak_ids
                for p, d in zip(profiles, digits_sets, strict=True)
            ],
            "passports": [p.passports for p in profiles],
            "phones": [p.phones for p in profiles],
            "emails": [p.emails for p in profiles],
            "address": [p.address_tokens for p in profiles],
            "aliases": [p.aliases for p in profiles],
            "countries": [p.countries for p in profiles],
        }
        sets: dict[str, I32] = {}
        sizes: dict[str, npt.NDArray[np.int16]] = {}
        for key in _SETS:
            sets[key], sizes[key] = self._set_column(columns[key])
        # What the name rules need of each new given name and surname, once per name.
        self._part_tokens()
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

    def _name_feature(
        self, name: str, left: Encoded, right: Encoded, lefts: IntArray, rights: IntArray
    ) -> tuple[_Lookup, list[tuple[str, int]]]:
        """The given-name, surname or birth-place level of every pair whose two sides have one
        name (or a birth place), as far as the cache and the arrays give it (``_decided``,
        ``_places_apart``): the lookup so far, and the distinct pairs left to the scalar code;
        computed here when they are few (``SCALAR_IN_THREAD``)."""
        if name == "place":
            mask = (left.birth_place_id[lefts] > 0) & (right.birth_place_id[rights] > 0)
            column_a, column_b = left.birth_place_id, right.birth_place_id
        else:
            mask = (left.names_count[lefts] == 1) & (right.names_count[rights] == 1)
            if name == "given":
                column_a, column_b = left.given_id, right.given_id
            else:
                column_a, column_b = left.surname_id, right.surname_id
        rows = np.flatnonzero(mask)
        packed = _pack(column_a[lefts[rows]], column_b[rights[rows]])
        cache = self.cache[name]
        values, known = cache.lookup(packed)
        missing, inverse = _unique_inverse(packed[~known])
        levels = np.zeros(len(missing), dtype=np.int8)
        resolved = np.zeros(len(missing), dtype=np.bool_)
        if len(missing):
            if name == "place":
                resolved = self._places_apart(missing)
                levels[resolved] = _DIFFERENT[name]
            else:
                resolved, levels = self._decided(name, missing)
            cache.add(missing[resolved], levels[resolved])
        jobs = [(name, key) for key in missing[~resolved].tolist()]
        if len(jobs) < SCALAR_IN_THREAD:
            self._compute(jobs, 1)
            jobs = []
        return _Lookup(rows, values, known, missing, inverse, levels, resolved), jobs

    def _name_column(self, name: str, size: int, lookup: _Lookup) -> npt.NDArray[np.int8]:
        """The levels of ``_name_feature``'s pairs, once the scalar code has filled the cache
        with the distinct pairs the arrays left."""
        rows, values, known, missing, inverse, levels, resolved = lookup
        if not resolved.all():
            levels[~resolved], found = self.cache[name].lookup(missing[~resolved])
            assert found.all()
        values[~known] = levels[inverse]
        column = np.zeros(size, dtype=np.int8)
        column[rows] = values
        return column

    def _part_tokens(self) -> _PartArrays:
        """What ``_decided`` needs of every given-name and surname part. Extended by ``encode``
        to the parts it interned (per name, not per pair: a first pass over pairs then does only
        pair work)."""
        joined_ids = self._joined
        table = name_data().variants
        new_given = self.given.values[len(self._given_size) :]
        new_surnames = self.surnames.values[len(self._surname_count) :]
        if self._part_arrays is not None and not new_given and not new_surnames:
            return self._part_arrays
        pairs: list[tuple[int, int]] = []
        for name in new_given:
            given, initials = name.given, name.initials
            self._given_size.append(len(given) + len(initials))
            lone = not given and len(initials) == 1 and len(initials[0]) == 1
            letter = ord(initials[0]) - 97 if lone else -1
            self._given_initial.append(letter if 0 <= letter < 26 else -1)
            plain = not initials and 1 <= len(given) <= 3 and all(given)
            ids = [self.tokens.id(t) for t in given] if plain else []
            self._given_tokens += [*ids, -1, -1, -1][:3]
            joined = " ".join(given)
            folded = fold_name(joined)
            self._given_joined_id.append(joined_ids.setdefault(joined, len(joined_ids)))
            folded_id = joined_ids.setdefault(folded, len(joined_ids)) if folded else -1
            self._given_folded_id.append(folded_id)
            if folded in table and folded_id not in self._joined_listed:
                self._joined_listed.add(folded_id)
                pairs += [
                    (folded_id, joined_ids.setdefault(v, len(joined_ids))) for v in table[folded]
                ]
        if pairs:
            listed = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            self._joined_variants = np.sort(
                np.concatenate([self._joined_variants, _pack(listed[:, 0], listed[:, 1])])
            )
        for name in new_surnames:
            self._surname_count.append(len(name.surnames))
            cores = [surname_core(x) for x in name.surnames] if len(name.surnames) <= 3 else []
            ids = [self.tokens.id(c) for c in cores] if all(cores) else []
            self._surname_cores += [*ids, -1, -1, -1][:3]
            self._surname_culture.append(
                self._cultures.setdefault(name.culture, len(self._cultures))
            )
        self.tokens.flush()
        self._part_arrays = _PartArrays(
            given_size=np.array(self._given_size, dtype=np.int32),
            given_initial=np.array(self._given_initial, dtype=np.int32),
            given_tokens=np.array(self._given_tokens, dtype=np.int32).reshape(-1, 3),
            given_joined=np.array(self._given_joined_id, dtype=np.int32),
            given_folded=np.array(self._given_folded_id, dtype=np.int32),
            surname_count=np.array(self._surname_count, dtype=np.int32),
            surname_cores=np.array(self._surname_cores, dtype=np.int32).reshape(-1, 3),
            surname_culture=np.array(self._surname_culture, dtype=np.int32),
        )
        return self._part_arrays

    def _decided(self, name: str, keys: IntArray) -> tuple[Bool, npt.NDArray[np.int8]]:
        """Which (part a, part b) keys of given names or surnames are decided on arrays, and
        their levels: what the scalar code would say, provably; the rest go through it.

        Given names: the same part on both sides is "exact" ("missing" when empty); one given
        name against a lone initial: "initial" or "different" by the first letters of the name
        and its variants; one to three names on each side and no initials: ``_plain_given``.
        Surnames: the same part is "both_exact" ("missing" when empty); none on one side is
        "missing"; one or two on each side: every rule from the match matrix
        (``_surnames_matrix``); up to three against up to three, none of one side possibly the
        same as one of the other: "different"."""
        parts = self._part_tokens()
        given_size, initial, given_tokens = (
            parts.given_size,
            parts.given_initial,
            parts.given_tokens,
        )
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
            if not tokens.strings:
                return decided, out
            single = np.where(given_size == 1, given_tokens[:, 0], -1)
            a, b = single[part_a], single[part_b]
            # One given name against one initial alone: "initial" when the name or one of its
            # variants starts with it (``_initials_fit``), else "different".
            for token, letter in ((a, initial[part_b]), (b, initial[part_a])):
                rows = np.flatnonzero((token >= 0) & (letter >= 0) & ~decided)
                fits = tokens.fits_initial(token[rows], letter[rows])
                set_(_rows(len(keys), rows[fits]), "initial")
                set_(_rows(len(keys), rows[~fits]), "different")
            self._plain_given(part_a, part_b, parts, decided, out)
            return decided, out
        count_a, count_b = surname_count[part_a], surname_count[part_b]
        set_(same & (count_a == 0), MISSING)
        set_(same, "both_exact")
        set_((count_a == 0) | (count_b == 0), MISSING)
        if not tokens.strings:
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
                    apart &= ~present | ((xs != ys) & ~tokens.is_typo(xs, ys))
            set_(_rows(len(keys), rows[apart]), "different")
        return decided, out

    def _plain_given(
        self,
        part_a: IntArray,
        part_b: IntArray,
        parts: _PartArrays,
        decided: Bool,
        out: npt.NDArray[np.int8],
    ) -> None:
        """Given-name levels of pairs of parts with one to three names each and no initials, as
        ``_compare_given`` gives them, from which names are equal, listed variants, gendered
        pairs or typos of each other: the names written together a variant of the other side's
        (its first question) is "variant"; then one name against two or three
        (``_compound_given``) and as many names on both sides (``_equal_given``). Two against
        three are left to the scalar code."""
        tokens, joined, folded = parts.given_tokens, parts.given_joined, parts.given_folded
        rows = np.flatnonzero(~decided & (tokens[part_a, 0] >= 0) & (tokens[part_b, 0] >= 0))
        if not len(rows):
            return
        a, b = part_a[rows], part_b[rows]
        # ``given_name_variants`` of the names written together: the folded form and, when it
        # is in the variants table, its listed variants.
        variant = (
            (joined[a] != joined[b])
            & (folded[a] >= 0)
            & (
                (joined[b] == folded[a])
                | _member(self._joined_variants, _pack(folded[a], joined[b]))
            )
        )
        out[rows[variant]] = _LEVEL["given"]["variant"]
        decided[rows[variant]] = True
        rows, a, b = rows[~variant], a[~variant], b[~variant]
        size_a = (tokens[a] >= 0).sum(axis=1)
        size_b = (tokens[b] >= 0).sum(axis=1)
        compound = (np.minimum(size_a, size_b) == 1) & (np.maximum(size_a, size_b) >= 2)
        self._compound_given(
            rows[compound], a[compound], b[compound], size_a[compound], tokens, decided, out
        )
        equal = size_a == size_b
        self._equal_given(rows[equal], a[equal], b[equal], tokens, decided, out)

    def _compound_given(
        self,
        rows: IntArray,
        part_a: IntArray,
        part_b: IntArray,
        size_a: IntArray,
        given_tokens: I32,
        decided: Bool,
        out: npt.NDArray[np.int8],
    ) -> None:
        """One given name against two or three: "compound_partial" when the one equals, or
        is listed as a variant of, one of the others; otherwise "gendered" when the first names
        are a gendered pair, else "different"."""
        if not len(rows):
            return
        levels = _LEVEL["given"]
        tokens = self.tokens
        a_short = size_a == 1
        short_part = np.where(a_short, part_a, part_b)
        long_part = np.where(a_short, part_b, part_a)
        x = given_tokens[short_part, 0]
        matched = np.zeros(len(rows), dtype=np.bool_)
        for k in range(3):
            y = given_tokens[long_part, k]
            present = y >= 0
            ys = np.where(present, y, x)
            matched |= present & ((x == ys) | tokens.listed_variant(x, ys))
        # The scalar code then asks whether the first names of each side are a gendered pair.
        gendered = tokens.gendered(given_tokens[part_a, 0], given_tokens[part_b, 0])
        out[rows] = np.where(
            matched,
            levels["compound_partial"],
            np.where(gendered, levels["gendered"], levels["different"]),
        )
        decided[rows] = True

    def _equal_given(
        self,
        rows: IntArray,
        part_a: IntArray,
        part_b: IntArray,
        given_tokens: I32,
        decided: Bool,
        out: npt.NDArray[np.int8],
    ) -> None:
        """As many given names on each side: "variant" when every position is equal or a
        listed variant and one is a variant; else "gendered" when the first names are a
        gendered pair; else "typo" when every position that differs is a typo (``is_typo``)
        and not a gendered pair nor two known given names; else "different"."""
        if not len(rows):
            return
        levels = _LEVEL["given"]
        tokens = self.tokens
        known = tokens.array("known")
        x, y = given_tokens[part_a], given_tokens[part_b]
        present = x >= 0
        # Absent positions as equal pairs of token 0, so that every array below has one shape.
        x, y = np.where(present, x, 0), np.where(present, y, 0)
        differ = x != y
        variant = np.zeros(x.shape, dtype=np.bool_)
        at = np.nonzero(differ)
        variant[at] = tokens.listed_variant(x[at], y[at])
        every = (~differ | variant).all(axis=1)
        listed = every & variant.any(axis=1)
        gendered = tokens.gendered(x[:, 0], y[:, 0])
        typo = ~differ | variant
        at = np.nonzero(differ & ~variant & ~(known[x] & known[y]))
        open_ = np.flatnonzero(~tokens.gendered(x[at], y[at]))
        typo[at[0][open_], at[1][open_]] = tokens.is_typo(x[at][open_], y[at][open_])
        level = np.where(typo.all(axis=1), levels["typo"], levels["different"])
        level = np.where(gendered, levels["gendered"], level)
        level = np.where(listed, levels["variant"], level)
        # Every position equal is the same part, never compared here; left to the scalar code.
        kept = rows[~every | listed]
        out[kept] = level[~every | listed]
        decided[kept] = True

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
                equal[at, i, j] = same
                differ = np.flatnonzero(~same)
                same[differ] = tokens.is_typo(xs[differ], ys[differ])
                match[at, i, j] = same
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
        out = np.empty((len(lefts), len(_FEATURES)), dtype=np.int8)
        for name in ("given", "surnames", "place"):
            self.cache.setdefault(name, _Cache())
        self._part_tokens()  # up to date before threads read it

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
            )

        def decide(feature: str) -> tuple[_Lookup, list[tuple[str, int]]]:
            return self._name_feature(feature, left, right, lefts, rights)

        starts = range(0, len(lefts), CHUNK)
        features = ("given", "surnames", "place")
        if workers < 2:
            found = [decide(feature) for feature in features]
            for start in starts:
                chunk(start)
        else:
            # Threads: each feature's distinct name pairs on one while the chunks of the other
            # features go on the others; all mostly NumPy, which releases the GIL while it
            # loops. The few scalar comparisons left in chunks are serialised by ``_lock``;
            # many distinct name pairs left to the scalar code wait until no other thread runs
            # (``_compute`` may fork workers).
            with ThreadPoolExecutor(workers) as pool:
                futures = [pool.submit(decide, feature) for feature in features]
                list(pool.map(chunk, starts))
                found = [future.result() for future in futures]
        self._compute([job for _, jobs in found for job in jobs], workers)
        known = {
            feature: self._name_column(feature, len(lefts), lookup)
            for feature, (lookup, _) in zip(features, found, strict=True)
        }
        self._names_columns(left, right, lefts, rights, out, known)
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
    ) -> npt.NDArray[np.int8]:
        """The levels of a chunk of pairs but names and birth places (``_names_columns``)."""
        n = a.size
        out = np.empty((n, len(_FEATURES)), dtype=np.int8)
        out[:, _COLUMN["birth_date"]] = self._dates_column(a, b)
        za, zb = a.set_sizes, b.set_sizes

        def sets_of(key: str, other: str, rows: IntArray) -> tuple[I32, I32]:
            return whole_a.sets[key][lefts[rows]], whole_b.sets[other][rights[rows]]

        def meets(key: str, other: str | None = None, where: Bool | None = None) -> Bool:
            other = other or key
            # Only the pairs with values on both sides: most profiles have no phone, passport..
            both = (za[key] > 0) & (zb[other] > 0)
            rows = np.flatnonzero(both if where is None else both & where)
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
        same = meets("weak_or_digits", where=both)
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
        left: Encoded,
        right: Encoded,
        lefts: IntArray,
        rights: IntArray,
        out: npt.NDArray[np.int8],
        known: Mapping[str, npt.NDArray[np.int8]],
    ) -> None:
        """Given names, surnames and birth places of all pairs: one name on each side from
        ``known``, several through the scalar code per distinct pair."""
        count_a, count_b = left.names_count[lefts], right.names_count[rights]
        given = np.full(len(lefts), _LEVEL["given"][MISSING], dtype=np.int8)
        surnames = np.full(len(lefts), _LEVEL["surnames"][MISSING], dtype=np.int8)
        single = (count_a == 1) & (count_b == 1)
        given[single] = known["given"][single]
        surnames[single] = known["surnames"][single]
        several = np.flatnonzero((count_a > 0) & (count_b > 0) & ((count_a > 1) | (count_b > 1)))
        if len(several):
            both = self._distinct(
                "names",
                left.names_id[lefts[several]],
                right.names_id[rights[several]],
                self._names_pair,
            ).astype(np.int16)
            given[several] = both // 16
            surnames[several] = both % 16
        out[:, _COLUMN["given"]] = given
        out[:, _COLUMN["surnames"]] = surnames
        present = (left.birth_place_id[lefts] > 0) & (right.birth_place_id[rights] > 0)
        out[:, _COLUMN["birth_place"]] = np.where(
            present, known["place"], _LEVEL["birth_place"][MISSING]
        )

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
def _initial_letters(token: str) -> frozenset[int]:
    """Letter numbers (a = 0) the token and its variants start with."""
    return frozenset(
        ord(v[0]) - 97 for v in given_name_variants(token) | {token} if v and "a" <= v[0] <= "z"
    )


def _feminine(masculine: str) -> tuple[str, ...]:
    """The feminine forms the ending rules of ``gendered_pair`` can give a folded name
    (``_ending_pair``: juan/juana, mario/maria, carlos/carla, joao/joana), a superset: whether
    a pair is one is then asked of ``gendered_pair`` itself."""
    if len(masculine) < 2:
        return ()
    forms = []
    if masculine[-1] not in "aeiou":
        forms.append(masculine + "a")
    if masculine[-1] in "oe":
        forms.append(masculine[:-1] + "a")
    if masculine.endswith("os"):
        forms.append(masculine[:-2] + "a")
    if masculine.endswith("ao"):
        forms.append(masculine[:-2] + "ana")
    return tuple(forms)


def _letter_bits(
    counts: npt.NDArray[np.int16],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], Bool]:
    """Letter counts as bits, so that the letters two tokens share are counted with a popcount:
    bit ``32 * (k % 2) + letter`` of word ``k // 2`` is set when the letter occurs more than k
    times (k < 4); the count of a letter both have is the number of such bits both have. The
    third array flags tokens with a letter more than four times, which the bits cut short."""
    letter = np.arange(counts.shape[1], dtype=np.uint64)
    words = []
    for word in range(2):
        bits = np.zeros(len(counts), dtype=np.uint64)
        for half in range(2):
            over = (counts > 2 * word + half).astype(np.uint64)
            bits |= np.bitwise_or.reduce(over << (letter + np.uint64(32 * half)), axis=1)
        words.append(bits)
    many: Bool = np.asarray((counts > 4).any(axis=1), dtype=np.bool_)
    return words[0], words[1], many


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


def _equal_columns(a: I32, b: I32) -> Iterator[Bool]:
    """For each value slot of ``a`` and of ``b`` (rows of padded integer sets, -1: no value),
    where the two slots hold the same value. Column by column, on the widths the rows use: the
    sets are a few values wide, and a (rows × slots × slots) broadcast spends most of its time
    on the padding."""
    width_a = int((a >= 0).sum(axis=1).max(initial=1)) or 1
    width_b = int((b >= 0).sum(axis=1).max(initial=1)) or 1
    a = np.ascontiguousarray(a[:, :width_a].T)
    # The padding of one side as -2: never equal to the other side's (-1).
    b = np.ascontiguousarray(np.where(b[:, :width_b] >= 0, b[:, :width_b], -2).T)
    for column in a:
        for other in b:
            yield column == other


def _intersects(a: I32, b: I32) -> Bool:
    """Rows of two padded integer sets (-1: no value) that share a value."""
    found = np.zeros(len(a), dtype=np.bool_)
    for equal in _equal_columns(a, b):
        found |= equal
    return found


def _common(a: I32, b: I32) -> npt.NDArray[np.int32]:
    """Size of the intersection of two padded integer sets, row by row (a set holds a value
    once)."""
    counts = np.zeros(len(a), dtype=np.int32)
    for equal in _equal_columns(a, b):
        counts += equal
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
