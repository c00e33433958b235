"""Blocking keys: which records are worth comparing at all.

A pair is a candidate when the two records share a key. Keys come from names (phonetic surname
with given-name initial, and the like, from vinculo.names), from birth dates and from identifiers.
A key held by too many records says nothing (a placeholder phone, "SIN NOMBRE", a port
authority's address): such keys are excluded (over-correlation control).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from vinculo.matching.profile import Profile
from vinculo.names import blocking_keys as name_keys
from vinculo.names import phonetic, surname_core

#: A key held by more records than this is excluded from candidate generation.
DEFAULT_MAX_BLOCK = 200


def profile_keys(profile: Profile, recall: bool = False) -> set[str]:
    """Blocking keys of a profile.

    The precise keys (names' phonetic keys, birth date with a surname or given-name initial,
    identifiers, the full address) serve real-time matching, where every candidate costs a
    comparison while an import waits. ``recall`` adds looser keys (birth year with a phonetic
    surname or given name, the birth date alone, house number and postcode) for batch linkage of
    heavily corrupted files, where finding the last true pair is worth many more comparisons."""
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


def candidate_pairs(
    profiles: Sequence[Profile],
    right: Sequence[Profile] | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    excluded: set[str] | None = None,
    recall: bool = True,
) -> tuple[list[tuple[int, int]], dict[str, int]]:
    """Index pairs sharing a key: within ``profiles`` (dedupe) or across ``profiles`` and
    ``right`` (link). Returns the pairs and the keys excluded as over-correlated, with sizes."""
    excluded = set(excluded or ())
    blocks: dict[str, list[int]] = defaultdict(list)
    offset = len(profiles)
    for i, profile in enumerate(profiles):
        for key in profile_keys(profile, recall):
            blocks[key].append(i)
    if right is not None:
        for j, profile in enumerate(right):
            for key in profile_keys(profile, recall):
                blocks[key].append(offset + j)
    oversized = {k: len(v) for k, v in blocks.items() if len(v) > max_block}
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if key in excluded or key in oversized or len(members) < 2:
            continue
        pairs.update(_pairs(members, offset if right is not None else None))
    return sorted(pairs), oversized


def _pairs(members: list[int], offset: int | None) -> Iterator[tuple[int, int]]:
    if offset is None:
        for a_index, a in enumerate(members):
            for b in members[a_index + 1 :]:
                yield (a, b) if a < b else (b, a)
        return
    lefts = [m for m in members if m < offset]
    rights = [m - offset for m in members if m >= offset]
    for a in lefts:
        for b in rights:
            yield a, b


def key_counts(profiles: Iterable[Profile], recall: bool = False) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for profile in profiles:
        for key in profile_keys(profile, recall):
            counts[key] += 1
    return counts
