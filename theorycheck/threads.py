"""How many threads a run uses: one setting for torch's intra-op pool and the BLAS pools.

A check's simulations are many small batched tensor operations. On a machine shared with
other jobs, a torch or OpenBLAS pool of as many threads as cores oversubscribes it: each
pool's threads spin waiting for the others, and a 4-5x smaller CPU share became a 25x
slowdown (issue 17). So the thread count is chosen deliberately, once per run:

- ``threads=`` (the CLI's ``--threads``), else ``$THEORYCHECK_THREADS``, else
  :func:`default_threads` (half the CPUs this process may use, at least one: a neighbour
  keeps a core, and one pool never competes with itself);
- it applies to torch's intra-op pool and to the BLAS / OpenMP pools numpy and scipy use
  (threadpoolctl), for the duration of the run only, and is exported as ``OMP_NUM_THREADS``
  (and the BLAS variables) to processes the run starts;
- torch's inter-op pool is not used by the simulators (no parallel graph branches), so there
  is no nested parallelism: one pool of ``threads`` threads does the work.

Results do not depend on the thread count beyond the last bits of blocked sums
(``tests/bounds/test_chang2021_threads.py``); every report records the count it ran with.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "THEORYCHECK_THREADS"
CHILD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""Environment variables the thread count is exported as, for processes a run starts."""


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """Half the CPUs this process may use, at least one."""
    return max(1, available_cpus() // 2)


def resolve_threads(threads: int | str | None = None) -> int:
    """The thread count a run uses: ``threads``, else ``$THEORYCHECK_THREADS``, else
    :func:`default_threads`. ValueError naming the setting for anything but a positive
    whole number."""
    where = "threads"
    if threads is None:
        raw = os.environ.get(ENV, "").strip()
        if not raw:
            return default_threads()
        threads, where = raw, ENV
    if isinstance(threads, bool):
        raise ValueError(f"{where} must be a whole number >= 1, got {threads!r}")
    if isinstance(threads, str):
        try:
            threads = int(threads.strip())
        except ValueError:
            raise ValueError(f"{where} must be a whole number >= 1, got "
                             f"{threads[:40]!r}") from None
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"{where} must be a whole number >= 1, got {threads!r}")
    return threads


@contextmanager
def using_threads(threads: int | str | None = None) -> Iterator[int]:
    """Run the block with ``resolve_threads(threads)`` threads in torch's intra-op pool and
    in the BLAS / OpenMP pools, exported to child processes; everything is restored after.
    Yields the count."""
    import torch
    from threadpoolctl import threadpool_limits

    count = resolve_threads(threads)
    before = torch.get_num_threads()
    saved = {k: os.environ.get(k) for k in CHILD_ENV}
    os.environ.update({k: str(count) for k in CHILD_ENV})
    torch.set_num_threads(count)
    try:
        with threadpool_limits(limits=count):
            yield count
    finally:
        torch.set_num_threads(before)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def current_threads() -> int:
    """torch's intra-op thread count now (inside :func:`using_threads`: the run's count)."""
    import torch

    return torch.get_num_threads()
