"""The results store never serves a wrong result: damaged rows, corrupt files, read-only
stores and bad paths, on real SQLite files (no mocks).

- A byte flipped inside a stored result (on disk, in the SQLite file) fails the row's
  checksum: the row is reported (StoreWarning naming the count and the measurement), not
  used, recomputed and replaced; the verdict is the one of the intact store. The flip is
  chosen so that, served, it would turn the verdict inconsistent (checked on the raw values).
- Rows of a store from before checksums are migrated and recomputed, never trusted.
- A garbage or truncated file is moved aside (``<name>.corrupt-<timestamp>``, named in the
  warning) and a fresh store started.
- A store this process may not write (file or directory; ``chmod`` for a normal user,
  ``chattr +i`` for root, whom permissions do not stop) is used read-only when every run is
  stored, and is a one-line error naming the path and THEORYCHECK_STORE otherwise. So is a
  store path that is a directory. Every case is also checked through ``theorycheck.cli.main``:
  one line on stderr, no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.theorycheck import toy_paper as toy
from theorycheck.backends import LocalBackend
from theorycheck.checker import check, check_claim
from theorycheck.claims import Point, config_hash
from theorycheck.cli import main
from theorycheck.store import ResultStore, StoreWarning, run_key
from theorycheck.verdicts import Status

N_FLIPPED = 10


def run_toy(store: ResultStore, **kwargs) -> tuple[dict, LocalBackend]:
    backend = LocalBackend(store, "cpu", progress=False)
    claim = toy.claim(**kwargs)
    v = check_claim(claim, "quick", backend, toy.SEED, toy.paper())
    return toy.timeless(v.to_dict()), backend


def stored_results(path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, result FROM runs"))


def flip_result_digit(path: Path, result_text: str) -> None:
    """Change the first digit of a stored result (``{"name": <digits>...}``), in place in the
    SQLite file."""
    data = bytearray(path.read_bytes())
    needle = result_text.encode()
    assert data.count(needle) == 1, "the result text must occur once in the file"
    pos = data.index(needle) + needle.index(b": ") + 2
    data[pos] = ord("7") if data[pos] == ord("9") else ord("9")
    path.write_bytes(bytes(data))


@pytest.fixture()
def filled(tmp_path) -> tuple[Path, dict]:
    """A store file holding the toy claim's 36 runs (closed: no -wal file), and its verdict."""
    path = tmp_path / "r.sqlite"
    with ResultStore(path) as db:
        verdict, backend = run_toy(db)
    assert backend.computed == 36 and verdict["status"] == "consistent"
    assert not Path(f"{path}-wal").exists()
    return path, verdict


# ---- damaged rows ---------------------------------------------------------------------------

def test_one_flipped_byte_in_a_stored_result_is_recomputed_not_served(filled):
    path, verdict = filled
    before = stored_results(path)
    mu1 = [run_key("toy", toy.MEAN.name, "1", toy.config(1.0), s)
           for s in Point(toy.config(1.0), toy.TRIALS).seeds(toy.SEED)]
    target = mu1[0]
    flip_result_digit(path, before[target])
    tampered = stored_results(path)
    assert [k for k in before if before[k] != tampered[k]] == [target]
    # served, the flipped value would move the mean at mu = 1 beyond the 5% tolerance
    raw = [json.loads(tampered[k])["mean"] for k in mu1]
    assert abs(np.mean(raw) - 1.0) > 0.3
    with ResultStore(path) as db, pytest.warns(StoreWarning) as caught:
        again, backend = run_toy(db)
    messages = [str(w.message) for w in caught if issubclass(w.category, StoreWarning)]
    assert messages == [f"1 stored row of measurement 'gaussian_mean' failed its checksum in "
                        f"the results store {str(path)!r}: not used; recomputed and replaced"]
    assert (backend.computed, backend.reused) == (1, 35)
    assert again == verdict
    assert stored_results(path) == before  # replaced by the recomputed (identical) result


