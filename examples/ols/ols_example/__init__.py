"""A worked third-party theorycheck paper: the excess risk of ordinary least squares.

Everything a paper plugin provides, in six small modules:

- ``model``: the typed model config (one definition of every parameter and default);
- ``theory``: the result in sympy, evaluated numerically from the same expression;
- ``simulator``: a Monte Carlo of the model (numpy; a plugin needs no torch);
- ``claims``: what is checked (a value claim and an order claim along n);
- ``query``: the regime report;
- ``probes``: claim E1 tested regime by regime (``theorycheck probe``).

``PAPER`` below is what the entry point ``theorycheck.papers: ols`` (pyproject.toml) names.
"""

from theorycheck import Measurement, Paper

from . import claims, probes, query, simulator  # modules (``claims.claims`` is the function)
from .model import OLSConfig

PAPER = Paper(
    key="ols",
    title="ols: the excess risk of ordinary least squares (worked example plugin)",
    citation=("Textbook result: for x ~ N(0, I_p), y = x^T beta + sigma z and n > p + 1 "
              "samples, E||beta_hat - beta||^2 = sigma^2 p / (n - p - 1) (the mean of an "
              "inverse Wishart matrix, e.g. Anderson, An Introduction to Multivariate "
              "Statistical Analysis, 3rd ed., 2003, Lemma 7.7.1)."),
    claims=claims.claims,
    measurements=(Measurement(simulator.MEASUREMENT, simulator.simulate, version="1",
                              chunk=200),),
    query=query.query,
    query_parameters=(OLSConfig.parameters(),),
    probes=probes.probes,
)

__all__ = ["PAPER"]
