"""End-to-end checks of ``yang2023`` with trained networks: the conditions rule, the S-claims
inside the theorem's conditions, and mutation tests.

End to end (smoke budget): ``theorycheck.check`` returns one verdict per requested claim with
its provenance tag (S* ``paper``, D* ``derived``), a run record (seeds, regimes, device,
how many regimes lie inside the claim's conditions), a JSON-able ``to_dict()``, and a rerun
against the same store that computes nothing and reproduces the evidence. At smoke every
S / D1 / D2 regime is at simulation scale, outside D6: the verdicts are inconclusive and the
measurements outside are shown, judged on their own.

Inside D6 (quick budget, the planned regimes: d = 1.7e6, n = 17, m = 26, p = 0.7): S2 is an
upper bound, judged where it can fail. D6 bounds sigma_0 (and, through sigma_0's bound, mu)
from above only, so both of S2's paths are open towards 0 alone: there O~(t^e) fails when
the quantity falls more slowly than t^e, i.e. a slope *below* e - allowance. Its mutations
(docs/architecture.md: "the test suite plants wrong predictions and requires
`inconsistent`") are therefore a too-large exponent (O~(sigma_0^2 ...), caught as
inconsistent) and a too-small one (consistent, "not tight"). Earlier versions tested the
bound as if the paths were open upwards, where it cannot fail, and required the opposite.

Mutation tests at simulation scale: D1 with planted constants that call the over-pruned
point mild and inside D6; D4 with a planted probability; D5 with a planted exponent.

Every check runs on the CPU with root seed 0 and one results store per module (claims that
share configurations share runs).
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from theorycheck.bounds.yang2023 import claims as cl
from theorycheck.bounds.yang2023.conditions import classify

import theorycheck
from tests.bounds.verdict_helpers import SEED, describe, parts, run_claim
from tests.profile import full
from theorycheck.claims import Claim
from theorycheck.comparisons import ProportionComparison
from theorycheck.paths import PathEnds
from theorycheck.registry import get_paper
from theorycheck.verdicts import Status, Verdict

PROVENANCE = {"S1": "paper", "S2": "paper", "S3": "paper", "S4": "paper", "S5": "paper",
              "D1": "derived", "D2": "derived", "D4": "derived", "D5": "derived"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """One SQLite store for the module: claims on the same configurations share runs."""
    return tmp_path_factory.mktemp("yang2023") / "runs.sqlite"


def assert_outside(v: Verdict, needle: str = "D6") -> None:
    """Every regime outside the claim's conditions: inconclusive, with the outside shown."""
    assert v.run.inside_conditions == 0 and len(v.run.outside) == v.run.regimes, v.claim
    assert all(needle in o["note"] for o in v.run.outside), v.run.outside
    assert v.status is Status.INCONCLUSIVE
    assert v.reason.startswith(f"all {v.run.regimes} regimes lie outside the claim's "
                               "conditions"), v.reason
    assert v.outside is not None and v.outside.evidence.kind != "none"  # shown, measured


# ---- end to end ----------------------------------------------------------------------------

def test_every_claim_has_its_provenance_tag_and_conditions():
    claims = get_paper("yang2023").claims()
    assert {c.key: c.provenance for c in claims} == PROVENANCE
    assert all(c.paper == "yang2023" and c.measurement == "network" for c in claims)
    assert all(c.conditions is not None for c in claims if c.key != "D5")


def assert_end_to_end(keys: list[str], path) -> theorycheck.CheckResults:
    res = theorycheck.check("yang2023", budget="smoke", device="cpu", store=str(path),
                            progress=False, claims=keys, seed=SEED)
    assert [v.claim for v in res.verdicts] == keys
    assert (res.paper, res.budget, res.device, res.seed) == ("yang2023", "smoke", "cpu", SEED)
    for v in res.verdicts:
        assert v.provenance == PROVENANCE[v.claim], v.claim
        run = v.run
        assert run.device == "cpu" and run.root_seed == SEED and run.measurement == "network"
        assert run.regimes > 0 and run.trials == 2 * run.regimes  # regime_trials = 2
        assert len(set(run.first_seeds)) == 2
        assert_outside(v)
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)  # strictly valid JSON: no NaN / Infinity tokens
    assert [v["claim"] for v in json.loads(text)["verdicts"]] == keys
    again = theorycheck.check("yang2023", budget="smoke", device="cpu", store=str(path),
                              progress=False, claims=keys, seed=SEED)
    assert again.runs_computed == 0
    for a, b in zip(res.verdicts, again.verdicts):
        assert (a.claim, a.status, a.reason) == (b.claim, b.status, b.reason)
        assert a.outside.evidence.to_dict() == b.outside.evidence.to_dict(), a.claim
    return res


