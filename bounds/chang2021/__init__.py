"""Paper ``chang2021`` (Chang, Li, Oymak, Thrampoulidis, AAAI 2021): train large, then prune.

A theorycheck paper plugin (entry point ``theorycheck.papers: chang2021``):

- ``model``: the typed configs (linear designs, random features) with every default,
  rule, score and kernel defined once;
- the derived theory: ``fixed_point``, ``pruning``, ``general``, ``random_features``,
  ``closed_forms`` (sympy) and ``predictions``;
- ``claims`` (C1-C9), ``query``, ``budgets`` and ``measurements`` (the simulators, imported
  only when a measurement runs);
- ``probes``: where the derived pruned-risk formula (C3) stops matching Monte Carlo.

All formulas are derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorems, except the isotropic excess risk (Hastie, Montanari, Rosset, Tibshirani 2019, Thm 1).
"""

from theorycheck.paper import Paper

from . import claims, measurements, probes, query

PAPER = Paper(
    key="chang2021",
    title="chang2021: train large, then prune (min-norm least squares, random features)",
    citation=("Chang, Li, Oymak, Thrampoulidis, \"Provable Benefits of Overparameterization in "
              "Model Compression: From Double Descent to Pruning Neural Networks\", AAAI 2021, "
              "arXiv 2012.08749. Only the abstract is available to this project: claims "
              "tagged `paper` paraphrase it; `derived` formulas are ours "
              "(docs/derivations/chang2021.md)."),
    claims=claims.claims,
    measurements=measurements.MEASUREMENTS,
    query=query.query,
    query_parameters=query.PARAMETERS,
    probes=probes.probes,
)

__all__ = ["PAPER"]
