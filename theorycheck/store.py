"""Results store: an embedded SQLite database of finished simulation runs.

A run is keyed by the content hash of (measurement, configuration, seed, simulator
version). Rows are written in the transaction that finishes their batch, so an interrupted
sweep resumes where it stopped: nothing finished is lost and nothing is stored twice.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from theorycheck.claims import config_dict, config_hash

DEFAULT_PATH = Path(".theorycheck") / "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    measurement TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    result TEXT NOT NULL,
    seconds REAL NOT NULL,
    device TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def run_key(measurement: str, version: str, config: Any, seed: int) -> str:
    """Content hash naming one simulation run (``config``: a ModelConfig or a mapping)."""
    return config_hash({"measurement": measurement, "version": version,
                        "config": config_dict(config), "seed": int(seed)})


class ResultStore:
    """SQLite-backed cache of simulation results (one row per run).

    ``path=":memory:"`` gives a private in-memory store; the default path comes from the
    ``THEORYCHECK_STORE`` environment variable, else ``.theorycheck/results.sqlite``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        path = path if path is not None else os.environ.get("THEORYCHECK_STORE", DEFAULT_PATH)
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._db = sqlite3.connect(self.path)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored results among ``keys`` (missing keys are simply absent)."""
        keys = list(keys)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, result in self._db.execute(
                f"SELECT key, result FROM runs WHERE key IN ({marks})", chunk
            ):
                found[key] = json.loads(result)
        return found

    def put_many(self, rows: Iterable[tuple[str, str, str, Mapping[str, Any], int,
                                            Mapping[str, Any], float, str]]) -> None:
        """Store finished runs atomically: (key, measurement, version, config, seed, result,
        seconds, device). A key already present is left as it was."""
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(k, m, v, json.dumps(config_dict(c), sort_keys=True), int(s),
                  json.dumps(dict(r)), float(sec), dev, now)
                 for k, m, v, c, s, r, sec, dev in rows],
            )

    def count(self, measurement: str | None = None) -> int:
        if measurement is None:
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM runs WHERE measurement = ?",
                                    (measurement,)).fetchone()[0])

    def close(self) -> None:
        self._db.close()
