"""A Fellegi–Sunter model over comparison levels, with a calibration step.

Each feature level has m = P(level | same entity) and u = P(level | two random records). Its
weight is log2(m/u); a pair's log-odds is the prior's (the chance that two random records match)
plus the sum of its levels' weights. u comes from random pairs, not from candidates: candidates
are chosen because they agree on something, and u measured on them would discount exactly that
agreement (the same choice as Splink's). A one-dimensional logistic fit on labelled data maps the
log-odds to a calibrated probability: an isotonic (monotone) fit on labelled candidate pairs,
because naive Bayes over-counts correlated evidence. A model re-estimated by EM on unlabelled
data has nothing to calibrate against and uses the Fellegi–Sunter posterior as it is.

Parameters are trained on the generated scenario (supervised: its ground truth is known). On
other data, ``estimate_em`` re-estimates m and the prior with u measured on that data.

Some weights are bounded by what is known of the domain rather than learned from synthetic data:
people change phones, e-mail addresses and homes and hold several passports, so a difference there
is weak evidence against a match whatever the training data says (``WEIGHT_BOUNDS``).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vinculo.matching.compare import MISSING, PERSON_FEATURES

PARAMS_PATH = Path(__file__).parent / "params" / "person.json"
#: Default thresholds on the calibrated probability.
MATCH_THRESHOLD = 0.9
REVIEW_THRESHOLD = 0.5
_SMOOTHING = 0.5
#: From this many pairs, batch scores are summed on two threads.
SCORE_THREADS_MIN = 200_000
#: (feature, level) -> (lowest, highest) weight in bits.
WEIGHT_BOUNDS: dict[tuple[str, str], tuple[float, float]] = {
    ("phone", "different"): (-2.0, 0.0),
    ("email", "different"): (-2.0, 0.0),
    ("address", "different"): (-2.0, 0.0),
    ("address", "overlap"): (-1.0, 8.0),
    ("passport", "different"): (-3.0, 0.0),
    ("nationality", "disjoint"): (-4.0, 0.0),
    # Registries write a town, a district or a province for the same birth.
    ("birth_place", "different"): (-3.0, 0.0),
}

LEVEL_TEXT: dict[str, dict[str, str]] = {
    "given": {
        "exact": "given names agree",
        "variant": "given names agree as variants (hypocoristic or another language's form)",
        "compound_partial": "one compound given name on one side only",
        "initial": "given name matches an initial",
        "typo": "given names differ by a typo",
        "gendered": "given names differ by gender (e.g. Juan / Juana)",
        "different": "given names differ",
    },
    "surnames": {
        "both_exact": "both surnames agree",
        "both_typo": "surnames agree up to a typo",
        "one_missing": "surnames agree, second surname missing on one side",
        "paternal_only_match": "only the paternal surname agrees",
        "order_culture": "same surnames in Spanish vs Portuguese order",
        "one_shared": "one surname shared",
        "swapped": "the two surnames are swapped (cousins look like this)",
        "different": "surnames differ",
    },
    "birth_date": {
        "exact": "birth dates agree",
        "partial_agree": "birth dates agree as far as both are known",
        "swapped_day_month": "birth dates agree with day and month swapped",
        "one_digit": "birth dates differ by one digit",
        "one_year_off": "birth dates one year apart",
        "same_year": "same birth year, different day",
        "conflict": "birth dates conflict",
    },
    "national_id": {"equal": "same national id number", "conflict": "national id numbers conflict"},
    "weak_id": {
        "equal": "same id number (not validated)",
        "typo": "id numbers differ by one character",
        "different": "id numbers differ",
    },
    "passport": {"equal": "same passport number", "different": "different passport numbers"},
    "phone": {"shared": "a phone number in common", "different": "no phone number in common"},
    "email": {"shared": "an e-mail address in common", "different": "no e-mail in common"},
    "address": {
        "exact": "same address",
        "overlap": "addresses largely overlap",
        "different": "addresses differ",
    },
    "birth_place": {
        "exact": "same place of birth",
        "typo": "places of birth differ by a typo",
        "different": "places of birth differ",
    },
    "alias": {"shared": "an alias in common"},
    "gender": {"agree": "same sex", "conflict": "sex differs"},
    "nationality": {"overlap": "a nationality in common", "disjoint": "nationalities differ"},
}


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    level: str
    weight: float

    def text(self) -> str:
        description = LEVEL_TEXT.get(self.feature, {}).get(
            self.level, f"{self.feature} {self.level}"
        )
        return f"{description}: {self.weight:+.1f}"


@dataclass(frozen=True, slots=True)
class Scored:
    probability: float
    log_odds: float
    contributions: tuple[Contribution, ...]

    def explanation(self) -> list[str]:
        significant = [c for c in self.contributions if abs(c.weight) >= 0.05]
        return [c.text() for c in sorted(significant, key=lambda c: -abs(c.weight))]


@dataclass
class Model:
    features: dict[str, tuple[str, ...]]
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float
    #: Isotonic calibration: (log2-odds, probability) breakpoints, interpolated; None: the
    #: Fellegi–Sunter posterior itself.
    calibration: list[tuple[float, float]] | None = None
    match_threshold: float = MATCH_THRESHOLD
    review_threshold: float = REVIEW_THRESHOLD
    meta: dict[str, Any] = field(default_factory=dict)
    _weights: dict[str, list[float]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _level_weights: dict[str, dict[str, float]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    # -- weights --------------------------------------------------------------------------------
    def weights(self) -> dict[str, list[float]]:
        # m and u do not change after a model is made (training and EM make new models), so
        # the weights are computed once: scoring runs for every candidate of every new record.
        if self._weights is None:
            self._weights = self._compute_weights()
        return self._weights

    def _compute_weights(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for feature, levels in self.features.items():
            weights = []
            for i, level in enumerate(levels):
                weight = 0.0
                if level != MISSING:
                    weight = math.log2(self.m[feature][i] / self.u[feature][i])
                    low, high = WEIGHT_BOUNDS.get((feature, level), (-math.inf, math.inf))
                    weight = min(max(weight, low), high)
                weights.append(weight)
            out[feature] = weights
        return out

    def weight_matrix(self) -> npt.NDArray[np.float64]:
        """features × max levels, in bits; unused cells are 0."""
        width = max(len(levels) for levels in self.features.values())
        matrix = np.zeros((len(self.features), width))
        for row, values in enumerate(self.weights().values()):
            matrix[row, : len(values)] = values
        return matrix

    def encode(self, levels: Mapping[str, str]) -> list[int]:
        return [self.features[f].index(levels.get(f, MISSING)) for f in self.features]

    # -- scoring --------------------------------------------------------------------------------
    def _calibrate(self, log2_odds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if self.calibration:
            # Piecewise constant, as isotonic regression predicts: the match rate of the block
            # whose lowest log-odds is the largest not above x.
            xs = np.array([x for x, _ in self.calibration])
            ys = np.array([y for _, y in self.calibration])
            at = np.clip(np.searchsorted(xs, log2_odds, side="right") - 1, 0, len(ys) - 1)
            result: npt.NDArray[np.float64] = ys[at]
            return result
        return 1.0 / (1.0 + np.exp2(-np.clip(log2_odds, -1000, 1000)))

    def score_codes(
        self, codes: npt.NDArray[np.int8], extra: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]:
        """Calibrated probabilities for a (pairs × features) array of level indices; ``extra``:
        log2-odds to add per pair (term-frequency adjustments, ``matching.frequency``)."""
        # Feature by feature, in the order ``score`` adds the weights, then the prior: the
        # same log-odds as ``score`` to the last bit (with a calibration, the same probability
        # in a batch and in a real-time check), and a lookup in one feature's weights is much
        # cheaper than fancy indexing of the whole features × levels matrix.
        tables = [np.asarray(weights) for weights in self.weights().values()]
        weights_sum = np.zeros(len(codes))

        def add_weights(rows: slice) -> None:
            # One contiguous row per feature: a column of the pairs × features array is strided.
            by_feature = np.ascontiguousarray(codes[rows].T)
            total = weights_sum[rows]
            for column, table in enumerate(tables):
                np.add(total, np.take(table, by_feature[column]), out=total)

        halves = [slice(0, len(codes) // 2), slice(len(codes) // 2, len(codes))]
        if len(codes) >= SCORE_THREADS_MIN:
            # Two threads: NumPy lets go of the interpreter inside take and add.
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(add_weights, halves))
        else:
            add_weights(slice(0, len(codes)))
        if extra is not None:
            weights_sum += extra
        return self._calibrate(math.log2(self.prior / (1 - self.prior)) + weights_sum)

    def probability(self, log2_odds: float) -> float:
        if self.calibration:
            index = bisect.bisect_right(self._calibration_x(), log2_odds) - 1
            return self.calibration[max(0, min(index, len(self.calibration) - 1))][1]
        return float(1.0 / (1.0 + 2.0 ** -max(min(log2_odds, 1000.0), -1000.0)))

    def _calibration_x(self) -> list[float]:
        return [x for x, _ in self.calibration or []]

    def probability_of(self, levels: Mapping[str, str]) -> float:
        """``score(levels).probability`` without building the explanation: the real-time check
        scores every candidate and explains only the hits."""
        table = self._level_weights
        if table is None:
            weights = self.weights()
            table = {f: dict(zip(levels_, weights[f], strict=True))
                     for f, levels_ in self.features.items()}  # fmt: skip
            self._level_weights = table
        log_odds = math.log2(self.prior / (1 - self.prior)) + sum(
            table[f][levels.get(f, MISSING)] for f in self.features
        )
        return self.probability(log_odds)

    def score(self, levels: Mapping[str, str]) -> Scored:
        weights = self.weights()
        contributions = tuple(
            Contribution(
                f,
                levels.get(f, MISSING),
                weights[f][self.features[f].index(levels.get(f, MISSING))],
            )
            for f in self.features
        )
        log_odds = math.log2(self.prior / (1 - self.prior)) + sum(c.weight for c in contributions)
        return Scored(self.probability(log_odds), log_odds, contributions)

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "features": {f: list(levels) for f, levels in self.features.items()},
            "m": self.m,
            "u": self.u,
            "prior": self.prior,
            "calibration": [list(point) for point in self.calibration]
            if self.calibration
            else None,
            "match_threshold": self.match_threshold,
            "review_threshold": self.review_threshold,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Model:
        return cls(
            features={f: tuple(levels) for f, levels in data["features"].items()},
            m={f: list(v) for f, v in data["m"].items()},
            u={f: list(v) for f, v in data["u"].items()},
            prior=float(data["prior"]),
            calibration=[(float(x), float(y)) for x, y in data["calibration"]]
            if data.get("calibration")
            else None,
            match_threshold=float(data.get("match_threshold", MATCH_THRESHOLD)),
            review_threshold=float(data.get("review_threshold", REVIEW_THRESHOLD)),
            meta=dict(data.get("meta", {})),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = PARAMS_PATH) -> Model:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _distribution(counts: npt.NDArray[np.float64], pseudo: float) -> list[float]:
    smoothed = counts + pseudo
    return [float(x) for x in smoothed / smoothed.sum()]


def train(
    codes: npt.NDArray[np.int8],
    labels: npt.NDArray[np.bool_],
    random_codes: npt.NDArray[np.int8],
    prior: float,
    features: Mapping[str, tuple[str, ...]] = PERSON_FEATURES,
) -> Model:
    """m from the labelled matching candidate pairs, u from random pairs, and the prior (the
    chance that two random records match) as given; then a logistic calibration of the log-odds
    against the candidates' labels."""
    m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for column, (feature, levels) in enumerate(features.items()):
        counts_m = np.bincount(codes[labels, column], minlength=len(levels)).astype(float)
        counts_u = np.bincount(random_codes[:, column], minlength=len(levels)).astype(float)
        m[feature] = _distribution(counts_m, _SMOOTHING)
        # Pseudo-counts in proportion to the sample sizes: a level never observed in either
        # sample gets weight 0, and a rarely observed one is shrunk towards 0.
        u[feature] = _distribution(
            counts_u, _SMOOTHING * max(len(random_codes), 1) / max(int(labels.sum()), 1)
        )
    model = Model(dict(features), m, u, prior)
    model.calibration = _fit_isotonic(_log2_odds(model, codes), labels)
    return model


