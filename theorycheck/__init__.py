"""theorycheck: check the theory of neural-network pruning against simulation.

Public API (DESIGN.md): ``papers()``, ``query(paper, **params)``,
``check(paper, budget, device, backend)``, ``report(papers, budget, out)``.
"""

from __future__ import annotations

from typing import Any

from theorycheck.checker import CheckResults, check
from theorycheck.regime import RegimeReport
from theorycheck.registry import get_paper, papers
from theorycheck.verdicts import Status, Verdict

__version__ = "0.1.0"


def query(paper: str, **params: Any) -> RegimeReport:
    """The regime report of ``paper`` at ``params``: conditions with values and margins,
    the regime that applies, predicted values and orders, and warnings.

    Bad input raises ValueError naming the parameter and its allowed range.
    """
    return get_paper(paper).query(**params)


def report(papers: list[str] | None = None, budget: str = "quick", out: str = "reports",
           **kwargs: Any):
    """Run the checks and write ``out/<paper>.md`` and ``out/<paper>.html`` for each paper."""
    from theorycheck.reporting import write_reports

    return write_reports(papers, budget=budget, out=out, **kwargs)


__all__ = ["CheckResults", "RegimeReport", "Status", "Verdict", "check", "papers", "query",
           "report"]
