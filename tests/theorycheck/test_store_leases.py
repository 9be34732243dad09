"""Processes sharing one store compute each run once (leases), on real SQLite files and real
processes.

- A run leased by another live holder is waited for (its row is polled), never recomputed.
- A lease whose holder stopped renewing it expires, and another process takes it over.
- Two ``theorycheck.check`` processes started together on one store: every run is computed
  exactly once (each computation leaves a line in a trace file), both compute some of it,
  and both get identical verdicts.
- A holder killed with ``kill -9`` mid-sweep, while holding live leases (TTL 600 s here,
  ``THEORYCHECK_LEASE_TTL``): its host is this one and its PID is dead, so the next process
  takes its leases over at once, long before they expire; nothing is lost or stored twice,
  and the verdict is the one of an undisturbed run. A live holder's leases, and those of a
  holder on another host (whose PID cannot be looked at), are waited for.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.theorycheck import toy_paper as toy
from theorycheck.backends import LocalBackend
from theorycheck.checker import check
from theorycheck.store import Leases, ResultStore, run_key

ROOT = Path(__file__).resolve().parents[2]
RUNS = len(toy.MUS) * toy.TRIALS
MEAN = toy.paper().measurement(toy.MEAN.name)  # bound to the toy paper, as the checker runs it
KEYED = (MEAN.paper, MEAN.name, MEAN.version)  # what a run key names besides config and seed


def toy_requests(trace: Path | None = None) -> list[tuple[dict, int]]:
    return [(pt.config, s) for pt in toy.claim(str(trace) if trace else None).sweep("quick")
            for s in pt.seeds(toy.SEED)]


def trace_lines(trace: Path) -> list[list[str]]:
    return [line.split() for line in trace.read_text().splitlines()] if trace.exists() else []


def rows(path: Path) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone()


# ---- in one process, two holders ------------------------------------------------------------

def test_a_run_leased_by_a_live_holder_is_waited_for_not_recomputed(tmp_path):
    path, trace = tmp_path / "r.sqlite", tmp_path / "trace"
    requests = toy_requests(trace)
    keys = [run_key(*KEYED, c, s) for c, s in requests]
    other = ResultStore(path)
    with Leases(other, ttl=30) as lease:  # a live holder (heartbeat running)
        assert lease.take(keys, limit=len(keys)) == keys
        waiter = LocalBackend(ResultStore(path), "cpu", progress=False)
        out: list = []
        thread = threading.Thread(target=lambda: out.append(waiter.run(MEAN, requests, "")))
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive() and waiter.computed == 0 and not trace.exists()
        # the holder computes and stores the runs; the waiter picks them up
        results = [toy.draw(c["mu"], c["samples"], s) for c, s in requests]
        other.put_many([(k, *KEYED, c, s, r, 0.0, "cpu")
                        for k, (c, s), r in zip(keys, requests, results)], release=lease.holder)
        thread.join(10)
    assert not thread.is_alive()
    assert (waiter.computed, waiter.reused) == (0, RUNS) and not trace.exists()
    assert out[0] == results
    assert rows(path) == (RUNS, RUNS)


def test_an_expired_lease_is_taken_over(tmp_path):
    path, trace = tmp_path / "r.sqlite", tmp_path / "trace"
    requests = toy_requests(trace)
    keys = [run_key(*KEYED, c, s) for c, s in requests]
    dead = Leases(ResultStore(path), ttl=1.0)  # never entered: no heartbeat, as if killed
    assert dead.take(keys, limit=len(keys)) == keys
    t0 = time.perf_counter()
    backend = LocalBackend(ResultStore(path), "cpu", progress=False)
    results = backend.run(MEAN, requests, "")
    assert time.perf_counter() - t0 >= 0.9  # it waited for the lease to expire
    assert (backend.computed, backend.reused) == (RUNS, 0)
    assert results == [toy.draw(c["mu"], c["samples"], s) for c, s in requests]
    assert len(trace_lines(trace)) == RUNS
    assert rows(path) == (RUNS, RUNS)
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)


def test_a_live_holder_keeps_its_leases_beyond_the_ttl_and_releases_them(tmp_path):
    """The heartbeat renews leases while the holder works (here 2.5 ttl without a store)."""
    path = tmp_path / "r.sqlite"
    keys = [run_key(*KEYED, c, s) for c, s in toy_requests()][:4]
    other = Leases(ResultStore(path), ttl=0.6)
    with Leases(ResultStore(path), ttl=0.6) as mine:
        assert mine.take(keys, limit=10) == keys
        time.sleep(1.5)
        assert other.take(keys, limit=10) == [] and mine.held() == 4
    assert other.take(keys, limit=10) == keys  # released on the way out


# ---- real processes ---------------------------------------------------------------------------

def spawn(tmp_path: Path, name: str, store: Path, trace: Path, go: Path | None = None,
          **env: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "tests.theorycheck.toy_paper", str(store), str(trace),
            str(tmp_path / f"{name}.json")] + (["--go", str(go)] if go else [])
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, tmp_path: Path, name: str) -> dict:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads((tmp_path / f"{name}.json").read_text())


def test_two_processes_sharing_a_store_compute_each_run_once(tmp_path):
    store, trace, go = tmp_path / "r.sqlite", tmp_path / "trace", tmp_path / "go"
    ResultStore(store).close()  # the schema exists before both start
    procs = {n: spawn(tmp_path, n, store, trace, go, TOY_SLEEP="0.05") for n in ("a", "b")}
    time.sleep(0.2)
    go.touch()
    out = {n: finish(p, tmp_path, n) for n, p in procs.items()}
    computed = Counter((mu, seed) for _, mu, seed, _ in trace_lines(trace))
    assert len(computed) == RUNS and set(computed.values()) == {1}  # each run exactly once
    by_pid = Counter(line[0] for line in trace_lines(trace))
    assert set(by_pid) == {str(o["pid"]) for o in out.values()}  # both computed some runs
    assert sorted(o["computed"] for o in out.values()) == sorted(by_pid.values())
    assert sum(o["computed"] for o in out.values()) == RUNS
    assert all(o["computed"] + o["reused"] == RUNS for o in out.values())
    assert out["a"]["verdicts"] == out["b"]["verdicts"]
    assert out["a"]["verdicts"][0]["status"] == "consistent"
    assert rows(store) == (RUNS, RUNS)


HOLD = """
import sys, time
from theorycheck.store import Leases, ResultStore
with Leases(ResultStore(sys.argv[1]), ttl=600) as leases:
    print(len(leases.take(sys.argv[2:], limit=100)), flush=True)
    time.sleep(600)
