"""The command line (``theorycheck.cli.main``) and the Python query API.

What is pinned here: every registered paper is listed; ``query`` prints the derived
predictions and the conditions as JSON; command-line values are parsed as numbers or names
and never evaluated; bad input exits with status 2 and a message naming the parameter and
its allowed range; ``check`` prints one verdict per requested claim. Only claim C9 (symbolic,
no simulation) is checked here, so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import theorycheck
from theorycheck.cli import main

L1_POINT = ["n=200", "p=400", "s=150", "design=L1"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- list -----------------------------------------------------------------------------------

def test_list_prints_every_installed_paper_and_its_package(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    assert [r[0] for r in rows] == theorycheck.papers()
    by_key = {r[0]: r for r in rows}
    assert by_key["chang2021"][1].startswith("theorycheck ")
    assert by_key["chang2021"][2] == "theorycheck.bounds.chang2021:PAPER"
    assert by_key["ols"][1].startswith("theorycheck-example-ols ")  # a third-party plugin


def test_module_runs_as_a_script(tmp_path):
    """``python -m theorycheck.cli`` works from any directory (here: an empty one)."""
    proc = subprocess.run([sys.executable, "-m", "theorycheck.cli", "list"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()] == theorycheck.papers()
    assert not list(tmp_path.iterdir()), "the CLI wrote files into the working directory"


# ---- query ----------------------------------------------------------------------------------

def test_query_json_has_predictions_and_conditions(capsys):
    code, out, _ = run_cli(capsys, "query", "chang2021", *L1_POINT, "--json")
    assert code == 0
    rep = json.loads(out)
    assert rep["paper"] == "chang2021"
    assert rep["params"] == {"design": "L1", "n": 200, "p": 400, "s": 150, "sigma": 0.5}
    assert rep["regime"].startswith("overparameterized")
    pred = rep["predictions"]
    assert pred["kappa"] == 2.0
    for key in ("xi", "tau2", "pruned_risk_magnitude", "pruned_risk_hessian",
                "pruned_risk_oracle", "small_model_risk"):
        assert isinstance(pred[key], float) and math.isfinite(pred[key]) and pred[key] > 0, key
    # the noise floor: every risk is at least sigma^2 = 0.25
    assert min(pred["tau2"], pred["pruned_risk_oracle"]) > 0.25
    names = {c["name"]: c for c in rep["conditions"]}
    assert set(names) >= {"kappa away from 1", "n large"}
    for c in rep["conditions"]:
        assert set(c) >= {"name", "relation", "lhs", "rhs", "margin", "holds", "provenance"}
        assert c["holds"] is True
    assert rep["warnings"] == []
    # the CLI wraps the same call as the Python API
    api = theorycheck.query("chang2021", n=200, p=400, s=150, design="L1").to_dict()
    assert rep == json.loads(json.dumps(api))


def test_query_text_output(capsys):
    code, out, _ = run_cli(capsys, "query", "chang2021", *L1_POINT)
    assert code == 0
    assert "regime = overparameterized" in out
    assert "tau2" in out and "kappa away from 1" in out


def test_query_values_are_never_evaluated(capsys, tmp_path):
    """A value that would create a file if it were evaluated is rejected as a bad number."""
    sentinel = tmp_path / "evaluated"
    payload = f"__import__('pathlib').Path({str(sentinel)!r}).touch()"
    for value in ("__import__('os')", payload, "2**10", "1+1"):
        code, out, err = run_cli(capsys, "query", "chang2021", f"n={value}", "p=400", "s=150")
        assert code == 2, value
        assert out == ""
        assert "n must be an integer in [1, 1e+07]" in err, err
    assert not sentinel.exists()


@pytest.mark.parametrize(
    ("pairs", "needles"),
    [
        (["p=-5"], ["p must be an integer", "[1, 100000]", "-5"]),
        (["p=nan"], ["p must be an integer", "[1, 100000]", "nan"]),
        (["p=inf"], ["p must be an integer", "[1, 100000]"]),
        (["p=2.5"], ["p must be an integer", "[1, 100000]"]),
        (["p=1e9"], ["p must be an integer", "[1, 100000]"]),
        (["p=400", "design=nope"], ["design must be one of", "'L1'", "'isotropic'", "nope"]),
        (["s=500", "p=400"], ["s must be an integer in [1, p] = [1, 400]", "500"]),
        (["p=400", "foo=1"], ["unknown parameter", "foo", "allowed"]),
        (["p=400", "sigma=-1"], ["sigma must be a finite number in [0, 1e+06]"]),
        (["p=400", "design=two_level", "lam1=0"],
         ["lam1 must be a finite number in [1e-06, 1e+06]"]),
        (["p=400", "d=100"], ["unknown parameter", "'d'"]),
        (["design=rf", "p=100", "estimates=3"], ["estimates is a simulation option", "allowed"]),
        (["p=400", "noequals"], ["name=value", "noequals"]),
    ],
)
def test_query_bad_input_exits_2_naming_the_parameter(capsys, pairs, needles):
    code, out, err = run_cli(capsys, "query", "chang2021", "s=150", *pairs)
    assert code == 2
    assert out == ""
    assert err.startswith("theorycheck: error:")
    for needle in needles:
        assert needle in err, (needle, err)


def test_query_unknown_paper_exits_2(capsys):
    code, _, err = run_cli(capsys, "query", "nopaper", "p=400")
    assert code == 2
    assert "paper must be one of the installed papers" in err and "chang2021" in err
    assert len(err.strip().splitlines()) == 1


# ---- check ----------------------------------------------------------------------------------

def test_check_json_one_claim(capsys, tmp_path):
    store = tmp_path / "runs.sqlite"
    code, out, _ = run_cli(capsys, "check", "chang2021", "--budget", "smoke", "--claims", "C9",
                           "--json", "--store", str(store), "--device", "cpu", "--quiet")
    assert code == 0
    res = json.loads(out)
    assert (res["paper"], res["budget"], res["device"]) == ("chang2021", "smoke", "cpu")
    assert [v["claim"] for v in res["verdicts"]] == ["C9"]
    (v,) = res["verdicts"]
    assert v["status"] == "consistent", v["reason"]
    assert v["provenance"] == "derived"
    assert res["runs_computed"] == 0  # C9 is symbolic: no simulation runs


def test_check_table_output(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "check", "chang2021", "--budget", "smoke", "--claims", "C9",
                           "--store", str(tmp_path / "runs.sqlite"), "--device", "cpu",
                           "--quiet")
    assert code == 0
    assert "C9" in out and "derived" in out and "consistent" in out


def test_check_unknown_claim_exits_2(capsys, tmp_path):
    store = tmp_path / "runs.sqlite"
    code, out, err = run_cli(capsys, "check", "chang2021", "--budget", "smoke", "--claims",
                             "C99", "--store", str(store), "--quiet")
    assert code == 2
    assert out == ""
    assert "C99" in err and "C1" in err  # names the bad key and the allowed ones


def test_check_unknown_budget_exits_2_with_one_line(capsys, tmp_path):
    code, out, err = run_cli(capsys, "check", "chang2021", "--budget", "huge", "--store",
                             str(tmp_path / "runs.sqlite"), "--quiet")
    assert code == 2 and out == ""
    assert err.strip() == ("theorycheck: error: budget must be one of ['smoke', 'quick', "
                           "'full'], got 'huge'")


def test_usage_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "paper" in err


def test_debug_shows_the_traceback():
    with pytest.raises(ValueError, match="paper must be one of"):
        main(["--debug", "query", "nopaper", "p=400"])


# ---- Python API -----------------------------------------------------------------------------

def test_papers_lists_the_installed_papers():
    assert theorycheck.papers() == ["chang2021", "ols", "yang2023"]


def test_query_to_dict_is_strict_json():
    rep = theorycheck.query("chang2021", n=200, p=400, s=150)
    d = rep.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
    assert d["predictions"]["xi"] > 0
    assert d["warnings"] == []


def test_query_near_the_threshold_warns():
    """p = 210, n = 200: |kappa - 1| = 0.05 < 0.2, the asymptotic formulas are not trusted."""
    rep = theorycheck.query("chang2021", n=200, p=210, s=150)
    assert rep.warnings, "no warning at kappa = 1.05"
    assert any("kappa" in w for w in rep.warnings)
    cond = {c.name: c for c in rep.conditions}["kappa away from 1"]
    assert not cond.holds and cond.margin < 0


def test_query_s_defaults_to_min_150_p():
    """The query documents ``s`` as optional (default min(150, p))."""
    rep = theorycheck.query("chang2021", n=200, p=210)
    assert rep.params["s"] == 150
    assert rep.warnings


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"p": -5}, "p"),
        ({"p": float("nan")}, "p"),
        ({"p": float("inf")}, "p"),
        ({"p": 2.5}, "p"),
        ({"p": True}, "p"),
        ({"n": 0, "p": 400}, "n"),
        ({"n": "__import__('os')", "p": 400}, "n"),
        ({"p": 400, "design": "nope"}, "design"),
        ({"p": 400, "s": 500}, "s"),
        ({"p": 400, "foo": 1}, "foo"),
        ({"p": 400, "sigma": float("nan")}, "sigma"),
        ({"p": 400, "design": "two_level", "k": 500}, "k"),
    ],
)
def test_query_bad_input_raises_value_error_naming_the_parameter(params, name):
    params = {"s": 150, **params} if "s" not in params else params
    with pytest.raises(ValueError, match=rf"\b{name}\b") as exc:
        theorycheck.query("chang2021", **params)
    message = str(exc.value)
    assert "must be" in message or "allowed" in message


def test_query_unknown_paper_raises():
    with pytest.raises(ValueError, match="paper must be one of the installed papers"):
        theorycheck.query("nopaper", p=400)


# ---- issue 9: robust errors -----------------------------------------------------------------

def test_a_parameter_named_paper_is_refused_by_name(capsys):
    """``query(paper, **params)`` raised TypeError ('got multiple values for argument
    paper') for a parameter named ``paper``; ``paper`` is positional-only now."""
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['paper'\]"):
        theorycheck.query("ols", paper=1)
    code, out, err = run_cli(capsys, "query", "ols", "paper=1")
    assert code == 2 and out == "" and "unknown parameter(s) ['paper']" in err


def test_missing_required_parameter_exits_2_naming_it(capsys):
    code, out, err = run_cli(capsys, "query", "chang2021")
    assert code == 2 and out == ""
    assert err.strip() == "theorycheck: error: p is required: an integer in [1, 100000]"


@pytest.mark.parametrize("value", ["a\x1db", "a\nb", "\x1b[2J", "a\u2028b", "x\x00y"])
def test_echoed_control_characters_cannot_break_the_error_line(capsys, value):
    """argparse echoed unknown arguments verbatim: a newline, U+2028 or \\x1d in them split
    the error over several lines, and an escape sequence reached the terminal."""
    with pytest.raises(SystemExit) as exc:  # a usage error: argparse exits
        main(["query", "ols", "--nope", f"p={value}"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err[:-1].isprintable(), err
    code, out, err = run_cli(capsys, "query", "ols", f"p={value}")
    assert code == 2 and len(err.splitlines()) == 1 and err[:-1].isprintable(), err
