"""Run a command as a child process and measure its wall time and peak memory.

Peak memory is the child's high-water resident set size (``VmHWM`` in /proc/<pid>/status,
which the kernel keeps for the program the child runs since its ``exec``), read every 50 ms
while it runs, or the sampled sum of VmRSS over its whole process tree when that is larger (a
tool that fans out to worker processes). Growth in the last 50 ms before the child exits is not
seen.

``ru_maxrss`` from ``wait4(2)`` (what ``/usr/bin/time -v`` prints) is kept as ``maxrss_mib`` but
not used for the peak: on Linux a child's figure starts from its parent's resident size at the
fork before the ``exec``, so every tool run from this (large) benchmark process was reported at
least as large as the benchmark itself — the repeated 1,004 MiB of earlier runs. Checked: a
child running ``pass`` from a parent holding 800 MiB reports ``ru_maxrss`` 813 MiB.
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
    hwm_mib: float
    stdout: str
    stderr: str
    timed_out: bool = False


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _rss_kib(pid: int) -> int:
    return _status_kib(pid, "VmRSS:")


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
    hwm = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, hwm
        while not stop.is_set():
            peak_tree = max(peak_tree, _tree_rss_kib(proc.pid))
            hwm = max(hwm, _status_kib(proc.pid, "VmHWM:"))
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
        peak_mib=max(hwm / 1024, tree),
        maxrss_mib=maxrss,
        peak_tree_mib=tree,
        hwm_mib=hwm / 1024,
        stdout=captured["out"],
        stderr=captured["err"],
        timed_out=timed_out.is_set(),
    )
