"""Monte Carlo of the model: each trial draws its own data from its seed and fits OLS.

The excess risk of an estimate b is exact, with no test set: E[(x^T (b - beta))^2] =
||b - beta||^2 for x ~ N(0, I_p). The measurement function takes (config, seed) requests and
returns one result dict per request; it knows nothing about the theory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .model import OLSConfig

MEASUREMENT = "ols"


def beta_of(config: OLSConfig) -> np.ndarray:
    """The target: beta_norm along the first axis."""
    beta = np.zeros(config.p)
    beta[0] = config.beta_norm
    return beta


def simulate(requests: Sequence[tuple[OLSConfig, int]], device: str) -> list[dict[str, Any]]:
    """One OLS fit per (config, seed); ``device`` is ignored (numpy on the CPU)."""
    out = []
    for config, seed in requests:
        rng = np.random.default_rng(seed)
        beta = beta_of(config)
        X = rng.standard_normal((config.n, config.p))
        y = X @ beta + config.sigma * rng.standard_normal(config.n)
        b, *_ = np.linalg.lstsq(X, y, rcond=None)
        out.append({"excess_risk": float(np.sum((b - beta) ** 2))})
    return out