def _log2_odds(model: Model, codes: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
    matrix = model.weight_matrix()
    rows = np.arange(len(model.features))
    prior = math.log2(model.prior / (1 - model.prior))
    result: npt.NDArray[np.float64] = matrix[rows, codes.astype(np.intp)].sum(axis=1) + prior
    return result


def _fit_isotonic(
    log2_odds: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_], points: int = 64
) -> list[tuple[float, float]]:
    """Monotone map from log-odds to the observed match rate (pool-adjacent-violators), reduced
    to at most ``points`` breakpoints and kept strictly inside (0, 1)."""
    order = np.argsort(log2_odds, kind="stable")
    x = log2_odds[order]
    y = labels[order].astype(float)
    # Pool adjacent violators over blocks of (sum, count).
    sums: list[float] = []
    counts: list[float] = []
    lefts: list[float] = []
    for value, label in zip(x.tolist(), y.tolist(), strict=True):
        if lefts and value == lefts[-1] and len(sums) == len(lefts):
            sums[-1] += label  # equal log-odds belong to one block
            counts[-1] += 1.0
        else:
            sums.append(label)
            counts.append(1.0)
            lefts.append(value)
        while len(sums) > 1 and sums[-2] / counts[-2] >= sums[-1] / counts[-1]:
            last_sum, last_count = sums.pop(), counts.pop()
            lefts.pop()
            sums[-1] += last_sum
            counts[-1] += last_count
    # Each block: its lowest log-odds and its match rate (a step function).
    rates = [s / c for s, c in zip(sums, counts, strict=True)]
    eps = 1e-4
    blocks = [
        (float(left), float(min(max(rate, eps), 1 - eps)))
        for left, rate in zip(lefts, rates, strict=True)
    ]
    if len(blocks) <= points:
        return blocks
    step = len(blocks) / points
    return [blocks[int(i * step)] for i in range(points)] + [blocks[-1]]


