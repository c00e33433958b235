"""The installation hashes passwords with argon2id at the library's recommended parameters; the
suite's cheaper hasher (tests/conftest.py) never leaves the test process."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY

from vinculo.sharing import directory


def test_installation_hashes_with_the_recommended_argon2id_parameters() -> None:
    # A fresh interpreter: this process has the suite's cheap hasher.
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from vinculo.sharing.directory import hash_password; "
            "print(hash_password('correct horse battery staple'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    p = RFC_9106_LOW_MEMORY
    assert found.startswith(
        f"$argon2id$v=19$m={p.memory_cost},t={p.time_cost},p={p.parallelism}$"
    ), found
    assert PasswordHasher().verify(found, "correct horse battery staple")


def test_a_hash_made_with_weaker_parameters_is_flagged_for_rehashing() -> None:
    weak = directory.hash_password("correct horse battery staple")
    assert "m=1024,t=1,p=1" in weak  # the suite's hasher
    assert PasswordHasher().check_needs_rehash(weak)
