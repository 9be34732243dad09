"""What every backend shares: the store bookkeeping around the runs it executes.

:meth:`Backend.run` looks the requested runs up in the store, leases the missing ones chunk
by chunk (waiting for runs another process holds), hands each leased chunk to the backend's
executor (:meth:`Backend.submit`, :meth:`Backend.wait`), and stores each chunk, releasing
its leases, in one transaction as it arrives. A backend only says how a chunk is executed:
in this process (``local``), or as a task on a Ray cluster (``ray``). Only this process (the
driver) writes the store.

A run's key names its paper (:func:`~theorycheck.store.run_key`), so a backend runs only a
measurement bound to its paper (the one :meth:`Paper.measurement` returns).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar

from tqdm.auto import tqdm

from theorycheck.paper import Measurement, Request
from theorycheck.store import Leases, ResultStore, run_key

Chunk = tuple[Hashable, list[dict[str, Any]], float]
"""A finished chunk: (its handle, one result per request, seconds per run)."""


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
    backend simulated), ``reused`` (runs served from the store, including those another
    process computed while this one waited), ``slots`` (chunks in flight at once).
    """

    name: ClassVar[str] = "?"
    slots: int = 1

    def __init__(self, store: ResultStore, device: str, progress: bool = True,
                 lease_ttl: float | None = None) -> None:
        self.store, self.device, self.progress = store, device, progress
        self.lease_ttl = lease_ttl
        self.computed = 0
        self.reused = 0

    # ---- what a backend provides -----------------------------------------------------------

    def start(self, m: Measurement) -> None:
        """Prepare to run chunks of ``m`` (e.g. ship it to the workers once)."""

    def submit(self, m: Measurement, requests: list[Request]) -> Hashable:
        """Start computing one chunk; returns a handle for :meth:`wait`."""
        raise NotImplementedError

    def wait(self, handles: Sequence[Hashable]) -> Chunk:
        """Block until one of the submitted chunks is finished; return it."""
        raise NotImplementedError

    def cancel(self, handles: Sequence[Hashable]) -> None:
        """Abandon chunks still in flight (after an error or an interruption)."""

    # ---- the shared bookkeeping ------------------------------------------------------------

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
                   unit="run")
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
                        handle, results, per_run = self.wait(list(in_flight))
                        got = in_flight.pop(handle)
                        self._store(m, requests, todo, got, results, per_run, leases, found)
                        self.computed += len(got)
                        bar.update(len(got))
                    else:  # every run left is leased by another live process: wait for it
                        time.sleep(leases.poll)
                        arrived = self.store.get_many(list(todo))
                        for k in arrived:
                            del todo[k]
                        found.update(arrived)
                        self.reused += len(arrived)
                        bar.update(len(arrived))
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
