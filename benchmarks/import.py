"""Import throughput: rows per second and peak memory, for generated people on SQLite and
PostgreSQL, through the real pipeline (`vinculo.ingest.pipeline.run_import`).

    .venv/bin/python benchmarks/import.py                     # 100k and 1M, SQLite and PostgreSQL
    .venv/bin/python benchmarks/import.py --sizes 100000 --backends sqlite

Each measurement runs in a fresh process so that peak memory (max RSS) is its own. The people
files come from the scenario generator (`vinculo generate`), all agencies' people.csv files,
imported agency by agency as an installation would. Results are printed as a Markdown table to
paste into docs/benchmarks.md, with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

CHILD = r"""
import csv, json, resource, sys, time
from pathlib import Path
from vinculo.ingest.pipeline import run_import
from vinculo.sharing.directory import add_agency
from vinculo.store.db import make_engine, migrate

url, scenario, match = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "match"
engine = make_engine(url)
migrate(engine)
with (scenario / "agencies.csv").open(encoding="utf-8") as fh:
    agencies = list(csv.DictReader(fh))
with engine.begin() as conn:
    for a in agencies:
        add_agency(conn, a["code"], a["name"], a["country"], a["kind"])
rows = written = 0
start = time.perf_counter()
for a in agencies:
    path = scenario / a["code"] / "people.csv"
    report = run_import(path, a["code"], schema="Person", engine=engine, match=match)
    rows += report.rows_read
    written += report.entities_written
elapsed = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = {"rows": rows, "written": written, "seconds": elapsed, "peak_mib": peak_kib / 1024}
print(json.dumps(result))
"""


def scenario_for(size: int) -> Path:
    path = OUT / f"scenario-{size}"
    if not (path / "manifest.json").is_file():
        from vinculo.demo import generate

        started = time.perf_counter()
        generate(path, seed=1, scale=size)
        print(f"generated scale {size} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        db = OUT / f"import-{size}.sqlite3"
        for leftover in OUT.glob(f"import-{size}.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{db}"
    from sqlalchemy import create_engine, text

    name = f"vinculo_bench_{size}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def measure(backend: str, size: int, match: bool) -> dict[str, float]:
    scenario = scenario_for(size)
    url = database_url(backend, size)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(scenario), "match" if match else "no-match"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--with-matching",
        action="store_true",
        help="also match every record against the other agencies' as it is written",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    print(f"matching on ingest: {'yes' if args.with_matching else 'no'}")
    print(
        "| backend | people (scale) | rows read | entities written | seconds | rows/s | peak MiB |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        for backend in args.backends:
            data = measure(backend, size, args.with_matching)
            print(
                f"| {backend} | {size:,} | {int(data['rows']):,} | {int(data['written']):,} | "
                f"{data['seconds']:.1f} | {data['rows'] / data['seconds']:,.0f} | "
                f"{data['peak_mib']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
