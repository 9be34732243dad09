"""Sweep backends: where the simulations of a sweep run.

``local`` runs the measurement in this process (batched on the chosen device), chunk by
chunk, writing each finished chunk to the store before the next starts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from tqdm.auto import tqdm

from theorycheck.paper import Measurement, Request
from theorycheck.store import ResultStore, run_key

BACKENDS = ("local",)


def cuda_available() -> bool:
    """Whether torch is installed and sees a CUDA device (torch is imported only here)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str) -> str:
    """``"auto"`` means CUDA when present, else the CPU. Asking for CUDA where there is none
    is an error, whether or not the runs are already stored."""
    if not isinstance(device, str) or not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device.startswith("cuda") and not cuda_available():
        raise ValueError(f"device {device!r} was asked for but CUDA is not available on this "
                         "machine; use --device cpu or auto")
    return device


class LocalBackend:
    """Runs missing (configuration, seed) requests in this process and stores them."""

    def __init__(self, store: ResultStore, device: str, progress: bool = True) -> None:
        self.store, self.device, self.progress = store, device, progress
        self.computed = 0
        self.reused = 0

    def run(self, m: Measurement, requests: Sequence[Request], desc: str) -> list[dict[str, Any]]:
        """Results for every request, in order: stored ones reused, missing ones simulated."""
        keys = [run_key(m.name, m.version, cfg, seed) for cfg, seed in requests]
        found = self.store.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.reused += len(keys) - len(missing)
        bar = tqdm(total=len(missing), desc=desc, disable=not self.progress or not missing,
                   leave=False, unit="run")
        for start in range(0, len(missing), m.chunk):
            idx = missing[start:start + m.chunk]
            t0 = time.perf_counter()
            out = m.fn([requests[i] for i in idx], self.device)
            per_run = (time.perf_counter() - t0) / max(len(idx), 1)
            rows = [(keys[i], m.name, m.version, requests[i][0], requests[i][1], r,
                     per_run, self.device) for i, r in zip(idx, out)]
            self.store.put_many(rows)
            for i, r in zip(idx, out):
                found[keys[i]] = r
            self.computed += len(idx)
            bar.update(len(idx))
        bar.close()
        return [found[k] for k in keys]


def make_backend(name: str, store: ResultStore, device: str, progress: bool) -> LocalBackend:
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}, got {name!r}")
    return LocalBackend(store, resolve_device(device), progress)
