"""Finding records: one box for names, identifiers, phones, plates and serials, with filters.

``find`` answers with ranked record ids only; what a user may see of each is for
``vinculo.sharing.policy`` to decide (``read_records`` + ``present``), so the API, the web pages
and the CLI search the same way and show the same things. ``records`` holds the read-side
helpers of the entity profile (provenance, original values, links, events, places).
"""

from vinculo.search.query import MAX_RESULTS, Filters, Found, find

__all__ = ["MAX_RESULTS", "Filters", "Found", "find"]
