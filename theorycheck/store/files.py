"""Opening the results store's SQLite file: where it is, whether it may be written, and what
happens to a file that is not a healthy SQLite database.

- A path that is a directory, or whose directory cannot be created, is a ValueError naming
  the path and ``THEORYCHECK_STORE``.
- A file that this process may not write (``os.access``), or whose directory it may not write
  (SQLite writes its ``-wal`` / ``-shm`` files next to the database), is opened read-only
  (SQLite URI ``mode=ro``; ``immutable=1`` when the directory is not writable, since no
  ``-shm`` file can be created there). ``read_only=True`` asks for the same explicitly.
- A corrupt file (not a database, or failing ``PRAGMA quick_check``: garbage bytes, a
  truncated file) is moved aside to ``<name>.corrupt-<UTC timestamp>`` (with its ``-wal`` /
  ``-shm`` files), a :class:`StoreWarning` names both paths, and a fresh store is started in
  its place. Where it cannot be moved (read-only), a ValueError names the file and the fix.
- SQLite failing mid-run (``database or disk is full``, a file-size limit's ``disk I/O
  error``, ``database is locked`` by another connection for longer than the busy timeout)
  is a :class:`StoreError`, one line naming the store, what to do and ``THEORYCHECK_STORE``
  (:func:`store_failure`). Every transaction committed before it is kept; the one that
  failed is rolled back whole.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ENV = "THEORYCHECK_STORE"
DEFAULT_PATH = Path(".theorycheck") / "results.sqlite"
MEMORY = ":memory:"
BUSY_TIMEOUT_S = 60.0
SIDECARS = ("-wal", "-shm", "-journal")


class StoreWarning(UserWarning):
    """Something in the results store was not trusted (a row failing its checksum, a corrupt
    file moved aside); the warning says what and what was done instead."""


class StoreError(RuntimeError):
    """SQLite could not read or write the store mid-run (a full disk, a lock held too long);
    the message names the store and the way out."""


class StoreCorrupt(Exception):
    """The database file is not a healthy SQLite database (why in the message)."""


@dataclass(frozen=True)
class Location:
    """Where the store lives and whether it is opened read-only (``read_only`` says why)."""

    path: str
    read_only: str | None = None

    @property
    def memory(self) -> bool:
        return self.path == MEMORY


def _fix() -> str:
    return f"set {ENV} (or --store) to a writable file path"


def locate(path: str | os.PathLike[str] | None, read_only: bool = False) -> Location:
    """Validate the store's path (default ``$THEORYCHECK_STORE``, else
    ``.theorycheck/results.sqlite``), create its directory, decide read-only."""
    if path is None:
        path = os.environ.get(ENV) or DEFAULT_PATH
    if str(path) == MEMORY:
        return Location(MEMORY)
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"the results store path {str(p)!r} is a directory; give the path of "
                         f"a file, e.g. {str(p / 'results.sqlite')!r} ({_fix()})")
    if not p.exists():
        if read_only:
            raise ValueError(f"the results store {str(p)!r} does not exist and was asked for "
                             f"read-only, so nothing can be read from it; {_fix()}")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ValueError(f"cannot create the directory of the results store {str(p)!r} "
                             f"({err.strerror or err}); {_fix()}") from None
        if not os.access(p.parent, os.W_OK | os.X_OK):
            raise ValueError(f"cannot create the results store {str(p)!r}: its directory is "
                             f"not writable; {_fix()}")
        return Location(str(p))
    if not p.is_file():
        raise ValueError(f"the results store path {str(p)!r} is not a regular file; {_fix()}")
    why = ("opened read-only" if read_only
           else "the file is not writable" if not os.access(p, os.W_OK)
           else "its directory is not writable" if not os.access(p.parent, os.W_OK | os.X_OK)
           else None)
    return Location(str(p), why)


def connect(loc: Location) -> sqlite3.Connection:
    """An SQLite connection in autocommit mode (transactions are explicit), whose text
    columns decode even when corrupted (``surrogateescape``) so that a damaged row fails its
    checksum instead of raising."""
    if loc.memory or loc.read_only is None:
        db = sqlite3.connect(loc.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                             check_same_thread=False)
    else:
        directory_writable = os.access(Path(loc.path).parent, os.W_OK | os.X_OK)
        uri = f"file:{quote(str(Path(loc.path).resolve()))}?mode=ro"
        if not directory_writable:
            uri += "&immutable=1"  # no -shm can be created; nothing can write here either
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                             check_same_thread=False)
    db.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
    return db


def is_corruption(err: sqlite3.Error) -> bool:
    """Whether an SQLite error means a damaged file (not, e.g., a lock or a permission)."""
    name = getattr(err, "sqlite_errorname", None)  # Python >= 3.11
    if name is not None:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(err) is sqlite3.DatabaseError


def store_failure(path: str, err: sqlite3.Error) -> StoreError:
    """The one-line :class:`StoreError` for SQLite's ``err`` on the store at ``path``."""
    name = getattr(err, "sqlite_errorname", "") or ""
    hint = ("free space on its disk" if name.startswith("SQLITE_FULL")
            else "another connection holds its lock: let it finish or stop it"
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
            else "check its disk (full, a file-size limit, failing)"
            if name.startswith("SQLITE_IOERR") else "check the file")
    return StoreError(f"the results store {path!r} failed mid-run ({' '.join(str(err).split())})"
                      f": the runs stored before are kept, the ones being stored are not; "
                      f"{hint}, or set {ENV} (or --store) to another file")


