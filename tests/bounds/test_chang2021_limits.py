"""chang2021 queries at the edges of their declared ranges (issue 9).

- Sizes beyond the limits in the model configs are refused by name, and the largest
  accepted regimes are answered (how fast: ``benchmarks/bench_queries.py``, target 1 s on
  2 cores; speed goals live in benchmarks, not in timed tests).
- The linear designs' threshold search runs over the distinct (|m|, v, |beta|, scale)
  groups of coordinates (L1: 77, whatever p), with the same result as over every coordinate.
- The random-features covariance is kept as its spectrum (d eigenvalues plus mu_*^2 with
  multiplicity p - d), and its Monte Carlo draws do not depend on the basis an
  eigensolver picks inside that repeated eigenvalue (the cause of the BLAS-thread dependence,
  ``test_chang2021_threads.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from theorycheck.bounds.chang2021 import model, predictions, pruning
from theorycheck.bounds.chang2021.fixed_point import _surrogate
from theorycheck.bounds.chang2021.general import Spectrum, pruned_risk_general

import theorycheck

LARGEST = model.LARGEST_REGIMES


@pytest.mark.parametrize("params", LARGEST, ids=lambda p: "-".join(map(str, p.values())))
def test_largest_regimes_are_answered(params):
    predictions.clear_caches()
    rep = theorycheck.query("chang2021", **params)
    assert rep.to_dict()["params"]["p"] == params["p"]
    assert rep.predictions["kappa"] > 0


@pytest.mark.parametrize(("params", "message"), [
    ({"p": model.MAX_FEATURES + 1}, r"^p must be an integer in \[1, 100000\]"),
    ({"p": 10, "n": model.MAX_SAMPLES + 1}, r"^n must be an integer in \[1, 1e\+07\]"),
    ({"design": "rf", "p": model.MAX_NEURONS + 1}, r"^p must be an integer in \[1, 2500\]"),
    ({"design": "rf", "p": 10, "s": 5, "d": model.MAX_INPUT_DIM + 1},
     r"^d must be an integer in \[1, 300\]"),
    ({"design": "rf", "p": 500, "s": model.MAX_KEPT_NEURONS + 1},
     r"^s must be an integer in \[1, 100\]"),
])
def test_sizes_beyond_the_limits_are_refused_by_name(params, message):
    with pytest.raises(ValueError, match=message):
        theorycheck.query("chang2021", **params)


@pytest.mark.parametrize("rule", ["magnitude", "hessian"])
def test_grouped_threshold_equals_the_coordinatewise_one(rule):
    """Grouping coordinates (with signs folded) changes nothing but the cost."""
    cfg = model.LinearConfig(design="two_level", n=80, p=400, s=60, k=40, lam1=2.0, lam2=0.3)
    lam, beta, sig = cfg.design_arrays().model()
    beta = beta * np.where(np.arange(beta.size) % 3 == 0, -1.0, 1.0)  # mixed signs
    m, v, _ = _surrogate(lam, beta, sig, cfg.n, True)
    grouped = pruning._selection(lam, beta, m, v, cfg.s, rule)
    scale = model.score_weights(rule, lam)
    direct = pruning._threshold(m, v, beta, scale, np.ones(lam.size), cfg.s)
    assert pruning._groups(m, v, beta, scale)[2].size < lam.size // 5
    for a, b in zip(grouped, direct):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert grouped[0].sum() == pytest.approx(cfg.s, rel=1e-12)


def test_draws_do_not_depend_on_the_eigenbasis_of_a_repeated_eigenvalue():
    """Two eigenbases of one Sigma (rotated inside its repeated eigenvalue) give the same
    Monte Carlo risks. Drawing g in the eigenbasis, as before, gave different draws."""
    rng = np.random.default_rng(3)
    p, r, n = 60, 8, 30
    Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    lam = np.concatenate([rng.uniform(1.0, 3.0, r), np.full(p - r, 0.5)])
    rot, _ = np.linalg.qr(rng.standard_normal((p - r, p - r)))
    Q2 = Q.copy()
    Q2[:, r:] = Q[:, r:] @ rot  # another basis of the eigenvalue 0.5
    Sigma = (Q * lam) @ Q.T
    beta = rng.standard_normal(p) / math.sqrt(p)
    low_rank = [Spectrum(lam[:r], B[:, :r], 0.5, np.diag(Sigma).copy(), matrix=Sigma)
                for B in (Q, Q2)]
    full = [Spectrum(lam, B, 0.0, np.diag(Sigma).copy(), matrix=Sigma) for B in (Q, Q2)]
    for retrain, s in (("none", 20), ("fresh", 20), ("fresh", 40)):
        values = [pruned_risk_general(spec, beta, 0.3, n, s, retrain=retrain, n_mc=50)[0]
                  for spec in (*low_rank, *full)]
        np.testing.assert_allclose(values, values[0], rtol=1e-10)
