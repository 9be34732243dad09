"""What every backend shares: the store bookkeeping around the runs it executes.

:meth:`Backend.run` looks the requested runs up in the store, leases the missing ones chunk
by chunk (waiting for runs another process holds), hands each leased chunk to the backend's
executor (:meth:`Backend.submit`, :meth:`Backend.wait`), and stores each chunk, releasing
its leases, in one transaction as it arrives. A backend only says how a chunk is executed:
in this process (``local``), or as a task on a Ray cluster (``ray``). Only this process (the
driver) writes the store.

A run's key names its paper (:func:`~theorycheck.store.run_key`), so a backend runs only a
measurement bound to its paper (the one :meth:`Paper.measurement` returns).

Time limit: ``run_timeout`` (else ``$THEORYCHECK_RUN_TIMEOUT``; default none) is the seconds
a run may take; a chunk of n runs gets n times that, counted from its submission (on Ray,
waiting for a worker included). A chunk past its limit is abandoned (:class:`ChunkTimeout`)
and each of its runs becomes a trial faulted with ``timeout: ...`` (so a verdict that
needed it is inconclusive and names it). Such a trial is not stored: its leases end, and a
rerun with more time computes it. How a backend enforces the limit is its own: ``local``
interrupts the chunk with ``SIGALRM`` in the main thread, ``ray`` cancels the task.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from tqdm.auto import tqdm

from theorycheck.paper import Measurement, Request
from theorycheck.store import Leases, ResultStore, run_key

Chunk = tuple[Hashable, list[dict[str, Any]], float]
"""A finished chunk: (its handle, one result per request, seconds per run)."""
TIMEOUT_ENV = "THEORYCHECK_RUN_TIMEOUT"


class ChunkTimeout(BaseException):
    """A chunk ran past its time limit (raised by :meth:`Backend.wait`). A BaseException,
    like KeyboardInterrupt, so that a measurement's ``except Exception`` does not swallow
    it."""

    def __init__(self, handle: Hashable, seconds: float) -> None:
        super().__init__(f"a chunk ran past its limit of {seconds:g} s")
        self.handle, self.seconds = handle, seconds


def resolve_run_timeout(seconds: float | None = None) -> float | None:
    """Seconds a run may take: ``seconds``, else ``$THEORYCHECK_RUN_TIMEOUT``, else None (no
    limit). ValueError naming the setting for anything but a positive finite number."""
    value: Any = seconds
    where = "run_timeout"
    if seconds is None:
        value, where = os.environ.get(TIMEOUT_ENV, "").strip(), TIMEOUT_ENV
        if not value:
            return None
    try:
        limit = float(value)
    except (TypeError, ValueError):
        limit = math.nan
    if isinstance(value, bool) or not (0 < limit < math.inf):
        raise ValueError(f"{where} must be a positive number of seconds, got {value!r:.40}")
    return limit


def run_keys(m: Measurement, requests: Sequence[Request]) -> list[str]:
    """The store keys of ``m``'s runs of ``requests``; ValueError when ``m`` is not bound to
    a paper."""
    if m.paper is None:
        raise ValueError(f"measurement {m.name!r} is not bound to a paper; run the one "
                         f"Paper.measurement({m.name!r}) returns")
    return [run_key(m.paper, m.name, m.version, cfg, seed) for cfg, seed in requests]


class Backend:
    """Executes missing runs and keeps the store up to date; subclasses say how chunks run.

    Attributes: ``device`` (resolved, where the runs execute), ``computed`` (runs this
    backend simulated, timed-out ones included), ``reused`` (runs served from the store,
    including those another process computed while this one waited), ``slots`` (chunks in
    flight at once), ``run_timeout`` (seconds a run may take, or None).
    """

    name: ClassVar[str] = "?"
    slots: int = 1

    def __init__(self, store: ResultStore, device: str, progress: bool = True,
                 lease_ttl: float | None = None, run_timeout: float | None = None) -> None:
        self.store, self.device, self.progress = store, device, progress
        self.lease_ttl = lease_ttl
        self.run_timeout = resolve_run_timeout(run_timeout)
        self.computed = 0
        self.reused = 0
        self._overall: Any = None

    # ---- what a backend provides -----------------------------------------------------------

    def start(self, m: Measurement) -> None:
        """Prepare to run chunks of ``m`` (e.g. ship it to the workers once)."""

    def submit(self, m: Measurement, requests: list[Request]) -> Hashable:
        """Start computing one chunk; returns a handle for :meth:`wait`."""
        raise NotImplementedError

    def wait(self, handles: Sequence[Hashable]) -> Chunk:
        """Block until one of the submitted chunks is finished; return it. ChunkTimeout
        when one runs past its :meth:`limit` (it is abandoned)."""
        raise NotImplementedError

    def cancel(self, handles: Sequence[Hashable]) -> None:
        """Abandon chunks still in flight (after an error or an interruption)."""

    # ---- the shared bookkeeping ------------------------------------------------------------

    @contextmanager
    def overall(self, total: int, desc: str) -> Iterator[None]:
        """One progress bar (with its ETA) over ``total`` runs to compute across every
        :meth:`run` of the block; each run's own bar shows under it."""
        bar = tqdm(total=total, desc=desc, disable=not self.progress or total == 0,
                   unit="run", position=0, leave=False, dynamic_ncols=True)
        self._overall = bar
        try:
            yield
        finally:
            self._overall = None
            bar.close()

    def _advance(self, bar: Any, n: int) -> None:
        bar.update(n)
        if self._overall is not None:
            self._overall.update(n)

    def limit(self, requests: Sequence[Request]) -> float | None:
        """The seconds a chunk of ``requests`` may take (None: no limit)."""
        return None if self.run_timeout is None else self.run_timeout * len(requests)

    def timed_out(self, requests: Sequence[Request], seconds: float) -> list[dict[str, Any]]:
        """The fault results of a chunk of ``requests`` past its limit of ``seconds``."""
        fault = (f"timeout: the chunk of {len(requests)} runs took more than {seconds:g} s "
                 f"({self.run_timeout:g} s a run, {TIMEOUT_ENV})")
        return [{"fault": fault} for _ in requests]

    def run(self, m: Measurement, requests: Sequence[Request], desc: str) -> list[dict[str, Any]]:
        """Results for every request, in order: stored ones reused, missing ones computed
        (each distinct run once, here or by another process sharing the store)."""
        keys = run_keys(m, requests)
        found = self.store.get_many(keys)
        todo: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in found:
                todo.setdefault(k, i)
        self.reused += len(set(keys)) - len(todo)
        if not todo:
            return [found[k] for k in keys]
        self.store.require_writable(len(todo), m.name)
        bar = tqdm(total=len(todo), desc=desc, disable=not self.progress, leave=False,
                   unit="run", position=1 if self._overall is not None else None)
        in_flight: dict[Hashable, list[str]] = {}
        try:
            with Leases(self.store, self.lease_ttl) as leases:
                self.start(m)
                while todo or in_flight:
                    while todo and len(in_flight) < self.slots:
                        busy = {k for chunk in in_flight.values() for k in chunk}
                        got = leases.take([k for k in todo if k not in busy], m.chunk)
                        if not got:
                            break
                        in_flight[self.submit(m, [requests[todo[k]] for k in got])] = got
                    if in_flight:
                        try:
                            handle, results, per_run = self.wait(list(in_flight))
                        except ChunkTimeout as late:
                            got = in_flight.pop(late.handle)
                            chunk = [requests[todo.pop(k)] for k in got]
                            found.update(zip(got, self.timed_out(chunk, late.seconds)))
                            leases.release(got)  # not stored: a rerun computes them
                        else:
                            got = in_flight.pop(handle)
                            self._store(m, requests, todo, got, results, per_run, leases, found)
                        self.computed += len(got)
                        self._advance(bar, len(got))
                    else:  # every run left is leased by another live process: wait for it
                        time.sleep(leases.poll)
                        arrived = self.store.get_many(list(todo))
                        for k in arrived:
                            del todo[k]
                        found.update(arrived)
                        self.reused += len(arrived)
                        self._advance(bar, len(arrived))
        finally:
            if in_flight:
                self.cancel(list(in_flight))
            bar.close()
        return [found[k] for k in keys]

    def _store(self, m: Measurement, requests: Sequence[Request], todo: dict[str, int],
               got: list[str], results: list[dict[str, Any]], per_run: float, leases: Leases,
               found: dict[str, dict[str, Any]]) -> None:
        """Commit one finished chunk (and end its leases) in one transaction."""
        if len(results) != len(got):
            raise RuntimeError(f"measurement {m.name!r} returned {len(results)} results for "
                               f"{len(got)} requests")
        rows = []
        for k, r in zip(got, results):
            cfg, seed = requests[todo.pop(k)]
            rows.append((k, m.paper, m.name, m.version, cfg, seed, r, per_run, self.device))
            found[k] = r
        self.store.put_many(rows, release=leases.holder)
