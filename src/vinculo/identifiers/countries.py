"""Country codes and names (ISO 3166-1) in the languages our partners use."""

from __future__ import annotations

from functools import cache, lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from vinculo.identifiers.text import fold_name

EU_MEMBER_STATES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip

# The 33 sovereign states of Latin America and the Caribbean (CELAC members).
LATIN_AMERICA_CARIBBEAN: tuple[str, ...] = (
    "AG", "AR", "BB", "BO", "BR", "BS", "BZ", "CL", "CO", "CR", "CU", "DM", "DO", "EC",
    "GD", "GT", "GY", "HN", "HT", "JM", "KN", "LC", "MX", "NI", "PA", "PE", "PY", "SR",
    "SV", "TT", "UY", "VC", "VE",
)  # fmt: skip

COUNTRIES_OF_INTEREST: tuple[str, ...] = EU_MEMBER_STATES + LATIN_AMERICA_CARIBBEAN

NAME_LOCALES: tuple[str, ...] = ("es", "pt", "en", "fr")

# Names seen in police and court records that CLDR does not list.  Keys are
# folded (see fold_name) so they match regardless of case and accents.
_ALTERNATES: dict[str, str] = {
    "holanda": "NL",
    "hollande": "NL",
    "holland": "NL",
    "the netherlands": "NL",
    "paises bajos": "NL",
    "reino unido": "GB",
    "gran bretana": "GB",
    "inglaterra": "GB",
    "england": "GB",
    "great britain": "GB",
    "uk": "GB",
    "grande bretagne": "GB",
    "angleterre": "GB",
    "gra bretanha": "GB",
    "usa": "US",
    "eeuu": "US",
    "ee uu": "US",
    "estados unidos de america": "US",
    "united states of america": "US",
    "eua": "US",
    "etats unis d amerique": "US",
    "republica dominicana": "DO",
    "rep dominicana": "DO",
    "dominican rep": "DO",
    "mejico": "MX",
    "estados unidos mexicanos": "MX",
    "republica federativa do brasil": "BR",
    "republica argentina": "AR",
    "republica de colombia": "CO",
    "republica de chile": "CL",
    "republica del peru": "PE",
    "republica oriental del uruguay": "UY",
    "venezuela republica bolivariana de": "VE",
    "republica bolivariana de venezuela": "VE",
    "bolivia estado plurinacional de": "BO",
    "estado plurinacional de bolivia": "BO",
    "alemania federal": "DE",
    "rfa": "DE",
    "czech republic": "CZ",
    "republica checa": "CZ",
    "republique tcheque": "CZ",
    "republica tcheca": "CZ",
    "ivory coast": "CI",
    "costa de marfil": "CI",
    "russia": "RU",
    "rusia": "RU",
    "corea del sur": "KR",
    "south korea": "KR",
    "corea del norte": "KP",
    "north korea": "KP",
    "birmania": "MM",
    "burma": "MM",
    "swaziland": "SZ",
    "macedonia": "MK",
    "kosovo": "XK",
    "vaticano": "VA",
    "santa sede": "VA",
    "turquia": "TR",
    "turkey": "TR",
    "guayana francesa": "GF",
    "curazao": "CW",
    "antillas holandesas": "CW",
}

# MRZ and some legacy systems use these non-ISO alpha-3 forms.
_EXTRA_ALPHA3: dict[str, str] = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "RKS": "XK"}


@cache
def _alpha3_table() -> dict[str, str]:
    # rigour ships the ISO alpha-3 codes; babel does not.  Imported lazily
    # because loading its territory index costs ~50 ms at start-up.
    from rigour.territories import get_territories

    table: dict[str, str] = {}
    for territory in get_territories():
        code = territory.code.upper()
        if len(code) == 2 and code.isalpha() and territory.alpha3:
            table[territory.alpha3.upper()] = code
    table.update(_EXTRA_ALPHA3)
    return table


@cache
def _alpha2_codes() -> frozenset[str]:
    codes = {str(c) for c in Locale("en").territories}
    codes = {c for c in codes if len(c) == 2 and c.isalpha()}
    # CLDR placeholders for "unknown region" and pseudo-regions are not countries.
    return frozenset(codes - {"ZZ", "EU", "EZ", "UN", "QO"})


@cache
def _name_table() -> dict[str, str]:
    codes = _alpha2_codes()
    table: dict[str, str] = {}
    for locale in NAME_LOCALES:
        for code, name in Locale(locale).territories.items():
            if str(code) in codes:
                table.setdefault(fold_name(str(name)), str(code))
    table.update(_ALTERNATES)
    return table


def alpha3_to_alpha2(code: str) -> str | None:
    """Map an ISO 3166-1 alpha-3 code (or MRZ variant such as ``D``) to alpha-2."""
    return _alpha3_table().get(code.strip().upper().replace("<", ""))


@lru_cache(maxsize=4096)
def normalise_country(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a code or name, or ``None``.

    Accepts alpha-2, alpha-3 and names in Spanish, Portuguese, English or
    French, ignoring case and accents.  Cached: a column of countries has few
    distinct values.
    """
    text = value.strip()
    if not text:
        return None
    upper = text.upper()
    if len(upper) == 2 and upper.isalpha():
        if upper == "UK":
            return "GB"
        if upper == "EL":  # the EU's own code for Greece
            return "GR"
        return upper if upper in _alpha2_codes() else None
    if len(upper) == 3 and upper.isalpha() and upper in _alpha3_table():
        return _alpha3_table()[upper]
    return _name_table().get(fold_name(text))


@lru_cache(maxsize=4096)
def country_name(code: str, locale: str = "en") -> str:
    """Display name of a country in ``locale``; the code itself if unknown."""
    key = normalise_country(code) or code.strip().upper()
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    return str(names.get(key, key))