def test_flipped_bytes_in_many_rows_are_all_recomputed(filled):
    path, verdict = filled
    before = stored_results(path)
    targets = sorted(before)[:N_FLIPPED]
    for key in targets:
        flip_result_digit(path, before[key])
    assert sum(before[k] != v for k, v in stored_results(path).items()) == N_FLIPPED
    with ResultStore(path) as db, pytest.warns(StoreWarning, match=(
            f"^{N_FLIPPED} stored rows of measurement 'gaussian_mean' failed their checksum")):
        again, backend = run_toy(db)
    assert (backend.computed, backend.reused) == (N_FLIPPED, 36 - N_FLIPPED)
    assert again == verdict
    assert stored_results(path) == before
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone() == (36, 36)
    # a third run serves everything, with no warning
    with ResultStore(path) as db:
        _, backend = run_toy(db)
    assert (backend.computed, backend.reused) == (0, 36)


def test_rows_of_a_store_without_checksums_are_migrated_and_recomputed(tmp_path):
    """A store written before checksums existed (schema 1), keyed without the paper (as
    before schema 3): it is migrated in place; its rows cannot be verified nor assigned to
    a paper, so they are never served (even though these ones happen to be right): the runs
    are recomputed under the new keys, and the old rows are left as they were."""
    path = tmp_path / "old.sqlite"
    pts = toy.claim().sweep("quick")
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE runs (key TEXT PRIMARY KEY, measurement TEXT NOT NULL, "
                   "version TEXT NOT NULL, config TEXT NOT NULL, seed INTEGER NOT NULL, "
                   "result TEXT NOT NULL, seconds REAL NOT NULL, device TEXT NOT NULL, "
                   "created REAL NOT NULL)")
        db.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, 0.0, 'cpu', 0.0)", [
            (config_hash({"measurement": "gaussian_mean", "version": "1",
                          "config": pt.config, "seed": s}), "gaussian_mean", "1",
             json.dumps(pt.config, sort_keys=True), s,
             json.dumps(toy.draw(pt.config["mu"], pt.config["samples"], s)))
            for pt in pts for s in pt.seeds(toy.SEED)])
    with ResultStore(path) as db:
        verdict, backend = run_toy(db)
    assert (backend.computed, backend.reused) == (36, 0)
    assert verdict["status"] == "consistent"
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
        assert db.execute("SELECT paper, COUNT(*), COUNT(checksum) FROM runs GROUP BY paper "
                          "ORDER BY paper").fetchall() == [(None, 36, 0), ("toy", 36, 36)]


# ---- corrupt files --------------------------------------------------------------------------

def garbage(path: Path) -> None:
    path.write_bytes(np.random.default_rng(0).bytes(64 * 1024))


