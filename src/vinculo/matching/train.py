"""Training the person model on the generated scenario, whose ground truth is known.

    vinculo matching train --scale 20000 --seed 7

writes ``matching/params/person.json``. The seed differs from the demo's (1) so that the demo
and the evaluation never score data the model was trained on.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vinculo.matching.blocking import PairArray, candidate_pairs
from vinculo.matching.compare import PERSON_FEATURES
from vinculo.matching.files import load_profiles
from vinculo.matching.model import MATCH_THRESHOLD, Model, train
from vinculo.matching.profile import Profile
from vinculo.matching.xref import level_codes, random_pairs, total_pairs

TRAIN_SEED = 7


@dataclass
class Scenario:
    profiles: list[Profile]
    truth: dict[str, str]


def load_scenario(directory: Path) -> Scenario:
    with (directory / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    profiles: list[Profile] = []
    for agency in agencies:
        path = directory / agency["code"] / "people.csv"
        loaded = load_profiles(path, agency["code"], agency["country"], f"{agency['code']}/")
        profiles.extend(loaded.profiles)
    truth: dict[str, str] = {}
    with (directory / "ground_truth" / "records.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["schema"] == "Person":
                truth[f"{row['agency']}/{row['record_id']}"] = row["true_id"]
    return Scenario(profiles, truth)


def labelled_pairs(
    scenario: Scenario,
) -> tuple[PairArray, npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    profiles = scenario.profiles
    pairs, _ = candidate_pairs(profiles)
    dummy = Model(dict(PERSON_FEATURES), {}, {}, 0.5)
    codes = level_codes(dummy, profiles, profiles, pairs)
    truth = scenario.truth
    true_ids = [truth.get(p.id) for p in profiles]
    labels = np.array(
        [true_ids[i] is not None and true_ids[i] == true_ids[j] for i, j in pairs.tolist()],
        dtype=bool,
    )
    return pairs, codes, labels


def train_on_scenario(directory: Path, threshold: float = MATCH_THRESHOLD) -> Model:
    scenario = load_scenario(directory)
    _, codes, labels = labelled_pairs(scenario)
    profiles = scenario.profiles
    dummy = Model(dict(PERSON_FEATURES), {}, {}, 0.5)
    sample = random_pairs(len(profiles), None, 300_000, seed=TRAIN_SEED)
    random_codes = level_codes(dummy, profiles, profiles, sample)
    counts = Counter(scenario.truth[p.id] for p in profiles if p.id in scenario.truth)
    matching = sum(n * (n - 1) // 2 for n in counts.values())
    prior = matching / total_pairs(len(profiles), None)
    model = train(codes, labels, random_codes, prior)
    model.match_threshold = threshold
    model.meta = {
        "trained_on": "vinculo generated scenario",
        "records": len(scenario.profiles),
        "candidate_pairs": len(labels),
        "matching_pairs": int(labels.sum()),
    }
    return model
