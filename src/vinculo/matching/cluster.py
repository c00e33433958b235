"""From scored pairs to entities: average-linkage clustering of the candidate graph.

Scoring pairs one at a time misses what the other records say. Three records of one person where
the first and the third share nothing comparable (one has no birth date, the other no surname)
are one entity when each agrees strongly with the second; and one wrong link between two large
groups chains them into one entity under a plain transitive closure. ``xref-files`` therefore
declares entities, not lone pairs:

* pairs are taken strongest first (log-odds, the model's own evidence);
* the groups of the two records are merged when the **average** log-odds over every pair
  compared between the two groups still reaches the match threshold (average linkage, with the
  match threshold as its only parameter: nothing is fitted to any dataset's labels);
* every pair of records within one group is declared, with the probability of the merge that
  joined them (the evidence that their two groups are one entity).

Pairs never compared (no shared blocking key) carry no evidence and do not count in the average.
A pair compared and found contradictory (a birth date conflict, different names) pulls the
average down, so one strong link cannot drag in a group that disagrees with the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vinculo.matching.blocking import Pairs
from vinculo.matching.model import Model


@dataclass
class Clusters:
    #: (left index, right index, probability), left < right in deduplication.
    pairs: list[tuple[int, int, float]]
    #: Node -> cluster label (nodes of the right file follow the left file's in linkage).
    labels: list[int]


def log_odds(model: Model, codes: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
    """The log2-odds of each pair, as ``score_codes`` adds them, before calibration."""
    total = np.zeros(len(codes))
    for column, weights in enumerate(model.weights().values()):
        total += np.asarray(weights)[codes[:, column]]
    result: npt.NDArray[np.float64] = total + math.log2(model.prior / (1 - model.prior))
    return result


def threshold_log_odds(model: Model, threshold: float) -> float:
    """The smallest log-odds whose probability reaches ``threshold``."""
    if model.calibration:
        for x, probability in model.calibration:
            if probability >= threshold:
                return x
        return math.inf
    threshold = min(max(threshold, 1e-12), 1 - 1e-12)
    return math.log2(threshold / (1 - threshold))


def cluster(
    model: Model,
    n_left: int,
    n_right: int | None,
    pairs: Pairs,
    codes: npt.NDArray[np.int8],
    threshold: float,
    extra: npt.NDArray[np.float64] | None = None,
) -> Clusters:
    """Average-linkage clusters of the candidate pairs (see the module's docstring).

    ``pairs`` index ``left`` × ``right`` in linkage (``n_right`` given) or ``left`` × ``left``
    in deduplication. In linkage only left-right pairs are declared. ``extra``: log2-odds added
    per pair (term-frequency adjustments)."""
    offset = n_left if n_right is not None else 0
    nodes = n_left + (n_right or 0)
    if not len(pairs):
        return Clusters([], list(range(nodes)))
    evidence = log_odds(model, codes)
    if extra is not None:
        evidence = evidence + extra
    ends = np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)  # a copy: changed below
    ends[:, 1] += offset
    low = ends.min(axis=1)
    high = ends.max(axis=1)
    cut = threshold_log_odds(model, threshold)
    strong = np.flatnonzero(evidence >= cut)
    # Only records with a pair at the threshold ever join a group: the evidence between two
    # others is never looked up, and leaving it out keeps the table small.
    touched = np.zeros(nodes, dtype=bool)
    touched[low[strong]] = True
    touched[high[strong]] = True
    kept = touched[low] & touched[high]
    direct: dict[int, float] = dict(
        zip((low[kept] * nodes + high[kept]).tolist(), evidence[kept].tolist(), strict=True)
    )
    parent = list(range(nodes))
    members: dict[int, list[int]] = {}
    # Merges refused between two groups as they were: tried again only if either has grown.
    refused: dict[tuple[int, int], tuple[int, int]] = {}
    declared: list[tuple[int, int, float]] = []

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Strongest first; equal evidence in the order of the pairs, so that runs are repeatable.
    strong = strong[np.argsort(-evidence[strong], kind="stable")]
    for a, b in zip(low[strong].tolist(), high[strong].tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a == root_b:
            continue
        group_a = members.get(root_a) or [root_a]
        group_b = members.get(root_b) or [root_b]
        sizes = (len(group_a), len(group_b))
        key = (root_a, root_b) if root_a < root_b else (root_b, root_a)
        if refused.get(key) == sizes or refused.get(key) == sizes[::-1]:
            continue
        total = 0.0
        count = 0
        for x in group_a:
            base = x * nodes
            for y in group_b:
                value = direct.get(base + y if x < y else y * nodes + x)
                if value is not None:
                    total += value
                    count += 1
        mean = total / count
        if mean < cut:
            refused[key] = sizes
            continue
        probability = model.probability(mean)
        for x in group_a:
            for y in group_b:
                declared.append((x, y, probability) if x < y else (y, x, probability))
        if len(group_a) < len(group_b):
            root_a, root_b, group_a, group_b = root_b, root_a, group_b, group_a
        parent[root_b] = root_a
        group_a.extend(group_b)
        members[root_a] = group_a
        members.pop(root_b, None)
    if n_right is not None:
        declared = [(x, y - offset, p) for x, y, p in declared if x < offset <= y]
    return Clusters(sorted(declared), [find(x) for x in range(nodes)])
