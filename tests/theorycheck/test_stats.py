"""The statistics behind verdicts: intervals with their stated coverage (fixed seeds).

Coverage is estimated over 4000 simulated experiments; with that many, a binomial standard
error is 0.0034, so the tolerance +/- 0.012 (3.5 standard errors) separates a correct 95%
interval from one that is 9-15% too narrow (coverage about 0.92).
"""

import numpy as np

from theorycheck.stats import (
    difference_interval,
    mean_interval,
    proportion_interval,
    shares_seeds,
)

EXPERIMENTS = 4000
TOLERANCE = 0.012


def coverage(make_interval, truth, draw, seed):
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(EXPERIMENTS):
        ci = make_interval(*draw(rng))
        hits += ci.low <= truth <= ci.high
    return hits / EXPERIMENTS


def test_welch_interval_covers_95_percent_with_8_trials_per_side():
    """Unequal variances, 8 trials each: Welch's t quantiles give 95%; a normal quantile
    would give about 92%."""
    cov = coverage(lambda a, b: difference_interval(a, b), 1.0,
                   lambda r: (r.normal(0.0, 1.0, 8), r.normal(1.0, 2.0, 8)), seed=1)
    assert abs(cov - 0.95) < TOLERANCE, cov


def test_t_interval_covers_95_percent_with_5_trials():
    cov = coverage(lambda x: mean_interval(x), 2.0, lambda r: (r.normal(2.0, 3.0, 5),), seed=2)
    assert abs(cov - 0.95) < TOLERANCE, cov


def test_exact_binomial_interval_covers_at_least_95_percent():
    """Clopper-Pearson is conservative: coverage >= 95% even for a rare event and few trials."""
    cov = coverage(lambda k: proportion_interval(k, 30), 0.05,
                   lambda r: (int(r.binomial(30, 0.05)),), seed=3)
    assert cov >= 0.95 - TOLERANCE / 4, cov


def test_degenerate_samples():
    ci = mean_interval([1.0, 1.0, 1.0])
    assert (ci.low, ci.high) == (1.0, 1.0)
    assert not mean_interval([1.0]).finite
    assert proportion_interval(0, 10).low == 0.0


def test_shared_seeds_are_detected():
    assert shares_seeds([[1, 2], [1, 2], [1, 2]])
    assert not shares_seeds([[1, 2], [1, 3]])
    assert not shares_seeds([[1, 2]])
