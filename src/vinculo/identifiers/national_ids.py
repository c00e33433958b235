"""National identity and tax numbers of the EU and Latin America.

Check-digit logic comes from python-stdnum; this module only decides which
scheme to try and turns stdnum's exceptions into an ``Identifier``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from stdnum.ar import cuit as ar_cuit
from stdnum.ar import dni as ar_dni
from stdnum.br import cnpj as br_cnpj
from stdnum.br import cpf as br_cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.ec import ci as ec_ci
from stdnum.ec import ruc as ec_ruc
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.es import nif as es_nif
from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.fr import nif as fr_nif
from stdnum.fr import nir as fr_nir
from stdnum.it import codicefiscale as it_cf
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.nl import bsn as nl_bsn
from stdnum.pe import cui as pe_cui
from stdnum.pe import ruc as pe_ruc
from stdnum.pt import nif as pt_nif
from stdnum.uy import rut as uy_rut
from stdnum.ve import rif as ve_rif

from vinculo.identifiers._stdnum import ValidationError, rank, reason_for
from vinculo.identifiers.countries import normalise_country
from vinculo.identifiers.types import Identifier

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_DIGIT_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass(frozen=True, slots=True)
class _Scheme:
    name: str
    country: str
    compact: Callable[[str], str]
    validate: Callable[[str], object]


def _digits_only(min_len: int, max_len: int) -> Callable[[str], object]:
    """Validator for numbers that have no check digit (only the shape can be checked)."""

    def validate(number: str) -> object:
        number = _compact_digits(number)
        if not number.isdigit():
            raise InvalidFormat()
        if not min_len <= len(number) <= max_len:
            raise InvalidLength()
        return number

    return validate


def _compact_digits(number: str) -> str:
    return _DIGIT_SEPARATORS.sub("", number).strip()


_VE_CI = re.compile(r"^[VE]\d{6,8}$")


def _ve_ci_compact(number: str) -> str:
    return _DIGIT_SEPARATORS.sub("", number).replace(" ", "").upper()


def _ve_ci_validate(number: str) -> str:
    compact = _ve_ci_compact(number)
    if compact[:1] not in ("V", "E"):
        raise InvalidFormat()
    if not _VE_CI.match(compact):
        raise InvalidLength()
    return compact


def _rfc_validate(number: str) -> str:
    # stdnum skips the RFC check digit by default because SAT issued some
    # numbers with bad ones; we still want them flagged for analysts.
    return mx_rfc.validate(number, validate_check_digits=True)


_SCHEMES: dict[str, _Scheme] = {
    s.name: s
    for s in (
        _Scheme("br.cpf", "BR", br_cpf.compact, br_cpf.validate),
        _Scheme("br.cnpj", "BR", br_cnpj.compact, br_cnpj.validate),
        _Scheme("mx.curp", "MX", mx_curp.compact, mx_curp.validate),
        _Scheme("mx.rfc", "MX", mx_rfc.compact, _rfc_validate),
        _Scheme("cl.rut", "CL", cl_rut.compact, cl_rut.validate),
        _Scheme("ar.cuit", "AR", ar_cuit.compact, ar_cuit.validate),
        _Scheme("ar.dni", "AR", ar_dni.compact, ar_dni.validate),
        _Scheme("co.nit", "CO", co_nit.compact, co_nit.validate),
        # The cédula de ciudadanía has no check digit; 3 to 10 digits have been issued.
        _Scheme("co.cedula", "CO", _compact_digits, _digits_only(3, 10)),
        _Scheme("ec.ci", "EC", ec_ci.compact, ec_ci.validate),
        _Scheme("ec.ruc", "EC", ec_ruc.compact, ec_ruc.validate),
        # A Peruvian DNI is the 8-digit CUI without its check digit.
        _Scheme("pe.dni", "PE", _compact_digits, _digits_only(8, 8)),
        _Scheme("pe.cui", "PE", pe_cui.compact, pe_cui.validate),
        _Scheme("pe.ruc", "PE", pe_ruc.compact, pe_ruc.validate),
        _Scheme("uy.rut", "UY", uy_rut.compact, uy_rut.validate),
        # The cédula de identidad is V (Venezuelan) or E (foreign resident) and up to 8 digits,
        # with no check digit: it is the RIF without its final check digit.
        _Scheme("ve.ci", "VE", _ve_ci_compact, _ve_ci_validate),
        _Scheme("ve.rif", "VE", ve_rif.compact, ve_rif.validate),
        _Scheme("es.dni", "ES", es_dni.compact, es_dni.validate),
        _Scheme("es.nie", "ES", es_nie.compact, es_nie.validate),
        _Scheme("es.nif", "ES", es_nif.compact, es_nif.validate),
        _Scheme("pt.nif", "PT", pt_nif.compact, pt_nif.validate),
        _Scheme("fr.nir", "FR", fr_nir.compact, fr_nir.validate),
        _Scheme("fr.nif", "FR", fr_nif.compact, fr_nif.validate),
        _Scheme("it.codicefiscale", "IT", it_cf.compact, it_cf.validate),
        _Scheme("nl.bsn", "NL", nl_bsn.compact, nl_bsn.validate),
    )
}

SCHEMES: tuple[str, ...] = tuple(_SCHEMES)

# Personal numbers before company numbers: our records are mostly about people.
_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "BR": ("br.cpf", "br.cnpj"),
    "MX": ("mx.curp", "mx.rfc"),
    "CL": ("cl.rut",),
    "AR": ("ar.cuit", "ar.dni"),
    "CO": ("co.cedula", "co.nit"),
    "EC": ("ec.ci", "ec.ruc"),
    "PE": ("pe.dni", "pe.cui", "pe.ruc"),
    "UY": ("uy.rut",),
    "VE": ("ve.ci", "ve.rif"),
    "ES": ("es.dni", "es.nie", "es.nif"),
    "PT": ("pt.nif",),
    "FR": ("fr.nir", "fr.nif"),
    "IT": ("it.codicefiscale",),
    "NL": ("nl.bsn",),
}
SUPPORTED_COUNTRIES: tuple[str, ...] = tuple(_BY_COUNTRY)

# A NIT written with its verification digit split off ("900.123.456-7") is
# a NIT; bare digits in Colombia are far more often a cédula.
_CO_NIT_FORMATTED = re.compile(r"-\s*\d\s*$")

# Shapes specific enough that, when they match, a failed check is reported
# against that scheme instead of "unknown format".  Tested on the upper-cased,
# stripped input, separators included.
_STRONG_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$"), ("br.cpf",)),
    (re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/\d{4}-\d{2}$"), ("br.cnpj",)),
    (re.compile(r"^\d{1,2}\.\d{3}\.\d{3}-[\dK]$"), ("cl.rut",)),
    (re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d$"), ("co.nit",)),
    (re.compile(r"^\d{2}-\d{8}-\d$"), ("ar.cuit",)),
    (re.compile(r"^\d{7,8}-K$"), ("cl.rut",)),
    (re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d$"), ("mx.curp",)),
    (re.compile(r"^[A-Z]{6}[0-9LMNP-V]{2}[A-EHLMPR-T][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]$"),
     ("it.codicefiscale",)),
    (re.compile(r"^[XYZ][-\s]?\d{7}[-\s]?[A-Z]$"), ("es.nie",)),
    (re.compile(r"^\d{8}[-\s]?[A-Z]$"), ("es.dni",)),
    (re.compile(r"^[A-HJNP-SUVW][-\s]?\d{7}[-\s]?[0-9A-J]$"), ("es.nif",)),
    (re.compile(r"^[VEJPGC][-\s]?\d{8}[-\s]?\d$"), ("ve.rif",)),
    (re.compile(r"^[VE][-\s]?\d{1,2}\.?\d{3}\.?\d{3}$"), ("ve.ci",)),
    (re.compile(r"^[A-Z&Ñ]{3,4}[-\s]?\d{6}[-\s]?[A-Z0-9]{3}$"), ("mx.rfc",)),
)  # fmt: skip

# Bare digit strings: only schemes with a check digit, since without one any
# number of the right length would "match".
_DIGITS_BY_LENGTH: dict[int, tuple[str, ...]] = {
    8: ("cl.rut",),
    9: ("cl.rut", "pe.cui", "nl.bsn", "pt.nif"),
    10: ("ec.ci",),
    11: ("br.cpf", "ar.cuit", "pe.ruc"),
    12: ("uy.rut",),
    13: ("ec.ruc", "fr.nif"),
    14: ("br.cnpj",),
    15: ("fr.nir",),
}
_DIGITS_AND_DASH = re.compile(r"^\d{7,8}-[\dK]$")  # Chilean RUT or Peruvian CUI


def _check(scheme: _Scheme, value: str) -> tuple[str, ValidationError | None]:
    # stdnum's validate() compacts and returns the compact form itself;
    # compacting only on failure halves the (relatively slow) cleaning work.
    try:
        return str(scheme.validate(value)), None
    except ValidationError as exc:
        return scheme.compact(value), exc


def _try(original: str, names: tuple[str, ...], report_failure: bool) -> Identifier | None:
    """First scheme that validates wins; otherwise the most plausible failure."""
    best: tuple[int, _Scheme, str, ValidationError] | None = None
    for name in names:
        scheme = _SCHEMES[name]
        compact, error = _check(scheme, original)
        if error is None:
            return Identifier("national_id", original, compact, True, name, scheme.country)
        score = rank(error)
        if best is None or score > best[0]:
            best = (score, scheme, compact, error)
    if best is None or not report_failure:
        return None
    _score, scheme, compact, error = best
    return Identifier(
        "national_id",
        original,
        compact or None,
        False,
        scheme.name,
        scheme.country,
        reason_for(error),
    )


def _generic_compact(value: str) -> str | None:
    return _NON_ALNUM.sub("", value.upper()) or None


def _unknown(original: str, text: str) -> Identifier:
    return Identifier(
        "national_id", original, _generic_compact(text), False, reason="unknown format"
    )


def _detect_candidates(text: str) -> tuple[tuple[str, ...], bool]:
    """Schemes to try for an unlabeled number, and whether the shape is distinctive."""
    for pattern, names in _STRONG_PATTERNS:
        if pattern.match(text):
            return names, True
    if _DIGITS_AND_DASH.match(text):
        return ("cl.rut", "pe.cui"), False
    digits = _DIGIT_SEPARATORS.sub("", text)
    if digits.isdigit():
        return _DIGITS_BY_LENGTH.get(len(digits), ()), False
    return (), False


def normalise_national_id(
    value: str, country: str | None = None, scheme: str | None = None
) -> Identifier:
    """Validate a national identity or tax number, keeping the original.

    ``scheme`` (e.g. ``"br.cpf"``) restricts validation to that scheme;
    ``country`` tries that country's schemes in order (personal before
    company numbers); with neither, the scheme is guessed from the shape of
    the value.  ``value`` of the result is stdnum's compact form, so
    ``123.456.789-09`` and ``12345678909`` compare equal.
    """
    return _normalise_national_id(value, country, scheme)


@lru_cache(maxsize=65536)
def _normalise_national_id(value: str, country: str | None, scheme: str | None) -> Identifier:
    # Cached: the same person's number recurs across rows and files.
    text = value.strip().upper()
    if scheme is not None:
        key = scheme.strip().lower()
        if key not in _SCHEMES:
            raise ValueError(f"unknown national id scheme: {scheme!r}")
        return _try(value, (key,), report_failure=True) or _unknown(value, text)
    if not _NON_ALNUM.sub("", text):
        return Identifier("national_id", value, None, False, reason="empty")
    if country is not None:
        code = normalise_country(country)
        names = _BY_COUNTRY.get(code or "")
        if names is None:
            return Identifier(
                "national_id",
                value,
                _generic_compact(text),
                False,
                country=code,
                reason=f"no validator for country {code or repr(country)}",
            )
        if code == "CO" and _CO_NIT_FORMATTED.search(text):
            names = ("co.nit",)
        return _try(value, names, report_failure=True) or _unknown(value, text)
    names, strong = _detect_candidates(text)
    result = _try(value, names, report_failure=strong)
    if result is not None:
        return result
    return Identifier("national_id", value, _generic_compact(text), False, reason="unknown format")
