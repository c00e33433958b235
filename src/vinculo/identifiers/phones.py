"""Telephone numbers, normalised to E.164 with Google's libphonenumber data."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from vinculo.identifiers.countries import normalise_country
from vinculo.identifiers.types import Identifier

# Extensions and labels are noise for matching; the digits before them are the number.
_LABEL = re.compile(
    r"^\s*(?:tel(?:[eé]fono)?|phone|fone|cel(?:ular)?|m[oó]vil|mob(?:ile)?)\s*[:.]?\s*", re.I
)
_INTERNATIONAL_00 = re.compile(r"^\s*00(?=[1-9])")

_PARSE_ERRORS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_POSSIBILITY: dict[int, str] = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "invalid length for region",
}


def normalise_phone(value: str, default_region: str | None = None) -> Identifier:
    """Normalise a phone number to E.164 (``+573001234567``).

    ``default_region`` is the country of the agency that recorded the number:
    national-format numbers ("300 123 4567") are read as numbers of that
    country.  Numbers that parse but fail libphonenumber's validity rules keep
    their E.164 form with ``valid=False`` so they can still be matched.
    """
    region = normalise_country(default_region) if default_region else None
    return _normalise_phone(value, region)


@lru_cache(maxsize=65536)
def _normalise_phone(value: str, region: str | None) -> Identifier:
    # Cached: parsing is the costliest step (~20 µs) and phone columns repeat.
    text = _INTERNATIONAL_00.sub("+", _LABEL.sub("", value))
    if not text.strip():
        return Identifier("phone", value, None, False, reason="empty")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        reason = _PARSE_ERRORS.get(exc.error_type, "not a phone number")
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and region is None:
            reason = "no country code and no default region"
        return Identifier("phone", value, None, False, reason=reason)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    country = phonenumbers.region_code_for_number(number)
    if country in (None, "ZZ", "001"):
        country = None
    # Validity first: it is the common case, and the possibility check only explains a failure.
    if phonenumbers.is_valid_number(number):
        return Identifier("phone", value, e164, True, country=country)
    possibility = phonenumbers.is_possible_number_with_reason(number)
    if possibility not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        reason = _POSSIBILITY.get(possibility, "impossible number")
        return Identifier("phone", value, e164, False, country=country, reason=reason)
    return Identifier(
        "phone", value, e164, False, country=country, reason="not a valid number range"
    )
