"""Shared fixtures: every store-backed test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from vinculo.sharing import directory
from vinculo.store.db import make_engine, migrate
from vinculo.store.tables import Base

# The suite creates and logs in hundreds of users: with argon2's recommended parameters (64 MiB,
# three passes; 0.17 s a hash here) that was a third of the web tests' time. In this process
# only, passwords are hashed with the smallest argon2id that is still argon2id. The
# installation's own parameters are checked in a fresh interpreter by
# tests/auth/test_password_hashing.py.
directory._hasher = PasswordHasher(
    time_cost=1, memory_cost=1024, parallelism=1, hash_len=16, salt_len=16, type=Type.ID
)

POSTGRES_URL = os.environ.get("VINCULO_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def _fresh_postgres(url: str) -> str:
    """Create (or recreate) the test database named in ``url`` and return its URL. Under
    pytest-xdist each worker has its own (``vinculo_test_gw0``...): they run at the same time."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        parsed = parsed.set(database=f"{parsed.database}_{worker}")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("VINCULO_TEST_POSTGRES_URL not set")
    engine = make_engine(_fresh_postgres(POSTGRES_URL))
    migrate(engine)
    yield engine
    engine.dispose()


def truncate_all(engine: Engine) -> None:
    from vinculo.sharing.policy import forget_directory

    forget_directory()
    names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # The audit log's head row is created by the migration, as on a new installation.
        conn.execute(
            text("INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'vinculo.sqlite3'}")
        migrate(eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("postgres_engine")
        truncate_all(eng)
        yield eng
