"""Synthetic individuals (the ground truth) and the records agencies write about them.

Naming convention, the same in ``people.csv`` and ``ground_truth/people.csv``:

* ``first_name`` holds all given names ("María José", "João Pedro").
* ``last_name`` is always the **paternal** surname and ``second_last_name`` the **maternal** one,
  whatever the order in the written name. Spanish names read "Given Paternal Maternal"
  ("Juan Pérez García"), Portuguese names read "Given Maternal Paternal" ("João Pedro da Silva
  Santos": last_name "Santos", second_last_name "da Silva").
* French, Italian, Dutch and German names have one surname, in ``last_name``; particles stay
  with it ("van der Berg").
* ``name`` is the full name as the clerk wrote it, with that agency's habits: upper case,
  "SURNAMES, Given", accents dropped, second surname missing, a typo, a suffix ("hijo", "Júnior").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from vinculo.demo import identifiers as ids
from vinculo.demo.agencies import Agency
from vinculo.demo.countries import COUNTRIES, country_name
from vinculo.demo.names import (
    HYPOCORISTICS,
    NamePool,
    criminal_alias,
    strip_accents,
    title_particles,
    typo,
)

#: The scenario's "today": minors are under 18 on this date, records are dated before it.
REFERENCE_DATE = dt.date(2025, 6, 30)

PEOPLE_COLUMNS = (
    "id",
    "name",
    "first_name",
    "last_name",
    "second_last_name",
    "birth_date",
    "birth_place",
    "nationality",
    "gender",
    "id_number",
    "passport_number",
    "phone",
    "email",
    "address",
    "alias",
    "markets",
    "handling_code",
    "source_evaluation",
    "subject_category",
    "minor",
    "source_ref",
    "distribution",
)

TRUTH_PEOPLE_COLUMNS = (
    "true_id",
    "first_name",
    "last_name",
    "second_last_name",
    "name_order",
    "name_suffix",
    "gender",
    "birth_date",
    "nationality",
    "id_kind",
    "id_number",
    "passport_number",
    "phone",
    "alias",
)

_NO_ID_FOR_MINORS = frozenset({"CO", "VE", "ES", "PT", "FR", "IT", "NL", "DE"})


@dataclass(slots=True)
class Individual:
    """One real (synthetic) person: what all agencies' records about them derive from."""

    true_id: str
    given: str
    paternal: str
    maternal: str
    naming: str  # es | pt | single
    female: bool
    birth: dt.date
    nationality: str
    birth_place: str
    id_kind: str | None
    id_value: str | None
    passport: str | None
    phone: str | None  # E.164
    email: str | None
    street: str
    city: str
    residence: str
    alias: str | None = None
    suffix: str = ""
    nie: str | None = None
    minor: bool = False

    @property
    def truth_row(self) -> list[str]:
        return [
            self.true_id,
            self.given,
            self.paternal,
            self.maternal,
            self.naming,
            self.suffix,
            "f" if self.female else "m",
            self.birth.isoformat(),
            self.nationality,
            self.id_kind or "",
            self.id_value or "",
            self.passport or "",
            self.phone or "",
            self.alias or "",
        ]


def random_birth(rng: random.Random, minor: bool = False) -> dt.date:
    if minor:
        # Under 18 on the reference date whatever the record date.
        start, days = dt.date(2008, 7, 1), 1280
    else:
        age = int(rng.triangular(18, 72, 30))
        start, days = dt.date(REFERENCE_DATE.year - age - 1, 1, 1), 365
    return start + dt.timedelta(days=rng.randrange(days))


def pick_given(rng: random.Random, pool: NamePool, female: bool, naming: str) -> str:
    names = pool.female if female else pool.male
    given = rng.choice(names)
    if naming in ("es", "pt") and " " not in given and rng.random() < 0.2:
        second = rng.choice(names)
        if second != given and " " not in second:
            given = f"{given} {second}"
    return given


