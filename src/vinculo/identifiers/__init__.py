"""Normalisation and validation of identifiers found in intelligence records.

Every function keeps the value exactly as received (``original``) next to
its canonical form (``value``).  Invalid input is returned flagged
(``valid=False`` with a short ``reason``), never dropped or "corrected":
a wrong check digit can itself be a lead.

These functions run on every imported row, so lookups are cached and
regular expressions precompiled at import time.
"""

from vinculo.identifiers.countries import (
    COUNTRIES_OF_INTEREST,
    EU_MEMBER_STATES,
    LATIN_AMERICA_CARIBBEAN,
    country_name,
    normalise_country,
)
from vinculo.identifiers.dates import parse_date
from vinculo.identifiers.detect import detect
from vinculo.identifiers.documents import normalise_passport, parse_mrz
from vinculo.identifiers.emails import normalise_email
from vinculo.identifiers.finance import normalise_bic, normalise_crypto, normalise_iban
from vinculo.identifiers.national_ids import normalise_national_id
from vinculo.identifiers.phones import normalise_phone
from vinculo.identifiers.text import fold_name, nfc
from vinculo.identifiers.transport import (
    normalise_container,
    normalise_imo,
    normalise_mmsi,
    normalise_vin,
)
from vinculo.identifiers.types import Identifier, PartialDate

__all__ = [
    "COUNTRIES_OF_INTEREST",
    "EU_MEMBER_STATES",
    "LATIN_AMERICA_CARIBBEAN",
    "Identifier",
    "PartialDate",
    "country_name",
    "detect",
    "fold_name",
    "nfc",
    "normalise_bic",
    "normalise_container",
    "normalise_country",
    "normalise_crypto",
    "normalise_email",
    "normalise_iban",
    "normalise_imo",
    "normalise_mmsi",
    "normalise_national_id",
    "normalise_passport",
    "normalise_phone",
    "normalise_vin",
    "parse_date",
    "parse_mrz",
]
