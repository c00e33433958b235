"""Compare two parsed person names part by part, with an explanation.

The result is categorical on purpose: a scoring model downstream turns the
categories into weights, together with dates of birth and identifiers.  Pairs
that look alike but are usually different people get their own category:
gendered given names (Juan/Juana), swapped surnames (Pérez García / García Pérez,
typical of cousins).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rigour.text import levenshtein

from vinculo.names._data import name_data
from vinculo.names.parse import PersonName, surname_core
from vinculo.names.phonetic import phonetic
from vinculo.names.variants import are_variants, gendered_pair, given_name_variants

GIVEN_CATEGORIES = (
    "exact",
    "variant",
    "compound_partial",
    "initial",
    "typo",
    "gendered",
    "different",
    "missing",
)
SURNAME_CATEGORIES = (
    "both_exact",
    "both_typo",
    "one_missing",
    "paternal_only_match",
    "swapped",
    "order_culture",
    "one_shared",
    "different",
    "missing",
)


@dataclass(frozen=True, slots=True)
class NameComparison:
    given: str
    surnames: str
    married: bool
    explanation: list[str]


@lru_cache(maxsize=262144)
def _edits(a: str, b: str) -> int:
    """Levenshtein distance, counting one adjacent transposition as one edit."""
    d = int(levenshtein(a, b, max_edits=3))
    if d == 2 and len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]:
            return 1
    return d


@lru_cache(maxsize=262144)
def is_typo(a: str, b: str) -> bool:
    """Clerical variant of the same word: 1 edit (length >= 4), 2 edits (>= 7), same sound."""
    if a == b:
        return False
    longest = max(len(a), len(b))
    if abs(len(a) - len(b)) > 2:
        return False
    if phonetic(a) == phonetic(b) and longest >= 3:
        return True
    if longest < 4:
        return False
    d = _edits(a, b)
    return d == 1 or (d == 2 and longest >= 7)


def _known_given(token: str) -> bool:
    return token in name_data().given


def _given_token_match(a: str, b: str) -> str | None:
    if a == b:
        return "exact"
    if are_variants(a, b):
        return "variant"
    return None


def _initials_fit(initials: tuple[str, ...], names: list[str]) -> bool:
    """Each initial is the first letter of a distinct remaining given name (or a variant)."""
    pool = list(names)
    for letter in initials:
        for j, token in enumerate(pool):
            if token.startswith(letter) or any(
                v.startswith(letter) for v in given_name_variants(token)
            ):
                del pool[j]
                break
        else:
            return False
    return True


def _compare_given(a: PersonName, b: PersonName, why: list[str]) -> str:
    ga, gb = a.given, b.given
    if not (ga or a.initials) or not (gb or b.initials):
        why.append("given name missing on one side")
        return "missing"
    if ga == gb and a.initials == b.initials:
        return "exact"
    if ga and gb:
        ja, jb = " ".join(ga), " ".join(gb)
        if ja != jb and jb in given_name_variants(ja):
            why.append(f"given names agree by hypocoristic or translation ({ja} = {jb})")
            return "variant"
        if len(ga) == len(gb):
            kinds = [_given_token_match(x, y) for x, y in zip(ga, gb, strict=True)]
            if all(kinds) and "variant" in kinds:
                pairs = ", ".join(f"{x} = {y}" for x, y in zip(ga, gb, strict=True) if x != y)
                why.append(f"given names agree by hypocoristic or translation ({pairs})")
                return "variant"
            if all(kinds) and a.initials != b.initials and not (a.initials and b.initials):
                why.append("a middle initial on one side only")
                return "compound_partial"
    # initials on one side against written names on the other
    if a.initials or b.initials:
        short, long_ = (a, b) if len(a.given) <= len(b.given) else (b, a)
        if len(short.given) == len(long_.given) and len(short.initials) < len(long_.initials):
            short, long_ = long_, short
        pool = list(long_.given)
        matched = True
        for token in short.given:
            hit = next((j for j, t in enumerate(pool) if _given_token_match(token, t)), None)
            if hit is None:
                matched = False
                break
            del pool[hit]
        if matched and short.initials:
            if pool and _initials_fit(short.initials, pool):
                why.append("given names agree on initials")
                return "initial"
            if not long_.given and long_.initials[: len(short.initials)] == short.initials:
                why.append("given names agree on initials")
                return "initial"
            if long_.initials and not pool and set(short.initials) <= set(long_.initials):
                why.append("given names agree on initials")
                return "initial"
    if ga and gb:
        short_g, long_g = (ga, gb) if len(ga) <= len(gb) else (gb, ga)
        if len(short_g) < len(long_g):
            pool = list(long_g)
            ok = True
            for token in short_g:
                hit = next((j for j, t in enumerate(pool) if _given_token_match(token, t)), None)
                if hit is None:
                    ok = False
                    break
                del pool[hit]
            if ok:
                longer, shorter = " ".join(long_g), " ".join(short_g)
                why.append(f"compound given name on one side only ({longer} vs {shorter})")
                return "compound_partial"
        if gendered_pair(ga[0], gb[0]):
            why.append(f"given names differ by gender ending ({ga[0]} / {gb[0]}): different people")
            return "gendered"
        if len(ga) == len(gb):
            typo = False
            for x, y in zip(ga, gb, strict=True):
                if _given_token_match(x, y):
                    continue
                if gendered_pair(x, y) or (_known_given(x) and _known_given(y)):
                    typo = False
                    break
                if not is_typo(x, y):
                    typo = False
                    break
                typo = True
            if typo:
                why.append(f"given names differ by a typo ({' '.join(ga)} / {' '.join(gb)})")
                return "typo"
    why.append("given names differ")
    return "different"


@lru_cache(maxsize=262144)
def _cores(surnames: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(surname_core(s) for s in surnames)


def _sn_match(a: str, b: str) -> bool:
    return a == b or is_typo(a, b)


def _compare_surnames(a: PersonName, b: PersonName, why: list[str]) -> str:
    sa = _cores(a.surnames)
    sb = _cores(b.surnames)
    if not sa or not sb:
        why.append("surnames missing on one side")
        return "missing"
    if sa == sb:
        return "both_exact"
    if len(sa) == len(sb) == 2 and sa == sb[::-1]:
        if a.culture is not None and a.culture == b.culture:
            why.append(
                f"surnames swapped ({' '.join(sa)} / {' '.join(sb)}): "
                "typical of cousins, treat as different"
            )
            return "swapped"
        why.append(
            "same surnames in reversed order; Spanish vs Portuguese order possible "
            f"(cultures {a.culture or 'unknown'} / {b.culture or 'unknown'})"
        )
        return "order_culture"
    if len(sa) == len(sb) and all(_sn_match(x, y) for x, y in zip(sa, sb, strict=True)):
        why.append(f"surnames agree up to typos ({' '.join(sa)} / {' '.join(sb)})")
        return "both_typo"
    if len(sa) != len(sb):
        short, long_ = (a, b) if len(sa) < len(sb) else (b, a)
        ss, ls = (sa, sb) if len(sa) < len(sb) else (sb, sa)
        matched: list[int] = []
        j = 0
        for token in ss:
            while j < len(ls) and not _sn_match(token, ls[j]):
                j += 1
            if j == len(ls):
                break
            matched.append(j)
            j += 1
        if len(matched) == len(ss):
            keep = {0} if long_.culture != "pt" else {len(ls) - 1}
            if short.culture == "pt":
                keep.add(len(ls) - 1)
            if keep & set(matched):
                which = "second" if long_.culture != "pt" else "first (maternal)"
                why.append(f"{which} surname missing on one side")
                return "one_missing"
    pa, pb = a.paternal, b.paternal
    ma, mb = a.maternal, b.maternal
    if (
        pa
        and pb
        and ma
        and mb
        and _sn_match(surname_core(pa), surname_core(pb))
        and not _sn_match(surname_core(ma), surname_core(mb))
    ):
        why.append("paternal surnames agree, maternal surnames differ")
        return "paternal_only_match"
    shared = sorted({x for x in sa for y in sb if _sn_match(x, y)})
    if shared:
        why.append(f"one surname shared ({', '.join(shared)})")
        return "one_shared"
    why.append("surnames differ")
    return "different"


def _married(a: PersonName, b: PersonName, surnames: str, why: list[str]) -> bool:
    ma, mb = a.married, b.married
    if not ma and not mb:
        return False
    if ma and mb:
        if ma == mb:
            why.append(f"same married surname (de {ma})")
        else:
            why.append(f"different married surnames (de {ma} / de {mb})")
        return False
    married = ma or mb
    assert married is not None
    other = b if ma else a
    if married in _cores(other.surnames):
        why.append(f"married surname de {married} is used as a surname on the other side")
        return True
    if surnames in ("both_exact", "both_typo", "one_missing", "paternal_only_match"):
        why.append(f"married surname de {married} on one side only")
        return True
    return False


def compare_given(a: PersonName, b: PersonName) -> str:
    """The given-name category of :func:`compare_names` alone. It depends only on the given
    names and initials of the two names (what the vectorised comparison relies on)."""
    return _compare_given(a, b, [])


def compare_surnames(a: PersonName, b: PersonName) -> str:
    """The surname category of :func:`compare_names` alone. It depends only on the surnames,
    the culture and the paternal and maternal surnames of the two names."""
    return _compare_surnames(a, b, [])


def compare_names(a: PersonName, b: PersonName) -> NameComparison:
    """Compare given names, surnames and married forms of two parsed names."""
    why: list[str] = []
    given = _compare_given(a, b, why)
    surnames = _compare_surnames(a, b, why)
    married = _married(a, b, surnames, why)
    if a.suffix != b.suffix and (a.suffix or b.suffix):
        why.append(f"generational suffix differs ({a.suffix or '-'} / {b.suffix or '-'})")
    return NameComparison(given=given, surnames=surnames, married=married, explanation=why)
