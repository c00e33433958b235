"""Interpreter settings for batch work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one batch (a cross-matching run, a batch of
    comparison levels, a snapshot of the store's links), then as it was before.

    Such batches make hundreds of thousands to millions of objects and almost no reference
    cycles: reference counting frees them as usual, while each burst of allocations sets the
    collector off over a heap that only grows, and a full collection walks every survivor (the
    profiles of historical_50k: 0.3 s a time, about a fifth of ``xref-files``' CPU time; the
    store snapshot's parsed records). Usable as a decorator. Pauses nest: the inner one leaves
    the collector off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
