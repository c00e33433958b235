"""Weighted picks with precomputed cumulative weights: ``random.choices`` recomputes them on
every call, which showed at the top of the profile at a million records."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self._values = tuple(weights)
        self._cum = tuple(accumulate(weights.values()))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self._values[bisect_right(self._cum, rng.random() * self._total)]
