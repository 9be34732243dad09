"""Paper ``chang2021``: its claims and query (``bounds.chang2021``) and the measurements
that run its simulators (``simulations.least_squares``, ``simulations.random_features``).

A measurement receives the same configuration dicts as the claims' predictions and builds
the regime from the one definition in ``bounds.chang2021.designs``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from bounds.chang2021.claims import claims
from bounds.chang2021.designs import random_features
from bounds.chang2021.predictions import design_of
from bounds.chang2021.query import query
from theorycheck.registry import PaperSpec, Request, measurement


def by_config(requests: Sequence[Request]) -> dict[str, list[int]]:
    """Request indices grouped by configuration (one simulator call per configuration)."""
    groups: dict[str, list[int]] = {}
    for i, (cfg, _) in enumerate(requests):
        groups.setdefault(json.dumps(dict(cfg), sort_keys=True), []).append(i)
    return groups


@measurement("chang2021.linear", version="1", chunk=40)
def linear(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Min-norm least squares, pruning, retraining and the small model in a linear design.

    ``estimates`` in the configuration (a count) also returns that many entries of beta_hat
    at evenly spaced indices (``index``, ``beta_hat``) for the distributional check.
    """
    from simulations.least_squares import simulate_linear

    out: list[dict[str, Any]] = [{} for _ in requests]
    for key, idx in by_config(requests).items():
        cfg = json.loads(key)
        d = design_of(cfg)
        keep = int(cfg.get("estimates", 0))
        res = simulate_linear(d.lam, d.beta, d.sigma, d.n, d.p, d.s,
                              [requests[i][1] for i in idx], device=device,
                              return_estimates=keep > 0)
        index = np.unique(np.linspace(0, d.p - 1, keep).round().astype(int)).tolist()
        for i, r in zip(idx, res):
            if keep:
                r["beta_hat"] = [r["beta_hat"][j] for j in index]
                r["index"] = index
            out[i] = r
    return out


@measurement("chang2021.random_features", version="1", chunk=24)
def random_features_model(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Random-features regression (R, theta from ``bounds.chang2021.designs``), min-norm fit,
    neuron pruning by magnitude, retraining, and the s-neuron model."""
    from simulations.random_features import simulate_random_features

    out: list[dict[str, Any]] = [{} for _ in requests]
    for key, idx in by_config(requests).items():
        cfg = json.loads(key)
        R, theta = random_features(cfg["d"], cfg["p"], cfg["theta_norm"], cfg["feature_seed"])
        res = simulate_random_features(R, theta, cfg["n"], cfg["s"], cfg["sigma"],
                                       [requests[i][1] for i in idx], device=device)
        for i, r in zip(idx, res):
            out[i] = r
    return out


PAPER = PaperSpec(
    key="chang2021",
    title="chang2021: train large, then prune (min-norm least squares, random features)",
    citation=("Chang, Li, Oymak, Thrampoulidis, \"Provable Benefits of Overparameterization in "
              "Model Compression: From Double Descent to Pruning Neural Networks\", AAAI 2021, "
              "arXiv 2012.08749. Only the abstract is available to this project: claims "
              "tagged `paper` paraphrase it; `derived` formulas are ours "
              "(docs/derivations/chang2021.md)."),
    claims=claims,
    query=query,
)
