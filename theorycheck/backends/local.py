"""The ``local`` backend: runs each chunk in this process, on the chosen device."""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable, Sequence

from theorycheck.backends.base import Backend, Chunk
from theorycheck.backends.devices import resolve_device
from theorycheck.paper import Measurement, Request
from theorycheck.store import ResultStore


class LocalBackend(Backend):
    """Runs missing (configuration, seed) requests in this process, one chunk at a time
    (each batched on the device by the measurement), and stores them."""

    name = "local"
    slots = 1

    def __init__(self, store: ResultStore, device: str = "auto", progress: bool = True,
                 lease_ttl: float | None = None) -> None:
        super().__init__(store, resolve_device(device), progress, lease_ttl)
        self._ids = itertools.count()
        self._pending: dict[Hashable, tuple[Measurement, list[Request]]] = {}

    def submit(self, m: Measurement, requests: list[Request]) -> Hashable:
        handle = next(self._ids)
        self._pending[handle] = (m, requests)
        return handle

    def wait(self, handles: Sequence[Hashable]) -> Chunk:
        handle = handles[0]
        m, requests = self._pending.pop(handle)
        t0 = time.perf_counter()
        out = m.fn(requests, self.device)
        return handle, out, (time.perf_counter() - t0) / max(len(requests), 1)

    def cancel(self, handles: Sequence[Hashable]) -> None:
        for handle in handles:
            self._pending.pop(handle, None)
