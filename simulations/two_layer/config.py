"""Configuration of one randomly pruned two-layer CNN run (paper key ``yang2023``).

Symbols: K classes, m filters per class, n training samples, d patch dimension,
p = probability that a weight is KEPT (the pruning fraction is 1 - p), mu = ||mu_k||,
sigma_0 the initialization scale, sigma_n the noise scale, q the activation power
(act(z) = max(0, z)^q), eta the gradient-descent step.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

SIGNAL_KINDS = ("sparse", "dense")
MASK_KINDS = ("bernoulli", "exact")
DTYPES = ("float32", "float64")


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_float(name: str, value: Any, *, low: float, low_open: bool, high: float = math.inf,
                 high_open: bool = True) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = not math.isnan(value) and math.isfinite(value)
        ok = ok and (value > low if low_open else value >= low)
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be a finite number in {left}{low}, {high}{right}, "
                         f"got {value!r}")


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class NetworkConfig:
    """One network of the model; every field is validated on construction.

    ``eta=None`` selects the default step eta = 0.5 m / max(mu^2, sigma_n^2 p d).
    ``steps`` is the maximum number of GD steps T; training of a network stops early once its
    training loss is <= ``epsilon``.
    """

    K: int = 3
    m: int = 20
    n: int = 60
    d: int = 1000
    p: float = 0.5
    mu: float = 10.0
    sigma_0: float = 0.01
    sigma_n: float = 1.0
    q: int = 3
    eta: float | None = None
    steps: int = 3000
    epsilon: float = 1e-3
    signal: str = "sparse"
    mask: str = "bernoulli"
    n_test: int = 1000
    dtype: str = "float32"

    def __post_init__(self) -> None:
        _check_int("K", self.K, 2)
        for name in ("m", "n", "d", "q", "n_test"):
            _check_int(name, getattr(self, name), 1)
        _check_int("steps", self.steps, 0)
        if self.K > self.d:
            raise ValueError(f"K must be <= d (orthogonal signals), got K={self.K}, d={self.d}")
        _check_float("p", self.p, low=0.0, low_open=True, high=1.0, high_open=False)
        for name in ("mu", "sigma_0", "sigma_n"):
            _check_float(name, getattr(self, name), low=0.0, low_open=True)
        if self.eta is not None:
            _check_float("eta", self.eta, low=0.0, low_open=True)
        _check_float("epsilon", self.epsilon, low=0.0, low_open=False)
        _check_choice("signal", self.signal, SIGNAL_KINDS)
        _check_choice("mask", self.mask, MASK_KINDS)
        _check_choice("dtype", self.dtype, DTYPES)

    @property
    def step_size(self) -> float:
        """The GD step eta actually used (the default when ``eta`` is None)."""
        if self.eta is not None:
            return float(self.eta)
        return 0.5 * self.m / max(self.mu**2, self.sigma_n**2 * self.p * self.d)

    def shape_key(self) -> tuple:
        """Fields that fix tensor shapes or code paths: configs sharing it train as one batch."""
        return (self.K, self.m, self.n, self.d, self.q, self.signal, self.mask, self.n_test,
                self.dtype)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields, with the resolved step under ``eta``."""
        out = asdict(self)
        out["eta"] = self.step_size
        return out
