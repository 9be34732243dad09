"""Leases on runs: processes sharing one store compute each run once.

Before computing a chunk, a backend takes leases on its missing run keys (the ``leases``
table, in one ``BEGIN IMMEDIATE`` transaction). A key that is stored intact, or leased by
another live holder, is not taken: the backend waits for its row instead of recomputing it.
A lease lasts ``ttl`` seconds and is renewed by a heartbeat thread while its holder lives;
the holder releases it in the transaction that stores the run (or when it stops). A holder
that dies (``kill -9``) stops renewing, its leases expire, and another process takes them
over: nothing is lost, and the store keeps one row per key whatever happens.

A holder is named ``host:pid:suffix``. When a lease's holder runs on this host and its PID
is dead (``os.kill(pid, 0)`` finds no such process), its leases are taken over at once,
without waiting for them to expire: a rerun right after a crash does not stall for the ttl.
A holder on another host, or one whose PID cannot be looked at (Windows), is waited for.
A PID reused by a new process keeps the dead holder's leases until they expire: the safe
side.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence

from theorycheck.store.files import BUSY_TIMEOUT_S, StoreError, connect
from theorycheck.store.results import ResultStore, batches

TTL_ENV = "THEORYCHECK_LEASE_TTL"
DEFAULT_TTL_S = 30.0


def holder_is_dead(holder: str, host: str) -> bool:
    """Whether the lease holder ``holder`` (``host:pid:suffix``) ran on ``host`` (this
    machine) and its process is gone."""
    parts = holder.rsplit(":", 2)
    if os.name == "nt" or len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False  # on Windows os.kill(pid, 0) would terminate the process
    pid = int(parts[1])
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (e.g. another user's process)
    return False


def lease_ttl(ttl: float | None = None) -> float:
    """The lease time-to-live: ``ttl``, else ``$THEORYCHECK_LEASE_TTL``, else 30 s."""
    if ttl is None:
        text = os.environ.get(TTL_ENV)
        try:
            ttl = float(text) if text else DEFAULT_TTL_S
        except ValueError:
            raise ValueError(f"{TTL_ENV} must be a number of seconds, got {text!r}") from None
    if not ttl > 0:
        raise ValueError(f"the lease time-to-live must be positive, got {ttl!r}")
    return float(ttl)


class Leases:
    """This process's leases in one store. Use as a context manager: the heartbeat runs
    inside it, and every lease still held is released on the way out.

    ``holder`` names the process (host, pid and a random suffix); ``poll`` is how often a
    waiting backend looks for the rows it waits for.
    """

    def __init__(self, store: ResultStore, ttl: float | None = None) -> None:
        self.store = store
        self.ttl = lease_ttl(ttl)
        self.poll = min(0.5, self.ttl / 5)
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def take(self, keys: Sequence[str], limit: int) -> list[str]:
        """Lease up to ``limit`` of ``keys`` (in order) that are neither stored intact nor
        leased by another live holder; returns the keys now leased to this holder. Expired
        leases, and those of dead holders on this host, end first."""
        if self.store.read_only is not None or not keys or limit < 1:
            return []
        now = time.time()
        got: list[str] = []
        with self.store.transaction() as db:
            db.execute("DELETE FROM leases WHERE expires < ?", (now,))
            dead = [h for (h,) in db.execute("SELECT DISTINCT holder FROM leases")
                    if h != self.holder and holder_is_dead(h, self.host)]
            db.executemany("DELETE FROM leases WHERE holder = ?", [(h,) for h in dead])
            for chunk in batches(keys):
                marks = ",".join("?" * len(chunk))
                others = {k for (k,) in db.execute(
                    f"SELECT key FROM leases WHERE holder != ? AND key IN ({marks})",
                    (self.holder, *chunk))}
                stored = self.store.verified_keys(chunk)
                got += [k for k in chunk if k not in others and k not in stored]
                if len(got) >= limit:
                    break
            got = got[:limit]
            db.executemany("INSERT OR REPLACE INTO leases (key, holder, expires) VALUES (?, ?, ?)",
                           [(k, self.holder, now + self.ttl) for k in got])
        return got

    def held(self) -> int:
        """How many live leases this holder has."""
        return int(self.store._db.execute(
            "SELECT COUNT(*) FROM leases WHERE holder = ? AND expires >= ?",
            (self.holder, time.time())).fetchone()[0])

    def release(self, keys: Sequence[str] | None = None) -> None:
        """End this holder's leases on ``keys`` (None: every lease it holds)."""
        if self.store.read_only is not None:
            return
        with self.store.transaction() as db:
            if keys is None:
                db.execute("DELETE FROM leases WHERE holder = ?", (self.holder,))
            for chunk in batches(keys or []):
                db.execute(f"DELETE FROM leases WHERE holder = ? AND key IN "
                           f"({','.join('?' * len(chunk))})", (self.holder, *chunk))

    def _beat(self) -> None:
        """Renew this holder's leases every ttl / 3 seconds (own connection, own thread)."""
        db = connect(self.store.location)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        try:
            while not self._stop.wait(self.ttl / 3):
                try:
                    db.execute("UPDATE leases SET expires = ? WHERE holder = ?",
                               (time.time() + self.ttl, self.holder))
                except sqlite3.Error:
                    pass  # a busy store: the next beat renews; the ttl leaves two more tries
        finally:
            db.close()

    def __enter__(self) -> Leases:
        if self.store.read_only is None and not self.store.location.memory:
            self._thread = threading.Thread(target=self._beat, name="theorycheck-leases",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.release()
        except (sqlite3.Error, StoreError):
            pass  # leases left behind expire after ttl (or are taken over once we are gone)
