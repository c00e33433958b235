"""Unicode helpers for building comparison keys out of names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that NFKD does not decompose into base letter + combining mark but
# that people routinely type without the diacritic anyway.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)
# \w keeps letters and digits of every script; underscore counts as punctuation.
_PUNCT = re.compile(r"[\W_]+")


def nfc(value: str) -> str:
    """Compose to NFC, the form used for storing and displaying text."""
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value)


@lru_cache(maxsize=65536)
def fold_name(value: str) -> str:
    """Return a comparison key for a name; never show this to a user.

    ``"José  MUÑOZ-Peña"`` and ``"jose munoz pena"`` fold to the same key so
    that spelling variants from different agencies' systems meet.  Cached
    because the same surnames occur over and over in an import.
    """
    if not value.isascii():
        decomposed = unicodedata.normalize("NFKD", value.translate(_SPECIAL))
        value = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PUNCT.sub(" ", value.casefold()).strip()
