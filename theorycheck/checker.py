"""The checker: pairs each claim with its measurements and turns them into a verdict."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theorycheck.backends import LocalBackend, make_backend
from theorycheck.claims import BUDGETS, Claim, PointResult, config_hash
from theorycheck.registry import get_measurement, get_paper
from theorycheck.stats import mean_interval
from theorycheck.store import ResultStore
from theorycheck.verdicts import Status, Verdict


@dataclass
class CheckResults:
    """One verdict per claim, with what the run cost and where it ran."""

    paper: str
    budget: str
    device: str
    seed: int
    verdicts: list[Verdict]
    seconds: float
    runs_computed: int
    runs_reused: int
    machine: str = field(default_factory=lambda: f"{platform.machine()} {platform.system()}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper, "budget": self.budget, "device": self.device,
            "seed": self.seed, "seconds": self.seconds, "machine": self.machine,
            "runs_computed": self.runs_computed, "runs_reused": self.runs_reused,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }

    def counts(self) -> dict[str, int]:
        return {s.value: sum(v.status is s for v in self.verdicts) for s in Status}


def plot_data(claim: Claim, results: list[PointResult]) -> dict[str, Any]:
    """Mean and 95% CI of each plotted quantity at each point, measured in this run, and
    the claim's theory curves (evaluated now from ``bounds``)."""
    plot = claim.plot
    series = []
    for q in plot.quantities:
        for pr in results:
            if q not in pr.results[0]:
                continue
            ci = mean_interval(pr.values(q))
            series.append({"quantity": q, "x": float(pr.label(plot.x)),
                           "panel": pr.label(plot.panel) if plot.panel else None,
                           "mean": ci.estimate, "ci": ci.to_list()})
    curves = [vars(c) for c in plot.theory()] if plot.theory else []
    regions = [vars(r) for r in plot.regions()] if plot.regions else []
    trajectories = [{"labels": dict(pr.point.labels), **pr.results[0]["trajectory"]}
                    for pr in results if plot.trajectories and "trajectory" in pr.results[0]]
    return {"x": plot.x, "y": plot.y, "logx": plot.logx, "logy": plot.logy,
            "points": series, "theory": curves, "regions": regions,
            "trajectories": trajectories}


def check_claim(claim: Claim, budget: str, backend: LocalBackend, seed: int) -> Verdict:
    """Measure a claim's sweep (reusing stored runs) and compare; the verdict keeps its seeds."""
    t0 = time.perf_counter()
    points = claim.sweep(budget)
    by_measurement: dict[str, list[int]] = {}
    for i, pt in enumerate(points):
        name = pt.measurement or claim.measurement
        if name is not None:
            by_measurement.setdefault(name, []).append(i)
    measured: dict[int, PointResult] = {}
    for name, idx in by_measurement.items():
        m = get_measurement(name)
        seeds = {i: points[i].seeds(seed) for i in idx}
        requests = [(dict(points[i].config), s) for i in idx for s in seeds[i]]
        flat = backend.run(m, requests, desc=f"{claim.paper} {claim.key}")
        pos = 0
        for i in idx:
            measured[i] = PointResult(points[i], seeds[i], flat[pos:pos + len(seeds[i])])
            pos += len(seeds[i])
    results = [measured[i] for i in sorted(measured)]
    rng = np.random.default_rng([seed, int(config_hash({"claim": claim.key})[:8], 16)])
    outcome = claim.comparison.evaluate(results, rng)
    status, reason = outcome.status, outcome.reason
    outside = []
    if claim.conditions is not None:
        for pt in points:
            holds, note = claim.conditions(pt)
            if not holds:
                outside.append({"labels": dict(pt.labels), "note": note})
    if outside and status is Status.INCONSISTENT:
        status = Status.INCONCLUSIVE
        reason = (f"disagreement observed only outside the claim's conditions at "
                  f"{len(outside)} of {len(points)} regimes, so it is not a refutation: {reason}")
    elif outside:
        reason = f"{reason} (note: {len(outside)} of {len(points)} regimes lie outside the " \
                 f"claim's conditions, up to the named constants)"
    evidence = dict(outcome.evidence)
    if claim.plot is not None and results:
        evidence["plot"] = plot_data(claim, results)
    evidence.update(
        regimes=len(points), trials=sum(pt.trials for pt in points), root_seed=seed,
        seeds={"rule": "SeedSequence([root_seed, config_hash]).spawn(trials)",
               "first_point": results[0].seeds[:5] if results else []},
        outside_conditions=outside, within_conditions=not outside,
        seconds=round(time.perf_counter() - t0, 3), device=backend.device,
        measurement=", ".join(by_measurement) or None,
    )
    return Verdict(claim.paper, claim.key, claim.title, claim.statement, claim.provenance,
                   claim.source, status, reason, evidence)


def check(
    paper: str,
    budget: str = "quick",
    device: str = "auto",
    backend: str = "local",
    *,
    seed: int = 0,
    claims: Sequence[str] | None = None,
    store: ResultStore | str | None = None,
    progress: bool = True,
) -> CheckResults:
    """Check every claim of ``paper`` (or the named ``claims``) at ``budget``.

    Args:
        paper: a key from ``theorycheck.papers()``.
        budget: ``"smoke"`` (seconds, for tests), ``"quick"`` (minutes on a laptop CPU) or
            ``"full"`` (larger sizes, more trials; meant for a GPU).
        device: ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
        backend: ``"local"``.
        seed: the root seed; every trial's seed is derived from it and the configuration.
        claims: claim keys to run (default: all).
        store: a ResultStore, a path to its SQLite file, or None for the default path.
        progress: show tqdm progress bars.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {list(BUDGETS)}, got {budget!r}")
    spec = get_paper(paper)
    chosen = spec.claims()
    if claims is not None:
        known = {c.key for c in chosen}
        unknown = [k for k in claims if k not in known]
        if unknown:
            raise ValueError(f"claims must be among {sorted(known)}, got unknown {unknown}")
        chosen = [c for c in chosen if c.key in set(claims)]
    own_store = not isinstance(store, ResultStore)
    db = store if isinstance(store, ResultStore) else ResultStore(store)
    try:
        runner = make_backend(backend, db, device, progress)
        t0 = time.perf_counter()
        verdicts = [check_claim(c, budget, runner, seed) for c in chosen]
        return CheckResults(paper, budget, runner.device, seed, verdicts,
                            round(time.perf_counter() - t0, 2), runner.computed, runner.reused)
    finally:
        if own_store:
            db.close()
