"""The comparable form of a record: what matching looks at, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from stdnum.co import nit as co_nit

from vinculo import identifiers as ids
from vinculo.names import PersonName, parse_person_name

#: Identifier kinds that identify one thing on their own (strong evidence when equal).
STRONG_KINDS = frozenset(
    {"imo", "mmsi", "container", "vin", "iban", "crypto", "firearm_serial", "vehicle_registration"}
)
_WORD = re.compile(r"\w+")

#: Country -> naming culture, for reading surname order.
CULTURE_BY_COUNTRY = {"BR": "pt", "PT": "pt", "AO": "pt", "MZ": "pt", "CV": "pt"} | {
    c: "es"
    for c in ("ES", "MX", "CO", "AR", "CL", "PE", "EC", "VE", "UY", "PY", "BO", "CR", "PA",
              "GT", "HN", "SV", "NI", "CU", "DO")
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    agency: str = ""
    schema: str = "Person"
    names: tuple[PersonName, ...] = ()
    #: ISO dates, possibly partial ("1984", "1984-03").
    birth_dates: tuple[str, ...] = ()
    gender: str | None = None
    countries: frozenset[str] = frozenset()
    #: Validated national ids as "scheme:value".
    national_ids: frozenset[str] = frozenset()
    #: Id numbers that could not be validated, compacted (upper case, no separators).
    weak_ids: frozenset[str] = frozenset()
    passports: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    address_tokens: frozenset[str] = frozenset()
    #: Strong identifiers of objects and accounts as "kind:value".
    strong: frozenset[str] = frozenset()
    #: Aliases and nicknames, folded.
    aliases: frozenset[str] = frozenset()
    #: Places of birth, folded.
    birth_places: frozenset[str] = frozenset()
    #: Organisation and object names, folded.
    labels: tuple[str, ...] = ()
    content_hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_person(self) -> bool:
        return self.schema == "Person"


def _is_colombian_nit(value: str) -> bool:
    return len(value) >= 6 and bool(co_nit.is_valid(value))


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def _address_tokens(values: Iterable[str]) -> frozenset[str]:
    return frozenset(t for v in values for t in _address_value_tokens(v))


# Addresses and places of birth recur across the records of a file (a postcode, a town): each
# distinct value is folded and split into words once.
@lru_cache(maxsize=65536)
def _address_value_tokens(value: str) -> frozenset[str]:
    return frozenset(t for t in _WORD.findall(ids.fold_name(value)) if len(t) > 1)


@lru_cache(maxsize=65536)
def _place(value: str) -> str:
    return " ".join(_WORD.findall(ids.fold_name(value)))


def culture_for(countries: Iterable[str], agency_country: str | None = None) -> str | None:
    for country in [*countries, agency_country or ""]:
        culture = CULTURE_BY_COUNTRY.get(country.upper())
        if culture:
            return culture
    return None


def from_values(
    entity_id: str,
    schema: str,
    properties: Mapping[str, list[str]],
    values: Iterable[Any],
    agency: str = "",
    agency_country: str | None = None,
    content_hash: str = "",
) -> Profile:
    """A profile from a stored entity: its FtM properties and its normalised ``ValueRow``s."""
    countries = frozenset(
        c.upper() for p in ("nationality", "citizenship", "country") for c in properties.get(p, [])
    )
    culture = culture_for(sorted(countries), agency_country)
    national: set[str] = set()
    weak: set[str] = set()
    passports: set[str] = set()
    phones: set[str] = set()
    emails: set[str] = set()
    strong: set[str] = set()
    for v in values:
        if v.kind == "national_id":
            if v.valid and v.scheme:
                national.add(f"{v.scheme}:{v.value}")
                if v.scheme == "co.cedula" and _is_colombian_nit(v.value):
                    # Written in NIT form (the cédula followed by its NIT check digit) by tax and
                    # prosecution records: the person's cédula is the number without that digit.
                    national.add(f"co.cedula:{v.value[:-1]}")
            else:
                weak.add(_compact(v.original))
        elif v.kind == "passport":
            passports.add(_compact(v.value))
        elif v.kind == "phone" and v.valid:
            phones.add(v.value)
        elif v.kind == "email" and v.valid:
            emails.add(v.value)
        elif v.kind in STRONG_KINDS and v.value:
            strong.add(f"{v.kind}:{v.value}")
    if schema == "Firearm":
        make = ids.fold_name(" ".join(properties.get("make", [])[:1]))
        strong = {f"firearm:{make}:{s.split(':', 1)[1]}" if s.startswith("firearm_serial:") else s
                  for s in strong}  # fmt: skip
    names: tuple[PersonName, ...] = ()
    labels: tuple[str, ...] = ()
    aliases: frozenset[str] = frozenset()
    if schema == "Person":
        first = " ".join(properties.get("firstName", [])) or None
        last = " ".join(properties.get("lastName", [])) or None
        parsed: list[PersonName] = []
        for full in properties.get("name", []):
            parsed.append(parse_person_name(full, first=first, last=last, culture=culture))
            first = last = None  # the fields describe the first name only
        names = tuple(parsed)
        # Nicknames ("El Flaco", "La Güera") are shared by many people: they are compared as
        # aliases, never as names.
        aliases = frozenset(ids.fold_name(a) for n in names for a in n.aliases) | frozenset(
            ids.fold_name(a) for a in properties.get("alias", [])
        )
    else:
        labels = tuple(
            ids.fold_name(n) for p in ("name", "alias", "title") for n in properties.get(p, [])
        )
    return Profile(
        id=entity_id,
        agency=agency,
        schema=schema,
        names=names,
        birth_dates=tuple(properties.get("birthDate", [])),
        gender=next(iter(properties.get("gender", [])), None),
        countries=countries,
        national_ids=frozenset(national),
        weak_ids=frozenset(weak),
        passports=frozenset(passports),
        phones=frozenset(phones),
        emails=frozenset(emails),
        address_tokens=_address_tokens(properties.get("address", [])),
        aliases=frozenset(a for a in aliases if a),
        birth_places=frozenset(_place(p) for p in properties.get("birthPlace", [])),
        strong=frozenset(strong),
        labels=labels,
        content_hash=content_hash,
    )
