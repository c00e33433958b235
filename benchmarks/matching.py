"""Matching accuracy and cost: `vinculo xref-files` side by side with Splink 5.

    .venv/bin/python benchmarks/matching.py                         # all four datasets
    .venv/bin/python benchmarks/matching.py --datasets febrl4 febrl3
    .venv/bin/python benchmarks/matching.py --datasets scenario --scenario-scale 5000
    .venv/bin/python benchmarks/matching.py --skip-splink           # vinculo only

Datasets (converted to the standard-column CSVs of `vinculo xref-files` in
benchmarks/out/matching/<dataset>/, with their ground truth): FEBRL4 (linkage of two files),
FEBRL3 (deduplication), Splink's historical_50k (deduplication, read in place from
/work/shared/data/splink_datasets) and vinculo's own multi-agency scenario (`vinculo.demo`,
seed 1, all agencies' Person rows as one deduplication file, ids "AGENCY/record id").

Both tools run as child processes on the same files, one after the other, and are measured the
same way (matching_support/measure.py): wall time of the whole process (start-up, load, training,
prediction, writing the links) and peak memory (the child's max RSS from wait4(2), the figure
`/usr/bin/time -v` reports, or the sampled RSS sum over its process tree if larger). vinculo runs as
`python -m vinculo.cli xref-files LEFT [RIGHT] -o LINKS` at its default threshold; if that fails
(the command is not there yet, or it errors) its row reads "not available" and Splink still runs.
Splink is set up as its documentation's examples do (matching_support/splink_models.py) and its
pairs at match probability >= 0.5 are taken.

Metrics (matching_support/metrics.py): pairwise precision, recall and F1 of the declared pairs at
each tool's default output (no threshold tuning); cluster F1 = pairwise F1 over the transitive
closure of the declared pairs (B-cubed F1 also in the JSON); blocking recall = share of true pairs
that reach scoring: for Splink, the true pairs satisfying one of its prediction blocking rules,
counted in DuckDB on its cleaned input; for vinculo, the candidate pairs it writes with
`--candidates-out FILE` when its --help offers that option, else "n/a". On the scenario, the
look-alike rate is the share of known hard negatives (namesakes, siblings, father and son, ...)
that a tool linked. Results are printed as Markdown and written to
benchmarks/out/matching/results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "out" / "matching"
sys.path.insert(0, str(HERE))

from matching_support import metrics  # noqa: E402
from matching_support.datasets import Dataset, prepare  # noqa: E402
from matching_support.machine import machine, versions  # noqa: E402
from matching_support.measure import run_measured  # noqa: E402

DATASETS = ["febrl4", "febrl3", "historical50k", "scenario"]
VINCULO = [sys.executable, "-m", "vinculo.cli", "xref-files"]


def read_pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None) or []
        cols = [c.strip().lower() for c in header]
        a = cols.index("left_id") if "left_id" in cols else 0
        b = cols.index("right_id") if "right_id" in cols else 1
        return [(row[a], row[b]) for row in reader if len(row) > max(a, b)]


def score(ds: Dataset, pairs: list[tuple[str, str]]) -> dict[str, object]:
    out: dict[str, object] = {}
    out.update(metrics.pairwise_metrics(pairs, ds.truth, ds.truth_right))
    out.update(metrics.cluster_metrics(pairs, ds.truth, ds.truth_right))
    if ds.lookalikes:
        kinds = sorted({k for _, _, k in ds.lookalikes})
        link = ds.kind == "link"
        out["lookalikes"] = {
            kind: metrics.rate_of_linked(
                [(a, b) for a, b, k in ds.lookalikes if k == kind], pairs, link=link
            )
            for kind in [*kinds]
        }
        out["lookalikes"]["all"] = metrics.rate_of_linked(  # type: ignore[index]
            [(a, b) for a, b, _ in ds.lookalikes], pairs, link=link
        )
    return out


def vinculo_offers_candidates() -> bool:
    try:
        done = subprocess.run(
            [*VINCULO, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "--candidates-out" in done.stdout


def run_vinculo(ds: Dataset, out: Path, timeout: float) -> dict[str, object]:
    links = out / "vinculo-links.csv"
    candidates = out / "vinculo-candidates.csv"
    for stale in (links, candidates):
        stale.unlink(missing_ok=True)
    cmd = [*VINCULO, *map(str, ds.files), "-o", str(links)]
    with_candidates = vinculo_offers_candidates()
    if with_candidates:
        cmd += ["--candidates-out", str(candidates)]
    m = run_measured(cmd, cwd=ROOT, log=out / "vinculo.log", timeout=timeout)
    result: dict[str, object] = {"command": cmd, "returncode": m.returncode}
    if m.timed_out:
        result.update(available=False, error=f"timed out after {timeout:.0f} s")
        return result
    if m.returncode != 0 or not links.is_file():
        result.update(available=False, error=_last_words(m.stderr) or f"exit {m.returncode}")
        return result
    pairs = read_pairs(links)
    result.update(
        available=True,
        summary=m.stdout.strip(),
        seconds=m.seconds,
        peak_mib=m.peak_mib,
        maxrss_mib=m.maxrss_mib,
        peak_tree_mib=m.peak_tree_mib,
        **score(ds, pairs),
    )
    if with_candidates and candidates.is_file():
        cand = metrics.pairwise_metrics(read_pairs(candidates), ds.truth, ds.truth_right)
        result["candidate_pairs"] = cand["predicted_pairs"]
        result["blocking_recall"] = cand["recall"]
    else:
        result["blocking_recall"] = None
    return result


def splink_blocking_recall(ds: Dataset) -> dict[str, object]:
    """True pairs that satisfy at least one of Splink's prediction blocking rules."""
    import duckdb
    import pandas as pd

    from matching_support.splink_models import clean_sql, model, rules_sql

    # All SQL below is built from this harness's own file paths, column names and Splink's
    # rendering of its own blocking rules: no outside input (hence the S608 waivers).
    con = duckdb.connect()
    names = ["left", "right"] if ds.kind == "link" else ["records"]
    for name, path in zip(names, ds.files, strict=True):
        source = f"read_csv('{path}', header=true, all_varchar=true)"
        described = con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
        con.sql(f"CREATE TABLE input_{name} AS {clean_sql([r[0] for r in described], source)}")
    for name, truth in (("truth_l", ds.truth), ("truth_r", ds.truth_right or {})):
        frame = pd.DataFrame({"id": list(truth), "entity": list(truth.values())}, dtype=str)
        con.register(name, frame)
    if ds.kind == "link":
        pairs = "SELECT a.id AS a, b.id AS b FROM truth_l a JOIN truth_r b USING (entity)"
        left, right = "input_left", "input_right"
    else:
        pairs = (
            "SELECT a.id AS a, b.id AS b FROM truth_l a "
            "JOIN truth_l b ON a.entity = b.entity AND a.id < b.id"
        )
        left = right = "input_records"
    rules = rules_sql(model(ds.name).blocking_rules)
    condition = " OR ".join(f"({r})" for r in rules)
    surviving, total = con.sql(
        f"SELECT count(*) FILTER (WHERE {condition}), count(*) FROM ({pairs}) p "  # noqa: S608
        f"JOIN {left} l ON l.id = p.a JOIN {right} r ON r.id = p.b"
    ).fetchall()[0]
    true_pairs = metrics.count_true_pairs(ds.truth, ds.truth_right)
    return {
        "blocking_recall": metrics.blocking_recall(surviving, true_pairs),
        "blocking_true_pairs_surviving": surviving,
        "blocking_rules": rules,
        "blocking_true_pairs_joined": total,
    }


