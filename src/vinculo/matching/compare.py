"""Comparison levels: for a pair of profiles, how each feature agrees.

Levels are ordered from strongest agreement to strongest disagreement; the model turns each into
a weight. Keeping levels (not raw similarities) makes every score explainable feature by feature.
"""

from __future__ import annotations

from vinculo.matching.profile import Profile
from vinculo.names import PersonName
from vinculo.names.compare import compare_given, compare_surnames

MISSING = "missing"

#: Feature -> its levels, best agreement first. The order is the model's contract.
PERSON_FEATURES: dict[str, tuple[str, ...]] = {
    "given": ("exact", "variant", "compound_partial", "initial", "typo", "gendered", "different",
              MISSING),
    "surnames": ("both_exact", "both_typo", "one_missing", "paternal_only_match", "order_culture",
                 "one_shared", "swapped", "different", MISSING),
    "birth_date": ("exact", "partial_agree", "swapped_day_month", "one_digit", "one_year_off",
                   "same_year", "conflict", MISSING),
    "national_id": ("equal", "conflict", MISSING),
    "weak_id": ("equal", "typo", "different", MISSING),
    "passport": ("equal", "different", MISSING),
    "phone": ("shared", "different", MISSING),
    "email": ("shared", "different", MISSING),
    "address": ("exact", "overlap", "different", MISSING),
    "birth_place": ("exact", "typo", "different", MISSING),
    "alias": ("shared", MISSING),
    "gender": ("agree", "conflict", MISSING),
    "nationality": ("overlap", "disjoint", MISSING),
}  # fmt: skip

_GIVEN_RANK = {level: n for n, level in enumerate(PERSON_FEATURES["given"])}
_SURNAME_RANK = {level: n for n, level in enumerate(PERSON_FEATURES["surnames"])}


def _names(a: Profile, b: Profile) -> tuple[str, str]:
    return name_levels(a.names, b.names)


def name_levels(xs: tuple[PersonName, ...], ys: tuple[PersonName, ...]) -> tuple[str, str]:
    """Given-name and surname levels of the best-agreeing pair of names (lowest rank sum)."""
    if not xs or not ys:
        return MISSING, MISSING
    best: tuple[int, int] | None = None
    for x in xs:
        for y in ys:
            rank = (_GIVEN_RANK[_given_level(x, y)], _SURNAME_RANK[_surname_level(x, y)])
            if best is None or sum(rank) < sum(best):
                best = rank
    assert best is not None
    return PERSON_FEATURES["given"][best[0]], PERSON_FEATURES["surnames"][best[1]]


#: Name comparisons already made, by the parts of the two names they depend on: a process that
#: checks record after record meets the same pairs of given names (and of surnames) again and
#: again. Cleared when full.
_CACHE_LIMIT = 500_000
_GIVEN_CACHE: dict[tuple[object, ...], str] = {}
_SURNAME_CACHE: dict[tuple[object, ...], str] = {}


def _given_level(x: PersonName, y: PersonName) -> str:
    """``compare_names(x, y).given``: a function of the given names and initials only."""
    key = (x.given, x.initials, y.given, y.initials)
    level = _GIVEN_CACHE.get(key)
    if level is None:
        level = compare_given(x, y)
        if len(_GIVEN_CACHE) >= _CACHE_LIMIT:
            _GIVEN_CACHE.clear()
        _GIVEN_CACHE[key] = level
    return level


def _surname_level(x: PersonName, y: PersonName) -> str:
    """``compare_names(x, y).surnames``: a function of the surnames, the culture and the
    paternal and maternal surnames only."""
    key = (x.surnames, x.culture, x.paternal, x.maternal, y.surnames, y.culture, y.paternal,
           y.maternal)  # fmt: skip
    level = _SURNAME_CACHE.get(key)
    if level is None:
        level = compare_surnames(x, y)
        if len(_SURNAME_CACHE) >= _CACHE_LIMIT:
            _SURNAME_CACHE.clear()
        _SURNAME_CACHE[key] = level
    return level


def _one_digit(x: str, y: str) -> bool:
    return len(x) == len(y) and sum(1 for p, q in zip(x, y, strict=True) if p != q) == 1


