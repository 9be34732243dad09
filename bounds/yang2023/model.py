"""The model of ``yang2023``, one typed config: a randomly pruned two-layer CNN on
signal-plus-noise data. Every default, the step size and the derived quantities are defined
here once and read by the theory, the claims and the simulator alike.

Symbols: K classes, m filters per class, n training samples, d patch dimension, p the
probability that a weight is KEPT (pruning fraction 1 - p), mu = ||mu_k||, sigma_0 the
initialization scale, sigma_n the noise scale, q the activation power (act(z) = max(0, z)^q),
eta the gradient-descent step, T = ``steps`` the step limit, epsilon the target training loss.
"""

from __future__ import annotations

from dataclasses import dataclass

from theorycheck.params import ModelConfig, param

SIGNAL_KINDS = ("sparse", "dense")
MASK_KINDS = ("bernoulli", "exact")
DTYPES = ("float32", "float64")
THEORY_KEYS = ("K", "m", "n", "d", "p", "mu", "sigma_0", "sigma_n", "q", "eta")
MAX_D = 10**9  # the streaming simulator's memory does not grow with d; sizes beyond are refused
MAX_COUNT = 10**5  # K, m, n: the per-step cost grows as K m (K + n)^2


@dataclass(frozen=True, kw_only=True)
class NetworkConfig(ModelConfig):
    """One network of the model; every field is validated on construction.

    ``eta`` defaults to :meth:`default_step`; ``steps`` is the maximum number of GD steps T,
    and training stops early once the training loss is <= ``epsilon``.
    """

    K: int = param(3, kind="int", low=2, high=MAX_COUNT, description="classes")
    m: int = param(20, kind="int", low=1, high=MAX_COUNT, description="filters per class")
    n: int = param(60, kind="int", low=1, high=MAX_COUNT, description="training samples")
    d: int = param(1000, kind="int", low=2, high=MAX_D, description="patch dimension")
    p: float = param(0.5, kind="float", low=0, high=1, low_open=True,
                     description="probability a weight is KEPT (pruning fraction 1 - p)")
    mu: float = param(10.0, kind="float", low=1e-100, high=1e12,  # mu^2 > 0 in the step
                      description="signal norm ||mu||")
    sigma_0: float = param(0.01, kind="float", low=0, high=1e6, low_open=True,
                           description="initialization scale")
    sigma_n: float = param(1.0, kind="float", low=0, high=1e6, low_open=True,
                           description="noise level")
    q: int = param(3, kind="int", low=1, high=10,
                   description="activation power, act(z) = max(0, z)^q")
    eta: float | None = param(None, kind="float", low=0, high=1e12, low_open=True,
                              optional=True, description="GD step (default: default_step)")
    steps: int = param(3000, kind="int", low=0, high=10**7, description="step limit T")
    epsilon: float = param(1e-3, kind="float", low=0, high=10,
                           description="target training loss (0: run all T steps)")
    signal: str = param("sparse", kind="choice", choices=SIGNAL_KINDS,
                        description="sparse (mu_k = ||mu|| e_k) or dense signals")
    mask: str = param("bernoulli", kind="choice", choices=MASK_KINDS,
                      description="i.i.d. Bernoulli(p) masks or exactly round(p d) kept")
    n_test: int = param(1000, kind="int", low=1, high=10**7, description="test samples")
    dtype: str = param("float32", kind="choice", choices=DTYPES,
                       description="working dtype of the simulator")

    def relations(self) -> None:
        if self.K > self.d:
            raise ValueError(f"K must be an integer in [2, d] = [2, {self.d}] (orthogonal "
                             f"signals), got {self.K}")

    def default_step(self) -> float:
        """eta = 0.5 m / max(mu^2, sigma_n^2 p d) (the paper file's simulation notes)."""
        return 0.5 * self.m / max(self.mu**2, self.sigma_n**2 * self.p * self.d)

    @property
    def step_size(self) -> float:
        """The GD step eta: the given one, else :meth:`default_step` (re-derived whenever
        the parameters it depends on change, e.g. through ``replace``)."""
        return float(self.eta) if self.eta is not None else self.default_step()

    def to_dict(self) -> dict[str, object]:
        """The fields, with the step actually used under ``eta``."""
        return super().to_dict() | {"eta": self.step_size}

    @property
    def chance_level(self) -> float:
        """The test error of random guessing over K classes: 1 - 1/K."""
        return 1.0 - 1.0 / self.K

    @property
    def pruning_fraction(self) -> float:
        return 1.0 - self.p

    def theory_params(self) -> dict[str, float]:
        """The regime parameters the theory reads, as floats."""
        return {k: float(self.step_size if k == "eta" else getattr(self, k))
                for k in THEORY_KEYS}
