from __future__ import annotations

import pytest

from vinculo.identifiers import normalise_phone


@pytest.mark.parametrize(
    ("raw", "region", "e164", "country"),
    [
        # Colombian mobile: country code 57, 10-digit national number 3xx.
        ("300 123 4567", "CO", "+573001234567", "CO"),
        ("+57 300 123 4567", None, "+573001234567", "CO"),
        ("0057 300 123 4567", "ES", "+573001234567", "CO"),  # 00 = international prefix
        # Spanish mobile 6xx xxx xxx, country code 34.
        ("612 34 56 78", "ES", "+34612345678", "ES"),
        ("+34-612-345-678", "MX", "+34612345678", "ES"),  # explicit code beats region
        # São Paulo mobile (area 11, 9-digit subscriber), country code 55.
        ("(11) 91234-5678", "BR", "+5511912345678", "BR"),
        # French national format drops the trunk 0: 06 12 34 56 78 -> +33 6 12 34 56 78.
        ("06 12 34 56 78", "FR", "+33612345678", "FR"),
        ("Tel: 06 12 34 56 78", "Francia", "+33612345678", "FR"),
        # Mexico City landline, country code 52, 10-digit national number.
        ("55 1234 5678", "MX", "+525512345678", "MX"),
    ],
)
def test_e164(raw: str, region: str | None, e164: str, country: str) -> None:
    result = normalise_phone(raw, default_region=region)
    assert result.kind == "phone"
    assert result.valid, result
    assert result.value == e164
    assert result.country == country
    assert result.original == raw


def test_national_number_without_region_cannot_be_normalised() -> None:
    result = normalise_phone("612345678")
    assert result.valid is False
    assert result.value is None
    assert result.reason == "no country code and no default region"


def test_too_short_is_kept_and_flagged() -> None:
    result = normalise_phone("+57 123")
    assert result.valid is False
    assert result.value == "+57123"
    assert result.reason == "too short"


def test_not_a_number() -> None:
    result = normalise_phone("sin teléfono", "CO")
    assert (result.valid, result.value) == (False, None)


def test_unknown_country_code() -> None:
    # +999 is not assigned to any country.
    result = normalise_phone("+999 123 456 789")
    assert result.valid is False
    assert result.value is None
