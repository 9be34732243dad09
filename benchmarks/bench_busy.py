"""A check beside CPU-bound neighbours: the slowdown against the CPU share it is left.

Issue 17 measured the chang2021 quick check at 48 s at load 0.6 and 20 min at load 8 on a
2-core machine: a 25x slowdown for a 4-5x smaller CPU share, because torch's and OpenBLAS's
thread pools, each as wide as the machine, oversubscribed it. This benchmark runs one check
(``theorycheck check PAPER --budget BUDGET``, a fresh store each time, in a fresh process)
idle and then beside ``neighbours`` busy-looping processes, once with the default thread
count (``theorycheck.threads``) and once with as many threads as CPUs (the old behaviour).

Expected slowdown under fair scheduling, for t threads beside k neighbours on c CPUs: idle
the run has min(t, c) CPUs; loaded its t threads get c t / (k + t) of them, so
``expected = (k + t) min(t, c) / (c t)`` (1 when k + t <= c). The row reports the measured
slowdown, the expected one and their ratio (1: the run loses only the share it gave up).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import load_average
from theorycheck.threads import available_cpus, default_threads


def _spin(stop: Any) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) % 2**31


def _check_seconds(paper: str, budget: str, threads: int, claims: str | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "theorycheck.cli", "check", paper, "--budget", budget,
               "--device", "cpu", "--quiet", "--threads", str(threads), "--store",
               str(Path(tmp) / "runs.sqlite")] + (["--claims", claims] if claims else [])
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return time.perf_counter() - start


def expected_slowdown(threads: int, neighbours: int, cpus: int) -> float:
    """Fair-share slowdown of ``threads`` busy threads beside ``neighbours`` on ``cpus``."""
    if neighbours + threads <= cpus:
        return 1.0
    return (neighbours + threads) * min(threads, cpus) / (cpus * threads)


def run(paper: str = "chang2021", budget: str = "quick", neighbours: int | None = None,
        claims: str | None = None) -> list[dict[str, Any]]:
    cpus = available_cpus()
    neighbours = cpus if neighbours is None else neighbours
    rows = []
    for threads in dict.fromkeys((default_threads(), cpus)):
        idle = _check_seconds(paper, budget, threads, claims)
        stop = multiprocessing.Event()
        procs = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
                 for _ in range(neighbours)]
        for p in procs:
            p.start()
        time.sleep(2.0)  # let the neighbours reach full speed
        load = load_average()
        try:
            busy = _check_seconds(paper, budget, threads, claims)
        finally:
            stop.set()
            for p in procs:
                p.join()
        expected = expected_slowdown(threads, neighbours, cpus)
        row = {"name": f"check {paper} {budget} beside {neighbours} busy processes",
               "threads": threads, "cpus": cpus, "idle_s": round(idle, 2),
               "busy_s": round(busy, 2), "slowdown": round(busy / idle, 2),
               "expected_slowdown": round(expected, 2),
               "slowdown_over_expected": round(busy / idle / expected, 2),
               "load_during": load, "claims": claims}
        print(f"[benchmarks] {row['name']}, {threads} threads: idle {idle:.1f} s, busy "
              f"{busy:.1f} s, slowdown {row['slowdown']}x (fair share {expected:.2f}x)",
              flush=True)
        rows.append(row)
    return rows
