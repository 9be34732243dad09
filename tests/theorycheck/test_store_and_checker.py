"""The SQLite results store and the checker's run bookkeeping, on a real database file.

The measurement here is a small real simulation (the mean of Gaussian draws); the claim
around it predicts its value, so a planted wrong prediction must come back inconsistent.
"""

import sqlite3

import numpy as np
import pytest

from theorycheck.backends import LocalBackend
from theorycheck.checker import check_claim
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import ValueComparison
from theorycheck.registry import get_measurement, measurement
from theorycheck.store import ResultStore, run_key
from theorycheck.verdicts import Status

CALLS: list[int] = []
FAIL_AFTER: dict[str, int | None] = {"calls": None}  # simulates an interruption


@measurement("test.gaussian_mean", version="1", chunk=4)
def gaussian_mean(requests, device):
    CALLS.append(len(requests))
    out = []
    for cfg, seed in requests:
        if FAIL_AFTER["calls"] is not None and len(CALLS) > FAIL_AFTER["calls"]:
            raise RuntimeError("interrupted")
        x = np.random.default_rng(seed).normal(cfg["mu"], 1.0, size=cfg["samples"])
        out.append({"mean": float(x.mean())})
    return out


def toy_claim(predicted_scale=1.0, mus=(1.0, 2.0, 4.0), trials=12):
    def sweep(budget):
        return [Point({"mu": mu, "samples": 2000}, trials,
                      {"mu": mu}) for mu in mus]

    return Claim("toy", "T1", "toy mean", "E[mean] = mu", "derived", "test",
                 "test.gaussian_mean", sweep,
                 ValueComparison("mean", lambda pr: predicted_scale * pr.label("mu"), rtol=0.05,
                                 x="mu"))


def test_rerun_reuses_runs_and_verdict_is_identical(tmp_path):
    db = ResultStore(tmp_path / "r.sqlite")
    b1 = LocalBackend(db, "cpu", progress=False)
    v1 = check_claim(toy_claim(), "quick", b1, seed=7)
    assert v1.status is Status.CONSISTENT, v1.reason
    assert (b1.computed, b1.reused) == (36, 0)
    b2 = LocalBackend(db, "cpu", progress=False)
    v2 = check_claim(toy_claim(), "quick", b2, seed=7)
    assert (b2.computed, b2.reused) == (0, 36)
    assert v1.evidence["rows"] == v2.evidence["rows"]
    assert db.count("test.gaussian_mean") == 36


def test_planted_wrong_prediction_is_inconsistent(tmp_path):
    db = ResultStore(tmp_path / "r.sqlite")
    v = check_claim(toy_claim(predicted_scale=1.1), "quick", LocalBackend(db, "cpu", False), 7)
    assert v.status is Status.INCONSISTENT, v.reason


def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path):
    path = tmp_path / "r.sqlite"
    CALLS.clear()
    FAIL_AFTER["calls"] = 2
    with pytest.raises(RuntimeError):
        check_claim(toy_claim(), "quick", LocalBackend(ResultStore(path), "cpu",
                                                                   False), 3)
    done = sqlite3.connect(path).execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert done == 8  # two chunks of 4 finished before the failure
    FAIL_AFTER["calls"] = None
    backend = LocalBackend(ResultStore(path), "cpu", False)
    v = check_claim(toy_claim(), "quick", backend, 3)
    assert backend.reused == 8 and backend.computed == 28
    keys = sqlite3.connect(path).execute("SELECT key FROM runs").fetchall()
    assert len(keys) == 36 == len(set(keys))
    assert v.status is Status.CONSISTENT


def test_run_key_is_content_hash():
    m = get_measurement("test.gaussian_mean")
    k1 = run_key(m.name, m.version, {"a": 1, "b": 2.0}, 5)
    assert k1 == run_key(m.name, m.version, {"b": 2.0, "a": 1}, 5)
    assert k1 != run_key(m.name, m.version, {"a": 1, "b": 2.0}, 6)
    assert k1 != run_key(m.name, "2", {"a": 1, "b": 2.0}, 5)


def test_seeds_are_stable_prefixes():
    small = Point({"a": 1}, 5).seeds(0)
    big = Point({"a": 1}, 9).seeds(0)
    assert big[:5] == small
    assert Point({"a": 2}, 5).seeds(0) != small
    assert Point({"a": 1}, 5).seeds(1) != small
