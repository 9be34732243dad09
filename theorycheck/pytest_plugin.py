"""pytest plugin (entry point ``pytest11: theorycheck``): probe a theorem from a test file.

A researcher's test says, in a few lines, "for every regime that ``query`` calls mild, claim
S1 holds" (the probe's precondition is ``classify``, the regime ``query`` reports), or adds a
precondition of its own::

    def test_mild_networks_have_small_test_error(theorycheck_probe):
        theorycheck_probe("yang2023", "mild-small-error", examples=20)

    def test_ols_on_wide_problems(theorycheck_probe):
        theorycheck_probe("ols", "E1", examples=50, where=lambda r: r["p"] >= 10,
                          where_text="p >= 10")

The test fails with the counterexample (regime, measured against predicted, seeds) when a
regime is judged inconsistent, and when nothing was tested (no regime judged: a ``where``
that admits no drawn regime). A ``where`` that returns anything but a bool is an error
naming ``where``. Fixtures
(session-wide unless said otherwise):

- ``theorycheck_store``: the results store, ``--theorycheck-store`` or
  ``<rootdir>/.theorycheck/results.sqlite``: a rerun simulates only new regimes;
- ``theorycheck_settings``: Hypothesis settings with the example database
  ``<rootdir>/.theorycheck/hypothesis``, so a refuting draw replays first on the next run
  (no Hypothesis profile is loaded or changed);
- ``theorycheck_probe`` (per test): runs ``theorycheck.probes.probe`` with both, at
  ``--theorycheck-budget`` (default ``smoke``) on ``--theorycheck-device`` (default
  ``auto``), and returns the probe results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as Settings  # noqa: N812 - Hypothesis's class
from hypothesis.database import DirectoryBasedExampleDatabase

from theorycheck.probes import ProbeResult, probe
from theorycheck.probes.runner import fmt_regime
from theorycheck.store import ResultStore


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("theorycheck", "theorycheck probes")
    group.addoption("--theorycheck-store", default=None,
                    help="results store of theorycheck_probe (default "
                         "<rootdir>/.theorycheck/results.sqlite)")
    group.addoption("--theorycheck-budget", default="smoke",
                    help="budget of theorycheck_probe (trials per regime; default smoke)")
    group.addoption("--theorycheck-device", default="auto",
                    help="device of theorycheck_probe: auto (default), cpu or cuda")


@pytest.fixture(scope="session")
def theorycheck_dir(pytestconfig: pytest.Config) -> Path:
    """``<rootdir>/.theorycheck``: the store and Hypothesis's example database."""
    path = Path(pytestconfig.rootpath) / ".theorycheck"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def theorycheck_store(pytestconfig: pytest.Config, theorycheck_dir: Path
                      ) -> Iterator[ResultStore]:
    store = ResultStore(pytestconfig.getoption("theorycheck_store")
                        or theorycheck_dir / "results.sqlite")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def theorycheck_settings(theorycheck_dir: Path) -> Settings:
    return Settings(database=DirectoryBasedExampleDatabase(theorycheck_dir / "hypothesis"),
                    deadline=None)


def failure(result: ProbeResult) -> str:
    """Why a probe fails its test: the counterexample of a refuted one (with the seeds that
    rerun it), or, when no regime was simulated and judged, that nothing was tested (what
    the draws ran into instead)."""
    where = f" ({result.where_text})" if result.where_text else ""
    head = f"{result.probe.paper} probe {result.probe.key}"
    if result.refuted:
        ce = result.counterexample
        return (f"{head}: {result.headline()}; rerun: seeds {ce.seeds[:3]}... at "
                f"{fmt_regime(ce.regime)}")
    return (f"{head}: nothing was tested: 0 regimes judged ({result.refused} draws refused "
            f"by validation, {result.outside} outside the precondition{where}); widen the "
            "precondition or draw more examples")


@pytest.fixture
def theorycheck_probe(pytestconfig: pytest.Config, theorycheck_store: ResultStore,
                      theorycheck_settings: Settings) -> Callable[..., list[ProbeResult]]:
    """``run(paper, probes, **options)``: :func:`theorycheck.probes.probe` with the session's
    store and settings; fails the test on a counterexample."""

    def run(paper: Any, probes: str | list[str] | None = None, **options: Any
            ) -> list[ProbeResult]:
        options.setdefault("budget", pytestconfig.getoption("theorycheck_budget"))
        options.setdefault("device", pytestconfig.getoption("theorycheck_device"))
        results = probe(paper, probes, store=theorycheck_store, settings=theorycheck_settings,
                        progress=False, **options)
        lines = [failure(r) for r in results if r.refuted or not r.records]
        if lines:
            pytest.fail("\n".join(lines), pytrace=False)
        return results

    return run
