"""Given-name equivalences (hypocoristics, other languages) and gendered pairs.

rigour's name symbols were checked and not used: they link Paco and Francisco but
not Pepe/José, Chucho/Jesús, Toninho/Antônio, Tião/Sebastião or João/Juan, and a
call costs ~25 µs.  The curated table ``data/variants.csv`` is used instead.
"""

from __future__ import annotations

from functools import lru_cache

from vinculo.identifiers import fold_name
from vinculo.names._data import name_data

# Pairs that no ending rule produces.
_SPECIAL_GENDERED = frozenset(
    {
        frozenset({"jose", "josefa"}),
        frozenset({"jose", "josefina"}),
        frozenset({"carlos", "carlota"}),
        frozenset({"carlos", "carla"}),
        frozenset({"pedro", "petra"}),
        frozenset({"jesus", "jesusa"}),
    }
)
#: The names of those pairs: any other gendered pair follows an ending rule (``_ending_pair``).
SPECIAL_GENDERED_NAMES = frozenset(name for pair in _SPECIAL_GENDERED for name in pair)


@lru_cache(maxsize=65536)
def given_name_variants(token: str) -> frozenset[str]:
    """Folded equivalents of a given name, the name itself included.

    ``given_name_variants("Pepe")`` contains ``"jose"``; a compound such as
    ``"José María"`` is looked up whole (it contains ``"chema"``).  Groups are not
    merged transitively: Beto is Alberto and Roberto, Alberto is not Roberto.
    """
    key = fold_name(token)
    if not key:
        return frozenset()
    return name_data().variants.get(key, frozenset()) | {key}


@lru_cache(maxsize=65536)
def canonical_given(token: str) -> str:
    """The canonical (Spanish full) form of a given name: Pepe -> jose, João -> juan."""
    key = fold_name(token)
    return name_data().canonical.get(key, key)


def are_variants(a: str, b: str) -> bool:
    """True when two folded given names are listed in the same equivalence group."""
    if a == b:
        return True
    group = name_data().variants.get(a)
    return group is not None and b in group


def _ending_pair(m: str, f: str) -> bool:
    """Is ``f`` the feminine form of ``m`` by a regular Spanish/Portuguese ending?"""
    if len(m) < 2 or len(f) < 3:
        return False
    if f.endswith("a"):
        stem = f[:-1]
        if m == stem and m[-1] not in "aeiou":  # juan/juana, luis/luisa, manuel/manuela
            return True
        if m[-1] in "oe" and m[:-1] == stem:  # mario/maria, vicente/vicenta
            return True
        if m.endswith("os") and m[:-2] == stem:  # marcos/marca is not a name, carlos/carla is
            return len(stem) >= 3
    # joao/joana, sebastiao/sebastiana, juliao/juliana
    return m.endswith("ao") and f.endswith("ana") and m[:-2] == f[:-3]


@lru_cache(maxsize=65536)
def gendered_pair(a: str, b: str) -> bool:
    """True for different given names that differ only by a gender ending.

    Juan/Juana, Francisco/Francisca, Mario/María, Luis/Luisa, João/Joana are
    different people's names, not typos.  Two names the curated list knows to be
    of the same sex (Isabel/Isabela) are not a gendered pair.
    """
    x, y = fold_name(a), fold_name(b)
    if x == y or not x or not y:
        return False
    if frozenset({x, y}) in _SPECIAL_GENDERED:
        return True
    if not (_ending_pair(x, y) or _ending_pair(y, x)):
        return False
    given = name_data().given
    ix, iy = given.get(x), given.get(y)
    if ix is not None and iy is not None and len(ix.sexes) == 1 and ix.sexes == iy.sexes:
        return False
    return not are_variants(x, y)
