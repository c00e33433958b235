"""Curated name data, loaded once from the files in ``vinculo/names/data``.

The files are small, hand-written and human-readable so that analysts can
extend them; every entry is folded with :func:`vinculo.identifiers.fold_name`
on load, so accents are optional in the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from vinculo.identifiers import fold_name


@dataclass(frozen=True, slots=True)
class GivenNameInfo:
    """What the curated list knows about one folded given name."""

    sexes: frozenset[str]
    cultures: frozenset[str]


@dataclass(frozen=True, slots=True)
class NameData:
    given: dict[str, GivenNameInfo]
    surnames: dict[str, frozenset[str]]
    # folded token or compound -> union of the groups it belongs to
    variants: dict[str, frozenset[str]]
    # folded token -> canonical given name used for blocking keys
    canonical: dict[str, str]


def _read(name: str) -> list[str]:
    text = files("vinculo.names").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _load_given() -> dict[str, GivenNameInfo]:
    sexes: dict[str, set[str]] = {}
    cultures: dict[str, set[str]] = {}
    for line in _read("given_names.txt"):
        head, _, body = line.partition(":")
        sex, _, cult = head.strip().partition(" ")
        cult_set = {c.strip() for c in cult.split(",") if c.strip()}
        for raw in body.split():
            key = fold_name(raw)
            sexes.setdefault(key, set()).add(sex)
            cultures.setdefault(key, set()).update(cult_set)
    return {key: GivenNameInfo(frozenset(sexes[key]), frozenset(cultures[key])) for key in sexes}


def _load_surnames() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for line in _read("surnames.txt"):
        head, _, body = line.partition(":")
        cult_set = {c.strip() for c in head.split(",") if c.strip()}
        for raw in body.split():
            out.setdefault(fold_name(raw), set()).update(cult_set)
    return {key: frozenset(value) for key, value in out.items()}


def _load_variants() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    groups: dict[str, set[str]] = {}
    first_canonical: dict[str, str] = {}
    canonicals: set[str] = set()
    cross: dict[str, str] = {}
    for line in _read("variants.csv"):
        kind, canonical_raw, *members_raw = (cell.strip() for cell in line.split(","))
        canonical = fold_name(canonical_raw)
        members = {canonical} | {fold_name(m) for m in members_raw if m}
        canonicals.add(canonical)
        for member in members:
            groups.setdefault(member, set()).update(members)
            first_canonical.setdefault(member, canonical)
            if kind == "x":
                cross.setdefault(member, canonical)
    canonical_map: dict[str, str] = {}
    for member, first in first_canonical.items():
        base = member if member in canonicals else first
        # a canonical form may itself be a foreign form of a Spanish name
        canonical_map[member] = cross.get(base, base)
    return {key: frozenset(value) for key, value in groups.items()}, canonical_map


@cache
def name_data() -> NameData:
    """Load (once) and return the curated name tables."""
    variants, canonical = _load_variants()
    return NameData(
        given=_load_given(),
        surnames=_load_surnames(),
        variants=variants,
        canonical=canonical,
    )
