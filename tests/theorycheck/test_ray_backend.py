"""The ``ray`` backend on a real local Ray cluster (2 CPUs on 127.0.0.1, started and shut down
by the module fixture, as Ray's own tests do: ``ray.init(num_cpus=2, ...)``).

- Verdicts equal the local backend's bit for bit (``to_dict()`` without timings) on the
  example paper ``ols`` (smoke) and on chang2021's C5 (smoke), and the stored rows (keys and
  result JSON) are identical.
- ``theorycheck check --backend ray --address ADDR`` in another process joins the cluster
  and resumes a sweep partly stored by the local backend (only the missing runs are
  computed); a rerun computes nothing.
- A measurement that raises on a worker raises the same error in the driver; what finished
  before it stays stored, its leases are released, and the rerun computes only the rest.
- A Ray worker killed with ``kill -9`` mid-chunk: Ray retries the chunk on another worker,
  and the store ends with every run once, each equal to its direct computation.
- Without Ray installed, ``--backend ray`` is a one-line error naming the extra.
- Each task runs with the run's thread count and asks Ray for as many CPUs; at most
  ``CPUs // threads`` chunks are in flight (no nested parallelism).
- A chunk past ``THEORYCHECK_RUN_TIMEOUT`` is cancelled: its trials are timeout faults, not
  stored. ``--address`` of a closed port is a one-line error, not a hang.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import ray

from tests.theorycheck import toy_paper as toy
from theorycheck.backends import make_backend
from theorycheck.checker import check
from theorycheck.cli import main
from theorycheck.paper import Measurement, Paper
from theorycheck.store import ResultStore
from theorycheck.threads import using_threads

ROOT = Path(__file__).resolve().parents[2]
RUNS = len(toy.MUS) * toy.TRIALS


@pytest.fixture(scope="module")
def cluster():
    """A local Ray cluster with 2 CPUs; yields its address."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             logging_level=logging.WARNING)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def stored(path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, result FROM runs"))


def verdicts(res) -> list[dict]:
    return [toy.timeless(v.to_dict()) for v in res.verdicts]


@pytest.mark.parametrize(("paper", "claims"), [("ols", None), ("chang2021", ["C5"])])
def test_ray_verdicts_equal_local_bit_for_bit(cluster, tmp_path, paper, claims):
    kwargs = {"budget": "smoke", "device": "auto", "claims": claims, "progress": False}
    local = check(paper, store=str(tmp_path / "local.sqlite"), **kwargs)
    remote = check(paper, backend="ray", store=str(tmp_path / "ray.sqlite"), **kwargs)
    assert remote.device == local.device == "cpu"
    assert remote.runs_computed == local.runs_computed > 0
    assert verdicts(remote) == verdicts(local)
    assert stored(tmp_path / "ray.sqlite") == stored(tmp_path / "local.sqlite")


def test_cli_joins_a_running_cluster_by_address_and_resumes_a_stored_sweep(cluster, tmp_path):
    """Claim E1's runs are stored by the local backend; ``theorycheck check --backend ray
    --address ADDR`` in another process computes only the rest, on the cluster."""
    store = tmp_path / "r.sqlite"
    first = check("ols", budget="smoke", claims=["E1"], store=str(store), progress=False)
    before = len(stored(store))
    assert first.runs_computed == before > 0
    proc = subprocess.run(
        [sys.executable, "-m", "theorycheck.cli", "check", "ols", "--budget", "smoke",
         "--backend", "ray", "--address", cluster, "--store", str(store), "--quiet", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    after = stored(store)
    assert out["runs_computed"] == len(after) - before > 0 and out["runs_reused"] >= before
    local = check("ols", budget="smoke", store=":memory:", progress=False)
    assert [toy.timeless(v) for v in out["verdicts"]] == verdicts(local)
    again = check("ols", budget="smoke", backend="ray", store=str(store), progress=False)
    assert again.runs_computed == 0 and verdicts(again) == verdicts(local)


def test_cuda_on_a_cluster_without_gpus_is_an_error(cluster, tmp_path):
    with pytest.raises(ValueError, match="CUDA is not available on the Ray cluster"):
        check("ols", budget="smoke", device="cuda", backend="ray", store=":memory:",
              progress=False)


def test_a_failing_measurement_on_ray_raises_its_error_and_the_sweep_resumes(cluster, tmp_path):
    store, flag = tmp_path / "r.sqlite", tmp_path / "fail"
    flag.touch()
    paper = toy.paper(fail_flag=str(flag))
    failed = check(paper, budget="quick", device="cpu", backend="ray", store=str(store),
                   progress=False, seed=toy.SEED)  # the claim's verdict names the error
    assert failed.verdicts[0].status.value == "inconclusive"
    assert failed.verdicts[0].reason.endswith("raised ValueError: planted failure at mu = 4")
    with contextlib.closing(sqlite3.connect(store)) as db:
        done = db.execute("SELECT config FROM runs").fetchall()
        assert db.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)  # all released
    assert all(json.loads(cfg)["mu"] != 4.0 for (cfg,) in done)
    flag.unlink()
    res = check(paper, budget="quick", device="cpu", backend="ray", store=str(store),
                progress=False, seed=toy.SEED)
    assert (res.runs_computed, res.runs_reused) == (RUNS - len(done), len(done))
    assert len(stored(store)) == RUNS and res.verdicts[0].status.value == "consistent"


@pytest.mark.slow
def test_a_killed_ray_worker_is_retried_and_nothing_is_lost_or_stored_twice(cluster, tmp_path):
    store, trace = tmp_path / "r.sqlite", tmp_path / "trace"
    paper = toy.paper(str(trace), chunk_sleep=0.4)  # each chunk first sleeps 0.4 s
    killed: list[tuple[int, list[str]]] = []

    def kill_the_first_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines = trace.read_text().splitlines() if trace.exists() else []
            starts = [line.split() for line in lines if line.startswith("start ")]
            if starts:
                pid = int(starts[0][1])
                os.kill(pid, signal.SIGKILL)  # a worker of the cluster this test started
                killed.append((pid, starts[0][2:]))
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_the_first_worker)
    killer.start()
    res = check(paper, budget="quick", device="cpu", backend="ray", store=str(store),
                progress=False, seed=toy.SEED)
    killer.join()
    assert killed, "no worker was killed"
    pid, seeds = killed[0]
    starts = [line.split() for line in trace.read_text().splitlines()
              if line.startswith("start ")]
    # the killed worker's chunk was started again, by another worker, and finished
    assert any(s[1] != str(pid) and s[2:] == seeds for s in starts)
    assert not any(s[1] == str(pid) for s in starts[1:])
    assert res.runs_computed == RUNS and res.verdicts[0].status.value == "consistent"
    with contextlib.closing(sqlite3.connect(store)) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone() == \
            (RUNS, RUNS)
        rows = db.execute("SELECT config, seed, result FROM runs").fetchall()
    for cfg, seed, result in rows:
        cfg = json.loads(cfg)
        assert json.loads(result) == toy.draw(cfg["mu"], cfg["samples"], seed)
    again = check(paper, budget="quick", device="cpu", store=str(store), progress=False,
                  seed=toy.SEED)
    assert again.runs_computed == 0 and verdicts(again) == verdicts(res)


