"""Criminal network analysis: networks built through the sharing policy, analyses on igraph,
and exports (GraphML, GEXF, ANX, FtM, CSV). See docs/graph.md.

- ``store``: the store's link structure as arrays (no content), cached per database;
- ``network``: a user's network from a selection (ids, agency, case, search), with placeholders
  for hit-only records;
- ``analysis``: centralities, communities, key players, paths, brokerage, most connected;
- ``exports``: the file formats, each marked with handling codes.
"""

from vinculo.graph.network import Filters, Network, Selection, build, neighbourhood
from vinculo.store import graph_tables  # noqa: F401 - the workspace table joins the metadata

__all__ = ["Filters", "Network", "Selection", "build", "neighbourhood"]