def pick_surname(rng: random.Random, pool: NamePool, avoid: str = "") -> str:
    for _ in range(5):
        name = rng.choice(pool.last)
        if name != avoid:
            return name
    return name


def national_id(rng: random.Random, ind: Individual) -> tuple[str | None, str | None]:
    country, birth, female = ind.nationality, ind.birth, ind.female
    if ind.minor and country in _NO_ID_FOR_MINORS:
        return None, None
    if country == "CO":
        return "co.cedula", ids.co_cedula(rng, birth)
    if country == "BR":
        return "br.cpf", ids.br_cpf(rng)
    if country == "MX":
        return "mx.curp", ids.mx_curp(ind.given, ind.paternal, ind.maternal, birth, female, rng)
    if country == "AR":
        return "ar.dni", ids.ar_dni(rng, birth)
    if country == "CL":
        return "cl.rut", ids.cl_rut(rng)
    if country == "PE":
        return "pe.cui", ids.pe_cui(rng)
    if country == "EC":
        return "ec.ci", ids.ec_ci(rng)
    if country == "VE":
        return "ve.cedula", ids.ve_cedula(rng, birth)
    if country == "ES":
        return "es.dni", ids.es_dni(rng)
    if country == "PT":
        return "pt.nif", ids.pt_nif(rng)
    if country == "FR":
        return "fr.nir", ids.fr_nir(rng, birth, female)
    if country == "IT":
        return "it.codicefiscale", ids.it_codice_fiscale(
            ind.given, ind.paternal, birth, female, rng
        )
    if country == "NL":
        return "nl.bsn", ids.nl_bsn(rng)
    return None, None  # Germans: only a passport in these records


_MAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "protonmail.com")
_MAIL_LOCAL = {
    "BR": "uol.com.br",
    "ES": "hotmail.es",
    "MX": "prodigy.net.mx",
    "FR": "orange.fr",
    "IT": "libero.it",
    "NL": "ziggo.nl",
    "PT": "sapo.pt",
    "AR": "fibertel.com.ar",
}


def email_for(rng: random.Random, given: str, surname: str, birth: dt.date, country: str) -> str:
    first = strip_accents(given.split()[0]).lower()
    last = strip_accents(surname.replace(" ", "")).lower()
    style = rng.random()
    local = (
        f"{first}.{last}"
        if style < 0.3
        else f"{first[0]}{last}{birth.year % 100:02d}"
        if style < 0.6
        else f"{first}{last}{rng.randint(1, 999)}"
    )
    domain = _MAIL_LOCAL.get(country) if rng.random() < 0.3 else None
    return f"{local}@{domain or rng.choice(_MAIL_DOMAINS)}"


def make_individual(
    rng: random.Random,
    pools: dict[str, NamePool],
    true_id: str,
    nationality: str,
    residence: str,
    *,
    female: bool | None = None,
    minor: bool = False,
    criminal: bool = False,
    given: str | None = None,
    paternal: str | None = None,
    maternal: str | None = None,
    birth: dt.date | None = None,
) -> Individual:
    country = COUNTRIES[nationality]
    pool = pools[rng.choice(country.locales)]
    res_country = COUNTRIES[residence]
    res_pool = pools[res_country.locales[0]]
    if female is None:
        female = rng.random() < (0.25 if criminal else 0.45)
    naming = country.naming
    given = given or pick_given(rng, pool, female, naming)
    paternal = paternal or pick_surname(rng, pool)
    if maternal is None:
        maternal = pick_surname(rng, pool, paternal) if naming in ("es", "pt") else ""
    birth = birth or random_birth(rng, minor)
    ind = Individual(
        true_id=true_id,
        given=given,
        paternal=paternal,
        maternal=maternal,
        naming=naming,
        female=female,
        birth=birth,
        nationality=nationality,
        birth_place=rng.choice(country.cities),
        id_kind=None,
        id_value=None,
        passport=None,
        phone=ids.mobile_phone(rng, residence)
        if rng.random() < (0.95 if criminal else 0.8)
        else None,
        email=None,
        street=f"{rng.choice(res_pool.streets)} {rng.randint(1, 250)}",
        city=rng.choice(res_country.cities),
        residence=residence,
        minor=minor,
    )
    ind.id_kind, ind.id_value = national_id(rng, ind)
    if rng.random() < (0.85 if criminal or nationality != residence else 0.35):
        ind.passport = ids.passport_number(rng, nationality)
    if not minor and rng.random() < 0.45:
        ind.email = email_for(rng, given, paternal, birth, residence)
    if criminal and rng.random() < 0.55:
        ind.alias = criminal_alias(rng, naming, female)
    if nationality != "ES":
        ind.nie = ids.es_nie(rng)
    return ind


