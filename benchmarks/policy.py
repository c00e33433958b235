"""What the sharing policy costs: entity reads through it against the same reads without it.

    .venv/bin/python benchmarks/policy.py                       # 20,000 records, SQLite
    .venv/bin/python benchmarks/policy.py --records 50000 --backends sqlite postgres

An installation with one owner agency and nine others is filled through the real import
pipeline with --records generated people in every distribution (agency, country, network, all,
a sharing group), handling code and data-subject category, and the reader's agency holds
releases for one record in twenty. Then, for a user of another agency:

* "search page": reads of 50 records at a time (a page of search results): rows read from the
  store and turned into the API's dict (``StoredEntity`` → FtM properties and metadata);
* "single record": one record at a time (a profile page).

Each is timed twice on the same ids, in alternating rounds so that neither side gets a warmer
cache: without the policy (every record serialised in full: what the code would do with no
checks, with agency countries from the same cached directory the policy uses) and through it
(``policy.read_records``: the records and the releases the reader's agency holds for them, in
one query, as the API reads them; ``policy.present`` per record, which leaves out what the user
may not see).
The ratio is policy / no-policy throughput; the issue's target is at least 0.80. Pages are read
in a transaction each; the audit entry an API read also writes is not counted on either side (it
is not the policy's cost).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import Engine, create_engine, insert, text

from matching_support.machine import machine
from vinculo import audit
from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing import groups, policy
from vinculo.sharing.directory import UserInfo, add_agency, add_user, list_users
from vinculo.store.db import make_engine, migrate
from vinculo.store.entities import StoredEntity, get_entities
from vinculo.store.tables import Release, utcnow

OUT = Path(__file__).resolve().parent / "out"
OWNER = "BR-PF"
READER = "CO-PONAL"
AGENCIES = [
    (OWNER, "BR", ["AMERIPOL"]),
    (READER, "CO", ["AMERIPOL", "CLASI"]),
    ("BR-MPF", "BR", []),
    ("AR-PFA", "AR", ["AMERIPOL"]),
    ("CL-PDI", "CL", ["AMERIPOL"]),
    ("MX-FGR", "MX", ["AMERIPOL"]),
    ("ES-CNP", "ES", ["EUROPOL"]),
    ("PT-PJ", "PT", ["EUROPOL"]),
    ("FR-PN", "FR", ["EUROPOL"]),
    ("IT-DCSA", "IT", ["EUROPOL"]),
]
FIRST = ["Maria", "José", "Ana", "João", "Carlos", "Fernanda", "Luis", "Camila", "Pedro", "Lucía"]
LAST = ["Silva", "Souza", "Pereira", "Gómez", "Rodríguez", "Ferreira", "Lima", "Castro", "Rocha"]


def full_dict(entity: StoredEntity, countries: dict[str, str]) -> dict[str, Any]:
    """Every field, as the API's full view has it: the reads 'without the policy'."""
    meta = entity.meta
    return {
        "id": entity.id,
        "schema": entity.proxy.schema.name,
        "agency": meta.agency,
        "agency_country": countries.get(meta.agency),
        "markets": [m.value for m in meta.markets],
        "view": "full",
        "handling_code": meta.handling_code.value,
        "handling_text": meta.handling_text,
        "source_evaluation": meta.evaluation,
        "caption": entity.proxy.caption,
        "properties": entity.proxy.to_dict()["properties"],
        "subject_category": meta.subject_category.value if meta.subject_category else None,
        "minor": meta.minor,
        "review_by": meta.review_by.isoformat() if meta.review_by else None,
        "distribution": entity.distribution,
        "distribution_ref": entity.distribution_ref,
        "source_ref": meta.source_ref,
        "flags": entity.flags,
        "created_at": entity.created_at.isoformat(),
        "updated_at": entity.updated_at.isoformat(),
    }


