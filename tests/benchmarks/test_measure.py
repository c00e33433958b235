"""The benchmarks' peak memory of a child process: its own, not its parent's."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from matching_support.measure import run_measured

CHILD = "import time; x = bytearray({mib} * 1024 * 1024); time.sleep(0.4)"


def test_the_peak_is_the_child_s_own_whatever_the_parent_holds() -> None:
    small = run_measured([sys.executable, "-c", CHILD.format(mib=60)])
    held = bytearray(400 * 1024 * 1024)  # the parent grows by 400 MiB before the next child
    large_parent = run_measured([sys.executable, "-c", CHILD.format(mib=60)])
    assert held  # kept alive across the second run
    for m in (small, large_parent):
        assert m.returncode == 0
        # 60 MiB of buffer plus the interpreter: far below the parent's 400 MiB.
        assert 60 <= m.peak_mib < 200, m
    # ru_maxrss counts the parent's size at the fork: why it is not the peak.
    assert large_parent.maxrss_mib >= 400
