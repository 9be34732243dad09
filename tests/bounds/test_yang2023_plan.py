"""The regime planner of yang2023: the cheapest network inside the theorem's D6 conditions.

Every planned network is checked through ``query`` (the same conditions): every D6
condition holds and the regime is the requested one; and it is the cheapest: one
coordinate less (d - 1) or one sample less (n - 1, with its own smallest d) breaks a D6
condition. Pure theory (no simulation).
"""

from __future__ import annotations

import json
import math
import re

import pytest
from theorycheck.bounds.yang2023.plan import plan, plan_path, smallest_d
from theorycheck.bounds.yang2023.symbols import CONSTANT_DEFAULTS

import theorycheck
from theorycheck.cli import main

D6 = ("d_large", "n_polylog", "m_polylog", "eta_small", "sigma0_small")


def holds(params: dict, **changes) -> dict[str, bool]:
    keys = ("K", "m", "n", "d", "p", "mu", "sigma_0", "sigma_n", "q", "eta")
    report = theorycheck.query("yang2023", **{k: params[k] for k in keys} | changes)
    return {c.name: c.holds for c in report.conditions}


@pytest.mark.parametrize(("regime", "fixed"), [
    ("mild", {}), ("mild", {"p": 0.7}), ("mild", {"p": 0.5, "K": 4}),
    ("in-between", {}), ("over-pruned", {})])
def test_planned_network_is_inside_d6_in_its_regime(regime, fixed):
    report = theorycheck.plan("yang2023", regime=regime, **fixed)
    assert report.regime == regime
    conds = {c.name: c for c in report.conditions}
    assert all(conds[name].holds for name in D6), [c for c in D6 if not conds[c].holds]
    assert report.predictions["theorem_regime"] == regime
    for name, value in fixed.items():
        assert report.params[name] == value
    # cheapest: d - 1 breaks the dimension condition
    assert not holds(report.params, d=report.params["d"] - 1)["d_large"]
    json.dumps(report.to_dict(), allow_nan=False)


def test_the_over_pruned_plan_draws_its_statistics_by_their_law():
    """d ~ 4e8: the estimate (timed here) is seconds, not the quarter hour of its coordinates;
    the other regimes, or a fixed streamed test set, keep the coordinates."""
    report = theorycheck.plan("yang2023", regime="over-pruned", estimate=True)
    assert report.params["draws"] == "wishart" and report.params["d"] > 10**8
    assert report.estimated_seconds < 120
    assert "draws = wishart" in report.notes[0]
    assert theorycheck.plan("yang2023", regime="mild").params["draws"] == "coordinates"
    sampled = theorycheck.plan("yang2023", regime="over-pruned", test="sampled")
    assert sampled.params["draws"] == "coordinates"


def test_the_mild_plan_is_the_cheapest_n():
    """n - 1 samples break n >= log d at the planned d, and at the smallest d that n - 1
    would allow (p d >= (n - 1)^4 log d) n - 1 is still below log d: no cheaper n exists."""
    params = theorycheck.plan("yang2023", regime="mild", p=0.7).params
    n = params["n"]
    assert n - 1 < math.log(params["d"])
    d_low = smallest_d(0.7, n - 1, params["m"], CONSTANT_DEFAULTS)
    assert n - 1 < math.log(d_low) or d_low >= params["d"]


def test_hand_values_of_the_mild_plan_at_p_07():
    """p = 0.7: n = 14 (>= log d), p d >= n^4 log d gives d = 741805, m = 21 >= log(3 d)/0.7,
    mu = 2 (1/14)^(1/3) sqrt(p d), eta = 1/(p d), sigma_0 = 1/sqrt(p d)."""
    p = theorycheck.plan("yang2023", regime="mild", p=0.7).params
    assert (p["n"], p["m"], p["d"]) == (14, 21, 741805)
    pd = 0.7 * p["d"]
    assert p["mu"] == pytest.approx(2 * (1 / 14) ** (1 / 3) * math.sqrt(pd), rel=1e-12)
    assert p["eta"] == pytest.approx(1 / pd, rel=1e-12)
    assert p["sigma_0"] == pytest.approx(1 / math.sqrt(pd), rel=1e-12)


def test_a_path_plan_keeps_the_conditions_a_decade_up():
    start = plan_path(1.0, p=0.7).params
    end = dict(start, d=10 * start["d"], mu=start["mu"] * math.sqrt(10))
    end["eta"], end["sigma_0"] = 1 / (0.7 * end["d"]), 1 / math.sqrt(0.7 * end["d"])
    assert all(holds(end)[name] for name in D6)
    assert holds(end)["mild_pruning"]


def test_constants_and_fixed_parameters_are_kept():
    loose = theorycheck.plan("yang2023", regime="mild", C_3=0.01)
    strict = theorycheck.plan("yang2023", regime="mild")
    assert loose.params["d"] < strict.params["d"]
    assert any("C_3" in note for note in loose.notes)
    fixed = plan("mild", n=20, sigma_0=1e-4)
    assert fixed.params["n"] == 20 and fixed.params["sigma_0"] == 1e-4


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"regime": "nope"}, "regime must be one of"),
    ({"regime": "mild", "d": 1000}, "d_large"),
    ({"regime": "mild", "foo": 1}, "unknown parameter(s) ['foo']"),
    ({"regime": "mild", "p": 1.5}, "p must be a finite number in (0, 1]"),
])
def test_impossible_or_bad_requests_name_the_cause(kwargs, needle):
    with pytest.raises(ValueError) as err:
        theorycheck.plan("yang2023", **kwargs)
    assert needle in str(err.value)


def test_cli_plan_json(capsys):
    assert main(["plan", "yang2023", "regime=mild", "p=0.7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "mild" and out["params"]["d"] == 741805
    assert main(["plan", "yang2023", "regime=mild", "d=1000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("theorycheck: error:") and "d_large" in err
    assert len(err.strip().splitlines()) == 1


def test_papers_without_a_planner_say_so():
    with pytest.raises(ValueError, match="has no regime planner"):
        theorycheck.plan("chang2021", regime="mild")


@pytest.mark.parametrize(("fixed", "named"), [
    ({"n": 20.7}, "n must be an integer"), ({"n": 0}, "n must be an integer"),
    ({"p": 0.0}, "p must be a finite number"), ({"p": -1}, "p must be a finite number"),
    ({"K": 0}, "K must be an integer"), ({"q": 0}, "q must be an integer"),
    ({"p": math.nan}, "p must be a finite number"), ({"n": "5"}, "n must be an integer"),
    ({"n": 10**400}, "n must be an integer"), ({"benign_factor": 0}, "benign_factor must be"),
    ({"regime": None}, "regime must be one of"), ({"p": 1e-300}, "d must be an integer"),
    ({"alpha_dn": 1e300}, "d must be an integer"), ({"C_1": 0}, "constant C_1 = 0.0 must be")])
def test_plan_validates_as_query_does(fixed, named):
    """A fixed value query refuses, plan refuses by name too (n = 20.7 was planned at n = 20;
    n = 0, p = 0 and q = 0 raised ZeroDivisionError, K = 0 and p = -1 a math domain error),
    and sizes beyond the parameters' ranges name the size (they overflowed)."""
    with pytest.raises(ValueError, match=f"^{re.escape(named)}") as err:
        theorycheck.plan("yang2023", **fixed)
    assert "\n" not in str(err.value) and len(str(err.value)) < 400
