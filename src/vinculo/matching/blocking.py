"""Blocking keys: which records are worth comparing at all.

A pair is a candidate when the two records share a key. Keys come from names (phonetic surname
with given-name initial, and the like, from vinculo.names), from birth dates and from identifiers.
A key held by too many records says nothing (a placeholder phone, "SIN NOMBRE", a port
authority's address): such keys are excluded (over-correlation control).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

import numpy as np
import numpy.typing as npt

from vinculo.matching.profile import Profile
from vinculo.names import PersonName, phonetic, surname_core
from vinculo.names import blocking_keys as name_keys

#: A key held by more records than this is excluded from candidate generation.
DEFAULT_MAX_BLOCK = 200
#: Tighter caps for the loosest recall keys (by kind, the text before the first ':'): one name
#: token alone is a useful block only while it is rare.
KIND_MAX_BLOCK = {"n": 100}

#: Candidate pairs as an (n, 2) array of record indices (left, right).
PairArray = npt.NDArray[np.int64]
#: What the comparison functions accept: such an array, or (left, right) tuples.
Pairs = Sequence[tuple[int, int]] | PairArray


def block_limit(key: str, max_block: int = DEFAULT_MAX_BLOCK) -> int:
    """The most records a block of ``key`` may hold before it is excluded as over-correlated."""
    kind = key.split(":", 1)[0]
    return min(max_block, KIND_MAX_BLOCK.get(kind, max_block))


def _name_tokens(profile: Profile) -> set[str]:
    """Phonetic codes of every given name and surname token, wherever it was written: files
    put a surname in the first-name column, or the whole name in one column, often enough."""
    return set().union(*(_tokens_of(n) for n in profile.names))


# Cached per value (names and address-token sets are frozen, and recur across a file's
# records): computing them afresh for every record was a large part of blocking a 50k file.
@lru_cache(maxsize=262144)
def _tokens_of(name: PersonName) -> frozenset[str]:
    codes = {phonetic(surname_core(t)) for t in (*name.given, *name.surnames)}
    codes.discard("")
    return frozenset(codes)


@lru_cache(maxsize=262144)
def _postcode_like(tokens: frozenset[str]) -> frozenset[str]:
    """Address tokens that look like a postcode or a part of one (a digit, 3 characters or
    more): they survive the misspelt street and town names around them."""
    return frozenset(t for t in tokens if len(t) >= 3 and any(c.isdigit() for c in t))


def profile_keys(profile: Profile, recall: bool = False, loose: bool = False) -> set[str]:
    """Blocking keys of a profile.

    The precise keys (names' phonetic keys, birth date with a surname or given-name initial,
    identifiers, the full address) serve real-time matching, where every candidate costs a
    comparison while an import waits. ``recall`` adds looser keys (birth year with a phonetic
    surname or given name, the birth date alone, house number and postcode) for batch linkage of
    heavily corrupted files, where finding the last true pair is worth many more comparisons.
    ``loose`` (with ``recall``) adds the loosest (``LOOSE_KINDS``): any rare name token, and a
    name token or given initial with the place of birth or a postcode-like token."""
    keys: set[str] = set()
    if profile.is_person:
        full_dates = [d for d in profile.birth_dates if len(d) == 10]
        years = {d[:4] for d in profile.birth_dates}
        for name in profile.names:
            keys.update(name_keys(name))
            for date in full_dates:
                if name.surnames:
                    keys.add(f"dobs:{date}:{name.surnames[0][:1]}")
                if name.given:
                    keys.add(f"dobg:{date}:{name.given[0][:2]}")
            if recall:
                # A misspelt name still meets its twin through the birth year.
                for year in years:
                    if name.surnames:
                        keys.add(f"ys:{year}:{phonetic(surname_core(name.surnames[-1]))}")
                    if name.given:
                        keys.add(f"yg:{year}:{phonetic(name.given[0])}")
        if profile.address_tokens:
            keys.add("addr:" + " ".join(sorted(profile.address_tokens)))
        if recall:
            keys.update(f"dob:{d}" for d in full_dates)
            if loose:
                keys.update(_loose_keys(profile))
            # House number and postcode survive the typos in street and town names.
            numbers = sorted(t for t in profile.address_tokens if t.isdigit())
            if len(numbers) >= 2:
                keys.add("addrn:" + " ".join(numbers))
        keys.update(f"nid:{v}" for v in profile.national_ids)
        keys.update(f"wid:{v}" for v in profile.weak_ids if len(v) >= 5)
        keys.update(f"pp:{v}" for v in profile.passports)
        keys.update(f"ph:{v}" for v in profile.phones)
        keys.update(f"em:{v}" for v in profile.emails)
    else:
        keys.update(f"id:{v}" for v in profile.strong)
    return keys


def _loose_keys(profile: Profile) -> set[str]:
    # Heavily corrupted registers: a name token (given or surname, either column) alone while
    # rare, or with the place of birth or a postcode-like token; the given initial with the
    # place or the postcode (nicknames: Bert and Herbert).
    tokens = _name_tokens(profile)
    initials = {n.given[0][:1] for n in profile.names if n.given}
    keys = {f"n:{t}" for t in tokens}
    for place in [*profile.birth_places, *_postcode_like(profile.address_tokens)]:
        keys.update(f"pn:{place}:{t}" for t in tokens)
        keys.update(f"pg:{place}:{i}" for i in initials)
    return keys


#: Kinds of the loosest recall keys. Their candidates are scored but do not re-estimate the
#: model: EM over pairs that mostly share one name token drifts its "match" class towards "same
#: name" (FEBRL's precision fell from 0.997 to 0.92 when they were included).
LOOSE_KINDS = frozenset({"n", "pn", "pg"})


def is_loose(key: str) -> bool:
    return key.split(":", 1)[0] in LOOSE_KINDS


def candidate_pairs(
    profiles: Sequence[Profile],
    right: Sequence[Profile] | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    excluded: set[str] | None = None,
    recall: bool = True,
    loose: bool = False,
) -> tuple[PairArray, dict[str, int]]:
    """Index pairs sharing a key: within ``profiles`` (dedupe) or across ``profiles`` and
    ``right`` (link). Returns the pairs (an (n, 2) array, sorted) and the keys excluded as
    over-correlated, with sizes."""
    pairs, _, oversized = candidate_pairs_flagged(
        profiles, right, max_block, excluded, recall, loose
    )
    return pairs, oversized


def candidate_pairs_flagged(
    profiles: Sequence[Profile],
    right: Sequence[Profile] | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    excluded: set[str] | None = None,
    recall: bool = True,
    loose: bool = False,
) -> tuple[PairArray, npt.NDArray[np.bool_], dict[str, int]]:
    """``candidate_pairs`` with, for each pair, whether it shares a key that is not loose
    (``LOOSE_KINDS``): the pairs the model may be re-estimated on."""
    excluded = set(excluded or ())
    blocks: dict[str, list[int]] = defaultdict(list)
    offset = len(profiles)
    for i, profile in enumerate(profiles):
        for key in profile_keys(profile, recall, loose):
            blocks[key].append(i)
    if right is not None:
        for j, profile in enumerate(right):
            for key in profile_keys(profile, recall, loose):
                blocks[key].append(offset + j)
    # Most blocks are far below any limit: the key's kind is looked at only for the others.
    smallest = min([max_block, *KIND_MAX_BLOCK.values()])
    oversized = {k: len(v) for k, v in blocks.items()
                 if len(v) > smallest and len(v) > block_limit(k, max_block)}  # fmt: skip
    width = offset + (len(right) if right is not None else 0)
    side = offset if right is not None else None
    strict_blocks: list[list[int]] = []
    loose_blocks: list[list[int]] = []
    for key, members in blocks.items():
        if len(members) >= 2 and key not in excluded and key not in oversized:
            (loose_blocks if is_loose(key) else strict_blocks).append(members)
    strict_codes = _pair_codes(strict_blocks, side, width)
    loose_codes = _pair_codes(loose_blocks, side, width)
    every = _sorted_unique(np.concatenate([strict_codes, loose_codes]))
    at = np.minimum(np.searchsorted(strict_codes, every), max(len(strict_codes) - 1, 0))
    flags = (strict_codes[at] == every) if len(strict_codes) else np.zeros(len(every), bool)
    first, second = np.divmod(every, width)
    if right is not None:
        second -= offset
    # An array, not a list of tuples: a million pairs go to the vectorised comparison as they are.
    pairs: PairArray = np.stack([first, second], axis=1)
    return pairs, np.asarray(flags, dtype=np.bool_), oversized


def _ragged_arange(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0..c-1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    result: npt.NDArray[np.int64] = np.arange(total, dtype=np.int64) - starts
    return result


def _pair_codes(blocks: list[list[int]], offset: int | None, width: int) -> npt.NDArray[np.int64]:
    """The distinct pairs of all ``blocks`` as sorted integers ``a * width + b`` (a < b in
    deduplication; a left, b right plus ``offset`` in linkage): millions of pairs of hundreds of
    thousands of small blocks, generated by array operations rather than block by block."""
    if not blocks:
        return np.zeros(0, dtype=np.int64)
    sizes = np.fromiter((len(b) for b in blocks), dtype=np.int64, count=len(blocks))
    members = np.fromiter(chain.from_iterable(blocks), dtype=np.int64, count=int(sizes.sum()))
    block_of = np.repeat(np.arange(len(blocks), dtype=np.int64), sizes)
    if offset is not None:
        # Within a block, left members first: a left member pairs with every right one after.
        is_right = members >= offset
        order = np.lexsort((is_right, block_of))
        members, block_of, is_right = members[order], block_of[order], is_right[order]
        rights_in_block = np.bincount(block_of[is_right], minlength=len(blocks))
        ends = np.cumsum(sizes)
        counts = np.where(is_right, 0, rights_in_block[block_of])
        partner_start = ends[block_of] - rights_in_block[block_of]
    else:
        order = np.lexsort((members, block_of))
        members, block_of = members[order], block_of[order]
        starts = np.cumsum(sizes) - sizes
        position = np.arange(len(members), dtype=np.int64)
        rank = position - starts[block_of]
        counts = sizes[block_of] - 1 - rank
        partner_start = position + 1
    firsts = np.repeat(members, counts)
    partners = np.repeat(partner_start, counts) + _ragged_arange(counts)
    return _sorted_unique(firsts * width + members[partners])


def _sorted_unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    # np.unique hashes (numpy 2): several times slower than a sort on millions of integers.
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    result: npt.NDArray[np.int64] = values[keep]
    return result


def key_counts(profiles: Iterable[Profile], recall: bool = False) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for profile in profiles:
        for key in profile_keys(profile, recall):
            counts[key] += 1
    return counts