def truncated(path: Path) -> None:
    """A real store of 400 runs, cut to half its size."""
    with ResultStore(path) as db:
        db.put_many((run_key("p", "m", "1", {"i": i}, i), "p", "m", "1", {"i": i}, i,
                     {"values": list(range(40))}, 0.0, "cpu") for i in range(400))
    size = path.stat().st_size
    assert size > 8 * 4096
    os.truncate(path, size // 2)


@pytest.mark.parametrize("damage", [garbage, truncated])
def test_a_corrupt_file_is_moved_aside_and_a_fresh_store_started(tmp_path, damage):
    path = tmp_path / "results.sqlite"
    damage(path)
    damaged = path.read_bytes()
    with pytest.warns(StoreWarning, match="is corrupt .* moved it aside to") as caught:
        res = check(toy.paper(), budget="quick", device="cpu", store=str(path),
                    progress=False, seed=toy.SEED)
    aside = list(tmp_path.glob("results.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    assert repr(str(aside[0])) in str(caught[0].message)
    assert (res.runs_computed, res.verdicts[0].status) == (36, Status.CONSISTENT)
    with ResultStore(path) as db:
        assert db.count() == 36


def test_cli_moves_a_corrupt_store_aside_with_a_one_line_warning(tmp_path, capsys):
    path = tmp_path / "results.sqlite"
    garbage(path)
    code = main(["check", "ols", "--budget", "smoke", "--claims", "E2", "--store", str(path),
                 "--quiet", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("theorycheck: warning: the results store")
    assert "moved it aside" in lines[0] and "Traceback" not in err
    assert json.loads(out)["verdicts"][0]["claim"] == "E2"


def test_cli_reports_a_damaged_row_in_one_line_and_recomputes_it(ols_store, tmp_path, capsys):
    source, verdicts = ols_store
    path = tmp_path / "results.sqlite"
    shutil.copy(source, path)
    flip_result_digit(path, next(iter(stored_results(path).values())))
    assert main(cli_check(path)) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"theorycheck: warning: 1 stored row of measurement 'ols' failed its checksum in the "
        f"results store {str(path)!r}: not used; recomputed and replaced"]
    assert json.loads(out)["runs_computed"] == 1
    assert [toy.timeless(v) for v in json.loads(out)["verdicts"]] == verdicts
    assert stored_results(path) == stored_results(source)


# ---- read-only stores and bad paths ---------------------------------------------------------

def test_an_explicitly_read_only_store_serves_what_it_holds_and_never_writes(filled):
    path, verdict = filled
    before = path.read_bytes()
    with ResultStore(path, read_only=True) as db:
        again, backend = run_toy(db)
        assert (backend.computed, backend.reused) == (0, 36) and again == verdict
        with pytest.raises(ValueError) as err:
            run_toy(db, scale=1.0, chunk_sleep=0.001)  # other configs: not stored
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "THEORYCHECK_STORE" in message
    assert "36 runs of measurement 'gaussian_mean' are not in the results store" in message
    assert path.read_bytes() == before


def test_a_store_path_that_is_a_directory_is_a_one_line_error(tmp_path, capsys):
    with pytest.raises(ValueError, match="is a directory"):
        ResultStore(tmp_path)
    code = main(["check", "ols", "--budget", "smoke", "--store", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert str(tmp_path) in err and "THEORYCHECK_STORE" in err and "Traceback" not in err


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` (file or directory) unwritable for this process: ``chmod`` a-w for a
    normal user; for root, whom permissions do not stop, the immutable attribute
    (``chattr +i``). Skips where neither holds."""
    mode = path.stat().st_mode
    immutable = os.geteuid() == 0
    if immutable:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr +i: cannot make a file unwritable")
    else:
        path.chmod(mode & ~0o222)
    try:
        if os.access(path, os.W_OK):
            pytest.skip(f"could not make {path} unwritable on this file system")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(mode)


def cli_check(store: Path, *extra: str) -> list[str]:
    return ["check", "ols", "--budget", "smoke", "--store", str(store), "--quiet", "--json",
            *extra]


@pytest.fixture(scope="module")
def ols_store(tmp_path_factory) -> tuple[Path, dict]:
    """A store holding every run of ``check ols --budget smoke`` (seed 0), and the verdicts."""
    path = tmp_path_factory.mktemp("ols") / "results.sqlite"
    assert main(cli_check(path)) == 0
    res = check("ols", budget="smoke", device="cpu", store=str(path), progress=False)
    assert res.runs_computed == 0
    return path, [toy.timeless(v.to_dict()) for v in res.verdicts]


@pytest.mark.parametrize("what", ["file", "directory"])
def test_an_unwritable_store_is_used_read_only_or_is_a_one_line_error(
        ols_store, tmp_path, capsys, what):
    source, verdicts = ols_store
    path = tmp_path / "results.sqlite"
    shutil.copy(source, path)
    with unwritable(path if what == "file" else tmp_path):
        db = ResultStore(path)
        assert db.read_only == ("the file is not writable" if what == "file"
                                else "its directory is not writable")
        db.close()
        capsys.readouterr()
        # everything the check needs is stored: it runs, read-only
        assert main(cli_check(path)) == 0
        out, err = capsys.readouterr()
        assert [toy.timeless(v) for v in json.loads(out)["verdicts"]] == verdicts
        assert err == ""
        # another seed needs runs that are not stored: one line naming the path, exit 2
        assert main(cli_check(path, "--seed", "1")) == 2
        out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("theorycheck: error: ") and "is read-only" in err
    assert str(path) in err and "THEORYCHECK_STORE" in err
    assert path.read_bytes() == source.read_bytes()
    assert {p.name for p in tmp_path.iterdir()} <= {
        "results.sqlite", "results.sqlite-shm", "results.sqlite-wal"}


def test_a_corrupt_store_that_cannot_be_moved_aside_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "results.sqlite"
    garbage(path)
    with unwritable(tmp_path):
        code = main(cli_check(path))
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "is corrupt (file is not a database) and cannot be moved aside" in err
    assert str(path) in err and "THEORYCHECK_STORE" in err
    assert [p.name for p in tmp_path.iterdir()] == ["results.sqlite"]