def _patterns(
    codes: npt.NDArray[np.int8], radices: list[int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Distinct rows of ``codes`` and how often each occurs. Rows are packed into one integer
    first (mixed radix): sorting integers is much faster than sorting rows."""
    packed = np.zeros(len(codes), dtype=np.int64)
    for column, radix in enumerate(radices):
        packed = packed * radix + codes[:, column].astype(np.int64)
    keys, counts = np.unique(packed, return_counts=True)
    patterns = np.zeros((len(keys), len(radices)), dtype=np.int64)
    rest = keys.copy()
    for column in range(len(radices) - 1, -1, -1):
        patterns[:, column] = rest % radices[column]
        rest //= radices[column]
    return patterns, counts.astype(float)


def estimate_em(
    model: Model,
    codes: npt.NDArray[np.int8],
    random_codes: npt.NDArray[np.int8] | None,
    total_pairs: int,
    iterations: int = 40,
) -> Model:
    """Re-estimate m on unlabelled candidate pairs by EM over their distinct level patterns (cheap
    even for millions of pairs), with u measured on random pairs of the same data and held fixed.
    EM's match share among candidates, times the number of candidates over all pairs, gives the
    prior. Without labels there is no calibration: the posterior is used as it is."""
    features = list(model.features.items())
    u = {f: np.array(v) for f, v in model.u.items()}
    if random_codes is not None and len(random_codes):
        for column, (feature, levels) in enumerate(features):
            counts = np.bincount(random_codes[:, column], minlength=len(levels)).astype(float)
            u[feature] = (counts + 0.5) / (counts.sum() + 0.5 * len(levels))
    patterns, counts = _patterns(codes, [len(levels) for _, levels in features])
    m = {f: np.array(v) for f, v in model.m.items()}
    share = 0.5
    for _ in range(iterations):
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for column, (feature, _) in enumerate(features):
            log_m += np.log(m[feature][patterns[:, column]])
            log_u += np.log(u[feature][patterns[:, column]])
        log_ratio = np.log(share) - np.log(1 - share) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -700, 700)))
        weight_m = posterior * counts
        share = float(np.clip(weight_m.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        for column, (feature, levels) in enumerate(features):
            bins = np.bincount(patterns[:, column], weights=weight_m, minlength=len(levels))
            m[feature] = (bins + 1e-3) / (bins.sum() + 1e-3 * len(levels))
    prior = float(np.clip(share * len(codes) / max(total_pairs, 1), 1e-12, 0.5))
    return Model(
        dict(model.features),
        {f: [float(x) for x in v] for f, v in m.items()},
        {f: [float(x) for x in v] for f, v in u.items()},
        prior,
        calibration=None,
        match_threshold=model.match_threshold,
        review_threshold=model.review_threshold,
        meta={**model.meta, "estimated": "em"},
    )
