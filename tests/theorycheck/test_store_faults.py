"""The store and the backends under faults: a full disk, a store locked by another
connection, a measurement that hangs (issue 17, 3). Real files, real SQLite, real processes.

- The disk fills up mid-sweep, in a subprocess: under a file-size limit
  (``RLIMIT_FSIZE``: SQLite's ``disk I/O error``) and, where this machine lets a test mount
  one (root, ``unshare --mount``), on a tiny tmpfs (``database or disk is full``). The error
  is one line naming the store and ``THEORYCHECK_STORE``; every chunk stored before it is
  kept, intact (a rerun computes only the rest and agrees with an undisturbed run).
- Another process holds the store's write lock (``BEGIN EXCLUSIVE``) from the second chunk
  on, past the busy timeout (0.5 s here): the same one-line error, the first chunk kept.
- A measurement that hangs (a sleep, a Python loop that never ends) under
  ``THEORYCHECK_RUN_TIMEOUT``: its chunks become trials faulted with ``timeout`` (the verdict
  inconclusive, naming it), not stored, and the check ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.theorycheck import toy_paper as toy
from theorycheck.checker import check
from theorycheck.paper import Measurement, Paper
from theorycheck.store import StoreError, files

ROOT = Path(__file__).resolve().parents[2]
RUNS = len(toy.MUS) * toy.TRIALS

FILL = """
import json, resource, signal, sqlite3, sys
from tests.theorycheck import toy_paper as toy
from theorycheck.checker import check
from theorycheck.store import ResultStore
store, copy, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
ResultStore(store).close()
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
try:
    check(toy.paper(), budget="quick", device="cpu", store=store, progress=False,
          seed=toy.SEED)
    error = None
except Exception as err:
    error = [type(err).__name__, str(err)]
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
with sqlite3.connect(store) as src, sqlite3.connect(copy) as dst:
    src.backup(dst)  # what the store holds, taken off the full disk
print(json.dumps({"error": error}))
"""


def stored_rows(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


def assert_kept_and_resumable(copy: Path, store: str, error: list[str]) -> None:
    """The error is a one-line StoreError naming ``store`` and THEORYCHECK_STORE; the
    chunks stored before it are intact: a rerun computes only the rest, and its verdict is
    the one of an undisturbed run."""
    kind, text = error
    assert kind == "StoreError" and "\n" not in text, error
    assert f"the results store {store!r} failed mid-run" in text
    assert "THEORYCHECK_STORE" in text and "the runs stored before are kept" in text
    kept = stored_rows(copy)
    assert 0 < kept < RUNS and kept % toy.CHUNK == 0
    rerun = check(toy.paper(), budget="quick", device="cpu", store=str(copy), progress=False,
                  seed=toy.SEED)
    fresh = check(toy.paper(), budget="quick", device="cpu", store=":memory:", progress=False,
                  seed=toy.SEED)
    assert (rerun.runs_computed, rerun.runs_reused) == (RUNS - kept, kept)
    assert toy.timeless(rerun.verdicts[0].to_dict()) == toy.timeless(fresh.verdicts[0].to_dict())


def fill(argv: list[str], copy: Path) -> list[str]:
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert copy.exists(), proc.stdout
    error = json.loads(proc.stdout.splitlines()[-1])["error"]
    assert error is not None, "the sweep did not fail: the limit was not reached"
    return error


def test_a_file_size_limit_mid_sweep_is_one_line_and_keeps_the_stored_chunks(tmp_path):
    store, copy = tmp_path / "r.sqlite", tmp_path / "copy.sqlite"
    error = fill([sys.executable, "-c", FILL, str(store), str(copy), "80000"], copy)
    assert "disk I/O error" in error[1]
    assert_kept_and_resumable(copy, str(store), error)


def test_a_full_tmpfs_mid_sweep_is_one_line_and_keeps_the_stored_chunks(tmp_path):
    disk, copy = tmp_path / "disk", tmp_path / "copy.sqlite"
    disk.mkdir()
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run(
            [unshare, "--mount", "mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)],
            capture_output=True).returncode != 0:
        pytest.skip("this machine does not let a test mount a tmpfs (needs root)")
    store = disk / "r.sqlite"
    script = (f"mount -t tmpfs -o size=96k tmpfs {disk} && exec {sys.executable} -c "
              f"\"$0\" {store} {copy} 0")
    error = fill([unshare, "--mount", "sh", "-c", script, FILL], copy)
    assert "database or disk is full" in error[1]
    assert_kept_and_resumable(copy, str(store), error)


LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_store_locked_by_another_process_mid_sweep_is_one_line(tmp_path, monkeypatch):
    """From the second chunk on, another process holds the write lock."""
    monkeypatch.setattr(files, "BUSY_TIMEOUT_S", 0.5)  # SQLite's wait for a lock (60 s)
    store = tmp_path / "r.sqlite"
    holders: list[subprocess.Popen] = []

    def then_lock(requests, device):
        if not holders and stored_rows(store) == toy.CHUNK:
            holders.append(subprocess.Popen([sys.executable, "-c", LOCK, str(store)],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            text=True))
            assert holders[0].stdout.readline() == "locked\n"
        return toy.gaussian_mean(requests, device)

    paper = Paper("toy", "a toy paper", "none", lambda: [toy.claim()],
                  (Measurement(toy.MEAN.name, then_lock, toy.MEAN.version, chunk=toy.CHUNK),))
    try:
        with pytest.raises(StoreError) as err:
            check(paper, budget="quick", device="cpu", store=str(store), progress=False,
                  seed=toy.SEED)
    finally:
        for holder in holders:
            holder.communicate("", timeout=10)
    text = str(err.value)
    assert "\n" not in text and "(database is locked)" in text
    assert f"the results store {str(store)!r} failed mid-run" in text
    assert "another connection holds its lock" in text and "THEORYCHECK_STORE" in text
    assert holders and stored_rows(store) == toy.CHUNK


HANG = """
import json, sys, time
from tests.theorycheck import toy_paper as toy
from theorycheck.checker import check
from theorycheck.paper import Measurement, Paper
from theorycheck.store import ResultStore

