from __future__ import annotations

import datetime

import pytest

from vinculo.identifiers import PartialDate, parse_date


@pytest.mark.parametrize(
    ("raw", "value", "precision"),
    [
        ("1984-03-12", "1984-03-12", "day"),
        ("1984-03", "1984-03", "month"),
        ("1984", "1984", "year"),
        ("  1984-3-5 ", "1984-03-05", "day"),
        ("12/03/1984", "1984-03-12", "day"),
        ("12-03-1984", "1984-03-12", "day"),
        ("12.03.1984", "1984-03-12", "day"),
        ("03/1984", "1984-03", "month"),
        ("1984-03-12T10:30:00Z", "1984-03-12", "day"),
        ("19840312", "1984-03-12", "day"),
    ],
)
def test_numeric(raw: str, value: str, precision: str) -> None:
    assert parse_date(raw) == PartialDate(raw, value, precision, True, None)


def test_month_first_option() -> None:
    assert parse_date("03/12/1984", day_first=False).value == "1984-03-12"
    assert parse_date("03/12/1984").value == "1984-12-03"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12 de marzo de 1984", "1984-03-12"),  # es
        ("5 de setiembre de 1990", "1990-09-05"),  # es (Peru, Uruguay spelling)
        ("1º de enero de 1990", "1990-01-01"),  # es ordinal
        ("12 de março de 1984", "1984-03-12"),  # pt
        ("10 out. 1990", "1990-10-10"),  # pt abbreviation
        ("12 mars 1984", "1984-03-12"),  # fr
        ("1er février 1990", "1990-02-01"),  # fr ordinal
        ("March 12, 1984", "1984-03-12"),  # en
        ("12th March 1984", "1984-03-12"),  # en ordinal
        ("12-MAR-1984", "1984-03-12"),  # Oracle style
        ("DÉCEMBRE 2001", "2001-12"),  # fr, month precision
        ("mar 1984", "1984-03"),
        ("agosto de 1999", "1999-08"),
    ],
)
def test_month_names(raw: str, value: str) -> None:
    result = parse_date(raw)
    assert result.valid, result
    assert result.value == value
    assert result.precision == ("month" if len(value) == 7 else "day")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31/02/1990", "impossible date: 31 February"),
        ("29 de febrero de 1989", "impossible date: 29 February"),  # 1989 not leap
        ("12/13/1990", "impossible month: 13"),
        ("1984-00", "impossible month: 0"),
        ("1800-01-01", "year before 1850"),
        ("2999-01-01", "date in the future"),
        ("12/03/84", "two-digit year is ambiguous"),
        ("30000", "unrecognised date format"),  # an Excel serial, not a date
        ("next tuesday", "unrecognised date format"),
        ("", "empty"),
    ],
)
def test_invalid(raw: str, reason: str) -> None:
    result = parse_date(raw)
    assert result == PartialDate(raw, None, None, False, reason)


def test_leap_day() -> None:
    assert parse_date("29/02/1988").value == "1988-02-29"


def test_tomorrow_is_future_today_is_not() -> None:
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert parse_date(today.isoformat()).valid is True
    assert parse_date(tomorrow.isoformat()).reason == "date in the future"
