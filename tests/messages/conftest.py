"""Four agencies, their users, and records: a CO record under H2 that everybody may read, a CO
record under H0 that everybody may read, a CO record only CO sees, and an ES record that matches
the first one (a hit between CO and ES)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from vinculo import audit
from vinculo.api import create_app
from vinculo.ingest.pipeline import run_import
from vinculo.sharing.directory import UserInfo, add_agency, add_user, issue_token
from vinculo.store.tables import Entity, Hit

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    engine: Engine
    users: dict[str, UserInfo]
    #: source key (D-1, D-2, D-3, E-1) -> entity id
    records: dict[str, str]
    hit_id: str

    def actor(self, username: str) -> audit.Actor:
        user = self.users[username]
        return audit.Actor(user.username, user.agency, "test")


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    users: dict[str, UserInfo] = {}
    with engine.begin() as conn:
        add_agency(conn, "CO-DIJIN", "DIJIN", "CO", "police")
        add_agency(conn, "ES-CNP", "Policía Nacional", "ES", "police", ["EUROPOL"])
        add_agency(conn, "PE-PNP", "Policía Nacional del Perú", "PE", "police")
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
        for name, agency, roles, locale in [
            ("dora", "CO-DIJIN", ["analyst"], "es-CO"),
            ("luis", "ES-CNP", ["analyst"], None),
            ("marta", "ES-CNP", ["investigator"], "es"),
            ("pablo", "PE-PNP", ["analyst"], "es"),
            ("bia", "BR-PF", ["liaison_officer"], "pt-BR"),
            ("root", "CO-DIJIN", ["administrator"], None),
            ("privacy", "CO-DIJIN", ["dpo"], None),
        ]:
            users[name] = add_user(conn, name, agency, PASSWORD, roles, locale=locale)
    co = tmp_path / "co.csv"
    co.write_text(
        "id,name,birth_date,markets,handling_code,distribution\n"
        "D-1,José Luis Pérez García,12/03/1980,drugs,H2,all\n"
        "D-2,Marta Gil Rojas,1990-01-01,drugs,H0,all\n"
        "D-3,Ana Torres Vidal,1985-05-05,drugs,H0,agency\n",
        encoding="utf-8",
    )
    es = tmp_path / "es.csv"
    es.write_text(
        'id,name,birth_date,markets\nE-1,"PEREZ GARCIA, JOSE LUIS",1980-03-12,drugs\n',
        encoding="utf-8",
    )
    run_import(co, "CO-DIJIN", engine=engine)
    run_import(es, "ES-CNP", engine=engine)
    with engine.connect() as conn:
        records = {str(k): i for i, k in conn.execute(select(Entity.id, Entity.source_key))}
        (hit_id,) = conn.execute(select(Hit.id)).scalars().all()
    assert set(records) == {"D-1", "D-2", "D-3", "E-1"}
    return World(engine, users, records, hit_id)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine)) as test_client:
        yield test_client


@pytest.fixture
def headers(world: World) -> dict[str, dict[str, str]]:
    """A bearer token header per username."""
    out: dict[str, dict[str, str]] = {}
    with world.engine.begin() as conn:
        for name, user in world.users.items():
            token, _ = issue_token(conn, user.id, 1)
            out[name] = {"Authorization": f"Bearer {token}"}
    return out


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The world, with the CLI pointed at its database."""
    monkeypatch.setenv("VINCULO_DATABASE_URL", world.engine.url.render_as_string(False))
    from vinculo.settings import get_settings
    from vinculo.store.db import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    yield world
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
