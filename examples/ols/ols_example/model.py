"""The model: x ~ N(0, I_p), y = x^T beta + sigma z, n samples, ordinary least squares.

The config is a frozen ``ModelConfig``: every parameter is declared once, with its range,
and validated whenever a config is built (by ``query``, by the claims' sweeps, or by hand).
"""

from __future__ import annotations

from dataclasses import dataclass

from theorycheck.params import ModelConfig, param


@dataclass(frozen=True, kw_only=True)
class OLSConfig(ModelConfig):
    n: int = param(100, kind="int", low=3, high=10**6, description="training samples")
    p: int = param(5, kind="int", low=1, high=1000, description="features")
    sigma: float = param(1.0, kind="float", low=0, high=1e6, low_open=True,
                         description="noise standard deviation")
    beta_norm: float = param(1.0, kind="float", low=0, high=1e6,
                             description="||beta|| (the excess risk does not depend on it)")

    def relations(self) -> None:
        if self.p > self.n:
            raise ValueError(f"p must be an integer in [1, n] = [1, {self.n}] (least squares "
                             f"needs p <= n), got {self.p}")
