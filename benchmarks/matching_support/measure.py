"""Run a command as a child process and measure its wall time and peak memory.

Peak memory is the child's maximum resident set size as the kernel reports it to its parent
through ``wait4(2)`` (``ru_maxrss``, KiB on Linux): the very figure ``/usr/bin/time -v`` prints
as "Maximum resident set size", taken for this one child and no other, so it needs neither GNU
time nor psutil. It covers the child and those of its own children it waited for, as the
largest single process among them, not their sum. So that a tool which fans out to worker
processes is not under-reported, a sampler also adds up VmRSS over the child's whole process
tree every 50 ms (from /proc); that sampled peak is kept as ``peak_tree_mib`` and the reported
``peak_mib`` is the larger of the two.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    returncode: int
    seconds: float
    peak_mib: float
    maxrss_mib: float
    peak_tree_mib: float
    stdout: str
    stderr: str
    timed_out: bool = False


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out.extend(int(c) for c in text)
    except OSError:
        pass
    return out


def _tree_rss_kib(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_kib(pid)
        stack.extend(_children(pid))
    return total


def run_measured(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict | None = None,
    log: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run ``cmd``; stdout is captured, stderr goes to ``log`` (or is captured) in full.

    After ``timeout`` seconds the child's process group is killed and ``timed_out`` is set.
    """
    err_handle = log.open("w") if log else subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=err_handle,
        text=True,
        start_new_session=True,
    )
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, expire) if timeout else None
    if timer:
        timer.start()
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            peak_tree = max(peak_tree, _tree_rss_kib(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes in threads so the child never blocks on a full pipe; reap with wait4.
    captured: dict[str, str] = {"out": "", "err": ""}

    def drain(name: str, stream) -> None:
        captured[name] = stream.read()

    readers = [threading.Thread(target=drain, args=("out", proc.stdout))]
    if proc.stderr is not None:
        readers.append(threading.Thread(target=drain, args=("err", proc.stderr)))
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if timer:
        timer.cancel()
    stop.set()
    sampler.join()
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log:
        err_handle.close()  # type: ignore[union-attr]
        captured["err"] = log.read_text(errors="replace")
    maxrss = usage.ru_maxrss / 1024
    tree = peak_tree / 1024
    return Measured(
        returncode=proc.returncode,
        seconds=seconds,
        peak_mib=max(maxrss, tree),
        maxrss_mib=maxrss,
        peak_tree_mib=tree,
        stdout=captured["out"],
        stderr=captured["err"],
        timed_out=timed_out.is_set(),
    )
