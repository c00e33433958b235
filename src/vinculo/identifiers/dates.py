"""Dates of birth, events and documents, with partial (month/year) precision.

Two-digit years are rejected on purpose: for a date of birth "05/06/07"
could be 1907 or 2007, and guessing wrong links the wrong person.  Excel
serial numbers are not dates here either; converting them is the
spreadsheet reader's job, which knows the cell type.
"""

from __future__ import annotations

import calendar
import datetime
import re
from functools import cache, lru_cache

from babel import Locale

from vinculo.identifiers.text import fold_name
from vinculo.identifiers.types import PartialDate

MIN_YEAR = 1850

_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_ISO_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 19840312, common in exports
_NUMERIC_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
_NUMERIC_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
# ISO datetimes ("1984-03-12T00:00:00", "1984-03-12 10:30"): keep the date part.
_TIME_SUFFIX = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|er|o|a)?|[a-z]+")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|o|a)$")
_FILLER = frozenset({"de", "del", "of", "the", "le", "el", "em"})

_MONTH_NAMES_EN = (
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


@cache
def _month_names() -> dict[str, int]:
    """Folded month names and abbreviations in es, pt, en and fr."""
    table: dict[str, int] = {}
    for code in ("es", "pt", "en", "fr"):
        months = Locale(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    table[fold_name(name)] = int(number)
    # Spellings and abbreviations CLDR does not list but records contain.
    table.update({"setiembre": 9, "set": 9, "sep": 9, "sept": 9, "marco": 3, "fevr": 2,
                  "janv": 1, "juil": 7, "avr": 4, "dez": 12, "dic": 12, "out": 10})  # fmt: skip
    return table


def _invalid(original: str, reason: str) -> PartialDate:
    return PartialDate(original, None, None, False, reason)


def _build(
    original: str,
    year: int,
    month: int | None,
    day: int | None,
    today: datetime.date,
    min_year: int = MIN_YEAR,
) -> PartialDate:
    """Range-check the parts and produce the ISO form at the right precision."""
    if year < min_year:
        return _invalid(original, f"year before {min_year}")
    if year > today.year:
        return _invalid(original, "date in the future")
    if month is None:
        return PartialDate(original, f"{year:04d}", "year", True)
    if not 1 <= month <= 12:
        return _invalid(original, f"impossible month: {month}")
    if (year, month) > (today.year, today.month):
        return _invalid(original, "date in the future")
    if day is None:
        return PartialDate(original, f"{year:04d}-{month:02d}", "month", True)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return _invalid(original, f"impossible date: {day} {_MONTH_NAMES_EN[month]}")
    if datetime.date(year, month, day) > today:
        return _invalid(original, "date in the future")
    return PartialDate(original, f"{year:04d}-{month:02d}-{day:02d}", "day", True)


def _parse_words(
    original: str, text: str, today: datetime.date, min_year: int = MIN_YEAR
) -> PartialDate | None:
    """Dates with a month name: '12 de marzo de 1984', 'March 12, 1984', 'mar 1984'."""
    months = _month_names()
    numbers: list[int] = []
    month: int | None = None
    order: list[str] = []
    for token in _TOKEN.findall(fold_name(text)):
        if token in _FILLER:
            continue
        ordinal = _ORDINAL.match(token)
        if ordinal:
            token = ordinal.group(1)
        if token.isdigit():
            numbers.append(int(token))
            order.append("n" if len(token) <= 2 else "y")
        elif token in months and month is None:
            month = months[token]
            order.append("m")
        else:
            return None
    if month is None:
        return None
    shape = "".join(order)
    if shape == "my":
        return _build(original, numbers[0], month, None, today, min_year)
    if shape in ("nmy", "mny"):  # day before or after the month name
        return _build(original, numbers[1], month, numbers[0], today, min_year)
    if shape == "ymn":  # "1984 mar 12"
        return _build(original, numbers[0], month, numbers[1], today, min_year)
    if "y" not in shape and shape in ("nmn", "mnn", "mn", "nm"):
        return _invalid(original, "two-digit or missing year")
    return None


def parse_date(value: str, day_first: bool = True, min_year: int = MIN_YEAR) -> PartialDate:
    """Parse a full or partial date into ISO form, flagging impossible ones.

    Numeric dates are day-first by default (Latin America and Europe); pass
    ``day_first=False`` for month-first sources.  Two-digit years are not
    accepted (see module docstring).  Years before ``min_year`` (1850: these
    are records of living people) and future dates are invalid; historical
    sources pass a lower ``min_year``.
    """
    # today is part of the cache key so "in the future" is re-judged daily.
    return _parse_date(value, day_first, datetime.date.today(), min_year)


@lru_cache(maxsize=65536)
def _parse_date(
    value: str, day_first: bool, today: datetime.date, min_year: int = MIN_YEAR
) -> PartialDate:
    text = value.strip()
    if not text:
        return _invalid(value, "empty")
    timed = _TIME_SUFFIX.match(text)
    if timed:
        text = timed.group(1)
    match = _ISO.match(text)
    if match:
        year, month, day = match.groups()
        month_n = int(month) if month else None
        day_n = int(day) if day else None
        return _build(value, int(year), month_n, day_n, today, min_year)
    match = _ISO_BASIC.match(text)
    if match:
        return _build(value, int(match[1]), int(match[2]), int(match[3]), today, min_year)
    match = _NUMERIC_DMY.match(text)
    if match:
        first, _sep, second, year = match.groups()
        if len(year) == 2:
            return _invalid(value, "two-digit year is ambiguous")
        day, month = (first, second) if day_first else (second, first)
        return _build(value, int(year), int(month), int(day), today, min_year)
    match = _NUMERIC_MY.match(text)
    if match:
        return _build(value, int(match[2]), int(match[1]), None, today, min_year)
    if text.isdigit():
        return _invalid(value, "unrecognised date format")
    words = _parse_words(value, text, today, min_year)
    if words is not None:
        return words
    return _invalid(value, "unrecognised date format")
