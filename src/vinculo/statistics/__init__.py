"""Statistics: counts of records, hits and disclosure requests, and the review-date overview.

Counts only, never content; see ``figures`` for who may count what and why.
"""

from vinculo.statistics.figures import (
    UNSPECIFIED,
    Breakdown,
    Figures,
    ReviewOverview,
    agency_figures,
    month_keys,
    review_overview,
)

__all__ = [
    "UNSPECIFIED",
    "Breakdown",
    "Figures",
    "ReviewOverview",
    "agency_figures",
    "month_keys",
    "review_overview",
]
