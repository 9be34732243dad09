"""The model of ``yang2023``, one typed config: a randomly pruned two-layer CNN on
signal-plus-noise data. Every default, the step size and the derived quantities are defined
here once and read by the theory, the claims and the simulator alike.

Symbols: K classes, m filters per class, n training samples, d patch dimension, p the
probability that a weight is KEPT (pruning fraction 1 - p), mu = ||mu_k||, sigma_0 the
initialization scale, sigma_n the noise scale, q the activation power (act(z) = max(0, z)^q),
eta the gradient-descent step, T = ``steps`` the step limit, epsilon the target training loss.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from theorycheck.params import ModelConfig, param

SIGNAL_KINDS = ("sparse", "dense")
MASK_KINDS = ("bernoulli", "exact")
DTYPES = ("float32", "float64")
TEST_KINDS = ("gaussian", "sampled", "none")
DRAW_KINDS = ("coordinates", "wishart")
THEORY_KEYS = ("K", "m", "n", "d", "p", "mu", "sigma_0", "sigma_n", "q", "eta")
LOG_MAX = math.log(sys.float_info.max)
MAX_D = 10**9  # the streaming simulator's memory does not grow with d; sizes beyond are refused
MAX_COUNT = 10**5  # K, m, n: the per-step cost grows as K m (K + n)^2


@dataclass(frozen=True, kw_only=True)
class NetworkConfig(ModelConfig):
    """One network of the model; every field is validated on construction.

    ``eta`` and ``sigma_0`` default to the largest values the theorem's conditions (D6, with
    the named constants at their defaults) allow: eta = min(mu^-2, (sigma_n^2 p d)^-1) / C_5
    and sigma_0 = min((sigma_n sqrt(p d))^-1, mu^-1) / C_6 (:meth:`d6_bounds`); a default
    follows the parameters it depends on (also through ``replace``). ``steps`` is the
    maximum number of GD steps T; training stops early once the training loss is
    <= ``epsilon``.
    """

    K: int = param(3, kind="int", low=2, high=MAX_COUNT, description="classes")
    m: int = param(20, kind="int", low=1, high=MAX_COUNT, description="filters per class")
    n: int = param(60, kind="int", low=1, high=MAX_COUNT, description="training samples")
    d: int = param(1000, kind="int", low=2, high=MAX_D, description="patch dimension")
    p: float = param(0.5, kind="float", low=0, high=1, low_open=True,
                     description="probability a weight is KEPT (pruning fraction 1 - p)")
    mu: float = param(10.0, kind="float", low=1e-100, high=1e12,  # mu^2 > 0 in the step
                      description="signal norm ||mu||")
    sigma_0: float | None = param(None, kind="float", low=0, high=1e6, low_open=True,
                                  optional=True,
                                  description="initialization scale (default: the D6 bound)")
    sigma_n: float = param(1.0, kind="float", low=0, high=1e6, low_open=True,
                           description="noise level")
    q: int = param(3, kind="int", low=1, high=10,
                   description="activation power, act(z) = max(0, z)^q")
    eta: float | None = param(None, kind="float", low=0, high=1e300, low_open=True,
                              optional=True, description="GD step (default: the D6 bound)")
    steps: int = param(3000, kind="int", low=0, high=10**7, description="step limit T")
    epsilon: float = param(1e-3, kind="float", low=0, high=10,
                           description="target training loss (0: run all T steps)")
    signal: str = param("sparse", kind="choice", choices=SIGNAL_KINDS,
                        description="sparse (mu_k = ||mu|| e_k) or dense signals")
    mask: str = param("bernoulli", kind="choice", choices=MASK_KINDS,
                      description="i.i.d. Bernoulli(p) masks or exactly round(p d) kept")
    n_test: int = param(10_000, kind="int", low=1, high=10**6,
                        description="test draws: Gaussian samples of a fresh input's noise "
                        "parts (test=gaussian) or streamed test inputs (test=sampled)")
    test: str = param("gaussian", kind="choice", choices=TEST_KINDS,
                      description="test error from the exact Gaussian law of a fresh "
                      "sample's noise parts, from a streamed test set, or not measured (no "
                      "second pass over the coordinates)")
    dtype: str = param("float32", kind="choice", choices=DTYPES,
                       description="working dtype of the simulator")
    draws: str = param("coordinates", kind="choice", choices=DRAW_KINDS,
                       description="coordinates: every coordinate drawn, streamed block by "
                       "block (time grows with d); wishart: the statistics drawn from their "
                       "exact joint law, one Wishart matrix per mask pattern (time does not "
                       "grow with d; sparse signals, Bernoulli masks, Gaussian test only)")

    def relations(self) -> None:
        if self.K > self.d:
            raise ValueError(f"K must be an integer in [2, d] = [2, {self.d}] (orthogonal "
                             f"signals), got {self.K}")
        refusal = self.wishart_refusal()
        if self.draws == "wishart" and refusal:
            raise ValueError(refusal)

    def wishart_refusal(self) -> str | None:
        """Why this network's statistics cannot be drawn by their law (``draws="wishart"``
        needs independent coordinates and no coordinates of a test set); None if they can."""
        for name, needed in (("signal", "sparse"), ("mask", "bernoulli")):
            if getattr(self, name) != needed:
                return (f"{name} must be {needed!r} with draws='wishart', got "
                        f"{getattr(self, name)!r}")
        if self.test == "sampled":
            return ("test must be 'gaussian' or 'none' with draws='wishart' (no coordinates "
                    "for a streamed test set), got 'sampled'")
        return None

    def d6_bounds(self, constants: Mapping[str, float] | None = None) -> tuple[float, float]:
        """(largest eta, largest sigma_0) that the D6 conditions ``eta_small`` and
        ``sigma0_small`` allow here, with the named ``constants`` (defaults otherwise).
        Evaluated in log space (``conditions.log_form``): inf where a bound lies beyond the
        float64 range (at sigma_n = 1e-300, say), never a division by zero."""
        from .conditions import ETA_SMALL, SIGMA0_SMALL, evaluate_numeric, log_form

        params = {k: float(getattr(self, k)) for k in ("K", "m", "n", "d", "p", "mu",
                                                        "sigma_n", "q")}
        logs = (evaluate_numeric(log_form(c.rhs), params, constants)
                for c in (ETA_SMALL, SIGMA0_SMALL))
        eta, sigma_0 = (math.exp(x) if x < LOG_MAX else math.inf for x in logs)
        return eta, sigma_0

    @cached_property
    def _d6_defaults(self) -> tuple[float, float]:
        return self.d6_bounds()

    @property
    def step_size(self) -> float:
        """The GD step eta: the given one, else the D6 bound."""
        return float(self.eta) if self.eta is not None else self._d6_defaults[0]

    @property
    def init_scale(self) -> float:
        """The initialization scale sigma_0: the given one, else the D6 bound."""
        return float(self.sigma_0) if self.sigma_0 is not None else self._d6_defaults[1]

    def to_dict(self) -> dict[str, object]:
        """The fields, with the step and initialization scale actually used."""
        return super().to_dict() | {"eta": self.step_size, "sigma_0": self.init_scale}

    @property
    def chance_level(self) -> float:
        """The test error of random guessing over K classes: 1 - 1/K."""
        return 1.0 - 1.0 / self.K

    @property
    def pruning_fraction(self) -> float:
        return 1.0 - self.p

    def theory_params(self) -> dict[str, float]:
        """The regime parameters the theory reads, as floats."""
        resolved = {"eta": self.step_size, "sigma_0": self.init_scale}
        return {k: float(resolved.get(k, getattr(self, k))) for k in THEORY_KEYS}


def canonical(config: NetworkConfig) -> dict[str, object]:
    """The representative of ``config`` under the model's exact scale invariance.

    The network F_j(x) = sum_r sigma(<w_(j,r), x>) trained by GD on the logistic loss is
    unchanged (outputs, losses, test errors and the coefficients relative to the data scale)
    under x -> c x, w -> w / c, i.e. mu -> c mu, sigma_n -> c sigma_n, sigma_0 -> sigma_0 / c,
    eta -> eta / c^2 (the gradient in w scales by c). The representative takes c = 1 /
    sigma_n: sigma_n = 1, mu / sigma_n, sigma_0 sigma_n, eta sigma_n^2, every other field as
    it is (floats to 10 significant digits, so that rescaled copies meet despite rounding).
    Points with one canonical form and the same seeds are one experiment (the checker shows
    and counts them once)."""
    out = config.to_dict()
    scale = float(out["sigma_n"])  # type: ignore[arg-type]
    out.update(mu=float(out["mu"]) / scale, sigma_n=1.0,  # type: ignore[arg-type]
               sigma_0=float(out["sigma_0"]) * scale,  # type: ignore[arg-type]
               eta=float(out["eta"]) * scale ** 2)  # type: ignore[arg-type]
    return {k: float(f"{v:.10g}") if isinstance(v, float) else v for k, v in out.items()}