def test_without_ray_the_ray_backend_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    code = main(["check", "ols", "--budget", "smoke", "--backend", "ray", "--store",
                 str(tmp_path / "r.sqlite"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "the ray backend needs Ray" in err and "pip install 'theorycheck[ray]'" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--backend", "dask"], "backend must be one of ['local', 'ray'], got 'dask'"),
    (["--address", "127.0.0.1:6379"],
     "the local backend takes no option 'address' (given '127.0.0.1:6379')"),
])
def test_a_bad_backend_or_option_is_a_one_line_error(tmp_path, capsys, argv, message):
    code = main(["check", "ols", "--budget", "smoke", "--store", str(tmp_path / "r.sqlite"),
                 "--quiet", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines() == [f"theorycheck: error: {message}"]


# ---- threads, time limits, addresses (issue 17) ------------------------------------------------

def thread_report(requests, device):
    """Where it runs: torch's thread count and the CPUs Ray gave the task."""
    import torch

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 0.0)
    return [{"threads": torch.get_num_threads(), "cpus": cpus} for _ in requests]


THREADS = Paper("threads", "where tasks run", "none", lambda: [],
                (Measurement("threads", thread_report, "1", chunk=2),))


@pytest.mark.parametrize("threads", [1, 2])
def test_ray_tasks_run_with_the_runs_threads_and_ask_for_as_many_cpus(cluster, threads):
    """On the 2-CPU cluster: each task runs with the run's thread count and holds as many
    CPUs; 2 // threads chunks are in flight (before: 2 x CPUs in flight, 1 CPU each)."""
    requests = [({"i": i}, i) for i in range(6)]
    with using_threads(threads), ResultStore(":memory:") as db:
        backend = make_backend("ray", db, "cpu", progress=False)
        results = backend.run(THREADS.measurement("threads"), requests, "")
    assert backend.slots == 2 // threads
    assert {(r["threads"], r["cpus"]) for r in results} == {(threads, float(threads))}


def test_a_hanging_chunk_on_ray_times_out_into_faults_not_stored(cluster, tmp_path, monkeypatch):
    """THEORYCHECK_RUN_TIMEOUT=1 s a run; the chunk sleeps 120 s on its worker: the driver
    cancels the task after 4 s and records 4 timed-out trials, stores nothing, and ends
    every lease."""
    monkeypatch.setenv("THEORYCHECK_RUN_TIMEOUT", "1")
    path = tmp_path / "r.sqlite"
    requests = [(toy.config(1.0, str(tmp_path / "trace"), chunk_sleep=120), s) for s in range(4)]
    with ResultStore(path) as db:
        backend = make_backend("ray", db, "cpu", progress=False)
        results = backend.run(toy.paper().measurement(toy.MEAN.name), requests, "")
    assert [r["fault"] for r in results] == [
        "timeout: the chunk of 4 runs took more than 4 s (1 s a run, THEORYCHECK_RUN_TIMEOUT)"] * 4
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)


def test_a_closed_ray_address_is_a_one_line_error_not_a_hang(tmp_path):
    """``--address 127.0.0.1:1`` (nothing listens there), in a fresh process with a
    wall-clock limit: before, ``ray.init`` retried without end."""
    proc = subprocess.run(
        [sys.executable, "-m", "theorycheck.cli", "check", "ols", "--budget", "smoke",
         "--backend", "ray", "--address", "127.0.0.1:1", "--store", str(tmp_path / "r.sqlite"),
         "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "theorycheck: error: cannot connect to the Ray cluster at address '127.0.0.1:1' "
        "(Connection refused, within 10 s); start it (ray start --head) or give another "
        "--address"]
