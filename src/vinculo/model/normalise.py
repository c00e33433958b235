"""Cleaning property values on the way in: one place where a raw value becomes the value stored
on the entity, the normalised forms kept for search and matching, and the problem reported.

The rule (docs/data-model.md, "Original and normalised values"):
- a valid value is stored in its canonical form (ISO date, country code, E.164 phone, compact id)
  and its original text is kept beside it in ``entity_value``;
- an invalid identifier, phone or e-mail is stored as given and flagged (``valid = false``): it is
  still evidence, and a clerk may have only mistyped one digit;
- an invalid date or country cannot be stored in a typed FtM property, so it is kept in the
  record's flags with its column and reason, and the row is reported for correction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from followthemoney.property import Property

from vinculo import identifiers as ids

#: Identifier properties whose meaning tells which validator applies.
NATIONAL_ID_PROPS = frozenset({"idNumber", "taxNumber", "vatCode", "socialSecurityNumber"})
IDENTIFIER_PROPS: dict[str, str] = {
    "passportNumber": "passport",
    "iban": "iban",
    "bic": "bic",
    "swiftBic": "bic",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "containerNumber": "container",
    "cryptoAddress": "crypto",
}
#: FtM entity schemata whose ``number`` is a document number.
DOCUMENT_SCHEMATA = frozenset({"Passport", "Identification"})

GENDERS = {
    "m": "male",
    "male": "male",
    "masculino": "male",
    "masculin": "male",
    "hombre": "male",
    "homem": "male",
    "h": "male",
    "f": "female",
    "female": "female",
    "femenino": "female",
    "feminino": "female",
    "féminin": "female",
    "feminin": "female",
    "mujer": "female",
    "mulher": "female",
    "x": "other",
    "other": "other",
    "otro": "other",
    "outro": "other",
    "autre": "other",
}

_FORMULA_SAFE = re.compile(r"^[+-][\d\s().\-/]*$")


def is_formula(value: str) -> bool:
    """A spreadsheet formula rather than a value (=, @, or +/- not followed by a number).

    Such a cell carries the formula, not what the clerk saw; its real value is unknown.
    """
    if not value:
        return False
    first = value[0]
    if first in "=@":
        return True
    if first in "+-" and len(value) > 1:
        return _FORMULA_SAFE.match(value) is None
    return False


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


@dataclass(frozen=True, slots=True)
class ValueRow:
    """A normalised value of an entity, kept for search and matching."""

    kind: str
    prop: str
    original: str
    value: str
    valid: bool = True
    scheme: str | None = None


@dataclass(slots=True)
class Cleaned:
    #: Value to store in the FtM property, or None when it cannot be stored there.
    stored: str | None
    values: list[ValueRow] = field(default_factory=list)
    #: Why the value is invalid, when it is.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CleaningContext:
    """What a value's meaning depends on: the owner's country, the person's nationality."""

    default_region: str | None = None
    countries: tuple[str, ...] = ()
    schema: str = ""
    day_first: bool = True
    #: Dates before this year are clerical errors in records of living people.
    min_year: int = ids.dates.MIN_YEAR


def _identifier(prop: str, ident: ids.Identifier) -> Cleaned:
    value = ident.value or ident.original.strip()
    row = ValueRow(ident.kind, prop, ident.original, value, ident.valid, ident.scheme)
    stored = ident.value if ident.valid and ident.value else ident.original.strip()
    return Cleaned(stored, [row], None if ident.valid else ident.reason or "invalid")


def _national_id(prop: str, raw: str, ctx: CleaningContext) -> Cleaned:
    candidates = list(dict.fromkeys([*ctx.countries, ctx.default_region or ""]))
    first: ids.Identifier | None = None
    for country in candidates:
        ident = ids.normalise_national_id(raw, country=country or None)
        if ident.valid:
            return _identifier(prop, ident)
        first = first or ident
    detected = ids.normalise_national_id(raw)
    if detected.valid or first is None:
        return _identifier(prop, detected)
    return _identifier(prop, first)


def clean_value(prop: Property, raw: str, ctx: CleaningContext) -> Cleaned:
    """Clean one raw value for ``prop``; never raises for bad data, reports it instead."""
    text = nfc(raw)
    if not text:
        return Cleaned(None)
    type_name = prop.type.name
    name = prop.name
    if type_name == "name":
        return Cleaned(text, [ValueRow("name", name, raw, ids.fold_name(text))])
    if type_name == "date":
        date = ids.parse_date(text, day_first=ctx.day_first, min_year=ctx.min_year)
        if date.valid and date.value:
            return Cleaned(date.value, [ValueRow("date", name, raw, date.value)])
        return Cleaned(None, [], date.reason or "unrecognised date")
    if type_name == "country":
        code = ids.normalise_country(text)
        if code:
            return Cleaned(code.lower(), [ValueRow("country", name, raw, code)])
        return Cleaned(None, [], f"unknown country {text!r}")
    if type_name == "phone":
        return _identifier(name, ids.normalise_phone(text, ctx.default_region))
    if type_name == "email":
        return _identifier(name, ids.normalise_email(text))
    if type_name == "gender":
        gender = GENDERS.get(text.casefold())
        if gender:
            return Cleaned(gender)
        return Cleaned(None, [], f"unknown gender {text!r}")
    if type_name == "identifier":
        if name in NATIONAL_ID_PROPS:
            return _national_id(name, text, ctx)
        kind = IDENTIFIER_PROPS.get(name)
        if name == "number" and ctx.schema in DOCUMENT_SCHEMATA:
            kind = "passport" if ctx.schema == "Passport" else None
            if kind is None:
                return _national_id(name, text, ctx)
        if kind == "passport":
            country = ctx.countries[0] if ctx.countries else None
            return _identifier(name, ids.normalise_passport(text, country=country))
        if kind == "iban":
            return _identifier(name, ids.normalise_iban(text))
        if kind == "bic":
            return _identifier(name, ids.normalise_bic(text))
        if kind == "imo":
            return _identifier(name, ids.normalise_imo(text))
        if kind == "mmsi":
            return _identifier(name, ids.normalise_mmsi(text))
        if kind == "container":
            return _identifier(name, ids.normalise_container(text))
        if kind == "crypto":
            return _identifier(name, ids.normalise_crypto(text))
        if name in {"serialNumber", "registrationNumber", "reference"}:
            compact = re.sub(r"[\s\-./]", "", text).upper()
            return Cleaned(text, [ValueRow(_serial_kind(ctx.schema, name), name, raw, compact)])
        return Cleaned(text)
    if type_name == "number":
        normalised = text.replace(" ", "")
        if re.fullmatch(r"-?\d+([.,]\d+)?", normalised):
            return Cleaned(normalised.replace(",", "."))
        return Cleaned(None, [], f"not a number: {text!r}")
    return Cleaned(text)


def _serial_kind(schema: str, prop: str) -> str:
    if schema == "Firearm":
        return "firearm_serial"
    if schema == "Vehicle":
        return "vehicle_registration"
    if prop == "reference":
        return "reference"
    return "registration"