def surnames_text(naming: str, paternal: str, maternal: str) -> str:
    if not maternal:
        return paternal
    return f"{maternal} {paternal}" if naming == "pt" else f"{paternal} {maternal}"


@dataclass(frozen=True, slots=True)
class RecordMeta:
    record_id: str
    category: str
    markets: tuple[str, ...]
    source_ref: str
    handling_code: str
    evaluation: str
    recorded: dt.date


@dataclass(frozen=True, slots=True)
class RenderedRecord:
    row: list[str]
    id_kind: str  # kind of the number in id_number ("" when empty)
    passport: bool
    phone: str | None  # E.164 of the phone written, if any


def render_birth(birth: dt.date, agency: Agency, rng: random.Random) -> str:
    habits = agency.habits
    fmt = habits.date_format
    r = rng.random()
    if r < 0.015:
        return ""
    r -= 0.015
    if r < habits.partial_date:
        if rng.random() < 0.5:
            return str(birth.year)
        return (
            f"{birth.year}-{birth.month:02d}" if fmt.startswith("%Y") else birth.strftime("%m/%Y")
        )
    r -= habits.partial_date
    if r < habits.swap_day_month and birth.day <= 12 and birth.day != birth.month:
        return birth.replace(month=birth.day, day=birth.month).strftime(fmt)
    return birth.strftime(fmt)


def render_nationality(code: str, agency: Agency, upper: bool) -> str:
    style = agency.habits.nationality
    if style == "alpha3":
        return COUNTRIES[code].alpha3
    if style == "name":
        name = country_name(code, agency.habits.language)
        return name.upper() if upper else name
    return code


