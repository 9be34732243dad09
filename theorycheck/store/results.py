"""The results store: an embedded SQLite database of finished simulation runs.

A run is keyed by the content hash of (paper, measurement, simulator version,
configuration, seed): two papers whose measurements share a name and a version never share a
run. Rows are written in the transaction that finishes their chunk, so an interrupted
sweep resumes where it stopped: nothing finished is lost and nothing is stored twice.

Every row carries the sha256 checksum of what it stores (key, paper, measurement, version,
config JSON, seed, result JSON). A row that fails its checksum, or has none (written by a
store older than schema version 2), is never served: it is reported (:class:`StoreWarning`)
and treated as missing, so the run is recomputed and the row replaced.

Schema 3 added the ``paper`` column (and the paper to the key). A store of schema 2 or older
is migrated in place (the column added, NULL in its rows); its rows stay as they were but are
never asked for again (their keys lack the paper, so which paper they belong to is unknown):
their runs are recomputed under the new keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from theorycheck.claims import config_dict, config_hash
from theorycheck.store.files import (
    ENV,
    Location,
    StoreError,
    StoreWarning,
    is_corruption,
    locate,
    open_healthy,
    store_failure,
)

SCHEMA_VERSION = 3
_RUNS = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    paper TEXT,
    measurement TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    result TEXT NOT NULL,
    seconds REAL NOT NULL,
    device TEXT NOT NULL,
    created REAL NOT NULL,
    checksum TEXT
)
"""
_LEASES = """
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires REAL NOT NULL
)
"""
_CHECKED = "key, paper, measurement, version, config, seed, result"
_SEED, _RESULT = 5, 6  # positions in a row of _CHECKED columns
BATCH = 500  # keys per SQL statement (SQLite limits bound parameters)

Row = tuple[str, str, str, str, Mapping[str, Any] | Any, int, Mapping[str, Any], float, str]
"""A finished run to store: (key, paper, measurement, version, config, seed, result,
seconds, device)."""


def run_key(paper: str, measurement: str, version: str, config: Any, seed: int) -> str:
    """Content hash naming one simulation run of ``paper``'s measurement (``config``: a
    ModelConfig or a mapping)."""
    return config_hash({"paper": paper, "measurement": measurement, "version": version,
                        "config": config_dict(config), "seed": int(seed)})


def row_checksum(key: str, paper: str, measurement: str, version: str, config: str, seed: int,
                 result: str) -> str:
    """sha256 of a row's stored content (each field length-prefixed, so no two rows share
    an encoding). Text is hashed as stored, byte for byte."""
    h = hashlib.sha256()
    for part in (key, paper, measurement, version, config, str(seed), result):
        if not isinstance(part, str):
            raise TypeError(f"a stored field is {type(part).__name__}, not text")
        raw = part.encode("utf-8", "surrogateescape")
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


def verified(row: Sequence[Any]) -> bool:
    """Whether a stored (key, paper, measurement, version, config, seed, result, checksum)
    row is intact: its checksum is present and matches. Damage that changed a field's type (a
    seed stored as text, a result as a blob) fails too."""
    *content, checksum = row
    if not isinstance(checksum, str) or type(content[_SEED]) is not int:
        return False
    try:
        return hmac.compare_digest(row_checksum(*content), checksum)
    except (TypeError, ValueError):
        return False


def batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ResultStore:
    """SQLite-backed cache of simulation results (one row per run).

    ``path=":memory:"`` gives a private in-memory store; the default path comes from the
    ``THEORYCHECK_STORE`` environment variable, else ``.theorycheck/results.sqlite``. A
    store this process may not write (file or directory) is opened read-only, as is one
    opened with ``read_only=True``: it serves what it holds, and a run missing from it is a
    ValueError (:meth:`require_writable`). See :mod:`theorycheck.store.files` for paths that
    are directories and corrupt files.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 read_only: bool = False) -> None:
        self.location: Location = locate(path, read_only)
        self.path = self.location.path
        self._db = open_healthy(self.location)
        self._warned: set[str] = set()
        try:
            self._prepare()
            columns = self._columns()
        except (sqlite3.DatabaseError, StoreError) as err:
            self._db.close()
            raise ValueError(f"cannot use the results store {self.path!r} "
                             f"({err}); set {ENV} (or --store) to another file") from None
        self._has_runs = bool(columns)  # False only for a read-only file without the table
        self._has_checksum = "checksum" in columns
        self._has_paper = "paper" in columns

    # ---- schema ----------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Create or migrate the schema (a read-only store is read as it is)."""
        if self.read_only is not None:
            return
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        with self.transaction():
            self._db.execute(_RUNS)
            columns = self._columns()
            if "checksum" not in columns:
                # a store from before schema 2: its rows cannot be verified, so they stay
                # unverified (checksum NULL) and are recomputed when asked for
                self._db.execute("ALTER TABLE runs ADD COLUMN checksum TEXT")
            if "paper" not in columns:
                # a store from before schema 3: its keys lack the paper, so no new key finds
                # its rows (paper NULL); they are left as they were
                self._db.execute("ALTER TABLE runs ADD COLUMN paper TEXT")
            self._db.execute(_LEASES)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}

    @property
    def read_only(self) -> str | None:
        """Why the store is read-only, or None when it is writable."""
        return self.location.read_only

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``: the write lock is taken up front, so
        what is read inside cannot change before the commit). SQLite failing in it (a full
        disk, a lock held past the busy timeout) rolls it back whole and is a
        :class:`StoreError` naming the store."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite may have rolled back already
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as err:
            raise store_failure(self.path, err) from err

    # ---- reading ---------------------------------------------------------------------------

    def _rows(self, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Stored rows among ``keys``: (key, paper, measurement, version, config, seed,
        result, checksum)."""
        if not self._has_runs:
            return  # a read-only database without a runs table holds nothing
        checked = _CHECKED if self._has_paper else _CHECKED.replace("paper", "NULL")
        checksum = "checksum" if self._has_checksum else "NULL"
        for chunk in batches(keys):
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(
                f"SELECT {checked}, {checksum} FROM runs WHERE key IN ({marks})", chunk)

    def verified_keys(self, keys: Sequence[str]) -> set[str]:
        """The keys among ``keys`` whose rows are stored and intact."""
        return {row[0] for row in self._rows(keys) if verified(row)}

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The intact stored results among ``keys`` (missing keys are absent). A row that
        fails its checksum, or has none, is absent too and reported once (StoreWarning)."""
        found: dict[str, dict[str, Any]] = {}
        bad: Counter[str] = Counter()
        old: Counter[str] = Counter()
        try:
            for row in self._rows(list(keys)):
                if verified(row):
                    found[row[0]] = json.loads(row[_RESULT])
                elif row[0] not in self._warned:
                    self._warned.add(row[0])
                    (old if row[-1] is None else bad)[str(row[2])] += 1
        except sqlite3.DatabaseError as err:
            if is_corruption(err):
                raise ValueError(f"the results store {self.path!r} is corrupt ({err}); move it "
                                 f"aside or delete it, or set {ENV} (or --store) to another "
                                 "file") from None
            if isinstance(err, sqlite3.OperationalError):
                raise store_failure(self.path, err) from err
            raise
        for name, n in sorted(bad.items()):
            self._warn(n, name, f"failed {'its' if n == 1 else 'their'} checksum")
        for name, n in sorted(old.items()):
            self._warn(n, name, f"{'has' if n == 1 else 'have'} no checksum (written by an "
                       "older theorycheck)")
        return found

    def _warn(self, n: int, measurement: str, what: str) -> None:
        warnings.warn(f"{n} stored row{'s' * (n != 1)} of measurement {measurement!r} {what} in "
                      f"the results store {self.path!r}: not used; recomputed and replaced",
                      StoreWarning, stacklevel=4)

    def count(self, measurement: str | None = None) -> int:
        """How many rows are stored (intact or not), of one measurement or of all."""
        if not self._has_runs:
            return 0
        if measurement is None:
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM runs WHERE measurement = ?",
                                    (measurement,)).fetchone()[0])

    # ---- writing ---------------------------------------------------------------------------

    def require_writable(self, missing: int, measurement: str) -> None:
        """ValueError (one line, naming the path and THEORYCHECK_STORE) when ``missing``
        runs must be computed and stored but the store is read-only."""
        if missing and self.read_only is not None:
            raise ValueError(
                f"{missing} run{'s' * (missing != 1)} of measurement {measurement!r} "
                f"{'are' if missing != 1 else 'is'} not in the results store {self.path!r}, "
                f"which is read-only ({self.read_only}); make it writable or set {ENV} "
                "(or --store) to a writable file")

    def put_many(self, rows: Iterable[Row], *, release: str | None = None) -> int:
        """Store finished runs atomically; returns how many rows were written. An intact row
        already stored under a key is left as it was; a damaged or unverified one is
        replaced. ``release``: a lease holder whose leases on these keys end in the same
        transaction."""
        if self.read_only is not None:
            raise ValueError(f"cannot write to the results store {self.path!r}: it is read-only "
                             f"({self.read_only}); set {ENV} (or --store) to a writable file")
        now = time.time()
        records = []
        for key, paper, m, version, config, seed, result, seconds, device in rows:
            cfg = json.dumps(config_dict(config), sort_keys=True)
            res = json.dumps(dict(result))
            records.append((key, paper, m, version, cfg, int(seed), res, float(seconds), device,
                            now, row_checksum(key, paper, m, version, cfg, int(seed), res)))
        keys = [r[0] for r in records]
        with self.transaction() as db:
            intact = self.verified_keys(keys)
            fresh = [r for r in records if r[0] not in intact]
            db.executemany("INSERT OR REPLACE INTO runs (key, paper, measurement, version, "
                           "config, seed, result, seconds, device, created, checksum) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fresh)
            if release is not None:
                for chunk in batches(keys):
                    db.execute(f"DELETE FROM leases WHERE holder = ? AND key IN "
                               f"({','.join('?' * len(chunk))})", (release, *chunk))
        return len(fresh)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def opened(store: ResultStore | str | os.PathLike[str] | None) -> Iterator[ResultStore]:
    """``store`` itself when it is a ResultStore (the caller keeps it open); otherwise the
    store at that path (None: the default path), closed on leaving."""
    if isinstance(store, ResultStore):
        yield store
        return
    with ResultStore(store) as db:
        yield db
