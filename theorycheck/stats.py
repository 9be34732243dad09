"""Statistics for verdicts: Monte Carlo confidence intervals, bootstrap, log-log slope fits.

Every function takes an explicit ``numpy.random.Generator`` (or a seed) so that a verdict
reruns identically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval at ``level``."""

    estimate: float
    low: float
    high: float
    level: float

    @property
    def half_width(self) -> float:
        return 0.5 * (self.high - self.low)

    def to_list(self) -> list[float]:
        return [float(self.low), float(self.high)]


def mean_interval(samples: Sequence[float], level: float = 0.95) -> Interval:
    """Student-t interval for the mean of i.i.d. Monte Carlo samples.

    With one sample the interval is infinite (nothing is known about the spread).
    """
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Interval(float("nan"), -np.inf, np.inf, level)
    mean = float(x.mean())
    if x.size < 2:
        return Interval(mean, -np.inf, np.inf, level)
    sem = float(x.std(ddof=1) / np.sqrt(x.size))
    t = float(sps.t.ppf(0.5 + level / 2, df=x.size - 1))
    return Interval(mean, mean - t * sem, mean + t * sem, level)


def bootstrap_interval(
    statistic: Callable[[np.random.Generator], float],
    estimate: float,
    rng: np.random.Generator,
    n_boot: int = 1000,
    level: float = 0.95,
) -> tuple[Interval, np.ndarray]:
    """Percentile bootstrap: ``statistic(rng)`` must compute the statistic on one resample.

    Returns the interval around ``estimate`` (the statistic on the original data) and the
    bootstrap replicates.
    """
    reps = np.array([statistic(rng) for _ in range(n_boot)], dtype=float)
    finite = reps[np.isfinite(reps)]
    if finite.size < max(10, n_boot // 2):
        return Interval(estimate, -np.inf, np.inf, level), reps
    lo, hi = np.quantile(finite, [0.5 - level / 2, 0.5 + level / 2])
    return Interval(estimate, float(lo), float(hi), level), reps


def resample(groups: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Resample each group of i.i.d. samples with replacement (a stratified bootstrap)."""
    return [g[rng.integers(0, len(g), size=len(g))] for g in groups]


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])


def slope_interval(
    x: Sequence[float],
    samples: Sequence[Sequence[float]],
    rng: np.random.Generator,
    n_boot: int = 1000,
    level: float = 0.95,
) -> tuple[Interval, np.ndarray]:
    """Slope of log(mean y) against log(x) with a bootstrap CI over the samples at each x.

    ``samples[k]`` holds the i.i.d. measurements at ``x[k]`` (one per seed); the bootstrap
    resamples seeds within each point, so the interval reflects Monte Carlo noise only.
    """
    groups = [np.asarray(s, float) for s in samples]
    xs = np.asarray(x, float)
    est = loglog_slope(xs, [g.mean() for g in groups])

    def one(r: np.random.Generator) -> float:
        means = [g.mean() for g in resample(groups, r)]
        if min(means) <= 0:
            return float("nan")
        return loglog_slope(xs, means)

    return bootstrap_interval(one, est, rng, n_boot=n_boot, level=level)


def ks_distance_normal(z: Sequence[float]) -> float:
    """Kolmogorov-Smirnov distance sup_t |F_n(t) - Phi(t)| of the samples to N(0, 1)."""
    return float(sps.kstest(np.asarray(z, float), "norm").statistic)


def dkw_epsilon(n: int, level: float = 0.95) -> float:
    """Dvoretzky-Kiefer-Wolfowitz band: P(sup |F_n - F| > eps) <= 1 - level."""
    return float(np.sqrt(np.log(2.0 / (1.0 - level)) / (2.0 * n)))


def difference_interval(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Interval:
    """Welch interval for E[b] - E[a] from two independent samples (normal quantile)."""
    va, vb = np.asarray(a, float), np.asarray(b, float)
    diff = float(vb.mean() - va.mean())
    if va.size < 2 or vb.size < 2:
        return Interval(diff, -np.inf, np.inf, level)
    se = float(np.sqrt(va.var(ddof=1) / va.size + vb.var(ddof=1) / vb.size))
    z = float(sps.norm.ppf(0.5 + level / 2))
    return Interval(diff, diff - z * se, diff + z * se, level)


def proportion_interval(successes: int, total: int, level: float = 0.95) -> Interval:
    """Clopper-Pearson (exact binomial) interval for a proportion."""
    if total <= 0:
        return Interval(float("nan"), 0.0, 1.0, level)
    alpha = 1.0 - level
    low = 0.0 if successes == 0 else float(sps.beta.ppf(alpha / 2, successes,
                                                          total - successes + 1))
    high = 1.0 if successes == total else float(sps.beta.ppf(1 - alpha / 2, successes + 1,
                                                               total - successes))
    return Interval(successes / total, low, high, level)


def fewest_trials(groups: Sequence[Sequence[float]]) -> int:
    """The smallest number of samples at any point (a bootstrap needs at least 2)."""
    return min((len(g) for g in groups), default=0)
