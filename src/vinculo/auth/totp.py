"""Time-based one-time passwords (RFC 6238): 6 digits, 30-second steps, one step of clock drift
either way, and no code accepted twice.

The column ``app_user.totp_secret`` holds ``SECRET|LAST_STEP``: the base32 secret and the last
time step a code was accepted for. Accepting a code moves LAST_STEP forward with a
compare-and-swap update, so a code (or an older one) is refused the second time even when two
processes see it at the same moment. A secret is in force only once confirmed
(``totp_confirmed_at``) with a first code from the user's authenticator app.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
from sqlalchemy import Connection, select, update

from vinculo.store.tables import User, utcnow

STEP_SECONDS = 30
#: Steps of clock drift accepted either side of now.
WINDOW = 1
DIGITS = 6
ISSUER = "vinculo"
#: The clock codes are checked against (replaceable in tests).
clock: Callable[[], float] = time.time


class TotpError(ValueError):
    """A second-factor operation refused, with the reason."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    uri: str


def encode(secret: str, last_step: int) -> str:
    return f"{secret}|{last_step}"


def decode(stored: str) -> tuple[str, int]:
    secret, _, last = stored.partition("|")
    return secret, int(last) if last else 0


def step_at(now: float | None = None) -> int:
    return int((clock() if now is None else now) // STEP_SECONDS)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def match(
    secret: str, code: str, last_step: int, now: float | None = None
) -> tuple[int | None, str]:
    """The time step ``code`` belongs to, if it is valid and newer than ``last_step``; else None
    and the reason (``malformed``, ``reused`` or ``invalid``)."""
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None, "malformed"
    current = step_at(now)
    reused = False
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            if step <= last_step:
                reused = True
                continue
            return step, "ok"
    return None, "reused" if reused else "invalid"


def consume(
    conn: Connection, user_id: int, stored: str, code: str, now: float | None = None
) -> str | None:
    """Check ``code`` against the stored ``SECRET|LAST_STEP`` and, if it is good, record its step
    so it cannot be used again. None when accepted, else the reason it was not."""
    secret, last_step = decode(stored)
    step, reason = match(secret, code, last_step, now)
    if step is None:
        return reason
    swapped = conn.execute(
        update(User)
        .where(User.id == user_id, User.totp_secret == stored)
        .values(totp_secret=encode(secret, step))
    )
    # Someone else used a code between our read and our write: theirs won, ours may be the same.
    return None if swapped.rowcount == 1 else "reused"


def _row(conn: Connection, user_id: int) -> tuple[str | None, object]:
    row = conn.execute(
        select(User.totp_secret, User.totp_confirmed_at).where(User.id == user_id)
    ).first()
    if row is None:
        raise TotpError("no such user")
    return row.totp_secret, row.totp_confirmed_at


def is_confirmed(conn: Connection, user_id: int) -> bool:
    secret, confirmed = _row(conn, user_id)
    return secret is not None and confirmed is not None


def enrol(conn: Connection, user_id: int, username: str) -> Enrolment:
    """A new secret for the user, not yet in force: ``confirm`` puts it in force. Replaces an
    unconfirmed one; refuses while a confirmed one exists (an administrator disables it first)."""
    if is_confirmed(conn, user_id):
        raise TotpError("a second factor is already in force: an administrator must disable it")
    secret = pyotp.random_base32()
    conn.execute(
        update(User)
        .where(User.id == user_id)
        .values(totp_secret=encode(secret, 0), totp_confirmed_at=None)
    )
    return Enrolment(secret, provisioning_uri(secret, username))


def confirm(conn: Connection, user_id: int, code: str, now: float | None = None) -> str | None:
    """Put the enrolled secret in force with a first code from the app. None when done, else the
    reason it was refused (``not_enrolled``, ``already_confirmed``, or a ``match`` reason)."""
    stored, confirmed = _row(conn, user_id)
    if stored is None:
        return "not_enrolled"
    if confirmed is not None:
        return "already_confirmed"
    reason = consume(conn, user_id, stored, code, now)
    if reason is None:
        conn.execute(update(User).where(User.id == user_id).values(totp_confirmed_at=utcnow()))
    return reason


def disable(conn: Connection, user_id: int) -> bool:
    """Remove the second factor (lost phone); True if there was one, confirmed or not."""
    stored, _ = _row(conn, user_id)
    conn.execute(
        update(User).where(User.id == user_id).values(totp_secret=None, totp_confirmed_at=None)
    )
    return stored is not None
