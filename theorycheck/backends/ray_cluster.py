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
connects to an existing cluster. ``device="auto"`` means CUDA when the cluster has GPUs; on
CUDA every task asks for ``gpu_share`` of a GPU (``num_gpus``), and Ray sets the GPU it may
use. Ray is imported only here, when this backend is asked for.

Each task runs with the driver's number of intra-op torch threads (``threads``, passed as
``OMP_NUM_THREADS`` in the task's runtime environment; Ray itself starts workers with one).
Blocked BLAS and LAPACK kernels (Cholesky, matrix products) sum in an order that depends on
the thread count, so results differ in the last bits between thread counts; with the same
count and the same CPU, a run stored by ``ray`` equals the one ``local`` stores bit for bit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Sequence
from typing import Any

from theorycheck.backends.base import Backend, Chunk
from theorycheck.backends.devices import resolve_device
from theorycheck.paper import Measurement, Request
from theorycheck.store import ResultStore

INSTALL = "pip install 'theorycheck[ray]'"


def import_ray() -> Any:
    """The ``ray`` module; ImportError with the install command when it is missing."""
    try:
        import ray
    except ImportError:
        raise ImportError(f"the ray backend needs Ray, which is not installed: {INSTALL}") \
            from None
    return ray


def run_chunk(m: Measurement, requests: list[Request], device: str
              ) -> tuple[list[dict[str, Any]], float]:
    """Executed on a worker: one chunk's results and the seconds per run."""
    t0 = time.perf_counter()
    out = m.fn(requests, device)
    return out, (time.perf_counter() - t0) / max(len(requests), 1)


class RayBackend(Backend):
    """Runs chunks as Ray tasks (``2 x`` the cluster's CPUs in flight); the driver stores
    them."""

    name = "ray"

    def __init__(self, store: ResultStore, device: str = "auto", progress: bool = True,
                 lease_ttl: float | None = None, *, address: str | None = None,
                 gpu_share: float = 0.25, max_retries: int = 3,
                 threads: int | None = None) -> None:
        self._ray = ray = import_ray()
        if threads is None:
            import torch

            threads = torch.get_num_threads()
        self.threads = threads
        if not ray.is_initialized():
            ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
        resources = ray.cluster_resources()
        super().__init__(store, resolve_device(device, cuda=resources.get("GPU", 0) > 0,
                                               where="on the Ray cluster"),
                         progress, lease_ttl)
        self.slots = 2 * max(1, int(resources.get("CPU", 1)))
        options: dict[str, Any] = {
            "max_retries": max_retries,
            # torch reads it when it starts its intra-op pool, in workers Ray starts for this env
            "runtime_env": {"env_vars": {"OMP_NUM_THREADS": str(threads)}}}
        if self.device.startswith("cuda"):
            options["num_gpus"] = gpu_share
        self._task = ray.remote(run_chunk).options(**options)
        self._measurement: Any = None

    def start(self, m: Measurement) -> None:
        self._measurement = self._ray.put(m)

    def submit(self, m: Measurement, requests: list[Request]) -> Hashable:
        return self._task.remote(self._measurement, requests, self.device)

    def wait(self, handles: Sequence[Hashable]) -> Chunk:
        ready, _ = self._ray.wait(list(handles), num_returns=1)
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
            self._ray.cancel(handle)