def test_end_to_end_mild_smoke(store_path):
    """S1 (paper) and D1 (derived) on the same networks at simulation scale."""
    res = assert_end_to_end(["S1", "D1"], store_path)
    assert res.runs_computed == 2  # one point, two trials, shared by both claims


def test_end_to_end_over_pruned_smoke(store_path):
    """S5 and D2 on the same over-pruned networks (p = 0.008, K m p = 0.48, up to
    OVER_STEPS = 30000 GD steps)."""
    res = assert_end_to_end(["S5", "D2"], store_path)
    d2 = res.verdicts[1]
    # measured outside D6: every network learns no signal (two networks cannot make that
    # "with high probability": judged per network, the verdict waits for more)
    signal = parts(d2.outside.evidence)[1]
    assert [(r.holding, r.networks) for r in signal.evidence.rows] == [(2, 2)], describe(d2)
    assert signal.status == "inconclusive" and "networks needed" in signal.reason


# ---- the conditions rule -------------------------------------------------------------------

def test_s_claim_outside_conditions_is_shown_not_judged(store_path):
    """S2 at smoke, where every regime is outside D6: the verdicts are inconclusive, and the
    measurements outside are judged on their own and shown. There D6 closes both ends of
    every path, so even a planted exponent 0.2 (sympy's is 1) cannot be judged by the
    slope: inconclusive, saying so."""
    good = run_claim(cl.s2(), "smoke", store_path)
    tight = run_claim(cl.s2(planted=0.2), "smoke", store_path)
    for v in (good, tight):
        assert_outside(v)
    assert tight.outside.status is Status.INCONCLUSIVE, describe(tight)
    assert "neither end of the path is open" in tight.outside.reason
    for g, b in zip(parts(good.outside.evidence), parts(tight.outside.evidence)):
        assert g.evidence.measured_slope == b.evidence.measured_slope  # same measurements


def with_ends(claim: Claim, ends: PathEnds) -> Claim:
    """``claim`` with every order part told that its path has the ``ends`` given."""
    comp = claim.comparison
    return dataclasses.replace(claim, comparison=dataclasses.replace(comp, parts=[
        dataclasses.replace(p, part=dataclasses.replace(p.part, ends=ends))
        for p in comp.parts]))


def test_checker_rule_needs_the_conditions(store_path):
    """Control: the same planted S2 with its conditions removed and its paths declared open
    both ways is judged on the same runs (inconsistent), so the inconclusive verdict above
    comes from the conditions."""
    bare = dataclasses.replace(with_ends(cl.s2(planted=0.2), PathEnds(True, True)),
                               conditions=None)
    v = run_claim(bare, "smoke", store_path)
    assert v.status is Status.INCONSISTENT, describe(v)
    assert v.run.inside_conditions == v.run.regimes


# ---- S2 inside D6: an upper bound checked as a bound -------------------------------------

def inside_s2(planted: float | None = None) -> Claim:
    """S2 at the quick budget (paths in sigma_0 and mu from the planned regime, 3 seeds
    shared along each path). The ``ci`` profile keeps 3 of the 4 points of each path (still
    a decade: the ends are kept), ``full`` all."""
    claim = cl.s2(planted)
    if full():
        return claim

    def sweep(budget: str):
        points = claim.sweep(budget)
        return [pt for i, pt in enumerate(points) if i % 4 != 1]

    return dataclasses.replace(claim, sweep=sweep)


@pytest.mark.slow
def test_s2_inside_d6_is_checked_as_an_upper_bound(store_path):
    """Every regime inside D6 (d = 1.7e6). Both paths are open towards 0 only (D6 checked
    six decades beyond each end), so O~(t^e) needs slope >= e - 0.1. Root seed 0, 3 seeds:
    the measured slopes of max |gamma_(j != k)| are about 0.93 in sigma_0 and 0.98 in mu (a
    t-interval of the seeds' own slopes). Unmutated (exponent 1): not refuted; planted
    exponent 2 (O~(sigma_0^2 ...)): the quantity falls more slowly than the bound towards 0,
    inconsistent; planted exponent 0.5: consistent there, and reported as not tight."""
    good = run_claim(inside_s2(), "quick", store_path)
    assert good.run.inside_conditions == good.run.regimes > 0
    assert good.status is not Status.INCONSISTENT, describe(good)
    for part in parts(good.evidence):
        ends = part.evidence.ends
        assert (ends["lower_open"], ends["upper_open"]) == (True, False), ends
        assert part.evidence.rows[0].ratio_max is not None
    steep = run_claim(inside_s2(planted=2.0), "quick", store_path)
    assert steep.status is Status.INCONSISTENT, describe(steep)
    shallow = run_claim(inside_s2(planted=0.5), "quick", store_path)
    assert shallow.status is Status.CONSISTENT, describe(shallow)
    assert "not tight" in shallow.reason
    for part in parts(shallow.evidence):
        assert part.evidence.tight is False and part.evidence.paired


