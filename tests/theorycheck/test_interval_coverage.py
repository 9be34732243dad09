"""Coverage of the interval rules, simulated on the kinds of samples the claims see.

For each rule and each law, 4,000 samples of ``n`` trials (n = 6, 16, 32: the trial counts
of the budgets) are drawn with a fixed seed; the fraction of intervals that contain the true
mean must be at least the nominal 95% up to Monte Carlo error (three binomial standard
errors, 0.010 at 4,000 replications). The laws:

- two-point rare failure on [0, 1]: 0 with probability 0.8, 0.6 with probability 0.2 (the
  audit's S1 case: most networks generalize, one in five fails);
- skewed bounded: Beta(0.3, 3) on [0, 1];
- rare large failure: 0.02 with probability 0.95, 1 with probability 0.05;
- heavy-tailed symmetric (unbounded support): Student t with 3 degrees of freedom.

The first test is the audit's finding reproduced: the Student t-interval (``mean_interval``)
on six two-point trials covers far below 95%, since six equal trials give a zero-width
interval; the bounded rule does not.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from theorycheck.stats import (
    Support,
    bounded_mean_interval,
    mean_interval,
    support_interval,
)

REPS = 4000
LEVEL = 0.95
MC_SLACK = 3 * np.sqrt(LEVEL * (1 - LEVEL) / REPS)


def two_point(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    return np.where(rng.random(size) < 0.2, 0.6, 0.0)


def rare_large(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    return np.where(rng.random(size) < 0.05, 1.0, 0.02)


def skewed(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    return rng.beta(0.3, 3.0, size)


BOUNDED_LAWS = {"two-point 0.2 x 0.6": (two_point, 0.2 * 0.6),
                "rare large 0.05 x 1": (rare_large, 0.95 * 0.02 + 0.05),
                "beta(0.3, 3)": (skewed, 0.3 / 3.3)}


def coverage(rule, law, truth: float, n: int, seed: int) -> float:
    samples = law(np.random.default_rng(seed), (REPS, n))
    hits = 0
    for row in samples:
        ci = rule(row)
        assert ci.high > ci.low, "an interval of zero width"
        hits += ci.low <= truth <= ci.high
    return hits / REPS


def test_the_t_interval_undercovers_six_rare_failure_trials():
    """The rule the audit found: t on 6 two-point trials covers ~74%, not 95%."""
    cov = coverage(lambda x: _t_or_point(x), two_point, 0.12, 6, seed=1)
    assert cov < LEVEL - 0.1


def _t_or_point(x: np.ndarray):
    ci = mean_interval(x, LEVEL)
    return ci if ci.high > ci.low else type(ci)(ci.estimate, ci.low, ci.low + 1e-300, LEVEL)


@pytest.mark.parametrize("n", [6, 16, 32])
@pytest.mark.parametrize("law", list(BOUNDED_LAWS))
def test_the_bounded_rule_covers(law, n):
    draw, truth = BOUNDED_LAWS[law]
    cov = coverage(lambda x: bounded_mean_interval(x, 0.0, 1.0, LEVEL), draw, truth, n,
                   seed=n)
    assert cov >= LEVEL - MC_SLACK, f"{law}, n={n}: coverage {cov:.3f}"


@pytest.mark.parametrize("n", [6, 16, 32])
def test_the_unbounded_rule_covers_heavy_tails(n):
    def t3(rng, size):
        return sps.t(3).rvs(size=size, random_state=rng)
    cov = coverage(lambda x: support_interval(x, Support.unbounded(), LEVEL), t3, 0.0, n,
                   seed=100 + n)
    assert cov >= LEVEL - MC_SLACK, f"t3, n={n}: coverage {cov:.3f}"


def test_support_rules_never_give_zero_width_or_leave_the_support():
    same = np.zeros(6)
    bounded = support_interval(same, Support.bounded(0, 1))
    assert bounded.low == 0.0 and 0.0 < bounded.high < 1.0
    assert support_interval(same, Support.nonnegative()).high == np.inf
    loss = support_interval(np.array([0.0, 0.0, 0.01, 0.0, 0.2, 0.0]), Support.nonnegative())
    assert loss.low == 0.0 and loss.high > 0.2 / 6
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\]"):
        bounded_mean_interval([0.5, 1.5], 0.0, 1.0)
    with pytest.raises(ValueError, match="support must have low < high"):
        Support(1.0, 0.0)


def test_the_bounded_rule_narrows_with_n():
    """Not vacuous: the width falls like 1 / sqrt(n) (0.48 at 16 two-point trials, 0.21 at
    200; it is conservative, the price of covering every law on [0, 1] at every n)."""
    x = two_point(np.random.default_rng(5), (1, 200))[0]
    wide, narrow = (bounded_mean_interval(x[:n], 0.0, 1.0) for n in (16, 200))
    assert narrow.high - narrow.low < 0.25 < 0.45 < wide.high - wide.low
    assert narrow.low <= 0.12 <= narrow.high
