"""What the two-layer simulator reads of a network: a ``NetworkSpec`` (duck-typed; the paper
plugin's typed config, which holds the one definition of every default and of the step size).

Symbols: K classes, m filters per class, n training samples, d patch dimension,
p = probability that a weight is KEPT, mu = ||mu_k||, init_scale sigma_0 the initialization
scale, sigma_n the noise scale, q the activation power (act(z) = max(0, z)^q), step_size the
GD step eta, steps the step limit T, epsilon the target training loss; n_test and test: how
the test error is measured (``measurements``).
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
    sigma_n: float
    q: int
    steps: int
    epsilon: float
    signal: str  # "sparse" | "dense"
    mask: str  # "bernoulli" | "exact"
    n_test: int  # Gaussian draws (test="gaussian") or streamed test samples ("sampled")
    test: str  # "gaussian" | "sampled" | "none"
    dtype: str  # "float32" | "float64"
    draws: str  # "coordinates" (streamed, block by block) | "wishart" (statistics by their law)

    @property
    def step_size(self) -> float: ...  # the GD step eta

    @property
    def init_scale(self) -> float: ...  # sigma_0


def shape_key(spec: NetworkSpec) -> tuple:
    """The fields that fix the coefficient trainer's tensor shapes: networks sharing it train
    as one batch (everything else, d, p, the data model and the scales included, may differ
    within a batch; networks drawn from one stream also share their passes)."""
    return (spec.K, spec.m, spec.n, spec.q, spec.dtype)


def realized_key(spec: NetworkSpec) -> tuple:
    """What networks realized as whole tensors (the reference trainer) must share."""
    return (*shape_key(spec), spec.d, spec.signal, spec.mask, spec.n_test)
