"""Shared helpers: paired interleaved timing, device choice, machine description.

Every comparison times a baseline and a candidate in the same process, interleaved (the
order alternates between repetitions so slow drifts in machine load hit both alike), and
reports the ratio of the medians, baseline / candidate (> 1: the candidate is faster),
together with the range of the per-repetition ratios and the load average around the run.
"""

from __future__ import annotations

import ctypes
import datetime
import glob
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (os.getloadavg), rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _timed(fn: Callable[[], Any], device: str) -> tuple[float, Any]:
    synchronize(device)
    start = time.perf_counter()
    out = fn()
    synchronize(device)
    return time.perf_counter() - start, out


def paired(name: str, baseline: Callable[[], Any], candidate: Callable[[], Any], *,
           repeats: int, device: str = "cpu",
           check: Callable[[Any, Any], dict[str, Any]] | None = None,
           params: dict[str, Any] | None = None,
           labels: tuple[str, str] = ("baseline", "candidate")) -> dict[str, Any]:
    """Time ``baseline`` and ``candidate`` ``repeats`` times each, interleaved.

    Repetition i runs baseline then candidate when i is even, the reverse when i is odd.
    ``check(baseline_output, candidate_output)`` (on the first pair) returns sanity facts that
    show both did the same work; they are stored with the timings.
    """
    load_before = load_average()
    base_times: list[float] = []
    cand_times: list[float] = []
    first: tuple[Any, Any] | None = None
    for i in range(repeats):
        order = ((base_times, baseline), (cand_times, candidate))
        outputs = []
        for times, fn in order if i % 2 == 0 else order[::-1]:
            seconds, out = _timed(fn, device)
            times.append(seconds)
            outputs.append(out)
        if first is None:
            first = tuple(outputs) if i % 2 == 0 else tuple(outputs[::-1])
    base_med = statistics.median(base_times)
    cand_med = statistics.median(cand_times)
    pair_ratios = [b / c for b, c in zip(base_times, cand_times)]
    row: dict[str, Any] = {
        "name": name,
        "baseline": labels[0],
        "candidate": labels[1],
        "device": device,
        "repeats": repeats,
        "baseline_median_s": round(base_med, 4),
        "candidate_median_s": round(cand_med, 4),
        "ratio": round(base_med / cand_med, 3),
        "pair_ratio_min": round(min(pair_ratios), 3),
        "pair_ratio_max": round(max(pair_ratios), 3),
        "baseline_times_s": [round(t, 4) for t in base_times],
        "candidate_times_s": [round(t, 4) for t in cand_times],
        "load_before": load_before,
        "load_after": load_average(),
        "params": params or {},
    }
    if check is not None and first is not None:
        row["check"] = check(*first)
    return row


def resolve_device(device: str) -> str | None:
    """``"cpu"`` or ``"cuda"``; None (with a message) when CUDA is asked for but absent."""
    if device == "cpu":
        return "cpu"
    if device.startswith("cuda"):
        if torch.cuda.is_available():
            return device
        print(f"[benchmarks] --device {device}: CUDA is not available here; skipped.")
        return None
    raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")


def _numpy_openblas() -> ctypes.CDLL | None:
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs",
                                  "*openblas*"))
    return ctypes.CDLL(libs[0]) if libs else None


_OPENBLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads")


def set_numpy_blas_threads(threads: int) -> int | None:
    """Set the thread count of the OpenBLAS that numpy's wheel bundles; 0 leaves it alone.

    Returns the count now in force, or None when it cannot be read or set (another BLAS).
    Why: on this 2-core machine under load, the default 2-thread OpenBLAS ran
    ``np.linalg.lstsq`` on a 200 x 2000 matrix in ~2.8 s against ~0.04 s with 1 thread;
    a baseline crippled that way would inflate every ratio against it.
    """
    try:
        lib = _numpy_openblas()
    except OSError:
        return None
    if lib is None:
        return None
    if threads > 0:
        for name in _OPENBLAS_SETTERS:
            if hasattr(lib, name):
                getattr(lib, name)(int(threads))
                break
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                 "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(lib, name):
            return int(getattr(lib, name)())
    return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(device: str) -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "numpy_blas_threads": set_numpy_blas_threads(0),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "device": device,
        "load_average": load_average(),
    }
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the rows (ratio = baseline median / candidate median)."""
    head = ("| benchmark | baseline | candidate | baseline s | candidate s | ratio "
            "| pair ratios | load 1m |")
    lines = [head, "|---|---|---|---:|---:|---:|---|---:|"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['baseline']} | {r['candidate']} | {r['baseline_median_s']:.3f} "
            f"| {r['candidate_median_s']:.3f} | **{r['ratio']:.2f}x** "
            f"| {r['pair_ratio_min']:.2f}-{r['pair_ratio_max']:.2f} "
            f"| {r['load_before'][0]:.2f}/{r['load_after'][0]:.2f} |"
        )
    return "\n".join(lines)
