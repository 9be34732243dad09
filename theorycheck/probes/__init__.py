"""Property-based probes of a theorem's edge regimes (Hypothesis).

``theorycheck.probe(paper, probes)`` draws regimes from each probe's axes, concentrating on
the ends of the ranges and on the boundaries of the conditions, judges the probe's claim at
each regime on its own trials, and shrinks and refines a refuting regime to the edge where
the claim stops holding (``runner``). ``spec`` holds what a probe is, ``strategies`` the
Hypothesis strategies of regimes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import settings as Settings  # noqa: N812 - Hypothesis's class

from theorycheck.backends import make_backend
from theorycheck.checker import validate_seed
from theorycheck.paper import Paper
from theorycheck.probes.runner import (
    REFINE_STEPS,
    SHRINK_LIMIT,
    ProbeResult,
    RegimeRecord,
    run_probe,
    select_probes,
)
from theorycheck.probes.spec import Axis, Boundary, Probe, Regime
from theorycheck.probes.strategies import Draw, regimes
from theorycheck.registry import get_paper
from theorycheck.store import ResultStore, opened
from theorycheck.threads import using_threads


def probe(paper: str | Paper, probes: str | Sequence[str] | None = None, *,
          examples: int = 20, budget: str = "quick", seed: int = 0,
          store: ResultStore | str | None = None, device: str = "auto",
          backend: str = "local", address: str | None = None,
          settings: Settings | None = None, where: Callable[[Regime], bool] | None = None,
          where_text: str = "", shrink_limit: int = SHRINK_LIMIT,
          refine_steps: int = REFINE_STEPS, progress: bool = True,
          threads: int | str | None = None) -> list[ProbeResult]:
    """Run the paper's probes (by probe key or by the claim they probe; all by default).

    Args:
        examples: regimes Hypothesis draws per probe (shrinking and refinement simulate at
            most ``shrink_limit`` and ``refine_steps`` more).
        budget: the paper's budget, which sets the trials per regime.
        seed: the root seed of Hypothesis's draws and of every trial's seed.
        store: a ResultStore, a path to its SQLite file, or None for the default path.
        settings: Hypothesis settings to start from (e.g. with an example database, so that
            a refuting draw replays first on the next run); the probe sets the number of
            examples, no deadline and quiet output.
        where: an extra precondition (e.g. "``query`` calls it mild"), said in words in
            ``where_text``.
        threads: threads for torch and BLAS (as in :func:`theorycheck.check`).
    """
    seed = validate_seed(seed)
    spec = get_paper(paper)
    spec.check_budget(budget)
    chosen = select_probes(spec, [probes] if isinstance(probes, str) else probes)
    with using_threads(threads), opened(store) as db:
        runner = make_backend(backend, db, device, progress, address=address)
        return [run_probe(spec, p, runner, budget=budget, examples=examples, seed=seed,
                          settings=settings, where=where, where_text=where_text,
                          shrink_limit=shrink_limit, refine_steps=refine_steps,
                          progress=progress) for p in chosen]

__all__ = ["Axis", "Boundary", "Draw", "Probe", "ProbeResult", "RegimeRecord", "probe",
           "regimes"]
