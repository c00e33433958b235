"""Glue between python-stdnum's exception classes and our short reasons."""

from __future__ import annotations

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

__all__ = ["ValidationError", "rank", "reason_for"]

# When several schemes are tried, the failure that got furthest (a checksum
# mismatch means format and length were right) is the most useful to report.
_RANK: tuple[tuple[type[ValidationError], int, str], ...] = (
    (InvalidChecksum, 3, "check digit mismatch"),
    (InvalidComponent, 2, "invalid component"),
    (InvalidLength, 1, "invalid length"),
    (InvalidFormat, 0, "invalid format"),
)


def reason_for(exc: ValidationError) -> str:
    for cls, _rank, reason in _RANK:
        if isinstance(exc, cls):
            return reason
    return "invalid"


def rank(exc: ValidationError) -> int:
    for cls, value, _reason in _RANK:
        if isinstance(exc, cls):
            return value
    return -1