def run_splink(ds: Dataset, out: Path, timeout: float) -> dict[str, object]:
    links = out / "splink-links.csv"
    links.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(HERE / "matching_support" / "splink_runner.py"),
        ds.name,
        str(links),
        *map(str, ds.files),
    ]
    m = run_measured(cmd, cwd=ROOT, log=out / "splink.log", timeout=timeout)
    result: dict[str, object] = {"command": cmd, "returncode": m.returncode}
    if m.timed_out:
        result.update(available=False, error=f"timed out after {timeout:.0f} s")
        return result
    if m.returncode != 0 or not links.is_file():
        result.update(available=False, error=_last_words(m.stderr) or f"exit {m.returncode}")
        return result
    info_path = links.with_suffix(".json")
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    result.update(
        available=True,
        summary=m.stdout.strip(),
        seconds=m.seconds,
        peak_mib=m.peak_mib,
        maxrss_mib=m.maxrss_mib,
        peak_tree_mib=m.peak_tree_mib,
        phases_seconds=info.get("phases_seconds"),
        probability_two_random_records_match=info.get("probability_two_random_records_match"),
        notes=info.get("notes"),
        **score(ds, read_pairs(links)),
    )
    result.update(splink_blocking_recall(ds))
    return result


def fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(name: str, entry: dict) -> str:
    lines = [
        f"### {name}: {entry['description']}",
        "",
        "| tool | precision | recall | F1 | cluster F1 | blocking recall | seconds | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    tools = entry["tools"]
    for tool in ("vinculo", "splink"):
        r = tools.get(tool)
        if r is None:
            lines.append(f"| {tool} | skipped | | | | | | |")
        elif not r.get("available"):
            lines.append(f"| {tool} | not available | | | | | | |")
        else:
            lines.append(
                f"| {tool} | {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} "
                f"| {fmt(r['cluster_f1'])} | {fmt(r.get('blocking_recall'))} "
                f"| {fmt(r['seconds'], 1)} | {fmt(r['peak_mib'], 0)} |"
            )
    cmp = entry.get("comparison", {})
    lines.append(f"| ratio (vinculo/splink) time | | | | | | {fmt(cmp.get('time_ratio'), 2)} | |")
    delta = cmp.get("delta_f1")
    lines.append(
        f"| ΔF1 (vinculo − splink) | | | {'n/a' if delta is None else f'{delta:+.3f}'} | | | | |"
    )
    looks = {t: r.get("lookalikes") for t, r in tools.items() if r and r.get("lookalikes")}
    if looks:
        lines += [
            "",
            "Look-alike rate (share of known hard-negative pairs that the tool linked; lower is "
            "better):",
            "",
            "| kind | pairs | vinculo | splink |",
            "| --- | ---: | ---: | ---: |",
        ]
        kinds = next(iter(looks.values())).keys()
        for kind in kinds:
            pairs = next(iter(looks.values()))[kind]["pairs"]
            cells = [
                fmt(looks[t][kind]["rate"]) if t in looks else "n/a" for t in ("vinculo", "splink")
            ]
            lines.append(f"| {kind} | {pairs} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=DATASETS)
    parser.add_argument("--scenario-scale", type=int, default=20000)
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-vinculo", action="store_true")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds per tool run before it is killed"
    )
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(("vinculo", "splink", "duckdb", "recordlinkage")),
        "definitions": {
            "precision/recall/F1": "pairwise, on the pairs each tool declares at its default "
            "threshold (vinculo: its default; Splink: match probability >= 0.5)",
            "cluster F1": "pairwise F1 over the transitive closure (connected components) of the "
            "declared pairs against the true entities; bcubed_f1 is B-cubed F1",
            "blocking recall": "share of true pairs that reach scoring (Splink: satisfy one of "
            "its prediction blocking rules; vinculo: in its --candidates-out file, if offered)",
            "seconds": "wall time of the whole child process",
            "peak MiB": "max RSS of the child (wait4 ru_maxrss, as /usr/bin/time -v), or the "
            "sampled RSS sum over its process tree if larger",
        },
        "datasets": {},
    }
    m = results["machine"]
    print(f"# Matching benchmark, {results['date']}")
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB")  # type: ignore[index]
    print(f"versions: {results['versions']}")
    print()
    for name in args.datasets:
        started = time.perf_counter()
        ds = prepare(name, WORK, args.scenario_scale)
        out = WORK / name
        out.mkdir(parents=True, exist_ok=True)
        print(f"[{name}] prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        tools: dict[str, dict | None] = {"vinculo": None, "splink": None}
        if not args.skip_vinculo:
            tools["vinculo"] = run_vinculo(ds, out, args.timeout)
            print(f"[{name}] vinculo: {_brief(tools['vinculo'])}", file=sys.stderr)
        if not args.skip_splink:
            tools["splink"] = run_splink(ds, out, args.timeout)
            print(f"[{name}] splink: {_brief(tools['splink'])}", file=sys.stderr)
        comparison: dict[str, float | None] = {"time_ratio": None, "delta_f1": None}
        v, s = tools["vinculo"], tools["splink"]
        if v and s and v.get("available") and s.get("available"):
            comparison["time_ratio"] = v["seconds"] / s["seconds"]
            comparison["delta_f1"] = v["f1"] - s["f1"]
        entry = {
            "description": ds.description,
            "kind": ds.kind,
            "files": [str(p.relative_to(ROOT)) for p in ds.files],
            "records": ds.records,
            "true_pairs": metrics.count_true_pairs(ds.truth, ds.truth_right),
            "tools": tools,
            "comparison": comparison,
        }
        results["datasets"][name] = entry  # type: ignore[index]
        print(table(name, entry))
        print()
        (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print("realtime: see benchmarks/realtime.py")
    print(f"\nresults: {(WORK / 'results.json').relative_to(ROOT)}")


def _last_words(stderr: str) -> str:
    """The last meaningful lines of a child's stderr, without rich's box drawing."""
    lines = [line.strip(" │╭╮╰╯─\t") for line in stderr.splitlines()]
    return " | ".join([line for line in lines if line][-3:])


def _brief(r: dict | None) -> str:
    if not r:
        return "skipped"
    if not r.get("available"):
        return f"not available ({r.get('error')})"
    return f"F1 {r['f1']:.3f} in {r['seconds']:.1f} s, {r['peak_mib']:.0f} MiB"


if __name__ == "__main__":
    main()
