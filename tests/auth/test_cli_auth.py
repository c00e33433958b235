"""``vinculo auth ...`` end to end against a database file, audit entries included."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.auth.conftest import PASSWORD, Clock
from vinculo import settings as settings_module
from vinculo.cli import app
from vinculo.sharing.directory import add_agency, add_user, authenticate, user_for_token
from vinculo.store import db
from vinculo.store.tables import AuditEntry

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("VINCULO_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("VINCULO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()
    assert runner.invoke(app, ["init"]).exit_code == 0
    with db.get_engine().begin() as conn:
        add_agency(conn, "BR-PF", "Polícia Federal", "BR", "police")
        add_user(conn, "ana.pf", "BR-PF", PASSWORD, ["analyst", "supervisor"])
    yield tmp_path
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()


def run(*args: str) -> str:
    result = runner.invoke(app, ["auth", *args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, ["auth", *args])
    assert result.exit_code != 0
    return result.output


def _audit() -> list[tuple[str, str | None, str, str | None]]:
    with db.get_engine().connect() as conn:
        rows = conn.execute(select(AuditEntry).order_by(AuditEntry.seq))
        return [(r.action, r.username, r.outcome, r.object_id) for r in rows]


def test_totp_enrol_confirm_disable(home: Path, clock: Clock) -> None:
    output = run("totp-enrol", "ana.pf")
    secret = output.split("secret: ")[1].split()[0]
    assert "otpauth://totp/vinculo:ana.pf" in output
    assert "malformed" in fails("totp-confirm", "ana.pf", "12")
    run("totp-confirm", "ana.pf", clock.code(secret))
    assert "must disable it" in fails("totp-enrol", "ana.pf").replace("\n", " ")
    with db.get_engine().begin() as conn:
        assert authenticate(conn, "ana.pf", PASSWORD) is None
    run("totp-disable", "ana.pf")
    with db.get_engine().begin() as conn:
        assert authenticate(conn, "ana.pf", PASSWORD) is not None
    assert "no user" in fails("totp-disable", "nobody")
    actor = f"cli:{getpass.getuser()}"
    trail = [a for a in _audit() if a[0].startswith("auth.")]
    assert trail == [
        ("auth.totp.enrol", actor, "ok", "ana.pf"),
        ("auth.totp.confirm", actor, "denied", "ana.pf"),
        ("auth.totp.confirm", actor, "ok", "ana.pf"),
        ("auth.totp.disable", actor, "ok", "ana.pf"),
    ]


def test_tokens_issue_list_revoke(home: Path) -> None:
    issued = run(
        "tokens", "issue", "ana.pf", "--scope", "analyst", "--hours", "2", "--label", "etl"
    )
    value = next(line for line in issued.splitlines() if line.startswith("vin_"))
    with db.get_engine().begin() as conn:
        user = user_for_token(conn, value)
        assert user is not None and [r.value for r in user.roles] == ["analyst"]
    listed = run("tokens", "list", "ana.pf")
    assert "etl" in listed and "analyst" in listed and "active" in listed
    assert value not in listed
    assert "does not hold" in fails("tokens", "issue", "ana.pf", "--scope", "dpo")
    assert "at most" in fails("tokens", "issue", "ana.pf", "--hours", "100000")
    run("tokens", "revoke", "1")
    assert "revoked" in run("tokens", "list", "ana.pf")
    assert "no token" in fails("tokens", "revoke", "99")
    with db.get_engine().begin() as conn:
        assert user_for_token(conn, value) is None
    actions = [(a[0], a[3]) for a in _audit() if a[0].startswith("auth.")]
    assert actions == [
        ("auth.token.issue", "1"),
        ("auth.token.list", "ana.pf"),
        ("auth.token.revoke", "1"),
        ("auth.token.list", "ana.pf"),
    ]
