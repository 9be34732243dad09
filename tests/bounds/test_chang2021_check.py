"""End-to-end checks of ``chang2021`` with real simulations, and mutation tests.

End to end: ``theorycheck.check`` returns one verdict per requested claim with its provenance
tag (C1-C4, C9 ``derived``; C5-C8 ``paper``), evidence that records seeds, regimes and
device, a JSON-able ``to_dict()``, and a rerun against the same store that computes nothing
and reproduces the evidence exactly.

Mutation tests (docs/architecture.md: "the test suite plants wrong predictions and requires
`inconsistent`"): each claim factory takes a planted error. The mutated claim must come back
``inconsistent`` and the unmutated claim, on the same measurements (same budget, same root
seed, same store), ``consistent``: so the measurement provably tells them apart.
Tolerances are the claims' own: C2 KS distance <= 0.04 (DKW band), C3/C4 relative error
<= 5% (Bonferroni t-intervals), C5 peak within kappa x/1.2..x*1.2 (bootstrap, 95%), C9
relative error <= 1e-8.

Every check runs on the CPU (``device="cpu"``) with root seed 0. The module shares one
results store, so a mutated claim reuses the runs of its unmutated twin.

Budgets (the smallest that decide; times on 2 CPU cores, ``ci`` profile):
- C9 (symbolic) and C5 (sharp peak at kappa ~ 1): ``smoke``, seconds.
- C2, C3, C4: ``quick``. At ``smoke`` the unmutated claims are inconclusive (intervals
  too wide to confirm agreement; the mutations are mostly caught already), so smoke cannot
  tell them apart. The ``ci`` profile (tests/profile.py) keeps a
  subset of the quick grid's kappas, ``full`` the whole quick grid.
- C4: ``quick``, 500 trials at kappa = 2 and 5 (fresh-data retraining is heavy-tailed at
  s/n = 0.75).
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from theorycheck.bounds.chang2021 import claims as cl
from theorycheck.bounds.chang2021 import closed_forms as cf

import theorycheck
from tests.bounds.verdict_helpers import SEED, describe, run_claim
from tests.profile import full
from theorycheck.claims import Claim
from theorycheck.registry import get_paper
from theorycheck.verdicts import Status, Verdict

PROVENANCE = {"C1": "derived", "C2": "derived", "C3": "derived", "C4": "derived",
              "C5": "paper", "C6": "paper", "C7": "paper", "C8": "paper", "C9": "derived"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """One SQLite store for the module: mutated and unmutated claims share their runs."""
    return tmp_path_factory.mktemp("chang2021") / "runs.sqlite"










# ---- end to end ----------------------------------------------------------------------------

def test_every_claim_has_its_provenance_tag():
    """All nine claims (C8 included: building a claim runs nothing)."""
    claims = get_paper("chang2021").claims()
    assert {c.key: c.provenance for c in claims} == PROVENANCE
    assert all(c.paper == "chang2021" for c in claims)


def assert_end_to_end(keys: list[str], path) -> None:
    res = theorycheck.check("chang2021", budget="smoke", device="cpu", store=str(path),
                            progress=False, claims=keys, seed=SEED)
    assert [v.claim for v in res.verdicts] == keys
    assert (res.paper, res.budget, res.device, res.seed) == ("chang2021", "smoke", "cpu", SEED)
    for v in res.verdicts:
        assert v.provenance == PROVENANCE[v.claim], v.claim
        assert isinstance(v.status, Status) and v.reason
        run = v.run
        assert run.device == "cpu" and run.root_seed == SEED and "SeedSequence" in run.seed_rule
        assert run.inside_conditions == run.regimes and run.outside == []
        if v.claim == "C9":  # symbolic: no sweep
            assert run.regimes == 0 and run.measurement is None
        else:
            assert run.regimes > 0 and run.trials >= run.regimes
            assert set(run.measurement.split(", ")) <= {"linear", "random_features"}
            first = run.first_seeds
            assert first and all(isinstance(s, int) for s in first)
            assert len(set(first)) == len(first)
    # JSON: the documented keys
    d = res.to_dict()
    assert {"paper", "budget", "verdicts"} <= set(d)
    assert (d["paper"], d["budget"]) == ("chang2021", "smoke")
    for v in d["verdicts"]:
        assert {"claim", "status", "provenance", "evidence"} <= set(v)
        assert v["status"] in {"consistent", "inconsistent", "inconclusive"}
    text = json.dumps(d, allow_nan=False)  # strictly valid JSON: no NaN / Infinity tokens
    assert json.loads(text)["verdicts"][0]["claim"] == keys[0]
    computed = res.runs_computed
    assert computed > 0 or keys == ["C9"]
    # a rerun against the same store reuses every run and reproduces the evidence
    again = theorycheck.check("chang2021", budget="smoke", device="cpu", store=str(path),
                              progress=False, claims=keys, seed=SEED)
    assert again.runs_computed == 0
    assert again.runs_reused == computed + res.runs_reused
    for a, b in zip(res.verdicts, again.verdicts):
        assert (a.claim, a.status, a.reason) == (b.claim, b.status, b.reason)
        assert a.evidence.to_dict() == b.evidence.to_dict(), a.claim


def test_end_to_end_smoke(tmp_path):
    """C2 (derived, distribution), C5 (paper, shape), C9 (derived, symbolic): ~5 s."""
    assert_end_to_end(["C2", "C5", "C9"], tmp_path / "runs.sqlite")


@pytest.mark.slow
def test_end_to_end_smoke_rest(tmp_path):
    """The other linear-model claims C1, C3, C4, C6, C7 at the smoke budget: ~15 s."""
    assert_end_to_end(["C1", "C3", "C4", "C6", "C7"], tmp_path / "runs.sqlite")


@pytest.mark.slow
def test_c8_random_features_smoke(tmp_path):
    """C8 (paper P5, random features): its Gaussian-equivalent theory alone takes 30-60 s.

    At the smoke budget (4 trials, kappa in {1/3, 0.9, 1.1, 2, 3}) the peak at kappa = 1.1
    and the sign of (best pruned risk beyond the threshold) - (s-neuron model) decide.
    """
    res = theorycheck.check("chang2021", budget="smoke", device="cpu",
                            store=str(tmp_path / "runs.sqlite"), progress=False,
                            claims=["C8"], seed=SEED)
    (v,) = res.verdicts
    assert (v.claim, v.provenance) == ("C8", "paper")
    assert v.run.measurement == "random_features"
    assert v.status is Status.CONSISTENT, describe(v)
    json.dumps(res.to_dict())


# ---- mutation tests ------------------------------------------------------------------------

def assert_tells_apart(good: Claim, bad: Claim, budget: str, path) -> tuple[Verdict, Verdict]:
    """The unmutated claim is consistent and the mutated one inconsistent, on the same runs."""
    v_good = run_claim(good, budget, path)
    v_bad = run_claim(bad, budget, path)
    assert v_good.status is Status.CONSISTENT, describe(v_good)
    assert v_bad.status is Status.INCONSISTENT, describe(v_bad)
    assert v_good.run.trials == v_bad.run.trials
    return v_good, v_bad


@pytest.mark.parametrize("xi_expr", [cf.kappa, cf.kappa - 1 + 1e-6, 2 * (cf.kappa - 1)],
                         ids=["kappa", "off-by-1e-6", "factor-2"])
def test_c9_mutation_wrong_closed_form(xi_expr, store_path):
    """Tolerance 1e-8 relative: even an additive 1e-6 in xi = kappa - 1 is caught."""
    good, bad = assert_tells_apart(cl.c9(), cl.c9(xi_expr=xi_expr), "smoke", store_path)
    wrong = [r.case for r in bad.evidence.rows if r.status == "inconsistent"]
    assert wrong and all(case.startswith("isotropic xi") for case in wrong)


def test_c5_mutation_peak_moved(store_path):
    """Peak planted at kappa = 2 (window [1.67, 2.4]): the measured peak is at kappa ~ 1,
    so no bootstrap peak lands in the window. Smoke budget (6 trials, 5 kappas) suffices."""
    good, bad = assert_tells_apart(cl.c5(), cl.c5(peak=2.0), "smoke", store_path)
    part = bad.evidence.parts[0]
    peak = part.evidence
    assert peak.kind == "peak" and part.status == "inconsistent"
    assert peak.bootstrap_fraction_in_window <= 0.05
    assert 0.8 <= peak.measured_peak <= 1.2


def test_c2_smoke_cannot_decide(store_path):
    """At smoke (300 pooled samples) the DKW band (+-0.078) is wider than the tolerance:
    the checker must say inconclusive rather than consistent."""
    v = run_claim(cl.c2(), "smoke", store_path)
    assert v.status is Status.INCONCLUSIVE, describe(v)


# The ``ci`` profile keeps a subset of the quick budget's points (kappa values below): the
# same configurations, trials and seeds, so these are the quick budget's own runs, judged
# with the claim's own tolerance (the Bonferroni level adapts to the number of points).
# The ``full`` profile keeps the whole quick sweep.
CI_KAPPAS = {"C2": (2.0,), "C3": (2.0, 3.0, 5.0), "C4": (2.0, 5.0)}


def sized(claim: Claim) -> Claim:
    if full():
        return claim
    keep = CI_KAPPAS[claim.key]

    def sweep(budget: str):
        points = [pt for pt in claim.sweep(budget) if pt.labels["kappa"] in keep]
        assert len(points) == len(keep), "the quick grid no longer has these kappas"
        return points

    return dataclasses.replace(claim, sweep=sweep)


@pytest.mark.slow
def test_c2_mutation_wrong_surrogate_sd(store_path):
    """sd planted 1.5x too large: standardized entries have sd 0.67, KS distance ~0.10 >
    0.04 (unmutated: ~0.006, DKW half-width ~0.01). Quick budget: 120 trials x 200 entries
    per kappa (ci profile: kappa = 2 only, ~10 s)."""
    assert_tells_apart(sized(cl.c2()), sized(cl.c2(scale_v=1.5)), "quick", store_path)


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.1, 0.9])
def test_c3_mutation_risk_off_by_10_percent(factor, store_path):
    """Pruned risks (MP, HP, oracle) planted 10% off: measured relative errors ~ -9% / +11%
    with CI half-widths ~2% against a 5% tolerance; unmutated within +-1%. Quick budget
    (120 trials per point; ci profile: kappa in {2, 3, 5}, ~20 s; the second factor reuses
    the runs)."""
    good, bad = assert_tells_apart(sized(cl.c3()), sized(cl.c3(factor)), "quick", store_path)
    for part in bad.evidence.parts:
        assert all(r.status == "inconsistent" for r in part.evidence.rows), describe(bad)


@pytest.mark.slow
def test_c4_mutation_retrain_risk_off_by_20_percent(store_path):
    """Fresh-data retraining risks planted 20% too high: every row inconsistent at the
    quick budget (relative errors -15% to -19%, CI half-widths ~2.5%). 240 trials per point
    (ci profile: kappa in {2, 5}; the first 120 trials are C3's runs)."""
    bad = run_claim(sized(cl.c4(factor=1.2)), "quick", store_path)
    assert bad.status is Status.INCONSISTENT, describe(bad)
    for part in bad.evidence.parts:
        assert all(r.status == "inconsistent" for r in part.evidence.rows), describe(bad)


@pytest.mark.slow
def test_c4_unmutated_is_consistent(store_path):
    """The unmutated C4 on the same runs as the mutation above (tolerance 5% relative).

    Quick budget, root seed 0 (500 trials at kappa = 2 and 5): all six rows consistent,
    relative errors within 1.7% and 95% half-widths of about 2% (one-sample t-intervals of
    measured - predicted). The ``full`` profile runs the ``full``
    budget (800 trials, 6 kappas; minutes on 2 cores) and also requires the 20% mutation
    to be inconsistent there.
    """
    budget = "full" if full() else "quick"
    v = run_claim(cl.c4() if full() else sized(cl.c4()), budget, store_path)
    assert v.status is Status.CONSISTENT, describe(v)
    if full():
        bad = run_claim(cl.c4(factor=1.2), budget, store_path)
        assert bad.status is Status.INCONSISTENT, describe(bad)