# ---- mutation: planted wrong regime (D1) ---------------------------------------------------

PLANTED = {"C_1": 0.001, "C_over": 0.01, "C_3": 1e-12, "C_4": 1e-3, "C_5": 1e-6,
           "C_6": 1e-6}


def test_planted_wrong_regime_is_caught(store_path):
    """Planted constants make classify call the over-pruned point p = 0.008 (K m p = 0.48)
    "mild" and put it inside D6, so D1 predicts signal learning there. The over-pruned
    networks learn no signal (smoke scale, 4 networks: judged per network, 0 of 4 learn,
    Clopper-Pearson's upper end 0.60 < 1 - delta = 0.8): inconsistent. With the default
    constants the same point lies outside D1's conditions: inconclusive."""
    params = cl.over("smoke").theory_params()
    assert classify(params)["regime"] == "over-pruned"
    planted = classify(params, PLANTED)
    assert planted["regime"] == "mild" and planted["theorem_conditions_hold"] is True
    def four(b: str):
        return [cl.point(cl.over(b), 4)]

    bad = run_claim(cl.d1(four, PLANTED), "smoke", store_path)
    assert bad.run.inside_conditions == bad.run.regimes
    assert bad.status is Status.INCONSISTENT, describe(bad)
    outside = run_claim(cl.d1(cl.over_points), "smoke", store_path)
    assert_outside(outside, needle="regime over-pruned, claim needs mild")


# ---- D4: dead classes ----------------------------------------------------------------------

def test_d4_evidence_shape_and_planted_probability(store_path):
    """D4 at smoke (p in {0.1, 0.05}, 2 trials): the dead-class frequency (n_dead out of
    K = 3 per network) against (1 - p/2)^m with Clopper-Pearson rows (Bonferroni level
    0.9917: one family of 3 parts over 2 points; atol 0.15), then the per-trial test error
    predicted from N_j+ and the dead-class error. Six chances per point give wide intervals;
    a planted probability 0.95 on the same runs is caught (inconsistent at p = 0.1, where no
    class died)."""
    claim = cl.d4()
    part0 = claim.comparison.parts[0]
    assert isinstance(part0, ProportionComparison)
    v = run_claim(claim, "smoke", store_path)
    assert v.provenance == "derived" and v.run.inside_conditions == v.run.regimes, describe(v)
    prop, err, dead_err = (p.evidence for p in parts(v.evidence))
    assert (prop.kind, prop.quantity) == ("proportion", "n_dead")
    assert (err.quantity, dead_err.quantity) == ("test_error", "dead_class_error")
    assert [r.x for r in prop.rows] == [0.1, 0.05]
    for r in prop.rows:
        assert r.predicted == pytest.approx((1 - r.x / 2) ** 20, rel=1e-12)
        assert r.tolerance == part0.atol and r.trials == 2
        events, total = (int(s) for s in r.note.split(" of "))
        assert total == 6 and r.measured == pytest.approx(events / total)
        low, high = r.ci
        assert 0.0 <= low <= r.measured <= high <= 1.0
        assert high - low > 0.3  # 6 chances: an honest interval is wide
    planted = dataclasses.replace(part0, predict=lambda pr: 0.95)
    mutated = dataclasses.replace(claim, comparison=dataclasses.replace(
        claim.comparison, parts=[planted, *claim.comparison.parts[1:]]))
    bad = run_claim(mutated, "smoke", store_path)
    assert bad.run.trials == v.run.trials
    assert [r.predicted for r in parts(bad.evidence)[0].evidence.rows] == [0.95, 0.95]
    assert parts(bad.evidence)[0].status == "inconsistent", describe(bad)


# ---- mutation: planted wrong exponent (D5) -------------------------------------------------

def p_curves(claim: Claim) -> Claim:
    """The ``ci`` profile keeps D5's p-curves only (4 values of p x 10 signal norms at
    quick, 8 trials each: 320 networks), the same configurations and seeds as the whole
    quick sweep; ``full`` keeps the n-curves too."""
    if full():
        return claim

    def sweep(budget: str):
        points = [pt for pt in claim.sweep(budget) if pt.labels["curve"] == "p"]
        assert len(points) == 4 * cl.budget(budget).boundary_mu_points
        return points

    return dataclasses.replace(claim, sweep=sweep)


