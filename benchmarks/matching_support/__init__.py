"""Support modules for ``benchmarks/matching.py`` (vinculo xref-files against Splink 5)."""