def populate(engine: Engine, records: int, workdir: Path, seed: int) -> tuple[UserInfo, list[str]]:
    rng = random.Random(seed)
    with engine.begin() as conn:
        for code, country, networks in AGENCIES:
            add_agency(conn, code, code, country, "police", networks, {"drugs": f"drugs@{code}"})
        add_user(conn, "owner.supervisor", OWNER, "benchmark password", ["supervisor"])
        add_user(conn, "reader.analyst", READER, "benchmark password", ["analyst"])
        users = {u.username: u for u in list_users(conn)}
        group = groups.create_group(
            conn, users["owner.supervisor"], audit.SYSTEM, "bench", {READER: False}
        )
    path = workdir / "owner.csv"
    choices = [
        "agency",
        "country",
        "network:AMERIPOL",
        "network:EUROPOL",
        "all",
        f"group:{group.id}",
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "birth_date", "phone", "markets", "handling_code",
                         "subject_category", "minor", "distribution"])  # fmt: skip
        for n in range(records):
            writer.writerow([
                f"r{n}", f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
                f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"+55 11 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}", "drugs",
                rng.choice(["H0", "H1", "H2", "H3"]),
                rng.choice(["suspect"] * 6 + ["contact", "victim", "witness", "informant"]),
                "yes" if rng.random() < 0.03 else "no", rng.choice(choices),
            ])  # fmt: skip
    run_import(path, OWNER, engine=engine, match=False, batch_size=5000)
    ids = [make_entity_id(OWNER, f"r{n}") for n in range(records)]
    with engine.begin() as conn:
        released = ids[::20]
        conn.execute(
            insert(Release),
            [
                {"entity_id": i, "agency_code": READER, "fields": ["name", "birthDate"],
                 "judicial_use": False, "granted_by": "owner.supervisor", "granted_at": utcnow()}
                for i in released
            ],
        )  # fmt: skip
    if engine.dialect.name == "postgresql":
        # Planner statistics, as autovacuum keeps them on a live installation: without them
        # PostgreSQL takes the freshly bulk-loaded releases for an empty table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return users["reader.analyst"], ids


def time_pages(
    engine: Engine, user: UserInfo, pages: list[list[str]], with_policy: bool
) -> tuple[float, dict[str, int]]:
    views: dict[str, int] = {}
    start = time.perf_counter()
    for page in pages:
        with engine.connect() as conn:
            if with_policy:
                entities, ctx = policy.read_records(conn, user, page)
                for entity in entities:
                    shown = policy.present(user, entity, ctx)
                    views[shown.view.value] = views.get(shown.view.value, 0) + 1
            else:
                # The same cached agency directory the policy reads: only the policy differs.
                countries = policy._directory(conn).countries
                for entity in get_entities(conn, page):
                    full_dict(entity, countries)
    return time.perf_counter() - start, views


def measure(
    engine: Engine, user: UserInfo, ids: list[str], page_size: int, reads: int, rounds: int,
    seed: int,
) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(seed)
    sample = [rng.choice(ids) for _ in range(reads)]
    pages = [sample[i : i + page_size] for i in range(0, len(sample), page_size)]
    time_pages(engine, user, pages[:5], True)  # warm-up (imports, caches)
    time_pages(engine, user, pages[:5], False)
    plain: list[float] = []
    guarded: list[float] = []
    views: dict[str, int] = {}
    for _ in range(rounds):
        seconds, _views = time_pages(engine, user, pages, False)
        plain.append(reads / seconds)
        seconds, views = time_pages(engine, user, pages, True)
        guarded.append(reads / seconds)
    without = statistics.median(plain)
    through = statistics.median(guarded)
    return {
        "page_size": page_size,
        "reads": reads,
        "rounds": rounds,
        "reads_per_s_without_policy": round(without),
        "reads_per_s_with_policy": round(through),
        "ratio": round(through / without, 3),
        "views": views,
    }


def run_backend(backend: str, records: int, postgres_url: str, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if backend == "sqlite":
            engine = make_engine(f"sqlite:///{workdir / 'policy.sqlite3'}")
        else:
            admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres",
                                  isolation_level="AUTOCOMMIT")  # fmt: skip
            name = postgres_url.rsplit("/", 1)[1]
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            engine = make_engine(postgres_url)
        migrate(engine)
        started = time.perf_counter()
        user, ids = populate(engine, records, workdir, seed)
        built = time.perf_counter() - started
        rows = [
            measure(engine, user, ids, 50, 20_000, 5, seed),
            measure(engine, user, ids, 1, 4_000, 5, seed),
        ]
        engine.dispose()
    return {"backend": backend, "records": records, "build_s": round(built, 1), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite"])
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/vinculo_bench_policy"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": [
            run_backend(b, args.records, args.postgres_url, args.seed) for b in args.backends
        ],
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "policy.json").write_text(json.dumps(report, indent=2))
    print("| backend | records | reads | without policy (reads/s) | through policy (reads/s) "
          "| ratio | views through the policy |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---|")
    for result in report["results"]:
        for row in result["rows"]:
            kind = "search page (50)" if row["page_size"] > 1 else "single record"
            views = ", ".join(f"{k} {v:,}" for k, v in sorted(row["views"].items()))
            print(f"| {result['backend']} | {result['records']:,} | {kind} | "
                  f"{row['reads_per_s_without_policy']:,} | {row['reads_per_s_with_policy']:,} | "
                  f"{row['ratio']:.2f} | {views} |")  # fmt: skip


if __name__ == "__main__":
    main()