def check_health(db: sqlite3.Connection) -> None:
    """Raise :class:`StoreCorrupt` unless the file reads as a well-formed SQLite database
    (``PRAGMA quick_check``: every page of every b-tree, in time linear in the file)."""
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as err:
        if is_corruption(err):
            raise StoreCorrupt(str(err)) from None
        raise
    problems = " ".join(" ".join(str(r[0]).split()) for r in rows if r[0] != "ok")
    if problems:
        raise StoreCorrupt(problems if len(problems) <= 160 else problems[:157] + "...")


def move_aside(path: str, inode: tuple[int, int]) -> str:
    """Rename a corrupt store (and its -wal / -shm files) to ``<path>.corrupt-<timestamp>``;
    ``inode`` is the (device, inode) that was found corrupt: a file another process has
    meanwhile put in its place is left alone."""
    st = os.stat(path)
    if (st.st_dev, st.st_ino) != inode:
        return ""  # someone else already moved it aside and started a fresh store
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    target = f"{path}.corrupt-{stamp}"
    os.rename(path, target)
    for suffix in SIDECARS:
        if os.path.exists(path + suffix):
            os.rename(path + suffix, target + suffix)
    return target


def open_healthy(loc: Location) -> sqlite3.Connection:
    """Connect to the store and check that its file is healthy; a corrupt file is moved
    aside (warning) and a fresh one started, or, where the store is read-only, a ValueError
    names the file and the fix."""
    db = connect(loc)
    if loc.memory:
        return db
    st = os.stat(loc.path)
    try:
        check_health(db)
        return db
    except StoreCorrupt as err:
        db.close()
        reason = str(err)
    if loc.read_only is not None:
        raise ValueError(f"the results store {loc.path!r} is corrupt ({reason}) and cannot be "
                         f"moved aside ({loc.read_only}); delete or replace it, or {_fix()}")
    try:
        target = move_aside(loc.path, (st.st_dev, st.st_ino))
    except OSError as err:
        raise ValueError(f"the results store {loc.path!r} is corrupt ({reason}) and could not "
                         f"be moved aside ({err.strerror or err}); delete or replace it, or "
                         f"{_fix()}") from None
    if target:
        warnings.warn(f"the results store {loc.path!r} is corrupt ({reason}); moved it aside "
                      f"to {target!r} and started a fresh store (its runs will be recomputed)",
                      StoreWarning, stacklevel=4)
    db = connect(loc)
    check_health(db)
    return db
