"""Probes (``theorycheck.probes``) on the example paper ``ols``, through the unchanged core.

Tolerances and seeds: Hypothesis runs with ``seed=0``; each regime is judged by E1's value
comparison at the 0.99 level with rtol 0.1 (``ols_example.probes``), 1000 trials at
``quick``. The planted false property scales the prediction by 1.3 only for n < 60: the probe
must refute it and refine the counterexample to within 10% of n = 60 in at most 100
examples; the true property must survive the same 100 examples.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from ols_example.probes import e1_everywhere, variance_margin
from ols_example.simulator import MEASUREMENT, simulate

from theorycheck import Measurement
from theorycheck.backends import make_backend
from theorycheck.cli import main
from theorycheck.probes import Draw, probe, regimes
from theorycheck.probes.runner import SHRINK_LIMIT, ProbeRun
from theorycheck.registry import get_paper
from theorycheck.reporting import write_paper_report
from theorycheck.store import ResultStore
from theorycheck.verdicts import Status

EDGE = 60
OLS = get_paper("ols")


def with_probe(probe_obj, measurement=None):
    """The ols paper with only ``probe_obj`` (and optionally another measurement)."""
    ms = (measurement,) if measurement is not None else OLS.measurements
    return dataclasses.replace(OLS, probes=lambda: [probe_obj], measurements=ms)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("probe") / "p.sqlite")
    [res] = probe(with_probe(e1_everywhere(1.3, EDGE)), examples=100, budget="quick", seed=0,
                  store=store, progress=False)
    return res, store


def test_a_planted_false_property_is_refuted_at_its_edge(planted):
    res, _ = planted
    assert res.refuted and res.outcome == "refuted"
    ce, nb = res.counterexample, res.neighbour
    assert ce.status is Status.INCONSISTENT and ce.regime["n"] < EDGE
    assert abs(ce.regime["n"] / EDGE - 1) <= 0.10, ce.regime
    assert nb is not None and nb.status is not Status.INCONSISTENT and nb.regime["n"] >= EDGE
    assert res.shrunk is not None and res.shrunk.status is Status.INCONSISTENT
    generated = sum(r.phase == "generate" for r in res.records)
    assert generated <= 100 and sum(r.phase == "shrink" for r in res.records) <= SHRINK_LIMIT
    assert all(len(r.seeds) == 1000 for r in res.records)


def test_the_true_property_survives_the_same_examples(tmp_path):
    [res] = probe("ols", examples=100, budget="quick", seed=0,
                  store=str(tmp_path / "t.sqlite"), progress=False)
    assert not res.refuted and res.outcome == "survived", res.headline()
    assert res.counts()["inconsistent"] == 0 and res.counts()["consistent"] >= 10
    assert all(variance_margin(r.regime) >= 0 for r in res.records)  # the precondition
    kinds = {r.kind for r in res.records}
    assert {"bulk", "edge", "boundary"} <= kinds


def test_a_counterexample_reruns_exactly_from_its_regime_and_seed(planted, tmp_path):
    res, _ = planted
    ce = res.counterexample
    with ResultStore(str(tmp_path / "fresh.sqlite")) as db:
        run = ProbeRun(with_probe(e1_everywhere(1.3, EDGE)), res.probe, "quick",
                       make_backend("local", db, "cpu", False), 0, None)
        again = run.judge(Draw(ce.units, ce.regime, "rerun"), "rerun")
    assert (again.status, again.summary, again.seeds) == (ce.status, ce.summary, ce.seeds)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(regimes(e1_everywhere()))
def test_draws_stay_in_range_and_boundary_draws_sit_on_the_boundary(draw):
    p = e1_everywhere()
    for axis in p.axes:
        assert axis.low <= draw.regime[axis.name] <= axis.high
        assert isinstance(draw.regime[axis.name], int)
    if draw.kind == "boundary":
        # a unit offset of at most 0.03 moves log n by <= 0.03 log 40, log(p + 5) by less
        assert abs(variance_margin(draw.regime)) <= 0.03 * math.log(40) + 0.1
    if draw.kind == "edge":
        name = draw.detail.split()[0]
        i = [a.name for a in p.axes].index(name)
        assert min(draw.units[i], 1 - draw.units[i]) <= 0.02 + 1e-12


def test_refused_and_outside_draws_never_reach_the_simulator(tmp_path):
    seen = []

    def recording(requests, device):
        seen.extend(cfg for cfg, _ in requests)
        return simulate(requests, device)

    res = probe(with_probe(e1_everywhere(), Measurement(MEASUREMENT, recording, "1")),
                examples=40, budget="smoke", seed=3, store=str(tmp_path / "r.sqlite"),
                progress=False, where=lambda r: r["p"] >= 3, where_text="p >= 3")[0]
    assert res.refused > 0 and res.outside > 0 and seen
    assert all(cfg.p <= cfg.n and cfg.n >= cfg.p + 5 and cfg.p >= 3 for cfg in seen)


def test_faulted_regimes_are_inconclusive_and_never_refute(tmp_path):
    """Trials at n < 30 fault (and report garbage): with a prediction wrong only there, the
    probe must not refute, and those regimes are inconclusive with the fault named."""

    def faulty(requests, device):
        out = simulate(requests, device)
        for (cfg, _), r in zip(requests, out):
            if cfg.n < 30:
                r.update(excess_risk=float("nan"), fault="diverged: planted")
        return out

    paper = with_probe(e1_everywhere(1.3, 30), Measurement(MEASUREMENT, faulty, "planted"))
    [res] = probe(paper, examples=60, budget="smoke", seed=1,
                  store=str(tmp_path / "f.sqlite"), progress=False)
    assert not res.refuted
    small = [r for r in res.records if r.regime["n"] < 30]
    assert small and all(r.status is Status.INCONCLUSIVE and "faulted" in r.reason
                         for r in small)


def test_report_section_shows_the_counterexample_and_the_plane(planted, tmp_path):
    from theorycheck.checker import check

    res, store = planted
    results = check("ols", budget="smoke", claims=["E1"], store=store, progress=False)
    md, page, js = write_paper_report(results, tmp_path, probes=[res])
    text = md.read_text()
    assert "## Edge regimes probed" in text and "counterexample" in text
    assert f"n = {res.counterexample.regime['n']}" in text
    (figure,) = (tmp_path / "figures" / "ols").glob("*/probe-E1-everywhere.png")
    assert figure.stat().st_size > 5000
    assert "Edge regimes probed" in page.read_text()
    assert json.loads(js.read_text())["probes"][0]["outcome"] == "refuted"


def test_cli_probe_json_and_one_line_errors(tmp_path, capsys):
    store = str(tmp_path / "c.sqlite")
    assert main(["probe", "ols", "--claims", "E1", "--examples", "3", "--budget", "smoke",
                 "--store", store, "--json", "--quiet"]) == 0
    [out] = json.loads(capsys.readouterr().out)
    assert out["probe"] == "E1-everywhere" and out["regimes"]
    assert main(["probe", "ols", "--claims", "nope", "--quiet", "--store", store]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "nope" in err and "E1-everywhere" in err


PLUGIN_TEST = '''
import dataclasses, json, os
from theorycheck.probes import probe
from theorycheck.registry import get_paper
from ols_example.probes import e1_everywhere

LOG = os.environ["PROBE_LOG"]
PAPER = dataclasses.replace(get_paper("ols"), probes=lambda: [e1_everywhere(1.3, 60)])

def logged(regime):
    with open(LOG, "a") as f:
        f.write(json.dumps(regime) + "\\n")
    return True

def test_with_the_fixtures(theorycheck_store, theorycheck_settings):
    [res] = probe(PAPER, examples=30, budget="quick", store=theorycheck_store,
                  settings=theorycheck_settings, where=logged, where_text="logged",
                  progress=False)
    with open(os.environ["PROBE_OUT"], "w") as f:
        json.dump(res.shrunk.regime, f)

def test_planted_property(theorycheck_probe):
    theorycheck_probe(PAPER, examples=30)

def test_true_property(theorycheck_probe):
    theorycheck_probe("ols", "E1", examples=5)
'''


def test_pytest_plugin_from_a_test_file_outside_the_repository(pytester, monkeypatch):
    pytester.makepyfile(test_user=PLUGIN_TEST)
    runs = []
    for k in range(2):
        log, out = pytester.path / f"log{k}", pytester.path / f"out{k}"
        monkeypatch.setenv("PROBE_LOG", str(log))
        monkeypatch.setenv("PROBE_OUT", str(out))
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                               "--theorycheck-budget", "quick")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(["*ols probe E1-everywhere: refuted at n = *seeds*"])
        first = json.loads(log.read_text().splitlines()[0])
        runs.append((first, json.loads(out.read_text())))
    assert (pytester.path / ".theorycheck" / "hypothesis").is_dir()
    assert (pytester.path / ".theorycheck" / "results.sqlite").is_file()
    # the refuting draw of the first run is the first regime the second run tries
    assert runs[1][0] == runs[0][1] and runs[0][1]["n"] < EDGE
