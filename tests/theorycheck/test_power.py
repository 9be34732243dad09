"""A check that cannot succeed says so before it runs (issue 13).

- a planted claim whose proportion part has too few trials for its tolerance is warned of
  before any run (``BudgetWarning``), and its verdict and run record name the shortfall;
- with enough trials it is not flagged, and it comes out consistent on an exact prediction;
- no built-in claim is in that state at ``quick`` and ``full``.
"""

from __future__ import annotations

import dataclasses
import warnings

import pytest

import theorycheck
from tests.theorycheck.toy_paper import MEAN, paper
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import AllOf, PerNetworkComparison, ProportionComparison, Subset
from theorycheck.power import BudgetWarning, shortfalls
from theorycheck.registry import get_paper
from theorycheck.verdicts import Status


def coin_claim(trials: int) -> Claim:
    """P(mean > mu) = 1/2 exactly (a symmetric law), judged within 0.1 at one point."""
    def sweep(budget: str) -> list[Point]:
        return [Point({"mu": 1.0, "samples": 50}, trials, {"mu": 1.0})]

    return Claim("toy", "P1", "coin", "P(mean > mu) = 1/2", "derived", "test", MEAN.name,
                 sweep, ProportionComparison("above", 1, lambda pr: 0.5, atol=0.1))


def above_paper(claim: Claim):
    def above(requests, device):
        return [{**r, "above": float(r["mean"] > c["mu"])}
                for r, (c, _) in zip(MEAN.fn(requests, device), requests)]

    base = paper()
    return dataclasses.replace(base, claims=lambda: [claim], measurements=(
        dataclasses.replace(MEAN, fn=above, version="above-1"),))


def test_a_claim_that_cannot_decide_is_announced_before_it_runs(tmp_path):
    comp = coin_claim(20).comparison
    need = comp.trials_needed(1, coin_claim(20).sweep("quick")[0])
    assert need is not None and need > 20
    with pytest.warns(BudgetWarning, match=f"P1 at budget 'quick': proportion of above needs "
                      f"{need} trials"):
        res = theorycheck.check(above_paper(coin_claim(20)), budget="quick", device="cpu",
                                progress=False, store=str(tmp_path / "a.sqlite"))
    v = res.verdicts[0]
    assert v.status is not Status.CONSISTENT
    assert "the budget cannot decide" in v.reason and v.run.undecidable


def test_enough_trials_are_not_flagged_and_can_decide(tmp_path):
    claim = coin_claim(400)
    assert not shortfalls(claim, claim.sweep("quick"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BudgetWarning)
        res = theorycheck.check(above_paper(claim), budget="quick", device="cpu",
                                progress=False, store=str(tmp_path / "b.sqlite"))
    assert res.verdicts[0].status is Status.CONSISTENT, res.verdicts[0].reason


def test_subset_parts_count_only_their_points():
    pts = [Point({"mu": 1.0}, n, {"group": g}) for g, n in (("a", 40), ("b", 5))]
    comp = PerNetworkComparison("x", "<=", 1.0, delta=0.2)
    claim = Claim("toy", "P2", "t", "t", "derived", "test", MEAN.name, lambda b: pts,
                  AllOf([Subset(comp, lambda pr: pr.label("group") == "a"),
                         Subset(comp, lambda pr: pr.label("group") == "b")]))
    [short] = shortfalls(claim, pts)
    # group b alone is short; each part at 0.975 (a family of two), one point each
    assert short.have == 5
    assert short.needed == PerNetworkComparison("x", "<=", 1.0, delta=0.2,
                                                level=0.975).trials_needed(1)


@pytest.mark.parametrize("budget", ["quick", "full"])
@pytest.mark.parametrize("key", ["chang2021", "yang2023", "ols"])
def test_no_built_in_claim_is_undecidable_at_its_budget(key, budget):
    spec = get_paper(key)
    found = {}
    for c in spec.claims():
        inside = [pt for pt in c.sweep(budget) if c.conditions is None or c.conditions(pt)[0]]
        short = shortfalls(c, inside)
        if short:
            found[c.key] = [s.describe() for s in short]
    assert not found, found
