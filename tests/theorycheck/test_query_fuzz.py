"""Fuzzing ``theorycheck.query`` and ``theorycheck query`` for every installed paper, and
``theorycheck.plan`` for every paper with a planner (its fixed parameters drawn like the
query's, with its regime, options and named constants).

Property: every call either answers (a RegimeReport whose ``to_dict()`` is strict JSON, with
every null explained in ``warnings``; the census reports the times against the 1 s target
and fails on a call over ``fuzzing.HANG_SECONDS``) or raises a one-line ValueError that
names the parameter and what it allows; the command line answers, or prints one line on stderr
and exits non-zero, never a traceback. Calls are drawn from each paper's declared
``query_parameters`` plus hostile values and names (``fuzzing.py`` lists them).

Settings: ``THEORYCHECK_HYPOTHESIS=ci`` (default) runs 300 query calls and 100 command lines
per paper; ``thorough`` runs 10,000 and 2,000. Both are derandomized (the same calls on every
run), generation phase only (each example is one call; a failure is reported with its
inputs, not shrunk). ``THEORYCHECK_FUZZ_LOG=path`` appends each census as a JSON line.

Before the fixes of issue 9 (same generators, thorough profile, 2-core machine, one BLAS
thread): ols 123 failures in 10,000 calls (99 TypeError: a parameter named ``paper``;
21 ValueErrors naming no parameter: Python's 4300-digit limit in the message's repr; 3
ValueErrors spanning several lines: an array's repr), yang2023 912 in 10,000 (326
ZeroDivisionError, 312 "condition benign: sides must be positive", 223 OverflowError,
36 TypeError, 15 multi-line), chang2021 368 in 2,000 calls (363 TypeError: ``paper``, a
missing ``p``; 3 naming no parameter; 2 multi-line; accepted calls up to 8.4 s, and random
features at p = d = 2000 took 10-40 s, which made a longer census impractical); the command
line: 3 of 2,000 (ols) and 25 of 2,000 (yang2023)
errors broken over several lines by echoed control characters.

After (thorough profile): 0 failures in 10,000 calls for each paper and 2,000 command lines
each; on the idle machine no accepted query took over 1 s (slowest 0.37 s, chang2021
random features at p = 2499, d = 299, n = 3, s = 99).
"""

from __future__ import annotations

import json
import os

import pytest
from theorycheck.bounds.yang2023.plan import REGIMES
from theorycheck.bounds.yang2023.symbols import CONSTANT_DEFAULTS

import theorycheck
from theorycheck.cli import main
from theorycheck.params import Param

from .fuzzing import (
    REFUSALS,
    Census,
    cli_argv,
    cli_outcome,
    plan_kwargs,
    query_kwargs,
    query_outcome,
    run_census,
)

PROFILE = os.environ.get("THEORYCHECK_HYPOTHESIS", "ci")
QUERY_CALLS = {"ci": 300, "thorough": 10_000}[PROFILE]
CLI_CALLS = {"ci": 100, "thorough": 2_000}[PROFILE]
PLAN_CALLS = {"ci": 300, "thorough": 3_000}[PROFILE]
PAPERS = theorycheck.papers()
PLAN_EXTRAS: dict[str, tuple[Param, ...]] = {"yang2023": (
    Param("regime", "choice", choices=REGIMES),
    Param("benign_factor", "float", low=0, high=1e6, low_open=True),
    *(Param(name, "float", low=0, high=1e3) for name in CONSTANT_DEFAULTS))}
"""What a paper's ``plan`` takes besides its query parameters (the fixed ones): the
regime, its own options and the named constants."""
PLAN_REFUSALS = (*REFUSALS, "fail")
"""A planner may also refuse by naming the D6 condition that the fixed values make fail."""


def declared(paper: str) -> tuple[tuple, list[str]]:
    signatures = theorycheck.get_paper(paper).query_parameters
    return signatures, sorted({spec.name for sig in signatures for spec in sig})


def log(paper: str, what: str, census: Census) -> None:
    print(f"{paper} {what}: {census.summary()}")
    path = os.environ.get("THEORYCHECK_FUZZ_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"paper": paper, "what": what, "profile": PROFILE,
                                "calls": census.calls, **dict(census.kinds),
                                "failures_by_kind": dict(census.failures),
                                "median_accepted_seconds": census.quantile(0.5),
                                "p99_accepted_seconds": census.quantile(0.99),
                                "max_accepted_seconds": census.max_accepted_seconds,
                                "over_1s": sum(t > 1.0 for t in census.accepted_seconds)})
                    + "\n")


def test_every_paper_declares_its_query_parameters():
    for paper in PAPERS:
        signatures, names = declared(paper)
        assert signatures and names, paper


@pytest.mark.property
@pytest.mark.parametrize("paper", PAPERS)
def test_query_answers_or_refuses_by_name(paper):
    signatures, names = declared(paper)
    census = run_census(query_kwargs(signatures),
                        lambda kw: query_outcome(theorycheck.query, paper, kw, names),
                        QUERY_CALLS)
    log(paper, "query", census)
    assert census.kinds["failure"] == 0, census.summary()
    assert census.kinds["accepted"] > census.calls // 10, census.summary()
    assert census.kinds["refused"] > census.calls // 10, census.summary()


@pytest.mark.property
@pytest.mark.parametrize("paper", PAPERS)
def test_cli_query_answers_or_prints_one_line(paper):
    signatures, _ = declared(paper)
    census = run_census(cli_argv(paper, signatures), lambda argv: cli_outcome(main, argv),
                        CLI_CALLS)
    log(paper, "cli", census)
    assert census.kinds["failure"] == 0, census.summary()
    assert census.kinds["accepted"] > census.calls // 10, census.summary()


def test_every_planner_is_fuzzed_and_the_others_refuse_by_name():
    planners = sorted(p for p in PAPERS if theorycheck.get_paper(p).plan is not None)
    assert planners == sorted(PLAN_EXTRAS)
    for paper in sorted(set(PAPERS) - set(planners)):
        with pytest.raises(ValueError, match=f"^paper '{paper}' has no regime planner$"):
            theorycheck.plan(paper, n=20.7)


@pytest.mark.property
@pytest.mark.parametrize("paper", sorted(PLAN_EXTRAS))
def test_plan_answers_or_refuses_by_name(paper):
    """``plan`` validates its fixed parameters as ``query`` does (n = 20.7 is refused, not
    planned at n = 20), and a value in range that no network can meet is named too."""
    signatures, names = declared(paper)
    extras = PLAN_EXTRAS[paper]
    census = run_census(plan_kwargs([(*sig, *extras) for sig in signatures]),
                        lambda kw: query_outcome(theorycheck.plan, paper, kw,
                                                 [*names, *(p.name for p in extras)],
                                                 refusals=PLAN_REFUSALS),
                        PLAN_CALLS)
    log(paper, "plan", census)
    assert census.kinds["failure"] == 0, census.summary()
    assert census.kinds["accepted"] > census.calls // 10, census.summary()
    assert census.kinds["refused"] > census.calls // 10, census.summary()
