from __future__ import annotations

import pytest

from vinculo.identifiers import (
    normalise_container,
    normalise_imo,
    normalise_mmsi,
    normalise_vin,
)
from vinculo.identifiers.transport import vin_check_digit


@pytest.mark.parametrize("raw", ["IMO 9074729", "9074729", "imo:9074729"])
def test_imo_valid(raw: str) -> None:
    # 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139 -> check digit 9.
    result = normalise_imo(raw)
    assert (result.value, result.valid) == ("IMO9074729", True)


def test_imo_bad_check_digit() -> None:
    result = normalise_imo("IMO 9074728")
    assert (result.valid, result.reason, result.value) == (
        False,
        "check digit mismatch",
        "IMO9074728",
    )


def test_imo_wrong_length() -> None:
    assert normalise_imo("IMO 123").reason == "too short"


@pytest.mark.parametrize(
    ("mmsi", "country"),
    [
        ("224123456", "ES"),  # MID 224 Spain
        ("710000001", "BR"),  # MID 710 Brazil
        ("345123456", "MX"),  # MID 345 Mexico
        ("730123456", "CO"),  # MID 730 Colombia
        ("247123456", "IT"),  # MID 247 Italy
        ("002241234", "ES"),  # coast station 00 + MID
        ("111224123", "ES"),  # SAR aircraft 111 + MID
    ],
)
def test_mmsi_country_from_mid(mmsi: str, country: str) -> None:
    result = normalise_mmsi(mmsi)
    assert (result.valid, result.country, result.value) == (True, country, mmsi)


def test_mmsi_covers_countries_of_interest() -> None:
    from vinculo.identifiers import COUNTRIES_OF_INTEREST
    from vinculo.identifiers.transport import _MID

    assert set(COUNTRIES_OF_INTEREST) <= set(_MID.values())


@pytest.mark.parametrize("raw", ["12345678", "1234567890", "22412345X"])
def test_mmsi_not_nine_digits(raw: str) -> None:
    assert normalise_mmsi(raw).valid is False


def test_container_valid() -> None:
    # ISO 6346 example: CSQU 305438 check digit 3.
    result = normalise_container("csqu 305438 3")
    assert (result.value, result.valid) == ("CSQU3054383", True)


def test_container_bad_check_digit() -> None:
    result = normalise_container("CSQU3054384")
    assert (result.valid, result.reason) == (False, "check digit mismatch")


def test_container_bad_category() -> None:
    assert normalise_container("CSQX3054383").valid is False


def test_vin_north_american_check_digit() -> None:
    # The worked example of 49 CFR 565: 1M8GDM9A_KP042788 -> check 'X' (remainder 10).
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert normalise_vin("1M8GDM9AXKP042788").valid is True
    result = normalise_vin("1M8GDM9A1KP042788")
    assert (result.valid, result.reason) == (False, "check digit mismatch")


def test_vin_european_has_no_mandatory_check_digit() -> None:
    result = normalise_vin("wvw-zzz1jz-xw000001")
    assert (result.valid, result.reason, result.value) == (True, None, "WVWZZZ1JZXW000001")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("1M8GDM9AXKP04278", "too short"), ("WVWZZZ1JZXW00000O", "contains I, O or Q")],
)
def test_vin_invalid(raw: str, reason: str) -> None:
    assert normalise_vin(raw).reason == reason
