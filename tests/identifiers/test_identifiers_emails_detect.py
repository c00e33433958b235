from __future__ import annotations

import pytest

from vinculo.identifiers import detect, normalise_email


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Juan.Perez@Example.COM", "juan.perez@example.com"),
        (" mailto:<ana@correo.example.mx> ", "ana@correo.example.mx"),
        ("josé@correo.example.es", "josé@correo.example.es"),
    ],
)
def test_email_valid(raw: str, value: str) -> None:
    result = normalise_email(raw)
    assert (result.valid, result.value, result.original) == (True, value, raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("sin-arroba", "missing @"),
        ("a@localhost", "invalid domain"),
        ("a..b@example.com", "invalid local part"),
        ("x@-bad.example.com", "invalid domain"),
    ],
)
def test_email_invalid(raw: str, reason: str) -> None:
    result = normalise_email(raw)
    assert (result.valid, result.reason) == (False, reason)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("GB82 WEST 1234 5698 7654 32", "iban", "GB82WEST12345698765432"),
        ("Juan@Example.com", "email", "juan@example.com"),
        (
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "crypto",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "crypto", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        ("CSQU 305438 3", "container", "CSQU3054383"),
        ("IMO 9074729", "imo", "IMO9074729"),
        ("MMSI 224123456", "mmsi", "224123456"),
        ("1M8GDM9AXKP042788", "vin", "1M8GDM9AXKP042788"),
        ("123.456.789-09", "national_id", "12345678909"),
        ("12345678Z", "national_id", "12345678Z"),
        ("+57 300 123 4567", "phone", "+573001234567"),
        ("300 123 4567", "phone", "+573001234567"),
        ("DEUTDEFF", "bic", "DEUTDEFF"),
    ],
)
def test_detect(raw: str, kind: str, value: str) -> None:
    result = detect(raw, default_region="CO")
    assert result is not None
    assert (result.kind, result.value) == (kind, value)


def test_detect_keeps_distinctive_but_invalid() -> None:
    result = detect("GB83 WEST 1234 5698 7654 32")
    assert result is not None
    assert (result.kind, result.valid) == ("iban", False)


@pytest.mark.parametrize("raw", ["", "hello", "Juan Pérez", "PASSPORT", "contract"])
def test_detect_nothing(raw: str) -> None:
    assert detect(raw) is None
