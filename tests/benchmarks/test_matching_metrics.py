"""The matching benchmark's metrics, on tiny examples whose answers are worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from matching_support import metrics

# Dedupe: entities 1 = {a, b, c}, 2 = {d, e}, 3 = {f}; true pairs 3 + 1 + 0 = 4.
DEDUPE_TRUTH = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2", "f": "3"}
# (b, a) repeats (a, b) and (a, a) is a self-pair: 3 distinct pairs, of which (a,b), (d,e) true.
DEDUPE_PRED = [("a", "b"), ("b", "a"), ("c", "d"), ("d", "e"), ("a", "a")]

# Link: left and right ids are separate namespaces ("1" is on both sides).
LINK_LEFT = {"1": "x", "2": "y", "3": "z"}
LINK_RIGHT = {"1": "x", "2": "x", "9": "w"}  # entity x: 1 left * 2 right = 2 true pairs
LINK_PRED = [("1", "1"), ("2", "2"), ("3", "9")]  # only (1, 1) is true


def test_count_true_pairs() -> None:
    assert metrics.count_true_pairs(DEDUPE_TRUTH) == 4
    assert metrics.count_true_pairs(LINK_LEFT, LINK_RIGHT) == 2


def test_pairwise_dedupe() -> None:
    m = metrics.pairwise_metrics(DEDUPE_PRED, DEDUPE_TRUTH)
    assert m["predicted_pairs"] == 3
    assert m["true_positives"] == 2
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 4)
    assert m["f1"] == pytest.approx(4 / 7)  # 2PR/(P+R) = (2/3)/(7/6)


def test_pairwise_link_keeps_sides_apart() -> None:
    m = metrics.pairwise_metrics(LINK_PRED, LINK_LEFT, LINK_RIGHT)
    assert m["true_positives"] == 1
    assert m["precision"] == pytest.approx(1 / 3)
    assert m["recall"] == pytest.approx(1 / 2)
    assert m["f1"] == pytest.approx(0.4)
    # Reversed, (2, 1) is left 2 (y) with right 1 (x): not a match, unlike in a dedupe.
    assert metrics.pairwise_metrics([("2", "1")], LINK_LEFT, LINK_RIGHT)["true_positives"] == 0


def test_pairwise_unknown_id_is_a_false_positive() -> None:
    m = metrics.pairwise_metrics([("a", "zz"), ("a", "b")], {"a": "1", "b": "1"})
    assert (m["precision"], m["recall"]) == (0.5, 1.0)


def test_pairwise_nothing_declared() -> None:
    m = metrics.pairwise_metrics([], DEDUPE_TRUTH)
    assert (m["precision"], m["recall"], m["f1"]) == (1.0, 0.0, 0.0)


def test_connected_components() -> None:
    comp = metrics.connected_components(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("e", "a")])
    assert comp["a"] == comp["b"] == comp["c"] == comp["e"]
    assert comp["d"] == "d"


def test_cluster_metrics_dedupe() -> None:
    # Components {a,b}, {c,d,e}, {f} against entities {a,b,c}, {d,e}, {f}.
    m = metrics.cluster_metrics(DEDUPE_PRED, DEDUPE_TRUTH)
    # Closure pairs: predicted 1 + 3 = 4, true 3 + 1 = 4, shared (a,b) and (d,e) = 2.
    assert m["cluster_precision"] == pytest.approx(0.5)
    assert m["cluster_recall"] == pytest.approx(0.5)
    assert m["cluster_f1"] == pytest.approx(0.5)
    # B-cubed precision per record a..f: 1, 1, 1/3, 2/3, 2/3, 1 -> mean 7/9;
    # recall per record: 2/3, 2/3, 1/3, 1, 1, 1 -> mean 7/9.
    assert m["bcubed_precision"] == pytest.approx(7 / 9)
    assert m["bcubed_recall"] == pytest.approx(7 / 9)
    assert m["bcubed_f1"] == pytest.approx(7 / 9)


def test_cluster_metrics_link_counts_within_file_pairs() -> None:
    # Components {L1,R1}, {L2,R2}, {L3,R9}; entities x={L1,R1,R2}, y={L2}, z={L3}, w={R9}.
    # Predicted closure pairs 3, true pairs 3 (including R1-R2, same file), shared L1-R1 only.
    m = metrics.cluster_metrics(LINK_PRED, LINK_LEFT, LINK_RIGHT)
    assert m["cluster_precision"] == pytest.approx(1 / 3)
    assert m["cluster_recall"] == pytest.approx(1 / 3)
    assert m["cluster_f1"] == pytest.approx(1 / 3)


def test_cluster_metrics_perfect_and_empty() -> None:
    perfect = metrics.cluster_metrics([("a", "b"), ("b", "c"), ("d", "e")], DEDUPE_TRUTH)
    assert perfect["cluster_f1"] == 1.0
    assert perfect["bcubed_f1"] == pytest.approx(1.0)
    nothing = metrics.cluster_metrics([], DEDUPE_TRUTH)
    assert nothing["cluster_recall"] == 0.0
    assert nothing["bcubed_precision"] == pytest.approx(1.0)
    # All singletons: recall per record 1/3,1/3,1/3,1/2,1/2,1 -> 3/6.
    assert nothing["bcubed_recall"] == pytest.approx(0.5)


def test_rate_of_linked() -> None:
    candidates = [("a", "b"), ("c", "d")]
    assert metrics.rate_of_linked(candidates, [("b", "a")], link=False) == {
        "pairs": 2,
        "linked": 1,
        "rate": 0.5,
    }
    assert metrics.rate_of_linked(candidates, [("b", "a")], link=True)["rate"] == 0.0
    assert metrics.rate_of_linked([], [("a", "b")], link=False)["rate"] is None


def test_blocking_recall() -> None:
    assert metrics.blocking_recall(3, 4) == 0.75
    assert metrics.blocking_recall(0, 0) == 1.0
