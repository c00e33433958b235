"""The batch engine on Apache Spark: the same blocking keys, the same comparison levels and the
same scoring as in-process, distributed over a cluster (``local[*]`` on one machine).

Profiles are broadcast to the executors, which compute each record's blocking keys and each
candidate pair's comparison levels with the very functions the in-process engine calls
(``profile_keys``, ``compare_people``). The driver then re-estimates and scores exactly as
in-process, so both engines give identical links on the same data (tests/matching/test_spark.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from vinculo.matching.blocking import DEFAULT_MAX_BLOCK, block_limit, is_loose, profile_keys
from vinculo.matching.compare import compare_people
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile

SPARK_MASTER_ENV = "VINCULO_SPARK_MASTER"


def spark_session(master: str | None = None) -> Any:
    from pyspark.sql import SparkSession

    # Executors must run vinculo's own interpreter (with vinculo installed), not whatever
    # "python3" is first on the PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master or os.environ.get(SPARK_MASTER_ENV, "local[*]"))
        .appName("vinculo-xref")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )


def _pairs_in_block(members: list[int], offset: int | None) -> Iterator[tuple[int, int]]:
    if offset is None:
        ordered = sorted(members)
        for n, a in enumerate(ordered):
            for b in ordered[n + 1 :]:
                yield a, b
        return
    lefts = [m for m in members if m < offset]
    rights = [m - offset for m in members if m >= offset]
    for a in lefts:
        for b in rights:
            yield a, b


def candidate_pairs_and_codes(
    model: Model,
    left: Sequence[Profile],
    right: Sequence[Profile] | None,
    max_block: int = DEFAULT_MAX_BLOCK,
    master: str | None = None,
    loose: bool = False,
) -> tuple[list[tuple[int, int]], list[bool], npt.NDArray[np.int8], dict[str, int]]:
    """Candidate pairs (sorted, as the in-process engine returns them), whether each shares a
    key that is not loose (``blocking.is_loose``), their level codes and the over-correlated
    keys, computed on Spark."""
    spark = spark_session(master)
    sc = spark.sparkContext
    offset = len(left) if right is not None else None
    everyone = list(left) + (list(right) if right is not None else [])
    profiles = sc.broadcast(everyone)
    other_start = len(left) if right is not None else 0
    features = list(model.features.items())

    def keys_of(i: int) -> list[tuple[str, int]]:
        return [(k, i) for k in profile_keys(profiles.value[i], recall=True, loose=loose)]

    blocks = (
        sc.parallelize(range(len(everyone)), max(2, sc.defaultParallelism * 2))
        .flatMap(keys_of)
        .groupByKey()
        .mapValues(list)
        .cache()
    )
    oversized = dict(
        blocks.filter(lambda kv: len(kv[1]) > block_limit(kv[0], max_block))
        .mapValues(len)
        .collect()
    )

    def encode(item: tuple[tuple[int, int], bool]) -> tuple[tuple[int, int], bool, list[int]]:
        (a, b), strict = item
        levels = compare_people(profiles.value[a], profiles.value[other_start + b])
        return (a, b), strict, [levels_index[f][levels.get(f, "missing")] for f, _ in features]

    def flagged(kv: tuple[str, list[int]]) -> Iterator[tuple[tuple[int, int], bool]]:
        strict = not is_loose(kv[0])
        for pair in _pairs_in_block(kv[1], offset):
            yield pair, strict

    levels_index = {f: {level: n for n, level in enumerate(levels)} for f, levels in features}
    coded = (
        blocks.filter(lambda kv: 2 <= len(kv[1]) <= block_limit(kv[0], max_block))
        .flatMap(flagged)
        .reduceByKey(lambda x, y: x or y)
        .map(encode)
        .collect()
    )
    blocks.unpersist()
    profiles.unpersist()
    coded.sort(key=lambda item: item[0])
    pairs = [pair for pair, _, _ in coded]
    strict_mask = [strict for _, strict, _ in coded]
    codes = np.array([c for _, _, c in coded], dtype=np.int8).reshape(len(coded), len(features))
    return pairs, strict_mask, codes, oversized
