"""Result types shared by every normaliser in this package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identifier:
    """A normalised identifier that never loses the value it was built from.

    ``original`` is kept verbatim because an intelligence record must be
    reproducible as received; ``value`` is only a matching key.  Invalid input
    is flagged (``valid=False`` plus ``reason``) rather than dropped or
    "repaired", because a wrong check digit is itself evidence.
    """

    kind: str
    original: str
    value: str | None
    valid: bool
    scheme: str | None = None
    country: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date whose precision (day, month or year) is part of the value."""

    original: str
    value: str | None
    precision: str | None
    valid: bool
    reason: str | None = None
