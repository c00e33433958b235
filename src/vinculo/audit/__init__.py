"""Tamper-evident audit log: who did what, for which agency, when, why and from where."""

from vinculo.audit.log import (
    SYSTEM,
    Actor,
    Entry,
    Problem,
    Query,
    Verification,
    record,
    record_now,
    search,
    verify,
)

__all__ = [
    "SYSTEM",
    "Actor",
    "Entry",
    "Problem",
    "Query",
    "Verification",
    "record",
    "record_now",
    "search",
    "verify",
]
