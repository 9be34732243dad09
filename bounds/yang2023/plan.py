"""``theorycheck.plan("yang2023", regime=..., constants=..., **fixed)``: the cheapest network
(smallest d, then n, then m) in which every D6 condition and the requested regime hold.

The D6 conditions (``conditions``, named constants with their defaults) tie the sizes
together: the dimension condition p d >= C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d asks for d
to grow with n, and n, m >= C_4 log(d)^kappa_nm ask for n and m to grow with d. The planner
takes the smallest n and m the polylog conditions allow at the smallest d the dimension
condition allows, and repeats until both hold (a fixed point: d grows with n only through
n^alpha_dn, n with d only through log d). Then:

- ``mild``: m p >= C_1 log(K d) (m grows if needed);
- ``over-pruned``: K m p <= C_over, with p = C_over / (K m) unless p is fixed;
- ``in-between``: C_over < K m p < K C_1 log(K d), with p at the geometric middle;
- mu = ``benign_factor`` times the critical signal strength of the benign condition D5,
  mu_crit = (C_2 / n)^(1/q) sigma_n sqrt(p d) (the planner keeps every regime benign, so
  that an over-pruned network is over-pruned by its masks, not by a weak signal);
- eta and sigma_0 at the D6 bounds (the model's defaults), unless fixed;
- ``draws="wishart"`` for an over-pruned network with sparse signals and Bernoulli masks
  (K m p <= C_over keeps most coordinates in no filter's mask or in one: its statistics are
  drawn by their law in seconds, where streaming its d of about 4e8 coordinates would take a
  CPU about 15 minutes), ``"coordinates"`` otherwise, unless fixed.

Every parameter given in ``fixed`` is kept as it is; a regime they make impossible raises a
ValueError that names the failing condition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from theorycheck.params import Param
from theorycheck.regime import RegimeReport

from .model import NetworkConfig
from .query import query
from .symbols import CONSTANT_DEFAULTS, resolve_constants

REGIMES = ("mild", "in-between", "over-pruned")
BENIGN_FACTOR = 2.0
"""mu is planned at this many times the benign condition's critical signal strength."""
MAX_ROUNDS = 100
OPTIONS = (Param("regime", "choice", choices=REGIMES),
           Param("benign_factor", "float", low=0, high=1e6, low_open=True))
"""The planner's own parameters, validated like the model's."""


def size(name: str, value: float) -> int:
    """``value`` rounded up as the size ``name`` (d, n or m); OverflowError naming it when
    the value lies beyond the parameter's range (or is not finite)."""
    if not value <= NetworkConfig.parameter(name).high:
        raise OverflowError(name)
    return math.ceil(value)


def smallest_d(p: float, n: int, m: int, c: Mapping[str, float], d_min: int = 3) -> int:
    """The smallest d >= d_min with p d >= C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d (the
    right side grows as a power of log d: the iteration d <- rhs(d) / p converges)."""
    scale = c["C_3"] * m ** c["alpha_dm"] * n ** c["alpha_dn"] / p
    d = float(max(d_min, 3))
    for _ in range(MAX_ROUNDS):
        nxt = max(float(d_min), scale * math.log(d) ** c["kappa_d"])
        if abs(nxt - d) <= 0.5:
            break
        d = nxt
    d = max(d_min, size("d", d))
    while d < scale * math.log(d) ** c["kappa_d"]:  # against rounding in the iteration
        d += 1
    return d


def polylog_floor(d: float, c: Mapping[str, float], name: str = "n") -> int:
    """The smallest n (or m, by ``name``) with n >= C_4 log(d)^kappa_nm."""
    return max(1, size(name, c["C_4"] * math.log(d) ** c["kappa_nm"] - 1e-12))


def _sizes(regime: str, fixed: Mapping[str, Any], c: Mapping[str, float]
           ) -> tuple[int, int, int, float]:
    """(d, n, m, p) of the cheapest network in the regime (see the module doc)."""
    K = int(fixed.get("K", NetworkConfig.parameter("K").default))
    n, m = int(fixed.get("n", 1)), int(fixed.get("m", 1))
    p = float(fixed.get("p", 1.0))
    d = int(fixed.get("d", 3))
    for _ in range(MAX_ROUNDS):
        if "p" not in fixed:
            if regime == "over-pruned":
                p = min(1.0, c["C_over"] / (K * m))
            elif regime == "in-between":
                low = c["C_over"] / (K * m)
                high = min(1.0, c["C_1"] * math.log(K * d) / m)
                p = math.sqrt(low * high) if low < high else high
        new_d = d if "d" in fixed else smallest_d(p, n, m, c)
        new_n = n if "n" in fixed else max(n, polylog_floor(new_d, c))
        new_m = m if "m" in fixed else max(m, polylog_floor(new_d, c, "m"))
        if regime == "mild" and "m" not in fixed:
            new_m = max(new_m, size("m", c["C_1"] * math.log(K * new_d) / p - 1e-12))
        if (new_d, new_n, new_m) == (d, n, m):
            return d, n, m, p
        d, n, m = new_d, new_n, new_m
    raise ValueError(f"the planner did not settle for regime {regime!r} with {dict(fixed)}")


