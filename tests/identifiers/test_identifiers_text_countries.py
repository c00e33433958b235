from __future__ import annotations

import pytest

from vinculo.identifiers import (
    COUNTRIES_OF_INTEREST,
    country_name,
    fold_name,
    nfc,
    normalise_country,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("José  MUÑOZ-Peña", "jose munoz pena"),
        ("François Çelik", "francois celik"),
        ("João d'Ávila", "joao d avila"),
        ("Straße", "strasse"),
        ("Søren Łukasz", "soren lukasz"),
        ("  ", ""),
    ],
)
def test_fold_name(raw: str, key: str) -> None:
    assert fold_name(raw) == key


def test_nfc_composes() -> None:
    decomposed = "Jose\u0301"
    assert nfc(decomposed) == "José"
    assert len(nfc(decomposed)) == 4


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("BR", "BR"),
        ("br", "BR"),
        ("BRA", "BR"),
        ("Brasil", "BR"),  # es/pt
        ("brésil", "BR"),  # fr
        ("Brazil", "BR"),  # en
        ("México", "MX"),
        ("Mexique", "MX"),
        ("Perú", "PE"),
        ("PERU", "PE"),
        ("España", "ES"),
        ("Espagne", "ES"),
        ("Espanha", "ES"),
        ("Spain", "ES"),
        ("Países Bajos", "NL"),
        ("Holanda", "NL"),
        ("Pays-Bas", "NL"),
        ("Reino Unido", "GB"),
        ("UK", "GB"),
        ("Royaume-Uni", "GB"),
        ("Alemanha", "DE"),
        ("DEU", "DE"),
        ("Estados Unidos", "US"),
        ("República Dominicana", "DO"),
        ("Trinidad y Tobago", "TT"),
    ],
)
def test_normalise_country(raw: str, code: str) -> None:
    assert normalise_country(raw) == code


@pytest.mark.parametrize("raw", ["", "XX", "Atlantis", "ZZZ"])
def test_unknown_country(raw: str) -> None:
    assert normalise_country(raw) is None


def test_country_name_locales() -> None:
    assert country_name("DE", "es") == "Alemania"
    assert country_name("DE", "pt") == "Alemanha"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("DE") == "Germany"
    assert country_name("mex", "fr") == "Mexique"


def test_countries_of_interest() -> None:
    assert len(COUNTRIES_OF_INTEREST) == 27 + 33
    assert len(set(COUNTRIES_OF_INTEREST)) == len(COUNTRIES_OF_INTEREST)
    assert {"ES", "PT", "FR", "BR", "MX", "JM", "TT", "HT"} <= set(COUNTRIES_OF_INTEREST)
    assert "GB" not in COUNTRIES_OF_INTEREST