"""


def test_leases_of_a_live_holder_are_kept_and_of_a_killed_one_taken_at_once(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultStore(path).close()
    keys = [run_key(*KEYED, c, s) for c, s in toy_requests()]
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), *keys[:8]], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "8\n"
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.execute("INSERT INTO leases VALUES (?, 'elsewhere.example:999999:0', ?)",
                       (keys[8], time.time() + 600))  # a holder on another host
        mine = Leases(ResultStore(path), ttl=600)
        assert mine.take(keys[:9], limit=100) == []  # the holder is alive
    finally:
        holder.kill()  # SIGKILL
        holder.wait(10)
    assert mine.take(keys[:9], limit=100) == keys[:8]  # dead on this host: taken at once
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT holder FROM leases WHERE key = ?", (keys[8],)).fetchone() \
            == ("elsewhere.example:999999:0",)


def test_a_killed_lease_holder_is_taken_over_at_once(tmp_path):
    store, trace = tmp_path / "r.sqlite", tmp_path / "trace"
    ResultStore(store).close()
    holder = spawn(tmp_path, "a", store, trace, TOY_SLEEP="0.25", THEORYCHECK_LEASE_TTL="600")
    deadline = time.monotonic() + 60
    while len(trace_lines(trace)) < toy.CHUNK + 2 and time.monotonic() < deadline:
        time.sleep(0.02)  # first chunk stored, second chunk in progress
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    killed_at = time.time()
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored_by_holder = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        leased = dict(db.execute("SELECT key, expires FROM leases"))
    assert stored_by_holder >= toy.CHUNK
    assert len(leased) == toy.CHUNK and min(leased.values()) > killed_at  # died holding them
    res = check(toy.paper(str(trace)), budget="quick", device="cpu", store=str(store),
                progress=False, seed=toy.SEED)
    assert (res.runs_computed, res.runs_reused) == (RUNS - stored_by_holder, stored_by_holder)
    assert rows(store) == (RUNS, RUNS)
    lines = trace_lines(trace)
    computed = Counter((float(mu), int(seed)) for _, mu, seed, _ in lines)
    assert len(computed) == RUNS  # every run computed; only the killed chunk twice, at most
    assert sum(n - 1 for n in computed.values()) <= toy.CHUNK
    # the killed holder's leased runs were taken over long before their leases expired
    key_of = {(float(c["mu"]), int(s)): run_key(*KEYED, c, s)
              for c, s in toy_requests(trace)}
    taken_over = [float(t) for pid, mu, seed, t in lines if pid != str(holder.pid)
                  and key_of[float(mu), int(seed)] in leased]
    assert len(taken_over) == toy.CHUNK
    assert max(taken_over) < min(leased.values())
    with ResultStore(":memory:") as fresh:
        reference = check(toy.paper(str(trace)), budget="quick", device="cpu", store=fresh,
                          progress=False, seed=toy.SEED)
    assert toy.timeless(res.verdicts[0].to_dict()) == toy.timeless(reference.verdicts[0].to_dict())
    with contextlib.closing(sqlite3.connect(store)) as db:
        assert db.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)


@pytest.mark.parametrize("ttl", ["0", "-1", "soon"])
def test_a_bad_lease_ttl_is_a_one_line_error(ttl, tmp_path, monkeypatch):
    monkeypatch.setenv("THEORYCHECK_LEASE_TTL", ttl)
    with pytest.raises(ValueError, match="time-to-live must be positive|must be a number"):
        check(toy.paper(), budget="quick", device="cpu", store=str(tmp_path / "r.sqlite"),
              progress=False)
