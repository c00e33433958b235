"""Different people who look alike: the hard negatives a matcher must not merge.

* ``father_son``: same given name and paternal surname, ~25 years apart, the son sometimes
  "hijo"/"Jr."/"Júnior"/"Filho", often the same address.
* ``siblings``: both surnames shared, the same phone and address, a few years apart.
* ``cousins_swapped``: the same given name with the two surnames swapped
  (Pérez García / García Pérez), close in age.
* ``namesake``: the same full name, otherwise unrelated.
* ``juan_juana``: Juan / Juana with the same surnames, half of them twins born the same day.
"""

from __future__ import annotations

import datetime as dt
import random

from vinculo.demo.names import GENDER_PAIRS, NamePool
from vinculo.demo.people import REFERENCE_DATE, Individual, make_individual, national_id

_SUFFIX = {"es": ("hijo", "Jr."), "pt": ("Júnior", "Filho"), "single": ("Jr.", "fils")}


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _refresh_id(rng: random.Random, ind: Individual) -> None:
    """Name-derived numbers (CURP, codice fiscale) must follow a changed name."""
    if ind.id_kind in ("mx.curp", "it.codicefiscale"):
        ind.id_kind, ind.id_value = national_id(rng, ind)


def derive_lookalike(
    kind: str,
    base: Individual,
    rng: random.Random,
    pools: dict[str, NamePool],
    true_id: str,
) -> Individual:
    """A new individual who looks like ``base`` in the way ``kind`` says; may adjust ``base``
    (its suffix, its given name) before any of its records has been written."""
    nat, res = base.nationality, base.residence
    two_surnames = bool(base.maternal)
    if kind == "cousins_swapped" and not two_surnames:
        kind = "namesake"
    if kind == "father_son":
        latest_adult = _shift_years(REFERENCE_DATE, -18)
        gap = rng.randint(22, 32)
        son_birth = _shift_years(base.birth, gap)
        if son_birth <= latest_adult:  # base is the father
            birth, base_is_father = son_birth, True
        else:
            birth, base_is_father = _shift_years(base.birth, -gap), False
        other = make_individual(
            rng,
            pools,
            true_id,
            nat,
            res,
            female=base.female,
            given=base.given,
            paternal=base.paternal,
            birth=birth,
        )
        suffix = rng.choice(_SUFFIX[base.naming]) if rng.random() < 0.5 else ""
        if base_is_father:
            other.suffix = suffix
        else:
            base.suffix = suffix
        if rng.random() < 0.6:
            other.street, other.city = base.street, base.city
    elif kind == "siblings":
        other = make_individual(
            rng,
            pools,
            true_id,
            nat,
            res,
            paternal=base.paternal,
            maternal=base.maternal,
            birth=base.birth + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(400, 2200)),
        )
        other.phone = base.phone or other.phone
        base.phone = other.phone
        other.street, other.city = base.street, base.city
    elif kind == "cousins_swapped":
        other = make_individual(
            rng,
            pools,
            true_id,
            nat,
            res,
            female=base.female,
            given=base.given if rng.random() < 0.6 else None,
            paternal=base.maternal,
            maternal=base.paternal,
            birth=base.birth + dt.timedelta(days=rng.randint(-1800, 1800)),
        )
    elif kind == "juan_juana":
        male, female = rng.choice(GENDER_PAIRS)
        base.given = female if base.female else male
        _refresh_id(rng, base)
        twins = rng.random() < 0.5
        other = make_individual(
            rng,
            pools,
            true_id,
            nat,
            res,
            female=not base.female,
            given=male if base.female else female,
            paternal=base.paternal,
            maternal=base.maternal,
            birth=base.birth if twins else base.birth + dt.timedelta(days=rng.randint(-2500, 2500)),
        )
        if twins:
            other.street, other.city = base.street, base.city
    else:  # namesake
        other = make_individual(
            rng,
            pools,
            true_id,
            nat,
            rng.choice((res, nat)),
            female=base.female,
            given=base.given,
            paternal=base.paternal,
            maternal=base.maternal,
        )
    adult_limit = _shift_years(REFERENCE_DATE, -18)
    if not other.minor and other.birth > adult_limit:
        other.birth = adult_limit - dt.timedelta(days=rng.randint(30, 900))
        _refresh_id(rng, other)
    return other
