"""Accuracy metrics for record linkage, as pure functions over ids, pairs and entity labels.

Ground truth is an entity label per record: two records match when their labels are equal.

* Deduplication (one file): ``truth`` maps record id -> entity; a pair is unordered and a
  self-pair is ignored; the true pairs are every unordered pair of records of one entity.
* Linkage (two files): ``truth`` maps left ids and ``truth_right`` maps right ids; a pair is
  (left id, right id); the true pairs are every (left, right) of one entity. Left and right ids
  live in separate namespaces, so the same id may appear in both files.

Pairwise scores are computed at the tool's own output (the pairs it declared), never at a best
threshold. Cluster scores take the connected components of the declared pairs (the transitive
closure; an unlinked record is a singleton) against the true entities, two ways:

* ``cluster_f1``: pairwise F1 over the transitive closure, counting every pair of records that
  share a predicted component (in linkage this includes two records of the same file, which the
  closure asserts to be one entity) against every pair that shares a true entity.
* ``bcubed_f1``: B-cubed F1 (Bagga & Baldwin 1998): per record, precision is
  |predicted cluster ∩ true cluster| / |predicted cluster| and recall is the same over
  |true cluster|; both averaged over all records, then F1 of the two averages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

Pair = tuple[str, str]
Node = Hashable


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _ratio(num: int | float, den: int | float) -> float:
    """num/den, with 0/0 taken as 1.0 (nothing claimed, nothing wrong)."""
    return 1.0 if den == 0 else num / den


def normalise_pairs(pairs: Iterable[Pair], *, link: bool) -> set[Pair]:
    """Distinct pairs: as given for linkage; sorted, without self-pairs, for deduplication."""
    out: set[Pair] = set()
    for a, b in pairs:
        if link:
            out.add((a, b))
        elif a != b:
            out.add((a, b) if a <= b else (b, a))
    return out


def count_true_pairs(
    truth: Mapping[str, Hashable], truth_right: Mapping[str, Hashable] | None = None
) -> int:
    """Number of true pairs: sum of C(n, 2) per entity, or of n_left * n_right when linking."""
    left = Counter(truth.values())
    if truth_right is None:
        return sum(n * (n - 1) // 2 for n in left.values())
    right = Counter(truth_right.values())
    return sum(n * right[e] for e, n in left.items())


def pairwise_metrics(
    predicted: Iterable[Pair],
    truth: Mapping[str, Hashable],
    truth_right: Mapping[str, Hashable] | None = None,
) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of the declared pairs.

    A declared pair with an id missing from the truth counts as a false positive.
    """
    link = truth_right is not None
    right = truth_right if truth_right is not None else truth
    pairs = normalise_pairs(predicted, link=link)
    tp = 0
    for a, b in pairs:
        ea, eb = truth.get(a), right.get(b)
        if ea is not None and ea == eb:
            tp += 1
    true_pairs = count_true_pairs(truth, truth_right)
    precision = _ratio(tp, len(pairs))
    recall = _ratio(tp, true_pairs)
    return {
        "predicted_pairs": len(pairs),
        "true_pairs": true_pairs,
        "true_positives": tp,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
    }


def connected_components(nodes: Iterable[Node], edges: Iterable[tuple[Node, Node]]) -> dict:
    """Component label (a representative node) of every node; edges may add nodes."""
    parent: dict[Node, Node] = {}

    def find(x: Node) -> Node:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for n in nodes:
        parent.setdefault(n, n)
    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    return {n: find(n) for n in parent}


def cluster_metrics(
    predicted: Iterable[Pair],
    truth: Mapping[str, Hashable],
    truth_right: Mapping[str, Hashable] | None = None,
) -> dict[str, float]:
    """Closure-pairwise and B-cubed precision/recall/F1 of the components of the declared pairs.

    Records are those of the truth (every record of the input); in linkage a record is the node
    ("L", id) or ("R", id). Declared pairs naming unknown ids add nodes with no true entity,
    which only ever lower precision.
    """
    true_label: dict[Node, Hashable] = {}
    if truth_right is None:
        true_label.update(truth)
        edges: list[tuple[Node, Node]] = [(a, b) for a, b in predicted if a != b]
    else:
        true_label.update({("L", i): e for i, e in truth.items()})
        true_label.update({("R", i): e for i, e in truth_right.items()})
        edges = [(("L", a), ("R", b)) for a, b in predicted]
    component = connected_components(true_label, edges)
    # A node unknown to the truth is an entity of its own.
    label = {n: true_label.get(n, ("unknown", n)) for n in component}
    pred_size = Counter(component.values())
    true_size = Counter(label.values())
    cell = Counter((component[n], label[n]) for n in component)

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    tp = sum(pairs(n) for n in cell.values())
    pred_pairs = sum(pairs(n) for n in pred_size.values())
    true_pairs = sum(pairs(n) for n in true_size.values())
    closure_p, closure_r = _ratio(tp, pred_pairs), _ratio(tp, true_pairs)

    # B-cubed: each of the n records in cell (c, t) overlaps n, so the sums are of n^2 / size.
    records = len(component) or 1
    b3_p = sum(n * n / pred_size[c] for (c, _), n in cell.items()) / records
    b3_r = sum(n * n / true_size[t] for (_, t), n in cell.items()) / records
    return {
        "cluster_precision": closure_p,
        "cluster_recall": closure_r,
        "cluster_f1": _f1(closure_p, closure_r),
        "bcubed_precision": b3_p,
        "bcubed_recall": b3_r,
        "bcubed_f1": _f1(b3_p, b3_r),
    }


def rate_of_linked(candidates: Iterable[Pair], predicted: Iterable[Pair], *, link: bool) -> dict:
    """How many of ``candidates`` (e.g. look-alike pairs, hard negatives) were declared pairs."""
    declared = normalise_pairs(predicted, link=link)
    wanted = normalise_pairs(candidates, link=link)
    hit = len(wanted & declared)
    return {"pairs": len(wanted), "linked": hit, "rate": hit / len(wanted) if wanted else None}


def blocking_recall(surviving_true_pairs: int, true_pairs: int) -> float:
    """Fraction of true pairs that a blocking step lets through to scoring."""
    return _ratio(surviving_true_pairs, true_pairs)