def compare_dates(xs: tuple[str, ...], ys: tuple[str, ...]) -> str:
    if not xs or not ys:
        return MISSING
    best = len(PERSON_FEATURES["birth_date"]) - 2  # conflict
    order = PERSON_FEATURES["birth_date"]
    for x in xs:
        for y in ys:
            if x == y:
                level = "exact" if len(x) == 10 else "partial_agree"
            elif len(x) != len(y):
                short, long_ = (x, y) if len(x) < len(y) else (y, x)
                level = "partial_agree" if long_.startswith(short) else "conflict"
            elif len(x) == 10:
                if x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]:
                    level = "swapped_day_month"
                elif _one_digit(x, y):
                    level = "one_digit"
                elif x[4:] == y[4:] and abs(int(x[:4]) - int(y[:4])) == 1:
                    level = "one_year_off"
                elif x[:4] == y[:4]:
                    level = "same_year"
                else:
                    level = "conflict"
            elif len(x) == 7 and x[:4] == y[:4]:
                level = "same_year"
            else:
                level = "conflict"
            best = min(best, order.index(level))
    return order[best]


def _sets(xs: frozenset[str], ys: frozenset[str], equal: str, other: str) -> str:
    if not xs or not ys:
        return MISSING
    return equal if xs & ys else other


def _national(a: Profile, b: Profile) -> str:
    if not a.national_ids and not b.national_ids:
        return MISSING
    # One agency may not recognise another country's number (a Colombian cédula in a Spanish
    # file): the same validated number written on the other side is the same number.
    digits_a = {v.split(":", 1)[1] for v in a.national_ids}
    digits_b = {v.split(":", 1)[1] for v in b.national_ids}
    if digits_a & (digits_b | b.weak_ids) or digits_b & a.weak_ids:
        return "equal"
    if not a.national_ids or not b.national_ids:
        return MISSING
    # Different numbers of the same scheme contradict; different schemes (a CPF and a DNI) don't.
    schemes_a = {v.split(":", 1)[0] for v in a.national_ids}
    schemes_b = {v.split(":", 1)[0] for v in b.national_ids}
    return "conflict" if schemes_a & schemes_b else MISSING


def _within_one_edit(x: str, y: str) -> bool:
    if abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        diffs = [i for i in range(len(x)) if x[i] != y[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]]
            and x[diffs[1]] == y[diffs[0]]
        )  # fmt: skip
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _weak(a: Profile, b: Profile) -> str:
    xs = a.weak_ids | {v.split(":", 1)[1] for v in a.national_ids}
    ys = b.weak_ids | {v.split(":", 1)[1] for v in b.national_ids}
    if not a.weak_ids and not b.weak_ids:
        return MISSING  # both validated: the national_id feature has said it all
    if not xs or not ys:
        return MISSING
    if xs & ys:
        return "equal"
    if any(_within_one_edit(x, y) for x in xs for y in ys):
        return "typo"
    return "different"


def _address(a: Profile, b: Profile) -> str:
    x, y = a.address_tokens, b.address_tokens
    if not x or not y:
        return MISSING
    if x == y:
        return "exact"
    overlap = len(x & y) / min(len(x), len(y))
    return "overlap" if overlap >= 0.5 else "different"


def _birth_place(a: Profile, b: Profile) -> str:
    return birth_place_level(a.birth_places, b.birth_places)


def birth_place_level(xs: frozenset[str], ys: frozenset[str]) -> str:
    if not xs or not ys:
        return MISSING
    if xs & ys:
        return "exact"
    if any(_within_one_edit(x, y) for x in xs for y in ys):
        return "typo"
    return "different"


def any_within_one_edit(xs: frozenset[str], ys: frozenset[str]) -> bool:
    return any(_within_one_edit(x, y) for x in xs for y in ys)


def _gender(a: Profile, b: Profile) -> str:
    if not a.gender or not b.gender or "other" in (a.gender, b.gender):
        return MISSING
    return "agree" if a.gender == b.gender else "conflict"


def compare_people(a: Profile, b: Profile) -> dict[str, str]:
    given, surnames = _names(a, b)
    return {
        "given": given,
        "surnames": surnames,
        "birth_date": compare_dates(a.birth_dates, b.birth_dates),
        "national_id": _national(a, b),
        "weak_id": _weak(a, b),
        "passport": _sets(a.passports, b.passports, "equal", "different"),
        "phone": _sets(a.phones, b.phones, "shared", "different"),
        "email": _sets(a.emails, b.emails, "shared", "different"),
        "address": _address(a, b),
        "birth_place": _birth_place(a, b),
        "alias": "shared" if a.aliases & b.aliases else MISSING,
        "gender": _gender(a, b),
        "nationality": _sets(a.countries, b.countries, "overlap", "disjoint"),
    }


def shared_strong(a: Profile, b: Profile) -> frozenset[str]:
    """Strong identifiers (IMO, container, firearm make + serial, IBAN, wallet...) both hold."""
    return a.strong & b.strong
