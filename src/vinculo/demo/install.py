"""``vinculo demo``: a ready installation on the synthetic scenario, through the real pipeline."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from vinculo.ingest.pipeline import run_import
from vinculo.matching.hits import Matcher
from vinculo.settings import get_settings
from vinculo.sharing.directory import add_agency, add_user, get_agency, hash_password
from vinculo.store.db import migrate
from vinculo.store.tables import Hit, User

DEMO_ROLES = ["analyst", "investigator", "supervisor"]


@dataclass(frozen=True, slots=True)
class DemoUser:
    agency: str
    username: str
    password: str


@dataclass(slots=True)
class DemoResult:
    scenario: Path
    users: list[DemoUser] = field(default_factory=list)
    files: int = 0
    entities: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    hits: int = 0


def install_demo(
    engine: Engine,
    seed: int = 1,
    scale: int = 5000,
    progress: Callable[[str, int, int], None] | None = None,
    scenario_dir: Path | None = None,
) -> DemoResult:
    from vinculo.demo import generate

    migrate(engine)
    scenario = scenario_dir or get_settings().var_dir / f"scenario-{seed}-{scale}"
    if not (scenario / "manifest.json").is_file():
        generate(scenario, seed=seed, scale=scale, progress=progress)
    result = DemoResult(scenario)
    with engine.connect() as conn:
        # One resident index for all the imports: each file is matched against all before it.
        matcher = Matcher.load(conn)
    with (scenario / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    with engine.begin() as conn:
        for row in agencies:
            if get_agency(conn, row["code"]) is None:
                contacts = {
                    m: f"{m.replace('_', '-')}@{row['code'].lower()}.example.org"
                    for m in filter(None, row.get("contact_markets", "").split(";"))
                }
                add_agency(
                    conn,
                    row["code"],
                    row["name"],
                    row["country"],
                    row["kind"],
                    [n for n in row.get("networks", "").split(";") if n],
                    contacts,
                )
    for index, row in enumerate(agencies):
        code = row["code"]
        if progress:
            progress(f"import {code}", index, len(agencies))
        for name, schema in (("people.csv", "Person"), ("entities.ftm.jsonl", None)):
            path = scenario / code / name
            if not path.is_file():
                continue
            report = run_import(path, code, schema=schema, engine=engine, matcher=matcher)
            result.files += 1
            result.entities += report.entities_written
            result.rows_rejected += report.rows_rejected
            result.rows_flagged += report.rows_flagged
        result.users.append(_demo_user(engine, code))
    # The installation's data-protection officer: reads the audit log, sees no record content.
    result.users.append(
        _demo_user(engine, agencies[0]["code"], "dpo", ["dpo"], "Data-protection officer")
    )
    # ... and its administrator: users, agencies, sharing groups, exclusions; no record content.
    result.users.append(
        _demo_user(engine, agencies[0]["code"], "admin", ["administrator"], "Administrator")
    )
    with engine.connect() as conn:
        result.hits = int(conn.execute(select(func.count()).select_from(Hit)).scalar_one())
    if progress:
        progress("done", len(agencies), len(agencies))
    return result


def _demo_user(
    engine: Engine,
    agency: str,
    username: str | None = None,
    roles: list[str] | None = None,
    display_name: str | None = None,
) -> DemoUser:
    """One user per agency with a fresh password each run (printed: this is a demo)."""
    username = username or f"{agency.lower()}.analyst"
    password = secrets.token_urlsafe(12)
    with engine.begin() as conn:
        exists = conn.execute(select(User.id).where(User.username == username)).first()
        if exists:
            conn.execute(
                update(User)
                .where(User.id == exists[0])
                .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
            )
        else:
            add_user(
                conn,
                username,
                agency,
                password,
                roles or DEMO_ROLES,
                display_name or f"Analyst {agency}",
            )
    return DemoUser(agency, username, password)
