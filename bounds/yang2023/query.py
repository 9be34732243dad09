"""``theorycheck.query("yang2023", ...)``: conditions, regime and predicted orders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from theorycheck.params import Param
from theorycheck.regime import ConditionReport, RegimeReport

from .conditions import CONDITIONS, THEOREM_CONDITIONS, classify, expected_dead_classes
from .model import THEORY_KEYS, NetworkConfig
from .orders import ORDERS, exponent, predicted
from .symbols import CONSTANT_DEFAULTS, resolve_constants
from .symbols import q as q_symbol

PARAMETERS: tuple[tuple[Param, ...], ...] = (
    tuple(NetworkConfig.parameter(k) for k in THEORY_KEYS),)
"""What ``query`` accepts: the regime parameters of the network config."""
ORDER_PARAMS = {"gamma_off_max": ("sigma_0", "mu"), "zeta_max": ("p", "d", "sigma_0", "sigma_n"),
                "omega_max": ("p", "d", "sigma_0", "sigma_n"), "mu_crit": ("p", "d", "n")}


def query(constants: Mapping[str, float] | None = None, **params: Any) -> RegimeReport:
    """Each condition (value, log-margin, holds up to the named constants), the regime
    (mild / in-between / over-pruned, and whether the theorem's D6 conditions hold), the
    predicted orders with their exponents (sympy), the expected number of classes with no
    learnable filter, and the pruning fraction 1 - p. Bad input raises ValueError naming
    the parameter and its range (p must lie in (0, 1]). Named constants (C_1, C_2, ...)
    come in ``constants`` or as parameters by name; the defaults otherwise."""
    named = {k: params.pop(k) for k in list(params) if k in CONSTANT_DEFAULTS}
    constants = resolve_constants({**(constants or {}), **named})
    unknown = sorted(set(params) - set(THEORY_KEYS))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; allowed: {sorted(THEORY_KEYS)}")
    config = NetworkConfig.from_mapping(params)
    defaults = {"eta": config.step_size, "sigma_0": config.init_scale}
    for name, value in defaults.items():  # a D6 default must lie in the parameter's own range
        if getattr(config, name) is None:
            declared = NetworkConfig.parameter(name)
            try:
                declared.check(value)
            except ValueError:
                raise ValueError(
                    f"{name} must be {declared.allowed()}; its D6 default "
                    f"(NetworkConfig.d6_bounds) is {value:.3g} at mu = {config.mu:g}, "
                    f"sigma_n = {config.sigma_n:g}, p = {config.p:g}, d = {config.d}: "
                    f"pass {name}") from None
    v = {k: getattr(config, k) for k in THEORY_KEYS} | defaults
    theory = config.theory_params()
    c = classify(theory, constants)
    reports = []
    for name, res in c["conditions"].items():
        cond = CONDITIONS[name]
        reports.append(ConditionReport(
            name, cond.relation, float(res["value_lhs"]), float(res["value_rhs"]),
            float(res["margin"]), bool(res["holds"]), cond.description, cond.provenance))
    predictions: dict[str, Any] = {"pruning_fraction": 1 - v["p"],
                                   "expected_dead_classes": expected_dead_classes(
                                       v["K"], v["m"], v["p"]),
                                   "theorem_regime": c["theorem_regime"]}
    for name, movers in ORDER_PARAMS.items():
        order = ORDERS[name]
        args = {str(s): theory[str(s)] for s in order.expr.free_symbols if str(s) in theory}
        predictions[f"{name} ({order.provenance} {order.source}, {order.kind})"] = \
            predicted(name, constants, **args)
        for param in movers:
            slope = exponent(order.expr, param).subs(q_symbol, v["q"])
            predictions[f"d log {name} / d log {param}"] = str(slope)
    warnings = [] if c["theorem_conditions_hold"] else [
        f"the theorem's conditions (D6, reconstructed) fail: {c['failed_theorem_conditions']}; "
        "simulation at this point tests the claims outside their conditions"]
    changed = {k: v for k, v in constants.items() if v != CONSTANT_DEFAULTS[k]}
    notes = list(c["reasons"]) + [
        f"D6 conditions checked: {[cond.name for cond in THEOREM_CONDITIONS]}; named constants "
        + (f"changed from their defaults: {changed}" if changed else "at their defaults")
        + " (bounds/yang2023/symbols.py CONSTANT_DEFAULTS)"]
    return RegimeReport("yang2023", v, c["regime"], reports, predictions, warnings, notes)
