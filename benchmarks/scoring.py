"""Batch scoring throughput: comparison levels and scores of candidate pairs, pairs per second.

    .venv/bin/python benchmarks/scoring.py                       # historical_50k and scenario
    .venv/bin/python benchmarks/scoring.py --datasets historical50k --scalar-sample 50000

For each dataset (the standard-column CSVs of benchmarks/matching.py, converted if missing):
profiles are loaded and the candidate pairs built as `vinculo xref-files` does with the trained
model (``candidate_pairs`` with the recall keys; with an EM model `xref-files` adds the loose keys
of ``blocking.LOOSE_KINDS`` too, which are not included here, so that figures stay comparable
with earlier runs); then, timed with ``time.perf_counter``:

* **vectorised**: ``xref.level_codes`` (the in-process engine's path: ``vectorised.Encoder``,
  NumPy columns, distinct name and birth-place pairs through the scalar code, on all cores when
  many) plus ``Model.score_codes``, on all candidate pairs, with a fresh encoder: "encode" is the
  one-off encoding of the profiles into columns (per profile, not per pair); "levels first" the
  first call (the encoder's caches of distinct name pairs empty: every distinct pair of given
  names, of surnames and of birth places is compared once); "levels cached" the same call again
  (what a second batch over the same people, or EM's random pairs after the candidates, costs);
* **scalar**: ``compare_people`` + ``Model.encode`` per pair, one process, on a seeded sample of
  --scalar-sample pairs (the old in-process path ran this on a fork pool of all cores).

The levels of the sampled pairs are checked to be identical in both paths (the script fails
otherwise). Pairs per second = candidate pairs / seconds. Results are printed and written to
benchmarks/out/scoring.json. No timing is asserted anywhere in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "matching"
sys.path.insert(0, str(HERE))

from matching_support.datasets import prepare  # noqa: E402
from matching_support.machine import machine  # noqa: E402


def run(name: str, scale: int, sample: int, workers: int | None) -> dict[str, Any]:
    from vinculo.matching.blocking import candidate_pairs
    from vinculo.matching.compare import compare_people
    from vinculo.matching.files import load_profiles
    from vinculo.matching.model import Model
    from vinculo.matching.vectorised import Encoder
    from vinculo.matching.xref import level_codes

    ds = prepare(name, WORK, scale)
    started = time.perf_counter()
    profiles = load_profiles(ds.files[0]).profiles
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    pairs, _ = candidate_pairs(profiles)
    blocking_s = time.perf_counter() - started
    print(f"[{name}] {len(profiles)} profiles, {len(pairs)} candidate pairs", file=sys.stderr)
    model = Model.load()

    encoder = Encoder()
    started = time.perf_counter()
    encoder.columns(profiles, profiles)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    codes = level_codes(model, profiles, profiles, pairs, workers=workers, encoder=encoder)
    levels_s = time.perf_counter() - started
    started = time.perf_counter()
    again = level_codes(model, profiles, profiles, pairs, workers=workers, encoder=encoder)
    warm_s = time.perf_counter() - started
    assert np.array_equal(codes, again)
    started = time.perf_counter()
    scores = model.score_codes(codes)
    score_s = time.perf_counter() - started
    assert len(scores) == len(pairs)

    rng = np.random.default_rng(0)
    picked = sorted(rng.choice(len(pairs), size=min(sample, len(pairs)), replace=False).tolist())
    started = time.perf_counter()
    scalar = np.array(
        [
            model.encode(compare_people(profiles[pairs[k][0]], profiles[pairs[k][1]]))
            for k in picked
        ],
        dtype=np.int8,
    ).reshape(len(picked), len(model.features))
    scalar_s = time.perf_counter() - started
    mismatches = int((scalar != codes[picked]).any(axis=1).sum())
    if mismatches:
        raise SystemExit(f"[{name}] {mismatches} sampled pairs differ between the two paths")
    n = len(pairs)
    return {
        "profiles": len(profiles),
        "candidate_pairs": n,
        "load_s": round(load_s, 2),
        "blocking_s": round(blocking_s, 2),
        "encode_s": round(encode_s, 3),
        "levels_first_s": round(levels_s, 3),
        "levels_cached_s": round(warm_s, 3),
        "score_s": round(score_s, 3),
        "pairs_per_s_first": round(n / (levels_s + score_s)),
        "pairs_per_s_cached": round(n / (warm_s + score_s)),
        "pairs_per_s_with_encoding": round(n / (encode_s + levels_s + score_s)),
        "scalar_sample": len(picked),
        "scalar_s": round(scalar_s, 3),
        "scalar_pairs_per_s_one_core": round(len(picked) / scalar_s),
        "sample_mismatches": mismatches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", default=["historical50k", "scenario"],
        choices=["historical50k", "scenario", "febrl3"],
    )  # fmt: skip
    parser.add_argument("--scenario-scale", type=int, default=20000)
    parser.add_argument("--scalar-sample", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    args = parser.parse_args()
    info = machine()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"# Scoring throughput, {date}")
    print(f"machine: {info['cores']} cores, {info['cpu']}; os.cpu_count() {os.cpu_count()}")
    results: dict[str, Any] = {"date": date, "machine": info, "datasets": {}}
    print()
    print(
        "| dataset | profiles | candidate pairs | encode s | levels s (first, cached) | scores s "
        "| pairs/s first | pairs/s cached | pairs/s incl. encoding | scalar pairs/s (1 core) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.datasets:
        r = run(name, args.scenario_scale, args.scalar_sample, args.workers)
        results["datasets"][name] = r
        print(
            f"| {name} | {r['profiles']:,} | {r['candidate_pairs']:,} | {r['encode_s']:.2f} "
            f"| {r['levels_first_s']:.2f}, {r['levels_cached_s']:.2f} | {r['score_s']:.2f} "
            f"| {r['pairs_per_s_first']:,} | {r['pairs_per_s_cached']:,} "
            f"| {r['pairs_per_s_with_encoding']:,} | {r['scalar_pairs_per_s_one_core']:,} |"
        )
    out = HERE / "out" / "scoring.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
