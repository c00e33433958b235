"""National ids.

Valid numbers are synthetic: either classic hand-computable test numbers
(worked through in the comments) or arbitrary bases completed with the
check-digit functions of python-stdnum, as the project's data policy allows.
"""

from __future__ import annotations

import pytest
from stdnum.es import cif as es_cif
from stdnum.fr import nif as fr_nif
from stdnum.fr import nir as fr_nir
from stdnum.it import codicefiscale as it_cf
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.pe import cui as pe_cui
from stdnum.pe import ruc as pe_ruc
from stdnum.uy import rut as uy_rut
from stdnum.ve import rif as ve_rif

from vinculo.identifiers import Identifier, normalise_national_id


def _ec_ci(base9: str) -> str:
    """Ecuadorian cédula check digit (modulo 10, coefficients 2,1,2,1...),
    written out from the Registro Civil algorithm rather than taken from stdnum."""
    total = 0
    for i, digit in enumerate(base9):
        product = int(digit) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return base9 + str((10 - total % 10) % 10)


def _swap_last(number: str) -> str:
    """Same number with a different final check character."""
    last = number[-1]
    if last.isdigit():
        return number[:-1] + str((int(last) + 1) % 10)
    return number[:-1] + ("A" if last != "A" else "B")


CURP = "PEGJ840312HDFRRN0" + mx_curp.calc_check_digit("PEGJ840312HDFRRN0")
RFC = "PEGJ840312AB" + mx_rfc.calc_check_digit("PEGJ840312AB")
PE_CUI = "44556677" + pe_cui.calc_check_digits("44556677")[0]
PE_RUC = "20445566771"[:10] + pe_ruc.calc_check_digit("2044556677")
UY_RUT = "21123456001" + uy_rut.calc_check_digit("21123456001")
VE_RIF = "V12345678" + ve_rif.calc_check_digit("V12345678")
ES_CIF = "B1234567" + es_cif.calc_check_digits("B1234567")[0]
FR_NIR = "1840375123456" + fr_nir.calc_check_digits("1840375123456")
FR_NIF = "3123456789" + fr_nif.calc_check_digits("3123456789")
IT_CF = "RSSMRA85T10A562" + it_cf.calc_check_digit("RSSMRA85T10A562")
EC_CI = _ec_ci("171234567")

# (scheme, country, valid number) for every supported scheme with a check digit.
VALID = [
    # CPF 123456789-09: sum(d*w, w=10..2)=210, 210%11=1 -> 0; then w=11..2 over
    # 1234567890 gives 255, 255%11=2 -> 11-2=9.
    ("br.cpf", "BR", "12345678909"),
    ("br.cnpj", "BR", "11222333000181"),  # the textbook CNPJ example
    ("mx.curp", "MX", CURP),
    ("mx.rfc", "MX", RFC),
    # RUT 12.345.678: weights 2..7 from the right sum to 138; 11 - 138%11 = 5.
    ("cl.rut", "CL", "123456785"),
    # CUIT 20-12345678: weights 5432765432 sum to 148; 11 - 148%11 = 6.
    ("ar.cuit", "AR", "20123456786"),
    # NIT 900123456: weights 3,7,13,17,19,23,29,37,41 from the right sum to 586,
    # 586 % 11 = 3 -> verification digit 11 - 3 = 8.
    ("co.nit", "CO", "9001234568"),
    ("ec.ci", "EC", EC_CI),
    ("ec.ruc", "EC", EC_CI + "001"),
    ("pe.cui", "PE", PE_CUI),
    ("pe.ruc", "PE", PE_RUC),
    ("uy.rut", "UY", UY_RUT),
    ("ve.rif", "VE", VE_RIF),
    ("es.dni", "ES", "12345678Z"),  # 12345678 % 23 = 14 -> 'Z'
    ("es.nie", "ES", "X1234567L"),  # X->0, 1234567 % 23 = 19 -> 'L'
    ("es.nif", "ES", ES_CIF),
    # NIF 12345678-9: weights 9..2 sum to 156, 156 % 11 = 2, 11 - 2 = 9.
    ("pt.nif", "PT", "123456789"),
    ("fr.nir", "FR", FR_NIR),
    ("fr.nif", "FR", FR_NIF),
    ("it.codicefiscale", "IT", IT_CF),
    # BSN 12345678-2: 9*1+8*2+...+2*8 = 156, minus 1*2 = 154 = 14*11.
    ("nl.bsn", "NL", "123456782"),
]


@pytest.mark.parametrize(("scheme", "country", "number"), VALID)
def test_valid_with_scheme(scheme: str, country: str, number: str) -> None:
    result = normalise_national_id(number, scheme=scheme)
    assert result == Identifier("national_id", number, number, True, scheme, country, None)


@pytest.mark.parametrize(("scheme", "country", "number"), VALID)
def test_valid_with_country(scheme: str, country: str, number: str) -> None:
    result = normalise_national_id(number, country=country)
    assert result.valid, result
    assert result.value == number
    assert result.country == country


