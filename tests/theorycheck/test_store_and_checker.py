"""The SQLite results store and the checker, on a real database file, with a toy paper.

The measurement is a small real simulation (the mean of Gaussian draws); the claim around it
predicts its value, so a planted wrong prediction must come back inconsistent. The toy paper
is a ``Paper`` object handed to the checker directly, as a notebook user would.
"""

import sqlite3

import numpy as np
import pytest
import torch

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
        if cfg["mu"] in cfg.get("faulty", ()) and seed % 2:
            out.append({"mean": float("nan"), "fault": "diverged: planted at odd seeds"})
            continue
        x = np.random.default_rng(seed).normal(cfg["mu"], 1.0, size=cfg["samples"])
        out.append({"mean": float(x.mean()), "fault": None})
    return out


MEAN = Measurement("gaussian_mean", gaussian_mean, version="1", chunk=4)


def toy_claim(predicted_scale=1.0, mus=(1.0, 2.0, 4.0), trials=12, conditions=None,
              wrong_at=None, faulty=()):
    """E[mean] = mu; ``wrong_at`` plants the prediction 1.1 mu at those mu only; at the mu
    in ``faulty`` the odd seeds' runs report a fault (NaN mean)."""

    def sweep(budget):
        return [Point({"mu": mu, "samples": 2000, "faulty": tuple(faulty)}, trials, {"mu": mu})
                for mu in mus]

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


def test_a_fault_turns_agreement_into_inconclusive_and_is_listed(tmp_path):
    """Faulted trials at mu = 2: that regime is left out; the agreement of the other two is
    not called consistent (it was reached on what did not fail); the reason names the cause
    and the count, and the run record and a table list every faulted trial."""
    v, _ = run(toy_claim(faulty=(2.0,)), ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONCLUSIVE, v.reason
    assert "trials in 1 of 3 regimes inside the conditions faulted (diverged" in v.reason
    assert "would be consistent" in v.reason
    assert [r.x for r in v.evidence.rows] == [1.0, 4.0]
    seeds = toy_claim(faulty=(2.0,)).sweep("quick")[1].seeds(7)
    assert len(v.run.faults) == sum(s % 2 for s in seeds) > 0
    assert {f["regime"]["mu"] for f in v.run.faults} == {2.0}
    assert all(f["seed"] % 2 == 1 and f["fault"].startswith("diverged") for f in v.run.faults)
    assert any(t.caption.startswith("faulted trials") for t in v.tables())


def test_a_disagreement_beside_a_fault_stays_inconsistent(tmp_path):
    """A planted wrong prediction on clean regimes is still caught when another regime
    faults: the fault is named, the disagreement is not hidden."""
    v, _ = run(toy_claim(predicted_scale=1.1, faulty=(2.0,)), ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONSISTENT, v.reason
    assert "faulted (diverged" in v.reason


def test_every_inside_regime_faulted_is_inconclusive(tmp_path):
    v, _ = run(toy_claim(faulty=(1.0, 2.0, 4.0)), ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.INCONCLUSIVE
    assert "every regime inside the claim's conditions has a faulted trial" in v.reason


def test_a_fault_outside_the_conditions_is_listed_not_judged(tmp_path):
    v, _ = run(toy_claim(faulty=(4.0,), conditions=outside_mu_4),
               ResultStore(tmp_path / "r.sqlite"))
    assert v.status is Status.CONSISTENT, v.reason
    assert v.run.faults and {f["regime"]["mu"] for f in v.run.faults} == {4.0}


def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path):
    path = tmp_path / "r.sqlite"
    CALLS.clear()
    FAIL_AFTER["calls"] = 2
    failed, _ = run(toy_claim(), ResultStore(path), seed=3)  # the claim's error, named
    assert failed.status is Status.INCONCLUSIVE
    assert failed.reason.endswith("'gaussian_mean' of paper 'toy' raised RuntimeError: interrupted")
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
    k1 = run_key("toy", MEAN.name, MEAN.version, {"a": 1, "b": 2.0}, 5)
    assert k1 == run_key("toy", MEAN.name, MEAN.version, {"b": 2.0, "a": 1}, 5)
    assert k1 != run_key("toy", MEAN.name, MEAN.version, {"a": 1, "b": 2.0}, 6)
    assert k1 != run_key("toy", MEAN.name, "2", {"a": 1, "b": 2.0}, 5)
    assert k1 != run_key("toy2", MEAN.name, MEAN.version, {"a": 1, "b": 2.0}, 5)


def test_seeds_are_stable_prefixes_and_groups_share_them():
    small = Point({"a": 1}, 5).seeds(0)
    big = Point({"a": 1}, 9).seeds(0)
    assert big[:5] == small
    assert Point({"a": 2}, 5).seeds(0) != small
    assert Point({"a": 1}, 5).seeds(1) != small
    # points of one seed group run the same seeds whatever their configs
    assert Point({"a": 1}, 5, seed_group="path").seeds(0) == \
        Point({"a": 2}, 5, seed_group="path").seeds(0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_an_error_even_when_every_run_is_stored(tmp_path):
    """Stored runs must not make ``device="cuda"`` look satisfied on a CPU-only machine."""
    path = str(tmp_path / "r.sqlite")
    paper = toy_paper(toy_claim())
    check(paper, budget="quick", device="cpu", store=path, progress=False)
    with pytest.raises(ValueError, match="^device 'cuda' was asked for but CUDA is not "
                                         "available"):
        check(paper, budget="quick", device="cuda", store=path, progress=False)