def hangs_at_4(requests, device):
    if any(cfg["mu"] == 4.0 for cfg, _ in requests):
        if sys.argv[2] == "sleep":
            time.sleep(3600)
        while True:  # a loop that never ends, in Python
            pass
    return toy.gaussian_mean(requests, device)

paper = Paper("toy", "a toy paper", "none", lambda: [toy.claim()],
              (Measurement(toy.MEAN.name, hangs_at_4, toy.MEAN.version, chunk=toy.CHUNK),))
res = check(paper, budget="quick", device="cpu", store=sys.argv[1], progress=False,
            seed=toy.SEED)
v = res.verdicts[0]
print(json.dumps({"status": v.status.value, "reason": v.reason, "faults": v.run.faults,
                  "computed": res.runs_computed, "stored": ResultStore(sys.argv[1]).count()}))
"""


@pytest.mark.parametrize("hang", ["sleep", "loop"])
def test_a_hanging_measurement_times_out_into_a_named_fault(tmp_path, hang):
    """THEORYCHECK_RUN_TIMEOUT=0.5 s a run: the chunks at mu = 4 hang (a sleep, or a Python
    loop that never ends). The check ends (in a subprocess with a wall-clock limit: before
    the limit existed it hung), the verdict is inconclusive and names the timeout, and the
    timed-out runs are not stored (a rerun with more time computes them)."""
    store = tmp_path / "r.sqlite"
    env = {**os.environ, "THEORYCHECK_RUN_TIMEOUT": "0.5"}
    proc = subprocess.run([sys.executable, "-c", HANG, str(store), hang], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "inconclusive" and "(timeout; e.g. timeout: " in out["reason"]
    assert len(out["faults"]) == toy.TRIALS and {f["regime"]["mu"] for f in out["faults"]} == {4.0}
    assert out["faults"][0]["fault"] == (
        "timeout: the chunk of 4 runs took more than 2 s (0.5 s a run, THEORYCHECK_RUN_TIMEOUT)")
    assert out["computed"] == RUNS and out["stored"] == RUNS - toy.TRIALS  # no fault stored
    rerun = check(toy.paper(), budget="quick", device="cpu", store=str(store), progress=False,
                  seed=toy.SEED)
    assert (rerun.runs_computed, rerun.verdicts[0].status.value) == (toy.TRIALS, "consistent")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_a_bad_run_timeout_is_a_one_line_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("THEORYCHECK_RUN_TIMEOUT", value)
    with pytest.raises(ValueError, match="^THEORYCHECK_RUN_TIMEOUT must be a positive number "
                       f"of seconds, got '{value}'$"):
        check(toy.paper(), budget="quick", device="cpu", store=str(tmp_path / "r.sqlite"),
              progress=False)