@pytest.mark.parametrize(("scheme", "country", "number"), VALID)
def test_wrong_check_digit_is_flagged_not_fixed(scheme: str, country: str, number: str) -> None:
    # The RUC's check digit is the 10th; its last three digits are the branch.
    bad = _swap_last(number[:10]) + number[10:] if scheme == "ec.ruc" else _swap_last(number)
    result = normalise_national_id(bad, scheme=scheme)
    assert result.valid is False
    assert result.original == bad
    assert result.value == bad  # kept, not corrected
    assert result.scheme == scheme
    assert result.reason == "check digit mismatch"


@pytest.mark.parametrize(
    ("formatted", "compact", "scheme"),
    [
        ("123.456.789-09", "12345678909", "br.cpf"),
        ("123 456 789 09", "12345678909", "br.cpf"),
        ("11.222.333/0001-81", "11222333000181", "br.cnpj"),
        ("12.345.678-5", "123456785", "cl.rut"),
        ("20-12345678-6", "20123456786", "ar.cuit"),
        ("12345678-z", "12345678Z", "es.dni"),
        ("X-1234567-L", "X1234567L", "es.nie"),
        ("900.123.456-8", "9001234568", "co.nit"),
        ("1 84 03 75 123 456 " + FR_NIR[-2:], FR_NIR, "fr.nir"),
    ],
)
def test_formatted_and_compact_forms_normalise_equal(
    formatted: str, compact: str, scheme: str
) -> None:
    a = normalise_national_id(formatted, scheme=scheme)
    b = normalise_national_id(compact, scheme=scheme)
    assert a.valid and b.valid
    assert a.value == b.value == compact
    assert a.original == formatted


@pytest.mark.parametrize(
    ("number", "scheme", "country"),
    [
        ("123.456.789-09", "br.cpf", "BR"),
        ("11.222.333/0001-81", "br.cnpj", "BR"),
        (CURP, "mx.curp", "MX"),
        ("12.345.678-5", "cl.rut", "CL"),
        ("20-12345678-6", "ar.cuit", "AR"),
        ("12345678Z", "es.dni", "ES"),
        ("Y0000000Z", "es.nie", "ES"),  # Y->1, 10000000 % 23 = 14 -> 'Z'
        (IT_CF, "it.codicefiscale", "IT"),
    ],
)
def test_detect_scheme_without_country(number: str, scheme: str, country: str) -> None:
    result = normalise_national_id(number)
    assert result.scheme == scheme
    assert result.country == country


def test_detected_format_with_bad_check_digit_names_the_scheme() -> None:
    result = normalise_national_id("123.456.789-08")
    assert (result.valid, result.scheme, result.reason) == (False, "br.cpf", "check digit mismatch")


def test_unknown_format_keeps_compact_value() -> None:
    result = normalise_national_id("abc-12")
    assert result.valid is False
    assert result.scheme is None
    assert result.reason == "unknown format"
    assert result.value == "ABC12"


def test_country_order_brazil_cpf_then_cnpj() -> None:
    assert normalise_national_id("12345678909", country="BR").scheme == "br.cpf"
    assert normalise_national_id("11222333000181", country="Brasil").scheme == "br.cnpj"


def test_country_accepts_names() -> None:
    result = normalise_national_id("12345678Z", country="España")
    assert result.valid and result.scheme == "es.dni"


def test_schemes_without_check_digit_are_valid_by_shape() -> None:
    assert normalise_national_id("12.345.678", country="AR").scheme == "ar.dni"
    peru = normalise_national_id("44556677", country="PE")
    assert (peru.valid, peru.scheme) == (True, "pe.dni")
    colombia = normalise_national_id("1.020.304.050", country="CO")
    assert (colombia.valid, colombia.scheme, colombia.value) == (True, "co.cedula", "1020304050")


def test_colombian_nit_with_wrong_verification_digit() -> None:
    result = normalise_national_id("900.123.456-7", country="CO")  # DV is 8
    assert (result.valid, result.scheme, result.reason) == (False, "co.nit", "check digit mismatch")


def test_wrong_scheme_for_number() -> None:
    result = normalise_national_id("123.456.789-09", scheme="br.cnpj")
    assert result.valid is False
    assert result.reason == "invalid length"


def test_unsupported_country_is_flagged() -> None:
    result = normalise_national_id("12345678", country="JP")
    assert result.valid is False
    assert result.country == "JP"
    assert result.reason is not None and "JP" in result.reason


def test_unknown_scheme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown national id scheme"):
        normalise_national_id("1", scheme="xx.foo")


def test_empty() -> None:
    result = normalise_national_id("  ")
    assert (result.value, result.valid, result.reason) == (None, False, "empty")


def test_venezuelan_cedula_has_no_check_digit_and_normalises_its_formats() -> None:
    # V = Venezuelan national, E = foreign resident; up to eight digits, dots optional.
    for written in ("V-19.436.635", "V19436635", "v 19436635"):
        ident = normalise_national_id(written, country="VE")
        assert ident.valid and ident.value == "V19436635" and ident.scheme == "ve.ci"
    assert normalise_national_id("E-8.123.456").scheme == "ve.ci"
    assert not normalise_national_id("X-19436635", country="VE").valid
