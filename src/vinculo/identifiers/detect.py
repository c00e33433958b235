"""Guess what an unlabeled string is (search boxes, free-text fields)."""

from __future__ import annotations

import re

from vinculo.identifiers.countries import normalise_country
from vinculo.identifiers.emails import normalise_email
from vinculo.identifiers.finance import normalise_bic, normalise_crypto, normalise_iban
from vinculo.identifiers.national_ids import normalise_national_id
from vinculo.identifiers.phones import normalise_phone
from vinculo.identifiers.transport import (
    normalise_container,
    normalise_imo,
    normalise_mmsi,
    normalise_vin,
)
from vinculo.identifiers.types import Identifier

_SEPARATORS = re.compile(r"[\s\-./]")
_ETH = re.compile(r"^0[xX][0-9a-fA-F]{40}$")
_BASE58_ADDRESS = re.compile(r"^[13T][1-9A-HJ-NP-Za-km-z]{24,34}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_CONTAINER = re.compile(r"^[A-Z]{3}[UJZ]\d{7}$")
_IMO = re.compile(r"^IMO[\s:#-]*\d{7}$", re.I)
_MMSI = re.compile(r"^MMSI[\s:#-]*\d{9}$", re.I)
_VIN = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-HJ-NPR-Z0-9]{17}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]{6,}$")


def detect(value: str, default_region: str | None = None) -> Identifier | None:
    """Best guess at the kind of identifier in ``value``, or ``None``.

    Shapes that are unmistakable (e-mail, ``0x``/``bc1`` addresses, IBAN,
    container, ``IMO``/``MMSI``-prefixed numbers) are returned even when
    invalid, so a mistyped check digit is shown as such.  Ambiguous shapes
    (bare digits, 8-letter words, base58 strings, VINs) are only returned
    when they validate.  Phone numbers starting with ``+``/``00`` are tried
    before national ids; other digit strings after them, since an id with a
    matching check digit is stronger evidence than a plausible phone number.
    """
    text = value.strip()
    if not text:
        return None
    if "@" in text and not any(c.isspace() for c in text):
        return normalise_email(value)
    if _ETH.match(text) or text[:3].lower() == "bc1":
        return normalise_crypto(value)
    if _BASE58_ADDRESS.match(text):
        crypto = normalise_crypto(value)
        if crypto.valid:
            return crypto
    if _IMO.match(text):
        return normalise_imo(value)
    if _MMSI.match(text):
        return normalise_mmsi(value)
    compact = _SEPARATORS.sub("", text).upper()
    if _IBAN.match(compact) and normalise_country(compact[:2]) is not None:
        return normalise_iban(value)
    if _CONTAINER.match(compact):
        return normalise_container(value)
    if _VIN.match(compact):
        vin = normalise_vin(value)
        if vin.valid:
            return vin
    international = text.startswith(("+", "00"))
    looks_like_phone = _PHONE_CHARS.match(text) is not None
    if international and looks_like_phone:
        phone = normalise_phone(value, default_region)
        if phone.valid:
            return phone
    national = normalise_national_id(value)
    if national.valid or national.scheme is not None:
        return national
    # Only an all-capitals token: "PASSPORT" or "CONTRACT" typed in lower or
    # mixed case is a word, not a bank.
    if text.isupper() and _BIC.match(compact):
        bic = normalise_bic(value)
        if bic.valid and bic.country and normalise_country(bic.country):
            return bic
    if looks_like_phone and not international:
        phone = normalise_phone(value, default_region)
        if phone.valid:
            return phone
    return None