def render_record(
    ind: Individual, agency: Agency, meta: RecordMeta, rng: random.Random
) -> RenderedRecord:
    """The row an agency's clerk writes about ``ind``, with that agency's habits and slips."""
    habits = agency.habits
    foreign = ind.nationality != agency.country
    lac_in_eu = foreign and COUNTRIES[agency.country].region != COUNTRIES[ind.nationality].region

    given = ind.given
    if " " in given and rng.random() < 0.15:
        given = given.split()[0]
    # Nicknames are common in police records: "Pepe", "Chucho", "Toninho".
    if rng.random() < 0.08 and given in HYPOCORISTICS:
        given = rng.choice(HYPOCORISTICS[given])
    paternal, maternal = ind.paternal, ind.maternal
    if maternal and rng.random() < habits.drop_second_surname + (0.25 if lac_in_eu else 0.0):
        maternal = ""
    if rng.random() < habits.typo:
        which = rng.random()
        if which < 0.4:
            given = typo(given, rng)
        elif which < 0.8 or not maternal:
            paternal = typo(paternal, rng)
        else:
            maternal = typo(maternal, rng)
    ascii_only = rng.random() < habits.ascii_only
    upper = rng.random() < habits.upper
    if ascii_only:
        given, paternal, maternal = (
            strip_accents(given),
            strip_accents(paternal),
            strip_accents(maternal),
        )
    if upper:
        given, paternal, maternal = given.upper(), paternal.upper(), maternal.upper()
    surnames = surnames_text(ind.naming, paternal, maternal)
    suffix = ind.suffix if ind.suffix and rng.random() < 0.6 else ""
    if rng.random() < habits.surnames_first:
        name = f"{surnames.upper() if not upper else surnames}, {given}"
    else:
        name = f"{given} {surnames}"
    if suffix:
        name = f"{name} {suffix.upper() if upper else suffix}"
    first, last, second = given, paternal, maternal
    alias = ind.alias if ind.alias and rng.random() < 0.7 else ""
    if ind.alias and rng.random() < 0.04:
        # Only the alias is known: the informant or the intercept never gave the real name.
        name = f"alias {ind.alias}" if rng.random() < 0.5 else ind.alias
        first = last = second = ""
        alias = ind.alias
    elif not alias and ind.given in HYPOCORISTICS and rng.random() < 0.05:
        alias = rng.choice(HYPOCORISTICS[ind.given])
    if not upper:
        name = title_particles(name)

    id_number, id_kind = "", ""
    if ind.id_kind and ind.id_value and (not foreign or rng.random() < 0.3):
        id_kind, value = ind.id_kind, ind.id_value
        if id_kind == "co.cedula" and agency.kind in ("prosecution", "fiu") and rng.random() < 0.3:
            id_kind, value = "co.nit", ids.co_nit(value)
        elif id_kind == "ar.dni" and rng.random() < 0.2:
            id_kind, value = "ar.cuit", ids.ar_cuil(value, ind.female)
        id_number = ids.format_national_id(id_kind, value, rng)
    if agency.country == "ES" and ind.nie and not id_number and rng.random() < 0.6:
        id_kind, id_number = "es.nie", ids.format_national_id("es.nie", ind.nie, rng)
    passport = bool(ind.passport) and rng.random() < (0.8 if foreign else 0.15)
    if not id_number and ind.passport and not passport and rng.random() < 0.7:
        passport = True  # a foreigner is booked with whatever document they carried

    phone = ind.phone if ind.phone and rng.random() < 0.8 else None
    phone_text = ""
    if phone:
        national = phone[1:].startswith(str(_calling_code(agency.country))) and (
            rng.random() > habits.phone_international
        )
        phone_text = ids.format_phone(phone, national, rng)
    address = ""
    if rng.random() < 0.6:
        address = f"{ind.street}, {ind.city}"
        if ascii_only:
            address = strip_accents(address)
        if upper:
            address = address.upper()
    birth_place = ""
    if rng.random() < 0.5:
        birth_place = ind.birth_place.upper() if upper else ind.birth_place
    row = [
        meta.record_id,
        name,
        first,
        last,
        second,
        render_birth(ind.birth, agency, rng),
        birth_place,
        render_nationality(ind.nationality, agency, upper),
        "f" if ind.female else "m",
        id_number,
        ind.passport if passport and ind.passport else "",
        phone_text,
        ind.email if ind.email and rng.random() < 0.7 else "",
        address,
        alias,
        ";".join(meta.markets),
        meta.handling_code,
        meta.evaluation,
        meta.category,
        "true" if ind.minor else "false",
        meta.source_ref,
        demo_distribution(meta.record_id, agency),
    ]
    return RenderedRecord(row, id_kind, passport, phone)


def demo_distribution(record_id: str, agency: Agency) -> str:
    """Most records stay with their owner; some go to the owner's network, country or everyone.

    Derived from the record id, not drawn from the generator's random stream, so that every other
    generated value stays as it was."""
    bucket = int(hashlib.sha1(record_id.encode(), usedforsecurity=False).hexdigest()[:8], 16) % 100
    if bucket < 60:
        return "agency"
    if bucket < 80 and agency.networks:
        return f"network:{agency.networks[0].value}"
    if bucket < 92:
        return "country"
    return "all"


_CALLING_CODES: dict[str, int] = {}


def _calling_code(country: str) -> int:
    code = _CALLING_CODES.get(country)
    if code is None:
        import phonenumbers

        code = _CALLING_CODES[country] = phonenumbers.country_code_for_region(country)
    return code
