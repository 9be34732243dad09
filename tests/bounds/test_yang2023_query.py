"""``theorycheck.query("yang2023", ...)`` and ``theorycheck query yang2023 ... --json``.

The regime report is pure sympy/numpy (no simulation, no torch): every condition with its
two sides, log-margin and whether it holds, the regime, the predictions (pruning fraction
1 - p, expected dead classes K (1 - p/2)^m, the orders and their sympy exponents) and a
warning when the theorem's own (D6) conditions fail, which they do at every size a
simulation here reaches. Hand-computed numbers are compared with rtol 1e-12 (they are
the same closed forms evaluated in float64).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import theorycheck
from theorycheck.cli import main

DEFAULT = {"K": 3, "m": 20, "n": 60, "d": 1000, "p": 0.5, "mu": 10.0}
CONDITION_KEYS = {"name", "relation", "lhs", "rhs", "margin", "holds"}


def conditions(report) -> dict[str, dict]:
    return {c["name"]: c for c in report.to_dict()["conditions"]}


def strict_json(d: dict) -> dict:
    """Round-trip through strictly valid JSON (no NaN / Infinity tokens)."""
    return json.loads(json.dumps(d, allow_nan=False))


# ---- the default point --------------------------------------------------------------------

def test_default_point_is_mild_and_json_serializable():
    rep = theorycheck.query("yang2023")
    explicit = theorycheck.query("yang2023", **DEFAULT)
    d = rep.to_dict()
    assert strict_json(d) == d
    assert d == explicit.to_dict()  # the documented defaults are the documented point
    assert d["paper"] == "yang2023"
    assert d["regime"] == "mild"
    assert {k: d["params"][k] for k in DEFAULT} == DEFAULT
    # eta and sigma_0 default to their D6 bounds: min(mu^-2, (sigma_n^2 p d)^-1) = 1/500 and
    # min((sigma_n sqrt(p d))^-1, mu^-1) = 1/sqrt(500); both conditions hold with margin 0
    assert d["params"]["eta"] == pytest.approx(1 / 500, rel=1e-12)
    assert d["params"]["sigma_0"] == pytest.approx(1 / math.sqrt(500), rel=1e-12)
    conds = conditions(rep)
    assert conds["eta_small"]["holds"] and conds["sigma0_small"]["holds"]
    assert d["predictions"]["theorem_regime"] == "outside-conditions"
    assert "mild" in str(rep) and "d_large" in str(rep)


def test_every_condition_has_value_margin_and_holds():
    """Each condition: both sides positive, margin = log(lhs/rhs) oriented so that positive
    means it holds, ``holds == (margin >= 0)`` (checked to 1e-12)."""
    conds = conditions(theorycheck.query("yang2023"))
    assert {"d_large", "n_polylog", "m_polylog", "eta_small", "sigma0_small",
            "mild_pruning", "over_pruning", "benign"} <= set(conds)
    for name, c in conds.items():
        assert CONDITION_KEYS <= set(c), name
        assert c["relation"] in (">=", "<="), name
        assert c["lhs"] > 0 and c["rhs"] > 0, name
        log_ratio = math.log(c["lhs"] / c["rhs"])
        expected = log_ratio if c["relation"] == ">=" else -log_ratio
        assert c["margin"] == pytest.approx(expected, rel=1e-12, abs=1e-12), name
        assert c["holds"] is (c["margin"] >= 0), name


def test_default_point_hand_values():
    """Hand-checked sides at the default point (constants at their defaults, C = 1,
    alpha_dn = 4, kappa = 1, C_over = 0.5)."""
    c = conditions(theorycheck.query("yang2023"))
    assert c["d_large"]["lhs"] == pytest.approx(500.0, rel=1e-12)  # p d
    assert c["d_large"]["rhs"] == pytest.approx(60**4 * math.log(1000), rel=1e-12)
    assert c["mild_pruning"]["lhs"] == pytest.approx(10.0, rel=1e-12)  # m p
    assert c["mild_pruning"]["rhs"] == pytest.approx(math.log(3000), rel=1e-12)
    assert c["over_pruning"]["lhs"] == pytest.approx(30.0, rel=1e-12)  # K m p
    assert c["benign"]["lhs"] == pytest.approx(60 * 10.0**3, rel=1e-12)  # n mu^q
    assert c["benign"]["rhs"] == pytest.approx(500**1.5, rel=1e-12)  # (sqrt(p d))^q
    assert c["mild_pruning"]["holds"] and c["benign"]["holds"]
    assert not c["over_pruning"]["holds"]


def test_theorem_conditions_fail_at_simulation_scale_and_a_warning_says_so():
    """d_large needs p d >= n^4 log d (~9e7 at n = 60); every simulated size is far below
    (the closest, n = 10 and d = 20000 as in the paper notes, is short by a factor ~10)."""
    for params in ({}, {"d": 20000, "n": 10}, {"p": 1.0, "d": 4000}):
        rep = theorycheck.query("yang2023", **params)
        c = conditions(rep)
        assert c["d_large"]["holds"] is False, params
        assert c["d_large"]["margin"] < -2, params  # a factor e^2 short at least
        assert rep.to_dict()["predictions"]["theorem_regime"] == "outside-conditions"
        assert any("d_large" in w and "condition" in w for w in rep.warnings), rep.warnings


def test_no_warning_inside_the_theorem_conditions():
    """A point that satisfies D6 (tiny n, huge d, small sigma_0 and eta) has no warning and
    its theorem regime is the regime itself."""
    rep = theorycheck.query("yang2023", n=20, m=20, K=3, d=10**7, p=0.5, mu=2000.0,
                            sigma_0=1e-6, eta=1e-8)
    c = conditions(rep)
    assert all(c[k]["holds"] for k in ("d_large", "n_polylog", "m_polylog", "eta_small",
                                       "sigma0_small")), c
    assert rep.warnings == []
    assert rep.predictions["theorem_regime"] == rep.regime


# ---- regimes ------------------------------------------------------------------------------

@pytest.mark.parametrize("p, regime", [(1.0, "mild"), (0.5, "mild"), (0.05, "in-between"),
                                       (0.008, "over-pruned"), (0.005, "over-pruned")])
def test_regime_along_p(p, regime):
    """m p >= log(K d) = 8.0 is mild; K m p <= 0.5 is over-pruned (p <= 0.0083)."""
    assert theorycheck.query("yang2023", p=p).regime == regime


def test_over_pruned_point():
    rep = theorycheck.query("yang2023", p=0.005)
    c = conditions(rep)
    assert rep.regime == "over-pruned"
    assert c["over_pruning"]["holds"] and c["over_pruning"]["lhs"] == pytest.approx(0.3)
    assert not c["mild_pruning"]["holds"]


def test_harmful_overfitting_is_over_pruned_even_unpruned():
    """Weak signal: n mu^q < (sigma_n sqrt(p d))^q puts the point in noise memorization."""
    rep = theorycheck.query("yang2023", p=1.0, mu=2.0)
    assert not conditions(rep)["benign"]["holds"]
    assert rep.regime == "over-pruned"


# ---- predictions --------------------------------------------------------------------------

@pytest.mark.parametrize("p", [1.0, 0.5, 0.05, 0.005])
def test_predictions_pruning_fraction_and_dead_classes(p):
    """pruning fraction 1 - p; expected dead classes K (1 - p/2)^m (rtol 1e-12)."""
    pred = theorycheck.query("yang2023", p=p).to_dict()["predictions"]
    assert pred["pruning_fraction"] == pytest.approx(1 - p, rel=1e-12, abs=1e-15)
    assert pred["expected_dead_classes"] == pytest.approx(3 * (1 - p / 2) ** 20, rel=1e-12)


def test_predicted_exponents_from_sympy():
    pred = theorycheck.query("yang2023").to_dict()["predictions"]
    for q in ("zeta_max", "omega_max"):
        assert pred[f"d log {q} / d log p"] == "1/2"
        assert pred[f"d log {q} / d log d"] == "1/2"
        assert pred[f"d log {q} / d log sigma_0"] == "1"
        assert pred[f"d log {q} / d log sigma_n"] == "1"
    assert pred["d log gamma_off_max / d log sigma_0"] == "1"
    assert pred["d log gamma_off_max / d log mu"] == "1"
    assert pred["d log mu_crit / d log p"] == "1/2"
    assert pred["d log mu_crit / d log n"] == "-1/3"  # -1/q at q = 3
    assert theorycheck.query("yang2023", q=1).predictions["d log mu_crit / d log n"] == "-1"


def test_predicted_values_at_the_default_point():
    """With sigma_0 = 0.01: sigma_0 mu = 0.1; sigma_0 sigma_n sqrt(p d) = 0.01 sqrt(500);
    mu_crit = sqrt(500) 60^(-1/3) (C_2 = 1); rtol 1e-12."""
    pred = theorycheck.query("yang2023", sigma_0=0.01).predictions
    by_prefix = {k.split(" ")[0]: v for k, v in pred.items() if "(" in k}
    assert by_prefix["gamma_off_max"] == pytest.approx(0.1, rel=1e-12)
    assert by_prefix["zeta_max"] == pytest.approx(0.01 * math.sqrt(500), rel=1e-12)
    assert by_prefix["omega_max"] == pytest.approx(0.01 * math.sqrt(500), rel=1e-12)
    assert by_prefix["mu_crit"] == pytest.approx(math.sqrt(500) * 60 ** (-1 / 3), rel=1e-12)


# ---- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0, 0.0, -0.1, 1.5, 1.0000001, float("nan"), float("inf")])
def test_p_outside_unit_interval_raises_naming_p_and_range(p):
    with pytest.raises(ValueError) as err:
        theorycheck.query("yang2023", p=p)
    msg = str(err.value)
    assert msg.startswith("p ") or "'p'" in msg or " p " in msg, msg
    assert "(0, 1]" in msg, msg


@pytest.mark.parametrize("params, name", [
    ({"d": -5}, "d"), ({"d": 1}, "d"), ({"n": 0}, "n"), ({"K": 1}, "K"), ({"K": 2.5}, "K"),
    ({"m": float("nan")}, "m"), ({"sigma_0": 0.0}, "sigma_0"), ({"mu": -1.0}, "mu"),
    ({"sigma_n": float("inf")}, "sigma_n"), ({"q": 0}, "q"),
])
def test_other_bad_values_name_the_parameter(params, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        theorycheck.query("yang2023", **params)


@pytest.mark.parametrize("value", ["0.5", "2**10", "__import__('os')", True, b"0.5",
                                   [0.5], 0.5j])
def test_non_numbers_are_rejected(value):
    """Strings are never evaluated (no eval / sympify), bools and containers rejected."""
    with pytest.raises(ValueError, match=r"^p must be"):
        theorycheck.query("yang2023", p=value)


def test_unknown_parameter_and_paper_rejected():
    with pytest.raises(ValueError, match="unknown parameter.*'P'.*allowed"):
        theorycheck.query("yang2023", P=0.5)
    with pytest.raises(ValueError, match="paper must be one of"):
        theorycheck.query("yang2024", p=0.5)


def test_query_does_not_import_torch_or_simulations():
    """docs/architecture.md: bounds never import torch, so queries stay instant."""
    code = ("import sys, theorycheck; theorycheck.query('yang2023', p=0.05); "
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('simulations')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---- CLI ----------------------------------------------------------------------------------

def test_cli_query_json(capsys):
    assert main(["query", "yang2023", "p=0.05", "--json"]) == 0
    out = capsys.readouterr().out
    d = json.loads(out)
    assert d == strict_json(theorycheck.query("yang2023", p=0.05).to_dict())
    assert d["params"]["p"] == 0.05 and d["regime"] == "in-between"
    assert d["predictions"]["pruning_fraction"] == pytest.approx(0.95, rel=1e-12)
    assert d["predictions"]["d log zeta_max / d log p"] == "1/2"
    assert any("d_large" in w for w in d["warnings"])


def test_cli_query_text(capsys):
    assert main(["query", "yang2023", "p=0.005", "d=2000"]) == 0
    out = capsys.readouterr().out
    assert "regime = over-pruned" in out and "d_large" in out and "warning" in out


@pytest.mark.parametrize("args, fragment", [
    (["p=0"], "(0, 1]"), (["p=-0.1"], "(0, 1]"), (["p=1.5"], "(0, 1]"),
    (["p=nan"], "(0, 1]"), (["p=abc"], "p must be"), (["p=2**10"], "p must be"),
    (["foo=1"], "unknown parameter"), (["p"], "name=value"), (["d=-3"], "d must be"),
])
def test_cli_bad_input_exits_2(args, fragment, capsys):
    assert main(["query", "yang2023", *args, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert fragment in captured.err


def test_cli_unknown_paper_exits_2(capsys):
    assert main(["query", "nosuchpaper", "p=0.5"]) == 2
    assert "paper must be one of" in capsys.readouterr().err


# ---- issue 9: conditions in log space --------------------------------------------------------

EXTREMES = [  # each crashed before: ZeroDivisionError, OverflowError or "sides must be positive"
    {"mu": 5e11, "n": 673, "p": 1.0, "sigma_0": 0.003, "sigma_n": 5e-324},
    {"K": 2, "d": 2, "m": 1, "mu": 1e-100, "q": 9},
    {"d": 731686, "m": 2, "mu": 1.4e-45, "n": 7341, "q": 10, "sigma_n": 35102.1},
    {"d": 10**9, "mu": 1e-100, "q": 10, "sigma_0": 5e-324, "sigma_n": 1e6, "n": 10**5,
     "m": 10**5, "K": 10**5, "p": 5e-324, "eta": 1e-3},
    {"mu": 1e12, "q": 10, "sigma_n": 5e-324, "sigma_0": 1e6, "p": 5e-324, "eta": 1e12},
]


@pytest.mark.parametrize("params", EXTREMES)
def test_extreme_regimes_have_finite_margins(params):
    """Every condition is evaluated as a difference of logs: the margin is finite wherever
    the parameters are in range, a side beyond float64 is null in JSON with a warning."""
    rep = theorycheck.query("yang2023", **params)
    d = strict_json(rep.to_dict())
    for c in rep.conditions:
        assert math.isfinite(c.margin), c.name
        assert c.holds is (c.margin >= 0)
    for c in d["conditions"]:
        if c["lhs"] is None or c["rhs"] is None:
            assert any(w.startswith(f"condition {c['name']}") for w in d["warnings"])


def test_log_margin_matches_the_direct_ratio():
    """At ordinary values the log-space margin equals log(lhs / rhs) to rounding."""
    from theorycheck.bounds.yang2023.conditions import CONDITIONS, evaluate_numeric

    params = {"K": 3, "m": 20, "n": 60, "d": 1000, "p": 0.3, "mu": 7.0, "sigma_0": 0.02,
              "sigma_n": 1.5, "q": 3, "eta": 0.01}
    for cond in CONDITIONS.values():
        lhs = evaluate_numeric(cond.lhs, params)
        rhs = evaluate_numeric(cond.rhs, params)
        res = cond.evaluate(params)
        sign = 1 if cond.relation == ">=" else -1
        assert res["margin"] == pytest.approx(sign * math.log(lhs / rhs), rel=1e-12, abs=1e-12)
        assert res["value_lhs"] == pytest.approx(lhs, rel=1e-12)
        assert res["value_rhs"] == pytest.approx(rhs, rel=1e-12)


def test_a_d6_default_outside_its_range_is_refused_by_name():
    """The D6 default sigma_0 = min((sigma_n sqrt(p d))^-1, mu^-1) / C_6 can exceed
    sigma_0's range when mu and sigma_n are tiny; the refusal names sigma_0."""
    with pytest.raises(ValueError, match=r"^sigma_0 must be a finite number in \(0, 1e\+06\]; "
                                         r"its D6 default .* is 4.47e\+08"):
        theorycheck.query("yang2023", mu=1e-10, sigma_n=1e-10, m=20)
    assert theorycheck.query("yang2023", mu=1e-10, sigma_n=1e-10,
                             sigma_0=0.1).params["sigma_0"] == 0.1


def test_signal_norm_below_its_floor_is_refused_by_name():
    """mu^2 must stay a positive float64 in the default step (it divided by zero)."""
    with pytest.raises(ValueError, match=r"^mu must be a finite number in \[1e-100, 1e\+12\]"):
        theorycheck.query("yang2023", mu=1e-200)