@pytest.mark.slow
def test_d5_mutation_wrong_p_exponent_and_unmutated(store_path):
    """mu_crit planted as p^1 instead of sympy's p^(1/2) (slack 0.2, bootstrap 95%, 8 trials
    per point, quick budget, root seed 0): inconsistent. The unmutated claim on the same
    runs is not inconsistent (not asserted consistent: the measured slope in p sits near the
    lower edge of the band [0.3, 0.7] at this scale, see the report)."""
    bad = run_claim(p_curves(cl.d5(p_exponent=1.0)), "quick", store_path)
    assert bad.status is Status.INCONSISTENT, describe(bad)
    p_part = parts(bad.evidence)[0]
    assert p_part.evidence.parameter == "p" and p_part.status == "inconsistent", describe(bad)
    assert p_part.evidence.predicted_exponent == 1.0 and p_part.evidence.ci[1] < 0.8
    good = run_claim(p_curves(cl.d5()), "quick", store_path)
    assert good.status is not Status.INCONSISTENT, describe(good)
    assert parts(good.evidence)[0].evidence.measured_slope == \
        p_part.evidence.measured_slope  # same runs, only the prediction differs


# ---- faults --------------------------------------------------------------------------------

def diverging_paper(eta: float) -> theorycheck.Paper:
    """yang2023 whose every network trains with the step ``eta`` (a planted simulator fault:
    eta = 1e30 makes every loss non-finite within a few steps)."""
    real = get_paper("yang2023")
    network = real.measurement("network")

    def planted(requests, device):
        return network.fn([(cfg.replace(eta=eta), seed) for cfg, seed in requests], device)

    return dataclasses.replace(real, measurements=(
        dataclasses.replace(network, fn=planted, version=f"{network.version}-eta{eta:g}"),))


def test_diverged_networks_never_yield_a_consistent_verdict(tmp_path):
    """Every smoke claim with eta = 1e30: each run reports "diverged", no verdict is
    consistent, every claim judged inside its conditions is inconclusive with the cause
    named, and the faulted trials are listed."""
    res = theorycheck.check(diverging_paper(1e30), budget="smoke", device="cpu",
                            store=str(tmp_path / "r.sqlite"), progress=False, seed=SEED)
    assert len(res.verdicts) == len(PROVENANCE)
    for v in res.verdicts:
        assert v.status is not Status.CONSISTENT, describe(v)
        assert len(v.run.faults) == v.run.trials, v.claim
        assert all(f["fault"].startswith("diverged") for f in v.run.faults), v.run.faults[:2]
        if v.run.inside_conditions:
            assert v.status is Status.INCONCLUSIVE, describe(v)
            assert "has a faulted trial" in v.reason or "faulted (diverged" in v.reason


def partly_diverging_paper() -> tuple[theorycheck.Paper, set[int]]:
    """yang2023 in which the first network of each regime in every measurement call reports
    a divergence (a planted fault, as the simulator reports one: ``fault`` set and every
    measured number NaN); the others are the real simulator's results. Returns the paper and
    the set the planted networks' seeds are added to."""
    real = get_paper("yang2023")
    network = real.measurement("network")
    planted_seeds: set[int] = set()

    def planted(requests, device):
        out = network.fn(requests, device)
        seen = set()
        for (config, seed), r in zip(requests, out):
            if config not in seen:
                seen.add(config)
                planted_seeds.add(seed)
                r.update({k: float("nan") for k, v in r.items() if isinstance(v, float)})
                r["fault"] = "diverged: planted at step 3"
        return out

    return dataclasses.replace(real, measurements=(
        dataclasses.replace(network, fn=planted, version=f"{network.version}-first-faults"),)
    ), planted_seeds


def test_a_few_diverged_networks_are_never_dropped_silently(tmp_path):
    """Every smoke claim with one network of each regime diverged (issue 9's eta = 1e3
    case: some networks of a point diverge): each faulted trial is listed, and no claim with
    a faulted regime inside its conditions is consistent; its reason names the faults. (At
    smoke the S claims lie outside D6, so D4 and D5 are the claims judged inside.)"""
    paper, planted = partly_diverging_paper()
    res = theorycheck.check(paper, budget="smoke", device="cpu",
                            store=str(tmp_path / "r.sqlite"), progress=False, seed=SEED)
    assert len(res.verdicts) == len(PROVENANCE)
    judged_with_faults = []
    for v in res.verdicts:
        assert v.run.faults and all(f["seed"] in planted for f in v.run.faults), v.claim
        assert len(v.run.faults) < v.run.trials, v.claim  # only some networks diverged
        assert v.status is not Status.CONSISTENT, describe(v)
        outside = [o["regime"] for o in v.run.outside]
        if any(f["regime"] not in outside for f in v.run.faults):
            judged_with_faults.append(v.claim)
            assert "faulted (diverged" in v.reason or "has a faulted trial" in v.reason, \
                describe(v)
    assert {"D4", "D5"} <= set(judged_with_faults)
