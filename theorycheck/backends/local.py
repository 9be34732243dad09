"""The ``local`` backend: runs each chunk in this process, on the chosen device.

Time limit (``THEORYCHECK_RUN_TIMEOUT``, :mod:`theorycheck.backends.base`): a thread cannot
be stopped from outside, so the chunk runs under a real-time timer (``setitimer``) whose
``SIGALRM`` raises :class:`~theorycheck.backends.base.ChunkTimeout` inside the measurement.
This needs the main thread and a POSIX system (a one-line error otherwise, before anything
runs). Python code (a loop that never ends, a ``sleep``, a wait) is interrupted at once; a
measurement stuck inside one long C call (e.g. a torch kernel) is interrupted when that call
returns. What the interrupted chunk left behind in the measurement's own state is its
business: nothing of the chunk is stored.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from theorycheck.backends.base import TIMEOUT_ENV, Backend, Chunk, ChunkTimeout
from theorycheck.backends.devices import resolve_device
from theorycheck.paper import Measurement, Request
from theorycheck.store import ResultStore


@contextmanager
def time_limit(seconds: float | None, handle: Hashable) -> Iterator[None]:
    """Run the block with at most ``seconds`` of wall-clock time (None: no limit), then
    raise ChunkTimeout(handle, seconds) where it is (SIGALRM, main thread only)."""
    if seconds is None:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ChunkTimeout(handle, seconds)

    before = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


class LocalBackend(Backend):
    """Runs missing (configuration, seed) requests in this process, one chunk at a time
    (each batched on the device by the measurement), and stores them."""

    name = "local"
    slots = 1

    def __init__(self, store: ResultStore, device: str = "auto", progress: bool = True,
                 lease_ttl: float | None = None, run_timeout: float | None = None) -> None:
        super().__init__(store, resolve_device(device), progress, lease_ttl, run_timeout)
        if self.run_timeout is not None and (
                not hasattr(signal, "setitimer")
                or threading.current_thread() is not threading.main_thread()):
            raise ValueError(f"{TIMEOUT_ENV} needs the main thread of a POSIX process with "
                             "the local backend (a thread cannot be stopped); unset it, or "
                             "run the check in the main thread")
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
        with time_limit(self.limit(requests), handle):
            out = m.fn(requests, self.device)
        return handle, out, (time.perf_counter() - t0) / max(len(requests), 1)

    def cancel(self, handles: Sequence[Hashable]) -> None:
        for handle in handles:
            self._pending.pop(handle, None)
