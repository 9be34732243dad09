"""What the two-layer simulator reads of a network: a ``NetworkSpec`` (duck-typed; the paper
plugin's typed config, which holds the one definition of every default and of the step size).

Symbols: K classes, m filters per class, n training samples, d patch dimension,
p = probability that a weight is KEPT, mu = ||mu_k||, sigma_0 the initialization scale,
sigma_n the noise scale, q the activation power (act(z) = max(0, z)^q), step_size the GD
step eta, steps the step limit T, epsilon the target training loss.
"""

from __future__ import annotations

from typing import Protocol


class NetworkSpec(Protocol):
    K: int
    m: int
    n: int
    d: int
    p: float
    mu: float
    sigma_0: float
    sigma_n: float
    q: int
    steps: int
    epsilon: float
    signal: str  # "sparse" | "dense"
    mask: str  # "bernoulli" | "exact"
    n_test: int
    dtype: str  # "float32" | "float64"

    @property
    def step_size(self) -> float: ...


def shape_key(spec: NetworkSpec) -> tuple:
    """The fields that fix tensor shapes or code paths: networks sharing it train as one
    batch (p, mu, sigma_0, sigma_n, eta, epsilon and steps may differ within a batch)."""
    return (spec.K, spec.m, spec.n, spec.d, spec.q, spec.signal, spec.mask, spec.n_test,
            spec.dtype)
