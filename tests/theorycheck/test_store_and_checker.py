"""The SQLite results store and the checker, on a real database file, with a toy paper.

The measurement is a small real simulation (the mean of Gaussian draws); the claim around it
predicts its value, so a planted wrong prediction must come back inconsistent. The toy paper
is a ``Paper`` object handed to the checker directly, as a notebook user would.
"""

import sqlite3

import numpy as np
import pytest

from theorycheck.backends import LocalBackend
from theorycheck.checker import check, check_claim
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import ValueComparison
from theorycheck.paper import Measurement, Paper
from theorycheck.store import ResultStore, run_key
from theorycheck.verdicts import Status

CALLS: list[int] = []
FAIL_AFTER: dict[str, int | None] = {"calls": None}  # simulates an interruption


def gaussian_mean(requests, device):
    CALLS.append(len(requests))
    out = []
    for cfg, seed in requests:
        if FAIL_AFTER["calls"] is not None and len(CALLS) > FAIL_AFTER["calls"]:
            raise RuntimeError("interrupted")
        x = np.random.default_rng(seed).normal(cfg["mu"], 1.0, size=cfg["samples"])
        out.append({"mean": float(x.mean())})
    return out


MEAN = Measurement("gaussian_mean", gaussian_mean, version="1", chunk=4)


def toy_claim(predicted_scale=1.0, mus=(1.0, 2.0, 4.0), trials=12, conditions=None,
              wrong_at=None):
    """E[mean] = mu; ``wrong_at`` plants the prediction 1.1 mu at those mu only."""

    def sweep(budget):
        return [Point({"mu": mu, "samples": 2000}, trials, {"mu": mu}) for mu in mus]

    def predict(pr):
        mu = pr.label("mu")
        return predicted_scale * mu * (1.1 if wrong_at and mu in wrong_at else 1.0)

    return Claim("toy", "T1", "toy mean", "E[mean] = mu", "derived", "test",
                 "gaussian_mean", sweep,
                 ValueComparison("mean", predict, rtol=0.05, x="mu"), conditions=conditions)


def toy_paper(*claims):
    return Paper("toy", "a toy paper", "none", lambda: list(claims), (MEAN,))


def run(claim, db, seed=7):
    backend = LocalBackend(db, "cpu", progress=False)
    return check_claim(claim, "quick", backend, seed, toy_paper(claim)), backend


def test_rerun_reuses_runs_and_verdict_is_identical(tmp_path):
    db = ResultStore(tmp_path / "r.sqlite")
    v1, b1 = run(toy_claim(), db)
    assert v1.status is Status.CONSISTENT, v1.reason
    assert (b1.computed, b1.reused) == (36, 0)
    v2, b2 = run(toy_claim(), db)
    assert (b2.computed, b2.reused) == (0, 36)
    assert v1.evidence.to_dict() == v2.evidence.to_dict()
    assert db.count("gaussian_mean") == 36


def test_planted_wrong_prediction_is_inconsistent(tmp_path):
    v, _ = run(toy_claim(predicted_scale=1.1), ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONSISTENT, v.reason


def outside_mu_4(pt):
    return pt.labels["mu"] < 3, f"mu = {pt.labels['mu']} is outside (mu < 3 assumed)"


def test_an_outside_point_never_hides_an_inside_disagreement(tmp_path):
    """The prediction is wrong at mu = 1 (inside); mu = 4 lies outside the conditions. The
    verdict comes from the inside points alone: inconsistent (a rule that demoted it to
    inconclusive because some point lies outside would hide the disagreement)."""
    v, _ = run(toy_claim(wrong_at=(1.0,), conditions=outside_mu_4),
               ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONSISTENT, v.reason
    assert [r.x for r in v.evidence.rows] == [1.0, 2.0]
    assert v.outside is not None and v.outside.status is Status.CONSISTENT
    assert [r.x for r in v.outside.evidence.rows] == [4.0]
    assert (v.run.regimes, v.run.inside_conditions) == (3, 2)
    assert "mu = 4.0 is outside" in v.run.outside[0]["note"]
    assert any("outside the claim's conditions" in t.caption for t in v.tables())


def test_a_disagreement_outside_is_shown_but_not_judged(tmp_path):
    v, _ = run(toy_claim(wrong_at=(4.0,), conditions=outside_mu_4),
               ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.CONSISTENT, v.reason
    assert v.outside.status is Status.INCONSISTENT
    assert "measured there: inconsistent" in v.reason


def test_every_point_outside_is_inconclusive_with_the_evidence_shown(tmp_path):
    v, _ = run(toy_claim(wrong_at=(1.0, 2.0, 4.0), conditions=lambda pt: (False, "never")),
               ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONCLUSIVE
    assert "all 3 regimes lie outside" in v.reason
    assert v.outside.status is Status.INCONSISTENT


def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path):
    path = tmp_path / "r.sqlite"
    CALLS.clear()
    FAIL_AFTER["calls"] = 2
    with pytest.raises(RuntimeError):
        run(toy_claim(), ResultStore(path), seed=3)
    done = sqlite3.connect(path).execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert done == 8  # two chunks of 4 finished before the failure
    FAIL_AFTER["calls"] = None
    v, backend = run(toy_claim(), ResultStore(path), seed=3)
    assert backend.reused == 8 and backend.computed == 28
    keys = sqlite3.connect(path).execute("SELECT key FROM runs").fetchall()
    assert len(keys) == 36 == len(set(keys))
    assert v.status is Status.CONSISTENT


def test_check_takes_a_paper_object(tmp_path):
    res = check(toy_paper(toy_claim()), budget="quick", device="cpu",
                store=str(tmp_path / "r.sqlite"), progress=False, seed=7)
    assert res.paper == "toy" and [v.status for v in res.verdicts] == [Status.CONSISTENT]
    with pytest.raises(ValueError, match="budget must be one of"):
        check(toy_paper(toy_claim()), budget="huge", store=str(tmp_path / "r.sqlite"))


def test_run_key_is_content_hash():
    k1 = run_key(MEAN.name, MEAN.version, {"a": 1, "b": 2.0}, 5)
    assert k1 == run_key(MEAN.name, MEAN.version, {"b": 2.0, "a": 1}, 5)
    assert k1 != run_key(MEAN.name, MEAN.version, {"a": 1, "b": 2.0}, 6)
    assert k1 != run_key(MEAN.name, "2", {"a": 1, "b": 2.0}, 5)


def test_seeds_are_stable_prefixes_and_groups_share_them():
    small = Point({"a": 1}, 5).seeds(0)
    big = Point({"a": 1}, 9).seeds(0)
    assert big[:5] == small
    assert Point({"a": 2}, 5).seeds(0) != small
    assert Point({"a": 1}, 5).seeds(1) != small
    # points of one seed group run the same seeds whatever their configs
    assert Point({"a": 1}, 5, seed_group="path").seeds(0) == \
        Point({"a": 2}, 5, seed_group="path").seeds(0)