def plan(regime: str = "mild", constants: Mapping[str, float] | None = None,
         benign_factor: float = BENIGN_FACTOR, estimate: bool = False,
         device: str = "cpu", **fixed: Any) -> RegimeReport:
    """The regime report of the cheapest network in ``regime`` inside the D6 conditions.

    ``fixed`` parameters (any of the model's: K, m, n, d, p, mu, sigma_0, sigma_n, q, eta,
    ...) are kept. With ``estimate``, the report's ``estimated_seconds`` is the run time of
    one network on ``device``, measured on this machine: one block of each streaming pass
    and a few training steps, timed and scaled to the network's blocks and step limit.
    Raises ValueError naming a condition that cannot hold with the fixed parameters.
    """
    regime, benign_factor = (spec.check(v) for spec, v in zip(OPTIONS, (regime, benign_factor)))
    named = {k: fixed.pop(k) for k in list(fixed) if k in CONSTANT_DEFAULTS}
    constants = {**(constants or {}), **named} or None
    c = resolve_constants(constants)
    fixed = NetworkConfig.checked(fixed)  # the validation of query and of every config
    given = {**fixed, **({} if benign_factor == BENIGN_FACTOR
                         else {"benign_factor": benign_factor}), **(constants or {})}
    try:
        d, n, m, p = _sizes(regime, fixed, c)
    except OverflowError as err:
        name = err.args[0] if err.args and err.args[0] in ("d", "n", "m") else "d"
        raise ValueError(f"{name} must be {NetworkConfig.parameter(name).allowed()}: the "
                         f"{regime} network inside the D6 conditions with {given} would need "
                         "more") from None
    q = int(fixed.get("q", NetworkConfig.parameter("q").default))
    sigma_n = float(fixed.get("sigma_n", NetworkConfig.parameter("sigma_n").default))
    mu = float(fixed.get("mu", benign_factor * (c["C_2"] / n) ** (1 / q) * sigma_n
                         * math.sqrt(p * d)))
    config = NetworkConfig(**{**fixed, "d": d, "n": n, "m": m, "p": p, "mu": mu})
    if "draws" not in fixed and regime == "over-pruned" and config.wishart_refusal() is None:
        config = config.replace(draws="wishart")
    draws = config.draws
    eta, sigma_0 = config.d6_bounds(constants)
    config = config.replace(eta=fixed.get("eta", eta), sigma_0=fixed.get("sigma_0", sigma_0))
    report = query(**{k: getattr(config, k) for k in ("K", "m", "n", "d", "p", "mu",
                                                      "sigma_0", "sigma_n", "q", "eta")},
                   constants=constants)
    failed = [cond.name for cond in report.conditions if not cond.holds
              and cond.name not in ("over_pruning", "mild_pruning", "benign_dense")]
    if failed or report.regime != regime:
        raise ValueError(f"no {regime} network inside the D6 conditions with {given}: "
                         f"{failed or ['regime is ' + report.regime]} fail")
    report.notes.insert(0, f"plan: the cheapest {regime} network inside the D6 conditions "
                           f"(smallest d, then n, m); mu = {benign_factor:g} mu_crit; eta and "
                           f"sigma_0 at the D6 bounds unless fixed; draws = {draws}")
    report.params = config.to_dict()
    if estimate:
        from .measurements import estimate_seconds

        report.estimated_seconds = estimate_seconds(config, device)
    return report


def plan_path(decades: float, regime: str = "mild", constants: Mapping[str, float] | None = None,
              **fixed: Any) -> RegimeReport:
    """The cheapest network from which d can grow ``decades`` decades with every D6 condition
    and the regime still holding (n and m large enough for the polylog and pruning
    conditions at the path's end, with the same p): its report, at the path's start."""
    c = resolve_constants(constants)
    K = int(fixed.get("K", NetworkConfig.parameter("K").default))
    start = plan(regime, constants, **fixed)
    for _ in range(MAX_ROUNDS):
        d_end = start.params["d"] * 10**decades
        p = start.params["p"]
        n = max(start.params["n"], polylog_floor(d_end, c))
        m = max(start.params["m"], polylog_floor(d_end, c, "m"))
        if regime == "mild":
            m = max(m, size("m", c["C_1"] * math.log(K * d_end) / p - 1e-12))
        if (n, m) == (start.params["n"], start.params["m"]):
            return start
        start = plan(regime, constants, **{**fixed, "n": n, "m": m, "p": p})
    raise ValueError(f"no {regime} path of {decades} decades in d settles with {dict(fixed)}")
