"""One plugin, claim or measurement that breaks leaves the others working (issue 17, 3.2, 3.6).

Real distributions, as pip would leave them: a ``*.dist-info`` folder with its
``entry_points.txt`` and the plugin modules beside it, in a temporary directory put on
``PYTHONPATH`` of a ``theorycheck`` subprocess (or on ``sys.path`` of this one):

- ``evilpapers`` registers ``chang2021`` a second time (the built-in one is ``theorycheck``'s):
  that key is an error naming both distributions; the other papers stay usable;
- ``brokenpapers`` registers ``broken``, whose module fails to import;
- ``tinypapers`` registers ``tiny``: a claim that runs the worked example's OLS simulator, one
  whose measurement raises, one whose prediction raises and one whose sweep raises.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import theorycheck
from theorycheck.registry import get_paper, installed
from theorycheck.verdicts import Status

TINY = '''
from theorycheck import Measurement, Paper
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import ValueComparison
from ols_example import simulator
from ols_example.claims import predicted
from ols_example.model import OLSConfig


def explode(requests, device):
    raise RuntimeError("the simulator exploded")


def sweep(budget):
    return [Point(OLSConfig(n=n, p=5), 2000, {"n": n}) for n in (40, 80)]


def bad_sweep(budget):
    raise KeyError("no such budget table")


def claim(key, measurement, predict=lambda pr: predicted(pr.config), points=sweep):
    return Claim("tiny", key, f"claim {key}", "the OLS excess risk", "paper", "textbook",
                 measurement, points, ValueComparison("excess_risk", predict, rtol=0.1))


def claims():
    return [claim("T1", "ols"), claim("T2", "boom"),
            claim("T3", "ols", predict=lambda pr: 1 / 0), claim("T4", "ols", points=bad_sweep)]


PAPER = Paper("tiny", "a tiny paper", "none", claims,
              (Measurement("ols", simulator.simulate, "1", chunk=200),
               Measurement("boom", explode, "1")))
'''


def distribution(root: Path, name: str, entry_points: str, modules: dict[str, str]) -> None:
    """Install distribution ``name`` 0.1 into ``root`` as metadata plus its modules."""
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[theorycheck.papers]\n{entry_points}\n")
    for module, text in modules.items():
        (root / f"{module}.py").write_text(text)


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    """A directory holding the three distributions of the module docstring."""
    root = tmp_path / "site"
    root.mkdir()
    distribution(root, "evilpapers", "chang2021 = evilpaper:PAPER", {
        "evilpaper": "from theorycheck import Paper\n"
                     "PAPER = Paper('chang2021', 'an impostor', 'none', lambda: [])\n"})
    distribution(root, "brokenpapers", "broken = brokenpaper:PAPER",
                 {"brokenpaper": "import no_such_module_here\n"})
    # a module name no other test imports (test_plugins has its own ``tinypaper``)
    distribution(root, "tinypapers", "tiny = isolated_tinypaper:PAPER",
                 {"isolated_tinypaper": TINY})
    return root


def cli(plugins: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``theorycheck *args`` in a subprocess that sees the distributions in ``plugins``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(plugins), *filter(None, [os.environ.get("PYTHONPATH")])]),
           "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "theorycheck.cli", *args], env=env,
                          cwd=plugins.parent, capture_output=True, text=True, timeout=300)


def test_a_duplicate_key_is_an_error_naming_both_distributions(plugins, monkeypatch):
    monkeypatch.syspath_prepend(str(plugins))
    with pytest.raises(ValueError) as err:
        get_paper("chang2021")
    assert err.type.__name__ == "PluginError"
    message = str(err.value)
    assert "\n" not in message
    assert f"theorycheck {theorycheck.__version__}" in message
    assert "evilpapers 0.1" in message and "chang2021" in message
    assert get_paper("yang2023").key == "yang2023"  # the other papers stay usable
    assert theorycheck.query("yang2023", p=0.05).regime == "in-between"
    dup = [p for p in installed() if p.key == "chang2021"]
    assert len(dup) == 1 and "evilpapers 0.1" in dup[0].distribution


def test_report_refuses_the_duplicated_paper_and_writes_no_empty_report(plugins):
    out = plugins.parent / "reports"
    res = cli(plugins, "report", "--papers", "chang2021", "--budget", "smoke", "--quiet",
              "--out", str(out), "--store", str(plugins.parent / "runs.sqlite"))
    assert res.returncode != 0
    assert "evilpapers 0.1" in res.stderr and "theorycheck " in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (out / "chang2021.md").exists()


def test_list_shows_every_paper_and_the_broken_ones_with_their_error(plugins):
    res = cli(plugins, "list")
    assert res.returncode == 0, res.stderr
    rows = {line.split("\t")[0]: line for line in res.stdout.splitlines()}
    assert set(rows) == {"broken", "chang2021", "ols", "tiny", "yang2023"}
    assert "ModuleNotFoundError" in rows["broken"] and "no_such_module_here" in rows["broken"]
    assert "brokenpapers 0.1" in rows["broken"]
    assert "evilpapers 0.1" in rows["chang2021"]
    assert rows["tiny"].endswith("a tiny paper")
    assert "random pruning" in rows["yang2023"]


def test_report_writes_the_good_papers_and_names_the_broken_one(plugins):
    out = plugins.parent / "reports"
    res = cli(plugins, "report", "--papers", "broken,tiny", "--budget", "smoke", "--quiet",
              "--probe-examples", "0", "--out", str(out),
              "--store", str(plugins.parent / "runs.sqlite"))
    assert res.returncode != 0
    assert (out / "tiny.md").exists() and (out / "tiny.json").exists()
    assert not (out / "broken.md").exists()
    [line] = res.stderr.strip().splitlines()
    assert "broken" in line and "ModuleNotFoundError" in line and "brokenpapers" in line


def test_each_claim_is_judged_on_its_own(plugins, monkeypatch, tmp_path):
    """A measurement, a prediction and a sweep that raise: each of those claims is
    inconclusive with the error named in one line; the sound claim is judged as ever."""
    monkeypatch.syspath_prepend(str(plugins))
    res = theorycheck.check("tiny", budget="smoke", device="cpu", progress=False,
                            store=str(tmp_path / "runs.sqlite"))
    by = {v.claim: v for v in res.verdicts}
    assert by["T1"].status is Status.CONSISTENT
    for key, *named in (("T2", "measurement 'boom'", "RuntimeError: the simulator exploded"),
                        ("T3", "ZeroDivisionError", "comparison"),
                        ("T4", "KeyError", "sweep")):
        v = by[key]
        assert v.status is Status.INCONCLUSIVE, (key, v.reason)
        assert v.reason.startswith("error:") and "\n" not in v.reason
        for word in (f"claim {key}", "paper 'tiny'", *named):
            assert word in v.reason, (key, word, v.reason)
    assert "measurement 'ols'" in by["T3"].reason


def test_check_on_the_command_line_shows_the_errors_as_verdicts(plugins):
    res = cli(plugins, "check", "tiny", "--budget", "smoke", "--quiet", "--device", "cpu",
              "--store", str(plugins.parent / "runs.sqlite"))
    assert res.returncode == 0, res.stderr
    rows = {line.split()[0]: line for line in res.stdout.splitlines()[2:]}
    assert " consistent " in rows["T1"]
    assert "inconclusive" in rows["T2"] and "error:" in rows["T2"]


FIXTURE_TESTS = '''
def test_where_always_false(theorycheck_probe):
    theorycheck_probe("ols", "E1", examples=4, where=lambda r: False, where_text="never")

def test_where_returns_none(theorycheck_probe):
    theorycheck_probe("ols", "E1", examples=4, where=lambda r: None)

def test_where_returns_text(theorycheck_probe):
    theorycheck_probe("ols", "E1", examples=4, where=lambda r: "yes")

def test_a_precondition_that_holds(theorycheck_probe):
    theorycheck_probe("ols", "E1", examples=3, where=lambda r: r["n"] > 0)
'''


def test_the_probe_fixture_fails_when_nothing_was_tested(pytester):
    """A real pytest run: a ``where`` that admits no regime fails its test (nothing was
    judged), a ``where`` that returns no bool fails naming ``where``; a sound one passes."""
    pytester.makepyfile(test_user=FIXTURE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([
        "*ols probe E1-everywhere: nothing was tested: 0 regimes judged*outside the "
        "precondition*never*"])
    result.stdout.fnmatch_lines(["*where must return a bool, got None at n = *"])
    result.stdout.fnmatch_lines(["*where must return a bool, got 'yes' at n = *"])
