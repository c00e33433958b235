"""TOTP second factor: codes, the drift window, no reuse, enrolment, and its place in logins."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.auth.conftest import PASSWORD, Clock, audit_entries, bearer
from vinculo.auth import totp
from vinculo.sharing.directory import MAX_FAILED_LOGINS, authenticate, get_user, verify_login
from vinculo.store.tables import User

SECRET = pyotp.random_base32()
NOW = 1_750_000_000.0


def test_codes_match_rfc_6238_reference_implementation() -> None:
    # pyotp's own TOTP at the same instant: same algorithm, same 30 s step, 6 digits.
    assert totp.code_at(SECRET, totp.step_at(NOW)) == pyotp.TOTP(SECRET).at(NOW)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_one_step_of_drift_either_way(offset: int, accepted: bool) -> None:
    code = totp.code_at(SECRET, totp.step_at(NOW) + offset)
    step, reason = totp.match(SECRET, code, 0, NOW)
    assert (step is not None) is accepted
    assert reason == ("ok" if accepted else "invalid")


def test_a_code_is_refused_the_second_time_and_so_are_older_ones() -> None:
    now_step = totp.step_at(NOW)
    code = totp.code_at(SECRET, now_step)
    assert totp.match(SECRET, code, now_step, NOW) == (None, "reused")
    older = totp.code_at(SECRET, now_step - 1)
    assert totp.match(SECRET, older, now_step, NOW) == (None, "reused")
    assert totp.match(SECRET, "12345", 0, NOW) == (None, "malformed")
    assert totp.match(SECRET, "abcdef", 0, NOW) == (None, "malformed")


def test_stored_format_round_trips() -> None:
    assert totp.decode(totp.encode(SECRET, 57_000_000)) == (SECRET, 57_000_000)
    assert totp.decode(SECRET) == (SECRET, 0)
    assert len(totp.encode(SECRET, 10**10)) <= 64  # the column's width


def _enrol_and_confirm(engine: Engine, clock: Clock, username: str = "ana.pf") -> str:
    with engine.begin() as conn:
        user = get_user(conn, username)
        assert user is not None
        enrolment = totp.enrol(conn, user.id, user.username)
        assert enrolment.uri.startswith("otpauth://totp/vinculo:")
        assert f"secret={enrolment.secret}" in enrolment.uri
        # Not in force before confirmation: the password alone still logs in.
        assert authenticate(conn, username, PASSWORD) is not None
        assert totp.confirm(conn, user.id, clock.wrong_code(enrolment.secret)) == "invalid"
        assert totp.confirm(conn, user.id, clock.code(enrolment.secret)) is None
        assert totp.confirm(conn, user.id, clock.code(enrolment.secret)) == "already_confirmed"
    clock.tick()
    return enrolment.secret


def test_enrol_confirm_then_required_and_disable(directory: Engine, clock: Clock) -> None:
    secret = _enrol_and_confirm(directory, clock)
    with directory.begin() as conn:
        user = get_user(conn, "ana.pf")
        assert user is not None
        assert totp.is_confirmed(conn, user.id)
        with pytest.raises(totp.TotpError):
            totp.enrol(conn, user.id, user.username)  # an administrator must disable it first
        assert authenticate(conn, "ana.pf", PASSWORD) is None
        assert authenticate(conn, "ana.pf", PASSWORD, clock.code(secret)) is not None
        assert totp.disable(conn, user.id) is True
        assert authenticate(conn, "ana.pf", PASSWORD) is not None
        assert totp.disable(conn, user.id) is False


def test_reuse_is_refused_across_connections(directory: Engine, clock: Clock) -> None:
    """The last accepted step is in the database, not in a process's memory."""
    secret = _enrol_and_confirm(directory, clock)
    code = clock.code(secret)
    with directory.begin() as conn:
        assert verify_login(conn, "ana.pf", PASSWORD, code).user is not None
    with directory.begin() as conn:
        again = verify_login(conn, "ana.pf", PASSWORD, code)
        assert again.user is None and again.reason == "otp_reused"
        stored = conn.execute(select(User.totp_secret).where(User.username == "ana.pf")).scalar()
        assert stored is not None and stored.endswith(f"|{totp.step_at(clock.now)}")


