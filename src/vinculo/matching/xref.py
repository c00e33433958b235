"""Linking sets of profiles in one process: candidates, levels, scores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vinculo.matching.blocking import (
    DEFAULT_MAX_BLOCK,
    PairArray,
    Pairs,
    candidate_pairs_flagged,
)
from vinculo.matching.compare import compare_people
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile
from vinculo.matching.vectorised import Encoder, level_codes_vectorised

Progress = Callable[[int, int], None]


@dataclass
class LinkResult:
    #: (n, 2) record indices, left and right.
    pairs: PairArray
    codes: npt.NDArray[np.int8]
    scores: npt.NDArray[np.float64]
    oversized_keys: dict[str, int]
    #: Term-frequency adjustments in log2-odds, already in ``scores`` (None when not used).
    adjustments: npt.NDArray[np.float64] | None = None


#: Below this many pairs, worker processes cost more than they save.
PARALLEL_MIN_PAIRS = 100_000
_SHARED: tuple[Model, Sequence[Profile], Sequence[Profile]] | None = None


def _codes_serial(
    model: Model,
    left: Sequence[Profile],
    right: Sequence[Profile],
    pairs: Pairs,
) -> npt.NDArray[np.int8]:
    codes = np.zeros((len(pairs), len(model.features)), dtype=np.int8)
    listed = pairs.tolist() if isinstance(pairs, np.ndarray) else pairs
    for n, (i, j) in enumerate(listed):
        codes[n] = model.encode(compare_people(left[i], right[j]))
    return codes


def _codes_worker(pairs: Pairs) -> npt.NDArray[np.int8]:
    assert _SHARED is not None
    model, left, right = _SHARED
    return _codes_serial(model, left, right, pairs)


def level_codes(
    model: Model,
    left: Sequence[Profile],
    right: Sequence[Profile],
    pairs: Pairs,
    progress: Progress | None = None,
    workers: int | None = None,
    vectorised: bool = True,
    encoder: Encoder | None = None,
) -> npt.NDArray[np.int8]:
    """Comparison levels of every pair. By default vectorised (``matching.vectorised``: the same
    levels as ``compare_people``, tested pair by pair); ``encoder`` may carry the columns and
    caches of an earlier call on the same profiles. With ``vectorised=False``, the scalar code
    per pair, on all cores for large batches (forked workers share the profiles without copying
    them; Linux; elsewhere: one process)."""
    global _SHARED
    if vectorised:
        return _codes_vectorised(model, left, right, pairs, encoder, progress, workers)
    workers = workers or os.cpu_count() or 1
    if (
        workers < 2
        or len(pairs) < PARALLEL_MIN_PAIRS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _codes_serial(model, left, right, pairs)
    size = 20_000
    chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    _SHARED = (model, left, right)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = []
            for n, part in enumerate(pool.imap(_codes_worker, chunks)):
                parts.append(part)
                if progress:
                    progress(min((n + 1) * size, len(pairs)), len(pairs))
    finally:
        _SHARED = None
    return np.concatenate(parts) if parts else np.zeros((0, len(model.features)), dtype=np.int8)


def _codes_vectorised(
    model: Model,
    left: Sequence[Profile],
    right: Sequence[Profile],
    pairs: Pairs,
    encoder: Encoder | None,
    progress: Progress | None,
    workers: int | None,
) -> npt.NDArray[np.int8]:
    encoder = encoder or Encoder()
    encoded = encoder.columns(left, right)
    codes = level_codes_vectorised(model.features, left, right, pairs, encoder, encoded, workers)
    if progress:
        progress(len(pairs), len(pairs))
    return codes


RANDOM_PAIRS = 100_000


def random_pairs(
    n_left: int, n_right: int | None, count: int = RANDOM_PAIRS, seed: int = 0
) -> list[tuple[int, int]]:
    """Random distinct pairs (across the two sides, or within one), for estimating u."""
    rng = np.random.default_rng(seed)
    if n_right is None:
        if n_left < 2:
            return []
        a = rng.integers(0, n_left, size=count)
        b = rng.integers(0, n_left - 1, size=count)
        b = np.where(b >= a, b + 1, b)
        return list(zip(a.tolist(), b.tolist(), strict=True))
    if not n_left or not n_right:
        return []
    a = rng.integers(0, n_left, size=count)
    b = rng.integers(0, n_right, size=count)
    return list(zip(a.tolist(), b.tolist(), strict=True))


def total_pairs(n_left: int, n_right: int | None) -> int:
    return n_left * (n_left - 1) // 2 if n_right is None else n_left * n_right


def link(
    model: Model,
    left: Sequence[Profile],
    right: Sequence[Profile] | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    em: bool = False,
    progress: Progress | None = None,
    engine: str = "inprocess",
) -> tuple[Model, LinkResult]:
    """Candidates, levels and scores for ``left`` against ``right`` (or within ``left``).
    With ``em`` the model is re-estimated on these profiles (files unlike the training data);
    then the loosest blocking keys (``blocking.LOOSE_KINDS``) are used too, and term-frequency
    adjustments (``matching.frequency``). The trained model's calibration was fitted on the
    candidates of the other keys and holds for those only.
    ``engine`` "spark" computes candidates and levels on Apache Spark; the rest is the same."""
    other = right if right is not None else left
    encoder: Encoder | None = None
    if engine == "spark":
        from vinculo.matching.spark import candidate_pairs_and_codes

        listed, flags, codes, oversized = candidate_pairs_and_codes(
            model, left, right, max_block, loose=em
        )
        pairs = np.asarray(listed, dtype=np.int64).reshape(-1, 2)
        strict = np.asarray(flags, dtype=np.bool_)
    elif engine == "inprocess":
        pairs, strict, oversized = candidate_pairs_flagged(
            left, right, max_block=max_block, loose=em
        )
        encoder = Encoder()
        codes = level_codes(model, left, other, pairs, progress, encoder=encoder)
    else:
        raise ValueError(f"unknown engine {engine!r}: inprocess or spark")
    if em and len(pairs):
        from vinculo.matching.model import estimate_em

        n_right = len(right) if right is not None else None
        sample = random_pairs(len(left), n_right, min(RANDOM_PAIRS, 4 * len(left) + 1000))
        random_codes = level_codes(model, left, other, sample, encoder=encoder)
        # Re-estimated on the pairs that share a key other than a loose one (see
        # blocking.LOOSE_KINDS).
        fitting = np.asarray(strict, dtype=bool)
        fit_codes = codes[fitting] if fitting.any() else codes
        model = estimate_em(model, fit_codes, random_codes, total_pairs(len(left), n_right))
    adjusted = None
    if em and len(pairs):
        # Name frequencies go with a model whose u was measured on these files (see
        # matching.frequency); the trained model's calibration was fitted without them.
        from vinculo.matching.frequency import adjustments

        adjusted = adjustments(model, left, other, pairs, codes)
    scores = model.score_codes(codes, adjusted) if len(pairs) else np.zeros(0)
    return model, LinkResult(pairs, codes, scores, oversized, adjusted)
