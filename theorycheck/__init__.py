"""theorycheck: check the theory of neural-network pruning against simulation.

Public API (docs/architecture.md): ``papers()``, ``query(paper, **params)``,
``plan(paper, regime=..., constants=..., **fixed)``, ``check(paper, budget, device, backend)``,
``probe(paper, probes, examples)``, ``report(papers, budget, out)``. A paper is an
installed plugin (entry-point group ``theorycheck.papers``) named by its key, or a
:class:`Paper` object.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from theorycheck.checker import CheckResults, check
from theorycheck.paper import Measurement, Paper
from theorycheck.probes import probe
from theorycheck.regime import RegimeReport
from theorycheck.registry import get_paper, installed, papers
from theorycheck.verdicts import Status, Verdict

__version__ = "0.2.0"


def query(paper: str | Paper, /, **params: Any) -> RegimeReport:
    """The regime report of ``paper`` at ``params``: conditions with values and margins,
    the regime that applies, predicted values and orders, and warnings.

    Bad input raises ValueError naming the parameter and its allowed range (``paper`` is
    positional-only, so that a parameter named ``paper`` is refused by name like any other
    unknown one).
    """
    spec = get_paper(paper)
    if spec.query is None:
        raise ValueError(f"paper {spec.key!r} has no regime query")
    return spec.query(**params)


def plan(paper: str | Paper, /, **kwargs: Any) -> RegimeReport:
    """The cheapest regime of ``paper`` in which its theorem's conditions and the requested
    regime hold (``regime=``, ``constants=``, fixed parameters by name), as a regime report
    with the margins (and, with ``estimate=True``, the measured run-time estimate).

    Bad input raises ValueError naming the parameter (or the condition that cannot hold).
    """
    spec = get_paper(paper)
    if spec.plan is None:
        raise ValueError(f"paper {spec.key!r} has no regime planner")
    return spec.plan(**kwargs)


def report(papers: Sequence[str | Paper] | None = None, budget: str = "quick",
           out: str | Path = "reports", **kwargs: Any) -> list[Path]:
    """Run the checks and write ``out/<paper>.md``, ``.html`` and ``.json`` for each paper
    (every installed paper by default)."""
    from theorycheck.reporting import write_reports

    return write_reports(papers, budget=budget, out=out, **kwargs)


__all__ = ["CheckResults", "Measurement", "Paper", "RegimeReport", "Status", "Verdict",
           "check", "get_paper", "installed", "papers", "plan", "probe", "query", "report"]
