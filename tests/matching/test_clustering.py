"""Entities from scored pairs (average linkage), term-frequency adjustments and the loose
blocking keys of ``xref-files``."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from vinculo.matching import blocking
from vinculo.matching.cluster import cluster, threshold_log_odds
from vinculo.matching.compare import PERSON_FEATURES, compare_people
from vinculo.matching.frequency import adjustments
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile
from vinculo.matching.xref_files import run_xref_files
from vinculo.names import parse_person_name

# One feature whose levels weigh exactly +10, +5, -20 and 0 bits (m / u = 2^10, 2^5, 2^-20), and
# a prior of 1/2 (0 bits): a pair's log-odds is its weight.
FEATURES: dict[str, tuple[str, ...]] = {"f": ("strong", "mild", "against", "missing")}
TOY = Model(
    FEATURES,
    m={"f": [2**-1, 2**-3, 2**-21, 0.375 - 2**-21]},
    u={"f": [2**-11, 2**-8, 2**-1, 0.5 - 2**-11 - 2**-8]},
    prior=0.5,
)
STRONG, MILD, AGAINST = 0, 1, 2


def codes(*levels: int) -> np.ndarray:
    return np.array([[level] for level in levels], dtype=np.int8)


def p(bits: float) -> float:
    return 1 / (1 + 2**-bits)


def test_toy_model_weights_are_as_designed() -> None:
    assert TOY.weights()["f"][:3] == pytest.approx([10.0, 5.0, -20.0])


def test_a_pair_never_compared_is_declared_through_a_third_record() -> None:
    found = cluster(TOY, 3, None, [(0, 1), (1, 2)], codes(STRONG, STRONG), 0.9)
    assert [(a, b) for a, b, _ in found.pairs] == [(0, 1), (0, 2), (1, 2)]
    assert [score for _, _, score in found.pairs] == pytest.approx([p(10)] * 3)
    assert len(set(found.labels)) == 1


def test_one_strong_link_does_not_chain_two_groups_that_disagree() -> None:
    # {0, 1} and {2, 3} are each one entity; 1-2 agree strongly, but 0-2 and 0-3 contradict:
    # mean over the three compared cross pairs (10 - 20 - 20) / 3 = -10 bits < threshold.
    pairs = [(0, 1), (2, 3), (1, 2), (0, 2), (0, 3)]
    found = cluster(TOY, 4, None, pairs, codes(STRONG, STRONG, STRONG, AGAINST, AGAINST), 0.9)
    assert [(a, b) for a, b, _ in found.pairs] == [(0, 1), (2, 3)]
    assert found.labels[0] == found.labels[1] != found.labels[2] == found.labels[3]


def test_groups_merge_on_the_average_not_the_weakest_pair() -> None:
    # Cross pairs 1-2 (+10), 0-3 (+10) and 0-2 (mild, +5): mean 25 / 3 bits, above the
    # threshold although 0-2 alone would not be.
    pairs = [(0, 1), (2, 3), (1, 2), (0, 3), (0, 2)]
    found = cluster(TOY, 4, None, pairs, codes(STRONG, STRONG, STRONG, STRONG, MILD), 0.9)
    assert len(found.pairs) == 6
    merged = {(a, b): s for a, b, s in found.pairs if (a, b) not in {(0, 1), (2, 3)}}
    assert merged == {pair: pytest.approx(p(25 / 3)) for pair in [(0, 2), (0, 3), (1, 2), (1, 3)]}


def test_below_the_threshold_nothing_is_declared() -> None:
    found = cluster(TOY, 2, None, [(0, 1)], codes(MILD), 0.99)  # 5 bits: p = 0.97
    assert found.pairs == []
    assert cluster(TOY, 2, None, [(0, 1)], codes(MILD), 0.9).pairs == [(0, 1, p(5))]


def test_linkage_declares_only_pairs_across_the_files() -> None:
    # Left 0 and 1 both match right 0: one entity, but the two left records are not a pair
    # of the linkage.
    found = cluster(TOY, 2, 2, [(0, 0), (1, 0)], codes(STRONG, STRONG), 0.9)
    assert [(a, b) for a, b, _ in found.pairs] == [(0, 0), (1, 0)]


def test_extra_log_odds_count_in_the_decision() -> None:
    extra = np.array([-8.0])  # 10 - 8 = 2 bits: p = 0.8 < 0.9
    assert cluster(TOY, 2, None, [(0, 1)], codes(STRONG), 0.9, extra).pairs == []


def test_threshold_log_odds() -> None:
    assert threshold_log_odds(TOY, 0.9) == pytest.approx(math.log2(9))
    calibrated = Model(FEATURES, TOY.m, TOY.u, 0.5, calibration=[(-5.0, 0.1), (2.0, 0.95)])
    assert threshold_log_odds(calibrated, 0.9) == 2.0
    assert threshold_log_odds(calibrated, 0.99) == math.inf


def person(n: int, name: str) -> Profile:
    return Profile(id=str(n), names=(parse_person_name(name),))


def test_common_names_weigh_less_rare_names_more() -> None:
    people = [
        person(0, "Juan García"),
        person(1, "Juan García"),
        person(2, "Juan García"),
        person(3, "Pedro Zubizarreta"),
        person(4, "Pedro Zubizarreta"),
    ]
    features = dict(PERSON_FEATURES)
    model = Model(features, {}, {f: [0.1] * len(levels) for f, levels in features.items()}, 0.5)
    pairs = [(0, 1), (3, 4), (0, 3)]
    level_codes = np.array([model.encode(compare_people(people[a], people[b])) for a, b in pairs])
    got = adjustments(model, people, people, pairs, level_codes.astype(np.int8))
    # García and Juan are each held by 3 of 5 records, Pedro and Zubizarreta by 2 of 5; u of an
    # exact agreement is 0.1: log2(0.1 / 0.6) twice, log2(0.1 / 0.4) twice, nothing for 0-3.
    assert got == pytest.approx([2 * math.log2(0.1 / 0.6), 2 * math.log2(0.1 / 0.4), 0.0])


def test_common_places_of_birth_weigh_less() -> None:
    people = [
        Profile(id=str(n), names=(parse_person_name(name),), birth_places=frozenset({place}))
        for n, (name, place) in enumerate(
            [("Ana Ruiz", "london"), ("Eva Mora", "london"), ("Luz Gil", "london"),
             ("Rosa Paz", "thwing"), ("Rosa Paz", "thwing"), ("Ines Sol", "london")]
        )
    ]  # fmt: skip
    features = dict(PERSON_FEATURES)
    model = Model(features, {}, {f: [0.25] * len(levels) for f, levels in features.items()}, 0.5)
    pairs = [(0, 1), (3, 4)]
    level_codes = np.array([model.encode(compare_people(people[a], people[b])) for a, b in pairs])
    got = adjustments(model, people, people, pairs, level_codes.astype(np.int8))
    # 0-1: only the place agrees, London, 4 of 6 records: log2(0.25 / (4 / 6)). 3-4: Rosa (2 of
    # 6), Paz (2 of 6) and Thwing (2 of 6) agree: 3 × log2(0.25 / (2 / 6)).
    assert got == pytest.approx([math.log2(0.25 * 6 / 4), 3 * math.log2(0.25 * 6 / 2)])


def test_adjustments_are_bounded() -> None:
    people = [person(n, "Ana Zubizarreta") for n in range(2)]
    features = dict(PERSON_FEATURES)
    model = Model(features, {}, {f: [1e-9] * len(levels) for f, levels in features.items()}, 0.5)
    level_codes = np.array([model.encode(compare_people(people[0], people[1]))], dtype=np.int8)
    assert adjustments(model, people, people, [(0, 1)], level_codes) == pytest.approx([-12.0])


def naive_pairs(blocks: list[list[int]], offset: int | None) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for members in blocks:
        for a, b in itertools.combinations(members, 2):
            if offset is None:
                out.add((min(a, b), max(a, b)))
            elif (a < offset) != (b < offset):
                out.add((min(a, b), max(a, b) - offset))
    return out


@pytest.mark.parametrize("offset", [None, 7])
def test_pairs_of_blocks_as_integers(offset: int | None) -> None:
    rng = np.random.default_rng(5)
    blocks = [sorted(rng.choice(15, size=int(k), replace=False).tolist())
              for k in rng.integers(2, 7, size=40)]  # fmt: skip
    width = 15
    got = blocking._pair_codes(blocks, offset, width)
    first, second = np.divmod(got, width)
    decoded = {(int(a), int(b) - (offset or 0)) for a, b in zip(first, second, strict=True)}
    assert decoded == naive_pairs(blocks, offset)
    assert list(got) == sorted(set(got.tolist()))


def test_loose_keys_only_when_asked_and_flagged() -> None:
    a = Profile(id="a", names=(parse_person_name("Pribram"),), birth_places=frozenset({"lambeth"}))
    b = Profile(id="b", names=(parse_person_name("Alfred Pribram"),))
    assert not any(blocking.is_loose(k) for k in blocking.profile_keys(a, recall=True))
    loose = blocking.profile_keys(a, recall=True, loose=True)
    assert {k.split(":", 1)[0] for k in loose if blocking.is_loose(k)} == {"n", "pn"}
    assert len(blocking.candidate_pairs_flagged([a, b])[0]) == 0
    pairs, strict, _ = blocking.candidate_pairs_flagged([a, b], loose=True)
    assert pairs.tolist() == [[0, 1]] and strict.tolist() == [False]


def test_loose_name_blocks_have_a_lower_cap() -> None:
    assert blocking.block_limit("n:PRBRM") == blocking.KIND_MAX_BLOCK["n"] < 200
    assert blocking.block_limit("s:PRBRM:a") == blocking.DEFAULT_MAX_BLOCK
    assert blocking.block_limit("n:PRBRM", 4) == 4


def test_xref_files_declares_entities(tmp_path: Path) -> None:
    # A-B agree on name and birth date, A-C on name and phone: both matches. B-C share only the
    # name (no date on C, no phone on B): not a match on its own, but one person through A, and
    # the average evidence of A-C and B-C still reaches the threshold.
    one = tmp_path / "one.csv"
    one.write_text(
        "id,name,birth_date,phone\n"
        "A,Rosa Elena Vargas Pinto,1966-06-06,+57 300 123 4567\n"
        "B,Rosa Elena Vargas Pinto,1966-06-06,\n"
        "C,Rosa Elena Vargas Pinto,,+57 300 123 4567\n",
        encoding="utf-8",
    )

    def declared(clusters: bool) -> set[frozenset[str]]:
        out = tmp_path / f"links-{clusters}.csv"
        run_xref_files(one, None, out, em=False, clusters=clusters)
        with out.open(encoding="utf-8", newline="") as fh:
            return {frozenset((r["left_id"], r["right_id"])) for r in csv.DictReader(fh)}

    assert declared(clusters=True) == {frozenset("AB"), frozenset("AC"), frozenset("BC")}
    assert declared(clusters=False) == {frozenset("AB"), frozenset("AC")}