def test_concurrent_use_of_one_code_succeeds_once(directory: Engine, clock: Clock) -> None:
    secret = _enrol_and_confirm(directory, clock)
    with directory.begin() as conn:
        row = conn.execute(select(User.id, User.totp_secret).where(User.username == "ana.pf")).one()
        code = clock.code(secret)
        # Two checks read the same stored value; only the first write wins.
        assert totp.consume(conn, row.id, row.totp_secret, code) is None
        assert totp.consume(conn, row.id, row.totp_secret, code) == "reused"


def test_api_token_login_requires_the_code(
    client: TestClient, directory: Engine, clock: Clock
) -> None:
    secret = _enrol_and_confirm(directory, clock)
    url = "/api/v1/auth/token"
    missing = client.post(url, json={"username": "ana.pf", "password": PASSWORD})
    assert missing.status_code == 401
    wrong_code = clock.wrong_code(secret)
    wrong = client.post(url, json={"username": "ana.pf", "password": PASSWORD, "otp": wrong_code})
    assert wrong.status_code == 401
    ok = bearer(client, "ana.pf", clock.code(secret))
    assert client.get("/api/v1/auth/me", headers=ok).json()["totp"] is True
    reused = client.post(
        url, json={"username": "ana.pf", "password": PASSWORD, "otp": clock.code(secret)}
    )
    assert reused.status_code == 401
    denied = [e for e in audit_entries(directory, "auth.login") if e.outcome == "denied"]
    assert [e.details["reason"] for e in denied] == ["otp_missing", "otp_invalid", "otp_reused"]
    assert all(e.details["method"] == "password+totp" for e in denied)
    for entry in audit_entries(directory, "auth.login"):
        text = str(entry.details)
        assert PASSWORD not in text and clock.code(secret) not in text and wrong_code not in text


def test_missing_or_wrong_codes_lock_the_account(
    client: TestClient, directory: Engine, clock: Clock
) -> None:
    secret = _enrol_and_confirm(directory, clock)
    for _ in range(MAX_FAILED_LOGINS):
        response = client.post(
            "/api/v1/auth/token", json={"username": "ana.pf", "password": PASSWORD}
        )
        assert response.status_code == 401
    locked = client.post(
        "/api/v1/auth/token",
        json={"username": "ana.pf", "password": PASSWORD, "otp": clock.code(secret)},
    )
    assert locked.status_code == 401
    assert audit_entries(directory, "auth.login")[-1].details["reason"] == "locked"


def test_enrolment_over_the_api(client: TestClient, directory: Engine, clock: Clock) -> None:
    headers = bearer(client, "rui.pf")
    confirm_early = client.post(
        "/api/v1/auth/totp/confirm", json={"otp": "123456"}, headers=headers
    )
    assert confirm_early.status_code == 400
    enrolment = client.post("/api/v1/auth/totp/enrol", headers=headers).json()
    wrong = client.post("/api/v1/auth/totp/confirm", json={"otp": "12345x"}, headers=headers)
    assert wrong.status_code == 400
    confirmed = client.post(
        "/api/v1/auth/totp/confirm", json={"otp": clock.code(enrolment["secret"])}, headers=headers
    )
    assert confirmed.status_code == 204
    assert client.post("/api/v1/auth/totp/enrol", headers=headers).status_code == 409
    clock.tick()
    bearer(client, "rui.pf", clock.code(enrolment["secret"]))
    denied = [e for e in audit_entries(directory, "auth.totp.confirm") if e.outcome == "denied"]
    assert [e.details["reason"] for e in denied] == ["not_enrolled", "malformed"]


def test_only_an_administrator_of_the_agency_disables_it(
    client: TestClient, directory: Engine, clock: Clock
) -> None:
    _enrol_and_confirm(directory, clock, "rui.pf")
    url = "/api/v1/auth/users/rui.pf/totp"
    assert client.delete(url, headers=bearer(client, "ana.pf")).status_code == 403
    assert client.delete(url, headers=bearer(client, "admin.cnp")).status_code == 404
    admin = bearer(client, "admin.pf")
    assert client.delete("/api/v1/auth/users/nobody/totp", headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 204
    bearer(client, "rui.pf")  # the password alone again
    outcomes = [e.outcome for e in audit_entries(directory, "auth.totp.disable")]
    assert outcomes == ["denied", "denied", "denied", "ok"]
