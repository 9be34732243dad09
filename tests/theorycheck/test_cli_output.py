"""What the command line prints (issue 17): the order of validation errors, help with
examples, ``--version``, ``describe``, the verdict summary of ``check`` and ``report``, a
clean JSON stdout whatever a plugin prints, clipped echoes of huge values, and the probe's
shrunk counterexample before its bracket.

Test papers are registered as real plugins: a ``.dist-info`` directory with an
``entry_points.txt`` next to a module, on ``sys.path`` (in-process) or ``PYTHONPATH`` (a
subprocess). The toy paper (``tests.theorycheck.toy_paper``: the mean of Gaussian draws) and
the example paper ``ols`` with a planted wrong prediction give real verdicts in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import theorycheck
from theorycheck.cli import build_parser, main
from theorycheck.registry import installed

ROOT = Path(__file__).resolve().parents[2]
BIG = 10**6

PLUGINS = '''
import ctypes
import dataclasses
import os

from ols_example.probes import e1_everywhere

from tests.theorycheck import toy_paper
from theorycheck import Measurement, Paper
from theorycheck.registry import get_paper


def noisy_mean(requests, device):
    """The toy measurement, printing to Python's stdout, to fd 1 and through C's printf."""
    print("python-level noise")
    os.write(1, b"fd-level noise\\n")
    ctypes.CDLL(None).printf(b"c-level noise\\n")
    return toy_paper.gaussian_mean(requests, device)


TOY = Paper("toy", "a toy paper", "none",
            lambda: [toy_paper.claim(),
                     dataclasses.replace(toy_paper.claim(scale=2.0), key="T2",
                                         title="planted: twice the mean")],
            (toy_paper.MEAN,))
NOISY = Paper("noisy", "a toy paper whose measurement prints", "none",
              lambda: [toy_paper.claim()],
              (Measurement(toy_paper.MEAN.name, noisy_mean, "noisy-1", toy_paper.CHUNK),))
OLS = get_paper("ols")
PLANTED = dataclasses.replace(OLS, key="planted",
                              probes=lambda: [e1_everywhere(1.3, 60)])
'''


def write_plugins(where: Path) -> Path:
    """The test papers ``toy``, ``noisy`` and ``planted`` as an installed distribution."""
    dist = where / "clitestpapers-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: clitestpapers\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[theorycheck.papers]\ntoy = clitestpapers:TOY\nnoisy = clitestpapers:NOISY\n"
        "planted = clitestpapers:PLANTED\n")
    (where / "clitestpapers.py").write_text(PLUGINS)
    return where


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """The test papers, installed for this process."""
    monkeypatch.syspath_prepend(str(write_plugins(tmp_path / "plugins")))
    return tmp_path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(*argv: str, pythonpath: Path | None = None, cwd: Path = ROOT
                ) -> subprocess.CompletedProcess[str]:
    """``python -m theorycheck.cli ARGV`` in a real subprocess."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(ROOT)])
    return subprocess.run([sys.executable, "-m", "theorycheck.cli", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


# ---- 1. a value that is not a number is named before a missing parameter ----------------

@pytest.mark.parametrize(("paper", "pairs", "name"), [
    ("chang2021", ["n=abc"], "n"),  # p is required and missing: n's value is named first
    ("chang2021", ["design=rf", "d=abc"], "d"),
    ("chang2021", ["sigma=abc", "n=abc"], "n"),  # the first bad one in declaration order
    ("yang2023", ["d=abc"], "d"),
    ("ols", ["sigma=abc"], "sigma"),
])
def test_a_non_numeric_value_is_refused_naming_its_parameter(capsys, paper, pairs, name):
    code, out, err = run_cli(capsys, "query", paper, *pairs)
    assert (code, out) == (2, "")
    assert err.startswith(f"theorycheck: error: {name} must be "), err
    assert "'abc'" in err and "required" not in err


def test_the_api_names_the_bad_value_before_the_missing_parameter():
    with pytest.raises(ValueError, match=r"^n must be an integer in \[1, "):
        theorycheck.query("chang2021", n="abc")
    with pytest.raises(ValueError, match=r"^p is required"):
        theorycheck.query("chang2021", n=200)


# ---- 2. --help has examples --------------------------------------------------------------

def subcommands() -> list[str]:
    return list(build_parser()._subparsers._group_actions[0].choices)


@pytest.mark.parametrize("argv", [[]] + [[name] for name in subcommands()])
def test_help_shows_examples_line_by_line(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    lines = out.splitlines()
    start = lines.index("examples:")
    examples = [line.strip() for line in lines[start + 1:] if line.strip()]
    prefix = " ".join(["theorycheck", *argv])
    assert examples and all(e.startswith(("theorycheck ", "#")) for e in examples), examples
    assert any(e == prefix or e.startswith(prefix + " ") for e in examples), examples


# ---- 3. --version --------------------------------------------------------------------------

def test_version_names_theorycheck_and_every_papers_distribution(tmp_path):
    proc = cli_process("--version", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"theorycheck {theorycheck.__version__}"
    assert lines[1:] == [f"  {p.key}: {p.distribution}" for p in installed()]
    assert "  ols: theorycheck-example-ols 1.0.0" in lines


# ---- 4. describe -----------------------------------------------------------------------------

def test_describe_json_lists_parameters_claims_and_probes(capsys):
    code, out, _ = run_cli(capsys, "describe", "ols", "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["paper"], d["distribution"]) == ("ols", "theorycheck-example-ols 1.0.0")
    [model] = d["parameters"]
    n = {p["name"]: p for p in model}["n"]
    assert n == {"name": "n", "kind": "int", "allowed": "an integer in [3, 1e+06]",
                 "default": 100, "description": "training samples"}
    claims = {c["key"]: c for c in d["claims"]}
    assert list(claims) == ["E1", "E2", "E3"]
    assert claims["E1"]["provenance"] == "paper" and claims["E1"]["title"]
    assert set(claims["E1"]["budgets"]) == {"smoke", "quick", "full"}
    quick = claims["E1"]["budgets"]["quick"]
    assert quick["points"] == 4 and quick["runs"] == 4 * 2000  # E1: 2000 trials at four n
    assert [(p["key"], p["claim"]) for p in d["probes"]] == [("E1-everywhere", "E1")]


def test_describe_text_shows_each_model_claim_and_probe(capsys):
    code, out, _ = run_cli(capsys, "describe", "chang2021")
    assert code == 0
    assert "design" in out and "'rf'" in out and "feature_seed" in out  # both models
    for claim in theorycheck.get_paper("chang2021").claims():
        assert f"{claim.key} " in out and claim.title in out
    assert "risk-formula-vs-mc" in out


def test_describe_unknown_paper_is_one_line(capsys):
    code, out, err = run_cli(capsys, "describe", "nopaper")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "paper must be one of the installed papers" in err


# ---- 5. a verdict summary ends check and report ----------------------------------------------

def test_check_ends_with_a_verdict_summary(plugins, capsys):
    store = str(plugins / "runs.sqlite")
    code, out, err = run_cli(capsys, "check", "toy", "--store", store, "--quiet")
    assert code == 0
    tail = out.strip().splitlines()[-3:]
    assert tail[0] == "summary:"
    assert tail[1] == "  toy: 1 consistent, 1 inconsistent, 0 inconclusive"
    assert tail[2].startswith("  toy T2 inconsistent: ")
    code, out, err = run_cli(capsys, "check", "toy", "--store", store, "--json")
    assert code == 0 and json.loads(out)["paper"] == "toy"  # stdout stays JSON
    assert "  toy: 1 consistent, 1 inconsistent, 0 inconclusive" in err.splitlines()
    code, out, err = run_cli(capsys, "check", "toy", "--store", store, "--json", "--quiet")
    assert code == 0 and json.loads(out)["paper"] == "toy" and err == ""


def test_report_ends_with_a_verdict_summary(plugins, capsys):
    code, out, _ = run_cli(capsys, "report", "--papers", "toy", "--budget", "smoke",
                           "--probe-examples", "0", "--out", str(plugins / "reports"),
                           "--store", str(plugins / "runs.sqlite"), "--quiet")
    assert code == 0
    lines = out.strip().splitlines()
    assert any(line.endswith("toy.md") for line in lines)
    assert lines[-3:-1] == ["summary:", "  toy: 1 consistent, 1 inconsistent, 0 inconclusive"]
    assert lines[-1].startswith("  toy T2 inconsistent: ")


# ---- 6. a measurement that prints does not break --json ------------------------------------

def test_a_printing_measurement_leaves_json_stdout_intact(tmp_path):
    where = write_plugins(tmp_path / "plugins")
    proc = cli_process("check", "noisy", "--json", "--quiet", "--store",
                       str(tmp_path / "runs.sqlite"), "--device", "cpu", pythonpath=where,
                       cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)  # nothing but the JSON
    assert [v["claim"] for v in res["verdicts"]] == ["T1"]
    for noise in ("python-level noise", "fd-level noise", "c-level noise"):
        assert noise in proc.stderr and noise not in proc.stdout


# ---- 7. huge echoed values are clipped ----------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["query", "ols", "x" * BIG],  # not name=value
    ["query", "y" * BIG, "p=1"],  # an unknown paper
    ["query", "ols", "z" * BIG + "=1"],  # an unknown parameter
    ["query", "ols", "sigma=" + "w" * BIG],  # a bad value
    ["describe", "ols", "--nope" + "v" * BIG],  # a usage error
])
def test_errors_echo_a_huge_value_clipped_on_one_line(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and len(err) < 700, len(err)
    assert "..." in err


def test_parameter_lookup_clips_the_name():
    from ols_example.model import OLSConfig

    with pytest.raises(ValueError, match=r"characters\)") as exc:
        OLSConfig.parameter("q" * BIG)
    assert len(str(exc.value)) < 400


# ---- 8. probe: the shrunk counterexample first, then the bracket -----------------------------

def test_probe_prints_the_shrunk_counterexample_before_the_bracket(plugins, capsys):
    """Planted: E1's prediction 30% too high below n = 60. Hypothesis shrinks to a small n;
    the bisection's refuting end lies just below 60, its passing neighbour at 60 or above."""
    [res] = theorycheck.probe("planted", examples=30, budget="quick", seed=0,
                              store=str(plugins / "p.sqlite"), progress=False)
    shrunk, edge, good = res.shrunk, res.counterexample, res.neighbour
    assert shrunk.regime != edge.regime and good is not None
    code, out, _ = run_cli(capsys, "probe", "planted", "--examples", "30", "--budget", "quick",
                           "--store", str(plugins / "p.sqlite"), "--quiet")
    assert code == 0
    lines = out.splitlines()
    head = lines[0]
    assert f"refuted at n = {shrunk.regime['n']}, p = {shrunk.regime['p']} " in head, head

    def row(label: str) -> int:
        [i] = [i for i, line in enumerate(lines) if line.startswith(label)]
        return i

    first, refuting, passing = (row("counterexample (shrunk)"), row("bracket: refuting end"),
                                row("bracket: passing neighbour"))
    assert first < refuting < passing
    assert f"n = {shrunk.regime['n']}," in lines[first]
    assert f"n = {edge.regime['n']}," in lines[refuting]
    assert f"n = {good.regime['n']}," in lines[passing]
    assert f"counterexample rerun: seeds {shrunk.seeds[:3]}"[:-1] in out


# ---- 9. plan --estimate: one full-size simulation ------------------------------------------

def test_plan_estimate_simulates_the_full_network_once(capsys, monkeypatch):
    """The estimate ran the d = 3.8e8 over-pruned network three times (a warm-up, the passes,
    100 steps: 6.7-23 s); its training steps do not depend on d or the draws, so they are
    timed on a small stand-in of the same shape, and the full network runs once. Counted
    through the real simulator."""
    from theorycheck.simulations import two_layer

    sizes: list[int] = []
    real = two_layer.simulate

    def counting(configs, seeds, **options):
        sizes.extend(cfg.d for cfg in configs)
        return real(configs, seeds, **options)

    monkeypatch.setattr(two_layer, "simulate", counting)
    code, out, _ = run_cli(capsys, "plan", "yang2023", "regime=over-pruned", "--estimate",
                           "--json")
    assert code == 0
    rep = json.loads(out)
    d = rep["params"]["d"]
    assert d > 10**8 and 0 < rep["estimated_seconds"] < 600
    assert sizes.count(d) == 1, sizes
    assert all(size == d or size <= 1000 for size in sizes), sizes
