"""Splink 5 run for one dataset, as a separate process so that it is measured like vinculo.

    python benchmarks/matching_support/splink_runner.py DATASET LINKS.csv LEFT.csv [RIGHT.csv]

Loads the standard-column CSV(s) into DuckDB, standardises them, trains the model of
``splink_models`` and writes the pairs predicted at p >= 0.5 in the tool's output format
(``left_id,right_id,score``), plus LINKS.json with the phase timings and trained parameters.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching_support.splink_models import THRESHOLD, clean_sql, model


def main(argv: list[str]) -> int:
    dataset, links = argv[0], Path(argv[1])
    files = [Path(p) for p in argv[2:]]
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def mark(name: str) -> None:
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 3)

    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    logging.getLogger("splink").setLevel(logging.WARNING)
    verbose = bool(os.environ.get("SPLINK_RUNNER_VERBOSE"))
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    spec = model(dataset)
    link = len(files) == 2
    tables = []
    for n, path in enumerate(files):
        source = f"read_csv('{path}', header=true, all_varchar=true)"
        described = con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
        columns = [r[0] for r in described]
        name = ("left", "right")[n] if link else "records"
        con.sql(f"CREATE TABLE input_{name} AS {clean_sql(columns, source)}")
        tables.append(db_api.register(f"input_{name}", dataset_display_name=name))
    mark("load")
    if verbose:
        print(f"loaded in {phases['load']} s", file=sys.stderr)
    settings = SettingsCreator(
        unique_id_column_name="id",
        link_type="link_only" if link else "dedupe_only",
        blocking_rules_to_generate_predictions=spec.blocking_rules,
        comparisons=spec.comparisons,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables if link else tables[0], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        spec.deterministic_rules, recall=spec.deterministic_recall
    )
    mark("train_prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.u_seed)
    mark("train_u")
    for n, rule in enumerate(spec.em_rules):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
        mark(f"train_em_{n + 1}")
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    mark("predict")
    columns = "id_l, id_r, match_probability"
    if link:
        columns += ", source_dataset_l"
    rows = predictions.as_duckdbpyrelation().select(columns).fetchall()
    links.parent.mkdir(parents=True, exist_ok=True)
    with links.open("w", encoding="utf-8") as fh:
        fh.write("left_id,right_id,score\n")
        for row in rows:
            a, b, p = row[0], row[1], row[2]
            if link and row[3] != "left":
                a, b = b, a
            fh.write(f'"{a}","{b}",{p:.6f}\n')
    mark("write")
    info = {
        "phases_seconds": phases,
        "pairs": len(rows),
        "probability_two_random_records_match": (
            linker._settings_obj._probability_two_random_records_match
        ),
        "notes": spec.notes,
    }
    links.with_suffix(".json").write_text(json.dumps(info, indent=2))
    print(f"splink: {len(rows)} pairs at p >= {THRESHOLD} in {sum(phases.values()):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
