"""References between records are kept in ``entity_link`` as records are written, changed and
deleted, and the 0005 migration fills the table from records stored before it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from sqlalchemy import Engine, delete, select

from vinculo.ingest.pipeline import run_import
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_agency
from vinculo.store.db import _alembic_config
from vinculo.store.tables import Entity, EntityLink


def _import(engine: Engine, path: Path, lines: Sequence[Mapping[str, Any]]) -> None:
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    report = run_import(path, "CO-DIJIN", engine=engine, match=False)
    assert report.rows_rejected == 0, report.to_dict()


def _links(engine: Engine) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        return {
            (r.source_id, r.prop, r.target_id)
            for r in conn.execute(
                select(EntityLink.source_id, EntityLink.prop, EntityLink.target_id)
            )
        }


PEOPLE: list[dict[str, Any]] = [
    {"id": "p-1", "schema": "Person", "properties": {"name": ["Carlos Ruiz Pardo"]}},
    {"id": "p-2", "schema": "Person", "properties": {"name": ["Elena Ruiz Pardo"]}},
    {"id": "o-1", "schema": "Organization", "properties": {"name": ["Clan del Golfo"]}},
]


def _ids() -> dict[str, str]:
    return {k: make_entity_id("CO-DIJIN", k) for k in ("p-1", "p-2", "o-1", "m-1", "f-1")}


def test_links_follow_the_records(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        add_agency(conn, "CO-DIJIN", "DIJIN", "CO", "police")
    ids = _ids()
    membership: dict[str, Any] = {
        "id": "m-1",
        "schema": "Membership",
        "properties": {"member": ["p-1"], "organization": ["o-1"]},
    }
    family: dict[str, Any] = {
        "id": "f-1",
        "schema": "Family",
        "properties": {"person": ["p-1"], "relative": ["p-2"], "relationship": ["hermana"]},
    }
    _import(engine, tmp_path / "a.jsonl", [*PEOPLE, membership, family])
    assert _links(engine) == {
        (ids["m-1"], "member", ids["p-1"]),
        (ids["m-1"], "organization", ids["o-1"]),
        (ids["f-1"], "person", ids["p-1"]),
        (ids["f-1"], "relative", ids["p-2"]),
    }
    # The membership changes hands: its old links go, the new ones come; the family is untouched.
    membership["properties"] = {"member": ["p-2"], "organization": ["o-1"]}
    _import(engine, tmp_path / "b.jsonl", [membership])
    assert (ids["m-1"], "member", ids["p-1"]) not in _links(engine)
    assert (ids["m-1"], "member", ids["p-2"]) in _links(engine)
    assert (ids["f-1"], "person", ids["p-1"]) in _links(engine)
    # A deleted record takes its links with it.
    with engine.begin() as conn:
        conn.execute(delete(Entity).where(Entity.id == ids["f-1"]))
    assert {s for s, _, _ in _links(engine)} == {ids["m-1"]}


def test_the_migration_fills_links_of_records_stored_before_it(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        add_agency(conn, "CO-DIJIN", "DIJIN", "CO", "police")
    ids = _ids()
    membership: dict[str, Any] = {
        "id": "m-1",
        "schema": "Membership",
        "properties": {"member": ["p-1"], "organization": ["o-1"]},
    }
    _import(engine, tmp_path / "a.jsonl", [*PEOPLE, membership])
    expected = _links(engine)
    assert expected == {
        (ids["m-1"], "member", ids["p-1"]),
        (ids["m-1"], "organization", ids["o-1"]),
    }
    config = _alembic_config(engine)
    try:
        command.downgrade(config, "0004")
    finally:
        command.upgrade(config, "head")
    assert _links(engine) == expected
