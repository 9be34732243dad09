"""The ``ray`` backend: chunks of runs become tasks on a Ray cluster.

The driver (this process) ships the :class:`~theorycheck.paper.Measurement` to the cluster
once per sweep (``ray.put``; pickled by Ray's cloudpickle: a measurement of an installed
paper travels by reference and is imported on the workers, one defined in a notebook travels
by value) and submits each leased chunk's (config, seed) requests as a task. Results come
back to the driver, which stores each chunk as it arrives: the SQLite store stays the one
source of truth, and an interrupted sweep resumes as with ``local``. A worker that dies is
retried by Ray (``max_retries``); nothing is stored until its chunk comes back.

``address=None`` uses the Ray this process is already connected to, else starts a local one
(``RAY_ADDRESS``, when set, is honoured by ``ray.init``); an address such as ``HOST:6379``
(or ``ray://HOST:10001``) connects to an existing cluster. Before ``ray.init`` is asked to,
the address must accept a TCP connection within ``connect_timeout`` seconds (10 by default):
a closed port or an unreachable host is a one-line ValueError naming the address, where Ray
itself would retry without end. ``device="auto"`` means CUDA when the cluster has GPUs; on
CUDA every task asks for ``gpu_share`` of a GPU (``num_gpus``), and Ray sets the GPU it may
use. Ray is imported only here, when this backend is asked for.

Threads: each task runs with the run's thread count (``threads``, default
:func:`theorycheck.threads.current_threads`, i.e. ``check(threads=...)`` / ``--threads``),
set on the worker for the task's duration (:func:`theorycheck.threads.using_threads`: torch
and the BLAS pools), and asks Ray for as many CPUs (``num_cpus``). At most ``cluster CPUs //
threads`` chunks (at least one) are in flight, so tasks never oversubscribe the cluster: no
nested parallelism. Blocked BLAS and LAPACK kernels (Cholesky, matrix products) sum in an
order that depends on the thread count, so results differ in the last bits between thread
counts; with the same count and the same CPU, a run stored by ``ray`` equals the one
``local`` stores bit for bit.

Time limit (``THEORYCHECK_RUN_TIMEOUT``, :mod:`theorycheck.backends.base`): the driver waits
for a chunk until its deadline (from submission), then cancels its task (``force=True``:
the worker is killed) and records its runs as timed out.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Hashable, Sequence
from typing import Any

# imported when a worker loads this module (unpickling run_chunk), never inside a task: Ray
# cancels a running task with KeyboardInterrupt, which would cut torch's import short and
# leave the worker unable to import it again
import torch  # noqa: F401

from theorycheck.backends.base import Backend, Chunk, ChunkTimeout
from theorycheck.backends.devices import resolve_device
from theorycheck.paper import Measurement, Request
from theorycheck.store import ResultStore
from theorycheck.threads import current_threads, using_threads

INSTALL = "pip install 'theorycheck[ray]'"
CONNECT_TIMEOUT_S = 10.0


def import_ray() -> Any:
    """The ``ray`` module; ImportError with the install command when it is missing."""
    try:
        import ray
    except ImportError:
        raise ImportError(f"the ray backend needs Ray, which is not installed: {INSTALL}") \
            from None
    return ray


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """ValueError naming ``address`` unless it is ``auto`` / ``local`` or a ``HOST:PORT``
    (``ray://`` allowed) that accepts a TCP connection within ``timeout`` seconds."""
    if address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"address must be HOST:PORT (e.g. 127.0.0.1:6379), got {address!r:.80}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise ValueError(f"cannot connect to the Ray cluster at address {address!r} "
                         f"({err.strerror or err}, within {timeout:g} s); start it "
                         "(ray start --head) or give another --address") from None


def run_chunk(m: Measurement, requests: list[Request], device: str, threads: int
              ) -> tuple[list[dict[str, Any]], float]:
    """Executed on a worker: one chunk's results, computed with ``threads`` threads, and the
    seconds per run."""
    t0 = time.perf_counter()
    with using_threads(threads):
        out = m.fn(requests, device)
    return out, (time.perf_counter() - t0) / max(len(requests), 1)


class RayBackend(Backend):
    """Runs chunks as Ray tasks of ``threads`` CPUs each (``cluster CPUs // threads`` in
    flight, at least one); the driver stores them."""

    name = "ray"

    def __init__(self, store: ResultStore, device: str = "auto", progress: bool = True,
                 lease_ttl: float | None = None, run_timeout: float | None = None, *,
                 address: str | None = None, gpu_share: float = 0.25, max_retries: int = 3,
                 threads: int | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        self._ray = ray = import_ray()
        self.threads = current_threads() if threads is None else threads
        if not ray.is_initialized():
            if address is not None:
                check_reachable(address, connect_timeout)
            ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
        resources = ray.cluster_resources()
        super().__init__(store, resolve_device(device, cuda=resources.get("GPU", 0) > 0,
                                               where="on the Ray cluster"),
                         progress, lease_ttl, run_timeout)
        self.slots = max(1, int(resources.get("CPU", 1)) // self.threads)
        options: dict[str, Any] = {"max_retries": max_retries, "num_cpus": self.threads}
        if self.device.startswith("cuda"):
            options["num_gpus"] = gpu_share
        self._task = ray.remote(run_chunk).options(**options)
        self._measurement: Any = None
        self._deadlines: dict[Hashable, tuple[float, float]] = {}

    def start(self, m: Measurement) -> None:
        self._measurement = self._ray.put(m)

    def submit(self, m: Measurement, requests: list[Request]) -> Hashable:
        handle = self._task.remote(self._measurement, requests, self.device, self.threads)
        limit = self.limit(requests)
        if limit is not None:
            self._deadlines[handle] = (time.monotonic() + limit, limit)
        return handle

    def wait(self, handles: Sequence[Hashable]) -> Chunk:
        timed = [h for h in handles if h in self._deadlines]
        first = min(timed, key=lambda h: self._deadlines[h][0]) if timed else None
        timeout = (None if first is None
                   else max(0.0, self._deadlines[first][0] - time.monotonic()))
        ready, _ = self._ray.wait(list(handles), num_returns=1, timeout=timeout)
        if not ready:  # the first deadline passed: abandon that chunk, killing its worker
            self._ray.cancel(first, force=True)
            raise ChunkTimeout(first, self._deadlines.pop(first)[1])
        self._deadlines.pop(ready[0], None)
        try:
            out, per_run = self._ray.get(ready[0])
        except self._ray.exceptions.RayTaskError as err:
            # the measurement's own error, as it was raised on the worker
            if isinstance(err.cause, Exception):
                raise err.cause from err
            raise
        return ready[0], out, per_run

    def cancel(self, handles: Sequence[Hashable]) -> None:
        for handle in handles:
            self._deadlines.pop(handle, None)
            self._ray.cancel(handle)
