"""The measurements of ``chang2021``: its claims' configs run through the simulators.

Each measurement receives (config, seed) requests whose configs are this paper's typed
models (``model.LinearConfig``, ``model.RandomFeaturesConfig``), groups them by config and
runs the simulator once per config. The simulators are imported when a measurement runs, so
importing the paper (e.g. for ``query``) never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from theorycheck.paper import Measurement, Request

from .model import LinearConfig, RandomFeaturesConfig

LINEAR, RANDOM_FEATURES = "linear", "random_features"


def by_config(requests: Sequence[Request]) -> dict[Any, list[int]]:
    """Request indices grouped by configuration (one simulator call per configuration)."""
    groups: dict[Any, list[int]] = {}
    for i, (cfg, _) in enumerate(requests):
        groups.setdefault(cfg, []).append(i)
    return groups


def linear(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Min-norm least squares, pruning, retraining and the small model in a linear design.

    A config with ``estimates`` > 0 also returns that many entries of beta_hat at evenly
    spaced indices (``index``, ``beta_hat``) for the distributional check.
    """
    from theorycheck.simulations.least_squares import simulate_linear

    out: list[dict[str, Any]] = [{} for _ in requests]
    for cfg, idx in by_config(requests).items():
        if not isinstance(cfg, LinearConfig):
            raise TypeError(f"measurement {LINEAR!r} needs a LinearConfig, got {cfg!r}")
        keep = cfg.estimates
        res = simulate_linear(cfg.design_arrays(), [requests[i][1] for i in idx],
                              device=device, return_estimates=keep > 0)
        index = np.unique(np.linspace(0, cfg.p - 1, keep).round().astype(int)).tolist()
        for i, r in zip(idx, res):
            if keep:
                r["beta_hat"] = [r["beta_hat"][j] for j in index]
                r["index"] = index
            out[i] = r
    return out


def random_features(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Random-features regression, min-norm fit, neuron pruning by magnitude, retraining
    and the s-neuron model."""
    from theorycheck.simulations.random_features import simulate_random_features

    out: list[dict[str, Any]] = [{} for _ in requests]
    for cfg, idx in by_config(requests).items():
        if not isinstance(cfg, RandomFeaturesConfig):
            raise TypeError(f"measurement {RANDOM_FEATURES!r} needs a RandomFeaturesConfig, "
                            f"got {cfg!r}")
        res = simulate_random_features(cfg, [requests[i][1] for i in idx], device=device)
        for i, r in zip(idx, res):
            out[i] = r
    return out


MEASUREMENTS = (Measurement(LINEAR, linear, version="3", chunk=40),
                Measurement(RANDOM_FEATURES, random_features, version="3", chunk=24))
