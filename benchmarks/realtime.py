"""Real-time hit check latency: one new record against everything already indexed.

    .venv/bin/python benchmarks/realtime.py                               # 100k and 1M + historical
    .venv/bin/python benchmarks/realtime.py --sizes 100000 1000000
    .venv/bin/python benchmarks/realtime.py --sizes 100000 --skip-splink

When a record arrives, vinculo checks it against the records of every other agency (the "hit
check"): blocking keys of the new profile, candidate lookup and ranking in the resident
in-memory index (``Matcher.candidates``: candidates of other agencies, strongest shared keys
first, at most ``hits.MAX_SCORED`` for a person), comparison of the new profile with each of them
and scoring; pairs at or above the model's review threshold are hits. Untimed, every check is
repeated with every candidate scored (no cut), to count the hits the cut loses. This script
times exactly that, with ``time.perf_counter_ns``, for held-out records (random, seeded) after
indexing all the others:

* vinculo on its synthetic multi-agency scenario (``vinculo.demo.generate(seed=1, scale=N)``,
  reused from benchmarks/out/scenario-N when its manifest.json exists), for each N of --sizes;
* vinculo on Splink's historical_50k (read in place, converted to the standard-column CSV of
  benchmarks/out/matching/historical50k/ by matching_support.datasets), loaded as one agency; the
  held-out records are checked as if another agency's, so every candidate is compared (dedupe);
* Splink 5 on the same historical_50k, model and training as benchmarks/matching.py's Splink run
  (matching_support.splink_models / splink_runner), trained on the records not held out, with
  term-frequency tables computed; each held-out record is one cleaned one-row DuckDB table,
  registered with ``DuckDBAPI.register`` and scored with
  ``linker.inference.predict_between(left=existing, right=new)`` at match probability >= 0.5,
  results fetched. The timed part is register + predict_between + fetch (creating the physical
  one-row table is not timed, as vinculo's profile construction is not).

The historical held-out records are one seeded sample; Splink takes the first of them (fewer,
as each of its predictions runs a DuckDB pipeline), vinculo the whole sample. The first check
of every row is a warm-up and is not counted.

Each row runs in its own child process (this script with --child), so that "peak MiB" (the
process's ru_maxrss right after the index is built / the model is trained) belongs to that row
alone. A watchdog aborts a child whose ru_maxrss passes --max-rss-gib (default 12) and its row
reports that instead. "build s" is everything from the files to a ready index: for vinculo
loading the profiles (mapping and cleaning, as an import does) plus blocking keys and index
insertion, shown as "total (load + index)"; for Splink loading and cleaning the CSV in DuckDB,
training and the term-frequency tables. "mean candidates" is what blocking returns per check
(vinculo: records of other agencies only), with the number actually compared and scored in
brackets (vinculo: at most ``MAX_SCORED``). The p99 of Splink is not given: it would be the maximum
of a few dozen runs.

Results are printed as Markdown and written to benchmarks/out/realtime.json. No timing is
asserted: this is a measurement.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HISTORICAL_WORK = OUT / "matching"
sys.path.insert(0, str(HERE))

from matching_support.machine import machine, versions  # noqa: E402
from vinculo.matching.hits import MAX_SCORED  # noqa: E402

SEED = 20240601
#: Agency the held-out historical records are checked as (the file is loaded as HIST).
NEW_AGENCY = "NEW"


LEGEND = """\
build s: vinculo "total (load profiles + keys and index)", Splink "total (load and clean + train
and tf tables)". peak MiB: the row's process ru_maxrss right after the build. mean candidates:
pairs from blocking per check with a record of another agency (in brackets: compared and scored,
at most the {max_scored} strongest for vinculo). hits, matches kept: hits (p >= review
threshold) and matches (p >= match threshold) of the timed checks that are also found by scoring
every candidate (untimed), over the number that scoring every candidate finds. Latency of
{checks} vinculo checks and {splink_checks} Splink checks (held-out records, seeded; one warm-up
check not counted); Splink's
p99 is not given for so few runs."""


# -- helpers ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class MemoryLimitError(RuntimeError):
    pass


def check_memory(limit_mib: float) -> None:
    if maxrss_mib() > limit_mib:
        raise MemoryLimitError(f"ru_maxrss {maxrss_mib():.0f} MiB > limit {limit_mib:.0f} MiB")


def start_watchdog(limit_mib: float, kind: str) -> None:
    """Leave at once, with a result saying so, if the process grows past the limit."""

    def watch() -> None:
        while True:
            rss = maxrss_mib()
            if rss > limit_mib:
                result = {"kind": kind, "aborted": f"ru_maxrss {rss:.0f} MiB > {limit_mib:.0f}"}
                print(json.dumps(result), flush=True)
                log(f"memory limit reached ({rss:.0f} MiB), aborting")
                os._exit(3)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()


def percentiles(ns: list[int]) -> dict[str, float]:
    import numpy as np

    ms = np.array(ns, dtype=float) / 1e6
    return {
        "n": len(ns),
        "mean_ms": round(float(ms.mean()), 4),
        "p50_ms": round(float(np.percentile(ms, 50)), 4),
        "p95_ms": round(float(np.percentile(ms, 95)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
        "max_ms": round(float(ms.max()), 4),
    }


# -- data ------------------------------------------------------------------------------------


def historical_csv() -> Path:
    """The standard-column CSV of historical_50k, converted by the matching harness's code."""
    path = HISTORICAL_WORK / "historical50k" / "records.csv"
    if not path.is_file():
        from matching_support.datasets import historical50k

        log("converting historical_50k to standard columns")
        historical50k(HISTORICAL_WORK)
    return path


