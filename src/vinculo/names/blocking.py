"""Blocking keys: cheap keys that bring the records of one person together.

Two records of the same person with the usual clerical variation (accent
dropped, second surname missing, surnames written first, one-letter typo in a
surname, hypocoristic given name, Spanish vs Portuguese surname order) share at
least one key; most pairs of clearly different people share none.  Keys are
built from :func:`vinculo.names.phonetic.phonetic` codes and the canonical given
name (Pepe -> José), and are prefixed by kind:

* ``s:<phonetic(surname)>:<initial of canonical given>`` for each of the first
  three blood surnames and the married surname (order-free, survives a missing
  second surname and a typo in the other surname);
* ``ss:<phonetic(s1)>|<phonetic(s2)>`` the sorted pair of the first two surnames
  (survives any change of given name);
* ``gp:<phonetic(canonical given)>:<first 3 code letters of surname>`` for the
  first two surnames (survives a typo late in a single surname).
"""

from __future__ import annotations

from functools import lru_cache

from vinculo.names.parse import PersonName, surname_core
from vinculo.names.phonetic import phonetic
from vinculo.names.variants import canonical_given

MAX_KEYS = 8


def _given_key(name: PersonName) -> tuple[str, str]:
    """(phonetic of the canonical first given name, its initial)."""
    if name.given:
        canonical = canonical_given(name.given[0])
        first = canonical.split()[0] if canonical else name.given[0]
        return phonetic(first), first[:1]
    if name.initials:
        return "", name.initials[0]
    return "", ""


@lru_cache(maxsize=262144)
def blocking_keys(name: PersonName) -> frozenset[str]:
    """A small set (at most 8) of blocking keys for a parsed name. Cached (a name is a frozen,
    hashable value and its keys depend on nothing else): the same names recur across the
    records of a file and in every real-time check."""
    codes = [phonetic(surname_core(s)) for s in name.surnames[:3]]
    codes = [c for c in codes if c]
    gcode, initial = _given_key(name)
    keys: list[str] = []
    married = phonetic(name.married) if name.married else ""
    for code in [*codes, married]:
        if code:
            keys.append(f"s:{code}:{initial}")
    if len(codes) >= 2:
        pair = sorted(codes[:2])
        keys.append(f"ss:{pair[0]}|{pair[1]}")
    if gcode:
        for code in codes[:2]:
            keys.append(f"gp:{gcode}:{code[:3]}")
        if not codes:
            keys.append(f"g:{gcode}")
    return frozenset(keys[:MAX_KEYS])
