"""Passports and MRZ, using the ICAO Doc 9303 Part 4 specimen (fictional 'Utopia')."""

from __future__ import annotations

import pytest

from vinculo.identifiers import normalise_passport, parse_mrz

# ICAO 9303 specimen: check digits 6 (number), 2 (birth), 9 (expiry),
# 1 (personal number) and 0 (composite).
LINE1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
SPECIMEN = f"{LINE1}\n{LINE2}"


def _with(line2: str, index: int, char: str) -> str:
    return f"{LINE1}\n{line2[:index]}{char}{line2[index + 1 :]}"


def test_parse_specimen() -> None:
    fields = parse_mrz(SPECIMEN)
    assert fields["document_number"] == "L898902C3"
    assert fields["country"] == "UTO"
    assert fields["nationality"] == "UTO"
    assert fields["surname"] == "ERIKSSON"
    assert fields["given_names"] == "ANNA MARIA"
    assert fields["birth_date"] == "1974-08-12"
    assert fields["sex"] == "F"
    assert fields["expiry_date"] == "2012-04-15"


def test_single_88_character_string() -> None:
    assert parse_mrz(LINE1 + LINE2)["document_number"] == "L898902C3"


@pytest.mark.parametrize(
    ("index", "char", "field"),
    [
        (9, "7", "document_number"),
        (19, "3", "birth_date"),
        (27, "8", "expiry_date"),
        (42, "2", "personal_number"),
        (43, "1", "composite"),
    ],
)
def test_check_digit_failure_names_field(index: int, char: str, field: str) -> None:
    mrz = _with(LINE2, index, char)
    with pytest.raises(ValueError, match=f"^{field}: check digit mismatch"):
        parse_mrz(mrz)
    result = normalise_passport("L898902C3", mrz=mrz)
    assert result.valid is False
    assert result.reason is not None and result.reason.startswith(field)
    assert result.scheme == "icao.mrz"


def test_wrong_length_rejected() -> None:
    with pytest.raises(ValueError, match="mrz"):
        parse_mrz(LINE1 + "\n" + LINE2[:-1])


def test_passport_matches_mrz() -> None:
    result = normalise_passport("l898902c3", mrz=SPECIMEN)
    assert (result.valid, result.value, result.scheme) == (True, "L898902C3", "icao.mrz")


def test_passport_number_differs_from_mrz() -> None:
    result = normalise_passport("L898902C4", mrz=SPECIMEN)
    assert result.valid is False
    assert result.reason is not None and "document_number" in result.reason


def test_passport_without_mrz_is_compacted() -> None:
    result = normalise_passport(" aa 123-456 ", country="Argentina")
    assert (result.value, result.valid, result.country) == ("AA123456", True, "AR")
    assert result.original == " aa 123-456 "


def test_passport_country_from_mrz_alpha3() -> None:
    # Same specimen re-issued by Spain (ESP): line 1 country field only is not
    # covered by any check digit, so changing it keeps the MRZ valid.
    mrz = LINE1.replace("UTO", "ESP") + "\n" + LINE2
    assert normalise_passport("L898902C3", mrz=mrz).country == "ES"


def test_implausible_passport_number() -> None:
    result = normalise_passport("12")
    assert result.valid is False
    assert result.value == "12"