def historical_held_out(path: Path, count: int, seed: int) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        ids = [row["id"] for row in csv.DictReader(fh)]
    return random.Random(seed).sample(ids, count)


def scenario_dir(scale: int) -> Path:
    out_dir = OUT / f"scenario-{scale}"
    if not (out_dir / "manifest.json").is_file():
        from vinculo.demo import generate

        log(f"generating the scenario at scale {scale} in {out_dir}")
        started = time.perf_counter()
        generate(out_dir, seed=1, scale=scale)
        log(f"generated in {time.perf_counter() - started:.0f} s")
    return out_dir


# -- vinculo ---------------------------------------------------------------------------------


def load_scenario(out_dir: Path, limit_mib: float) -> list[Any]:
    from vinculo.matching.files import load_profiles

    with (out_dir / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = [(r["code"], r["country"] or None) for r in csv.DictReader(fh)]
    profiles: list[Any] = []
    for n, (code, country) in enumerate(agencies):
        path = out_dir / code / "people.csv"
        if not path.is_file():
            continue
        started = time.perf_counter()
        loaded = load_profiles(path, code, country, f"{code}/")
        profiles.extend(loaded.profiles)
        log(
            f"  loaded {code} ({n + 1}/{len(agencies)}): {len(loaded.profiles)} profiles in "
            f"{time.perf_counter() - started:.1f} s; total {len(profiles)}, "
            f"ru_maxrss {maxrss_mib():.0f} MiB"
        )
        check_memory(limit_mib)
    return profiles


def vinculo_run(
    profiles: list[Any], held_ids: list[str], load_s: float, limit_mib: float
) -> dict[str, Any]:
    """Index every profile but the held-out ones, then time one hit check per held-out one."""
    from vinculo.matching.blocking import profile_keys
    from vinculo.matching.compare import compare_people
    from vinculo.matching.hits import MAX_SCORED, Matcher
    from vinculo.matching.index import CandidateIndex
    from vinculo.matching.model import Model

    model = Model.load()
    threshold = model.review_threshold
    by_id = {p.id: p for p in profiles}
    held = set(held_ids)
    index = CandidateIndex()
    matcher = Matcher(model, index, by_id)
    started = time.perf_counter()
    indexed = 0
    for p in profiles:
        if p.id in held:
            continue
        index.add(p.id, profile_keys(p), p.agency)
        indexed += 1
        if indexed % 100_000 == 0:
            log(f"  indexed {indexed}, ru_maxrss {maxrss_mib():.0f} MiB")
            check_memory(limit_mib)
    index_s = time.perf_counter() - started
    build_rss = maxrss_mib()
    log(f"  index of {indexed} built in {index_s:.1f} s; ru_maxrss {build_rss:.0f} MiB")

    def hit_check(p: Any) -> tuple[int, set[str], set[str]]:
        """What Matcher.match_entities does for one record, without the database writes."""
        keys = profile_keys(p)
        candidates, _ = matcher.candidates(p, keys)
        hits: set[str] = set()
        matches: set[str] = set()
        for other in candidates:
            levels = compare_people(p, other)
            probability = model.probability_of(levels)
            if probability >= threshold:
                model.score(levels).explanation()  # as a hit is written with its explanation
                hits.add(other.id)
                if probability >= model.match_threshold:
                    matches.add(other.id)
        return len(candidates), hits, matches

    def exhaustive(p: Any) -> tuple[int, set[str], set[str]]:
        """Untimed reference: every candidate of another agency compared, no cut."""
        ranked, _, _ = index.ranked(profile_keys(p), p.agency)
        hits: set[str] = set()
        matches: set[str] = set()
        for other_id in ranked:
            other = by_id[other_id]
            if other.agency == p.agency:
                continue
            probability = model.probability_of(compare_people(p, other))
            if probability >= threshold:
                hits.add(other_id)
                if probability >= model.match_threshold:
                    matches.add(other_id)
        return len(ranked), hits, matches

    news = [by_id[i] for i in held_ids]
    hit_check(news[0])  # warm-up, not counted
    timings: list[int] = []
    found_n: list[int] = []
    scored_n: list[int] = []
    hits_n: list[int] = []
    for p in news[1:]:
        t0 = time.perf_counter_ns()
        scored, hits, _ = hit_check(p)
        timings.append(time.perf_counter_ns() - t0)
        scored_n.append(scored)
        hits_n.append(len(hits))
    # Accuracy of the cut, untimed: the hits of every check against those of exhaustive scoring.
    kept = {"hits": 0, "matches": 0}
    reference = {"hits": 0, "matches": 0}
    extra = 0
    for p in news[1:]:
        _, hits, matches = hit_check(p)
        total, all_hits, all_matches = exhaustive(p)
        found_n.append(total)
        reference["hits"] += len(all_hits)
        reference["matches"] += len(all_matches)
        kept["hits"] += len(hits & all_hits)
        kept["matches"] += len(matches & all_matches)
        extra += len(hits - all_hits)
    n = len(timings)
    return {
        "indexed_records": indexed,
        "load_s": round(load_s, 2),
        "index_s": round(index_s, 2),
        "build_s": round(load_s + index_s, 2),
        "peak_mib_after_build": round(build_rss, 1),
        "peak_mib_end": round(maxrss_mib(), 1),
        "index_keys": len(index._postings),
        "max_scored": MAX_SCORED,
        "mean_candidates": round(sum(found_n) / n, 2),
        "mean_scored": round(sum(scored_n) / n, 2),
        "max_candidates": max(found_n),
        "mean_hits": round(sum(hits_n) / n, 3),
        "checks_with_hit": sum(1 for h in hits_n if h),
        "exhaustive_hits": reference["hits"],
        "hits_kept": kept["hits"],
        "exhaustive_matches": reference["matches"],
        "matches_kept": kept["matches"],
        "hits_not_in_exhaustive": extra,
        "threshold": threshold,
        "latency": percentiles(timings),
    }


def child_scenario(scale: int, checks: int, seed: int, limit_mib: float) -> dict[str, Any]:
    out_dir = scenario_dir(scale)
    log(f"vinculo scenario {scale}: loading profiles from {out_dir}")
    started = time.perf_counter()
    profiles = load_scenario(out_dir, limit_mib)
    load_s = time.perf_counter() - started
    log(f"  {len(profiles)} profiles loaded in {load_s:.1f} s")
    ids = [p.id for p in profiles]
    held_ids = random.Random(seed).sample(ids, checks + 1)
    result = vinculo_run(profiles, held_ids, load_s, limit_mib)
    result.update(scale=scale, profiles=len(profiles), data=str(out_dir))
    return result


def child_vinculo_historical(checks: int, seed: int, limit_mib: float) -> dict[str, Any]:
    from vinculo.matching.files import load_profiles

    path = historical_csv()
    log(f"vinculo historical_50k: loading {path}")
    started = time.perf_counter()
    profiles = load_profiles(path, "HIST", None, "").profiles
    load_s = time.perf_counter() - started
    log(f"  {len(profiles)} profiles loaded in {load_s:.1f} s")
    loaded = {p.id: n for n, p in enumerate(profiles)}
    held_ids = [i for i in historical_held_out(path, checks + 1, seed) if i in loaded]
    for i in held_ids:  # checked as a new record from another agency: dedupe, all compared
        profiles[loaded[i]] = dataclasses.replace(profiles[loaded[i]], agency=NEW_AGENCY)
    result = vinculo_run(profiles, held_ids, load_s, limit_mib)
    result.update(profiles=len(profiles), data=str(path))
    return result


# -- Splink ----------------------------------------------------------------------------------


def child_splink_historical(checks: int, pool: int, seed: int, limit_mib: float) -> dict[str, Any]:
    import logging

    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    from matching_support.splink_models import THRESHOLD, clean_sql, model

    logging.getLogger("splink").setLevel(logging.WARNING)
    path = historical_csv()
    held_ids = historical_held_out(path, pool, seed)[: checks + 1]
    log(f"splink historical_50k: load, clean and train on {path} minus {len(held_ids)}")
    started = time.perf_counter()
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    source = f"read_csv('{path}', header=true, all_varchar=true)"
    columns = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]  # noqa: S608
    con.sql(f"CREATE TABLE input_all AS {clean_sql(columns, source)}")
    con.execute("CREATE TABLE held_out (id VARCHAR)")
    con.executemany("INSERT INTO held_out VALUES (?)", [(i,) for i in held_ids])
    con.sql(
        "CREATE TABLE input_existing AS SELECT * FROM input_all "
        "WHERE id NOT IN (SELECT id FROM held_out)"
    )
    existing = db_api.register("input_existing", dataset_display_name="existing")
    indexed = con.sql("SELECT count(*) FROM input_existing").fetchall()[0][0]
    load_s = time.perf_counter() - started
    spec = model("historical50k")
    settings = SettingsCreator(
        unique_id_column_name="id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=spec.blocking_rules,
        comparisons=spec.comparisons,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(existing, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        spec.deterministic_rules, recall=spec.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.u_seed)
    for rule in spec.em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    tf_columns = sorted(c.input_name for c in linker._settings_obj._term_frequency_columns)
    for column in tf_columns:
        linker.table_management.compute_tf_table(column)
    build_s = time.perf_counter() - started
    build_rss = maxrss_mib()
    log(
        f"  {indexed} records loaded in {load_s:.1f} s, trained + tf tables ({tf_columns}) by "
        f"{build_s:.1f} s; ru_maxrss {build_rss:.0f} MiB"
    )
    check_memory(limit_mib)

    timings: list[int] = []
    candidates: list[int] = []
    hits: list[int] = []
    for n, rid in enumerate(held_ids):
        physical = f"new_record_{n}"
        sql = f"CREATE TABLE {physical} AS SELECT * FROM input_all WHERE id = ?"  # noqa: S608
        con.execute(sql, [rid])
        t0 = time.perf_counter_ns()
        new = db_api.register(physical, dataset_display_name=f"new_{n}")
        predictions = linker.inference.predict_between(
            left=existing,
            right=new,
            threshold_match_probability=THRESHOLD,
            warning_mode="never",
        )
        rows = predictions.as_duckdbpyrelation().select("id_l, id_r, match_probability")
        found = rows.fetchall()
        elapsed = time.perf_counter_ns() - t0
        predictions.drop_table_from_database_and_remove_from_cache()
        # Untimed: how many pairs blocking produced (all scored, no threshold).
        everything = linker.inference.predict_between(
            left=existing, right=new, warning_mode="never"
        )
        count = everything.as_duckdbpyrelation().count("*").fetchall()[0][0]
        everything.drop_table_from_database_and_remove_from_cache()
        if n == 0:
            continue  # warm-up
        timings.append(elapsed)
        candidates.append(count)
        hits.append(len(found))
        log(f"  check {n}/{len(held_ids) - 1}: {elapsed / 1e6:.0f} ms, {count} pairs")
    m = len(timings)
    return {
        "indexed_records": indexed,
        "load_s": round(load_s, 2),
        "train_s": round(build_s - load_s, 2),
        "build_s": round(build_s, 2),
        "peak_mib_after_build": round(build_rss, 1),
        "peak_mib_end": round(maxrss_mib(), 1),
        "tf_columns": tf_columns,
        "mean_candidates": round(sum(candidates) / m, 2),
        "mean_scored": round(sum(candidates) / m, 2),
        "max_candidates": max(candidates),
        "mean_hits": round(sum(hits) / m, 3),
        "checks_with_hit": sum(1 for h in hits if h),
        "threshold": THRESHOLD,
        "duckdb_threads": con.sql("SELECT current_setting('threads')").fetchall()[0][0],
        "latency": percentiles(timings),
        "data": str(path),
    }


def child(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    kind = spec["kind"]
    limit_mib = spec["max_rss_gib"] * 1024
    start_watchdog(limit_mib, kind)
    try:
        if kind == "scenario":
            result = child_scenario(spec["scale"], spec["checks"], spec["seed"], limit_mib)
        elif kind == "vinculo-historical":
            result = child_vinculo_historical(spec["checks"], spec["seed"], limit_mib)
        elif kind == "splink-historical":
            result = child_splink_historical(
                spec["splink_checks"], spec["checks"] + 1, spec["seed"], limit_mib
            )
        else:
            raise ValueError(kind)
    except MemoryLimitError as exc:
        result = {"aborted": str(exc)}
    result["kind"] = kind
    print(json.dumps(result), flush=True)
    return 0


# -- parent ----------------------------------------------------------------------------------


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = round(time.perf_counter() - started, 1)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if lines:
        result: dict[str, Any] = json.loads(lines[-1])
    else:
        result = {"kind": spec["kind"], "aborted": f"child exited with {proc.returncode}"}
    result["wall_s"] = wall
    return result


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def row_of(label: str, r: dict[str, Any], p99: bool = True) -> str:
    if "aborted" in r:
        return f"| {label} | – | – | – | – | – | aborted: {r['aborted']} | | |"
    if "index_s" in r:
        build = f"{fmt(r['build_s'])} ({fmt(r['load_s'])} + {fmt(r['index_s'])})"
    else:
        build = f"{fmt(r['build_s'])} ({fmt(r['load_s'])} + {fmt(r['train_s'])} train)"
    lat = r["latency"]
    cand = f"{fmt(r['mean_candidates'])} ({fmt(r['mean_scored'])})"
    kept = "–"
    if "exhaustive_hits" in r:
        kept = (
            f"{r['hits_kept']}/{r['exhaustive_hits']}, "
            f"{r['matches_kept']}/{r['exhaustive_matches']}"
        )
    return (
        f"| {label} | {r['indexed_records']:,} | {build} | {fmt(r['peak_mib_after_build'], 0)} | "
        f"{cand} | {kept} | {fmt(lat['p50_ms'], 2)} | {fmt(lat['p95_ms'], 2)} | "
        f"{fmt(lat['p99_ms'], 2) if p99 else '–'} |"
    )


def table(rows: list[tuple[str, dict[str, Any], bool]]) -> str:
    lines = [
        "| system | indexed records | build s | peak MiB | mean candidates | hits, matches kept "
        "| p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [row_of(label, r, p99) for label, r, p99 in rows]
    return "\n".join(lines)


def label_size(scale: int) -> str:
    return f"{scale // 1_000_000}M" if scale % 1_000_000 == 0 else f"{scale // 1000}k"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--checks", type=int, default=1000, help="vinculo checks per row")
    parser.add_argument("--splink-checks", type=int, default=30)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--max-rss-gib", type=float, default=12.0)
    parser.add_argument("--skip-historical", action="store_true")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT / "realtime.json")
    args = parser.parse_args()

    info = machine()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"machine: {info['cores']} cores, {info['cpu']}, {info['memory_gib']} GiB RAM")
    print(f"date: {date}")
    base = {"checks": args.checks, "seed": args.seed, "max_rss_gib": args.max_rss_gib}
    # Table order: the sizes, then historical_50k. Run order: the small rows first, the largest
    # size last, so that the other rows are in even if the largest does not fit.
    plan: list[tuple[str, str, dict[str, Any], bool]] = [
        (f"vinculo_{s}", f"vinculo {label_size(s)}", {"kind": "scenario", "scale": s}, True)
        for s in args.sizes
    ]
    if not args.skip_historical:
        plan.append(
            (
                "vinculo_historical50k",
                "vinculo historical_50k",
                {"kind": "vinculo-historical"},
                True,
            )
        )
        if not args.skip_splink:
            spec = {"kind": "splink-historical", "splink_checks": args.splink_checks}
            plan.append(
                ("splink_historical50k", "Splink predict_between historical_50k", spec, False)
            )
    largest = max(args.sizes, default=0)
    results: dict[str, Any] = {}
    for key, label, spec, _ in sorted(
        plan, key=lambda p: p[2].get("scale") == largest and largest > 100_000
    ):
        log(f"== {label}")
        results[key] = run_child({**base, **spec})
        log(f"== {label}: {results[key]['wall_s']} s")
    rows = [(label, results[key], p99) for key, label, _, p99 in plan]

    markdown = (
        table(rows)
        + "\n\n"
        + LEGEND.format(checks=args.checks, splink_checks=args.splink_checks, max_scored=MAX_SCORED)
    )
    print()
    print(markdown)
    print()
    for key, r in results.items():
        print(f"{key}: {r['wall_s']} s wall" + (f" ({r['aborted']})" if "aborted" in r else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": info,
                "date": date,
                "versions": versions(("vinculo", "splink", "duckdb", "numpy", "pandas")),
                "settings": {**base, "splink_checks": args.splink_checks},
                "table_markdown": markdown,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
