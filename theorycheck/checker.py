"""The checker: pairs each claim with its paper's measurement (by name) and judges it.

Rules (docs/architecture.md, "Verdicts"):
- the points inside a claim's conditions are judged on their own; the points outside are
  measured and judged separately, shown as measured outside the conditions, and never turn
  an inside disagreement into anything else;
- a claim whose every regime lies outside its conditions is inconclusive, with the outside
  evidence shown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from theorycheck.backends import Backend, make_backend
from theorycheck.claims import Claim, Point, PointResult, config_dict, config_hash
from theorycheck.evidence import NoEvidence
from theorycheck.figures import Figure, SeriesFigure, SeriesPoint, TrajectoryFigure
from theorycheck.paper import MeasureFn, Measurement, Paper, Request
from theorycheck.params import described
from theorycheck.power import announce, shortfalls
from theorycheck.registry import PluginError, get_paper
from theorycheck.stats import mean_interval
from theorycheck.store import ResultStore, opened, run_key
from theorycheck.threads import current_threads, using_threads
from theorycheck.verdicts import Outcome, RunRecord, Status, Verdict

SEED_RULE = "SeedSequence([root_seed, hash(config or seed group)]).spawn(trials)"
VERSIONED = ("theorycheck", "torch", "numpy", "scipy", "sympy")
"""The packages whose versions every result records (with Python's)."""


def package_versions() -> dict[str, str]:
    """The installed versions of :data:`VERSIONED` and of Python."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {**{name: installed(name) for name in VERSIONED},
            "python": platform.python_version()}


def validate_seed(seed: object) -> int:
    """``seed`` as a root seed: a whole number >= 0 (not a bool, bytes, a float or text);
    ValueError naming ``seed`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r:.40}")
    return seed


@dataclass
class CheckResults:
    """One verdict per claim, with what the run cost, where it ran, with how many threads
    (torch and BLAS) and which package versions."""

    paper: str
    title: str
    citation: str
    budget: str
    device: str
    seed: int
    verdicts: list[Verdict]
    seconds: float
    runs_computed: int
    runs_reused: int
    threads: int
    machine: str = field(default_factory=lambda: f"{platform.machine()} {platform.system()}")
    versions: dict[str, str] = field(default_factory=package_versions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper, "budget": self.budget, "device": self.device,
            "seed": self.seed, "seconds": self.seconds, "machine": self.machine,
            "runs_computed": self.runs_computed, "runs_reused": self.runs_reused,
            "threads": self.threads, "versions": self.versions,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }

    def counts(self) -> dict[str, int]:
        return {s.value: sum(v.status is s for v in self.verdicts) for s in Status}


class MeasurementError(RuntimeError):
    """A paper's measurement could not run: its function raised, returned the wrong number
    of results, or the name is not among the paper's measurements. One line naming the
    measurement and the paper."""


@dataclass(frozen=True)
class GuardedFn:
    """A measurement's function whose failures raise :class:`MeasurementError` naming it
    (a top-level class, so that it travels to Ray workers)."""

    paper: str
    name: str
    fn: MeasureFn

    def __call__(self, requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
        try:
            out = self.fn(requests, device)
        except Exception as err:  # noqa: BLE001 - plugin code: named, one line
            raise MeasurementError(f"measurement {self.name!r} of paper {self.paper!r} "
                                   f"raised {described(err)}") from err
        count = len(out) if hasattr(out, "__len__") else None
        if count != len(requests):
            raise MeasurementError(f"measurement {self.name!r} of paper {self.paper!r} "
                                   f"returned {count} results for {len(requests)} requests")
        return out


def guarded_measurement(paper: Paper, name: str) -> Measurement:
    """``paper.measurement(name)`` with its function guarded (:class:`GuardedFn`);
    MeasurementError for a name the paper lacks."""
    try:
        m = paper.measurement(name)
    except KeyError as err:
        raise MeasurementError(str(err.args[0])) from None
    return dataclasses.replace(m, fn=GuardedFn(paper.key, name, m.fn))


def measure_points(paper: Paper, measurement: str | None, points: Sequence[Point],
                   backend: Backend, seed: int, desc: str) -> list[PointResult]:
    """Run (or reuse from the store) every trial of every point, in point order; a point
    without its own measurement runs ``measurement``. ``desc`` names the progress bar."""
    by_measurement: dict[str, list[int]] = {}
    for i, pt in enumerate(points):
        name = pt.measurement or measurement
        if name is None:
            raise MeasurementError(f"{desc}: a point has no measurement to run")
        by_measurement.setdefault(name, []).append(i)
    measured: dict[int, PointResult] = {}
    for name, idx in by_measurement.items():
        m = guarded_measurement(paper, name)
        seeds = {i: points[i].seeds(seed) for i in idx}
        requests = [(points[i].config, s) for i in idx for s in seeds[i]]
        flat = backend.run(m, requests, desc=desc)
        pos = 0
        for i in idx:
            measured[i] = PointResult(points[i], seeds[i], flat[pos:pos + len(seeds[i])])
            pos += len(seeds[i])
    return [measured[i] for i in range(len(points))]


def series_figure(claim: Claim, sweep: list[Point], inside: list[PointResult],
                  outside: list[PointResult]) -> SeriesFigure:
    """The claim's plot: each plotted quantity's mean and 95% CI at each point (measured in
    this run; points outside the claim's conditions in series of their own) over the
    claim's theory curves and predicted regions."""
    plot = claim.plot
    points = []
    for q in plot.quantities:
        for group, label in ((inside, q), (outside, f"{q} (outside conditions)")):
            for pr in group:
                values = pr.values(q)
                values = values[np.isfinite(values)]
                if values.size == 0:
                    continue
                ci = mean_interval(values)
                points.append(SeriesPoint(label, float(pr.label(plot.x)), ci.estimate,
                                          (ci.low, ci.high),
                                          pr.label(plot.panel) if plot.panel else None))
    return SeriesFigure(
        f"{claim.key}: {claim.title}", plot.x, plot.y, points,
        plot.theory() if plot.theory else [], plot.regions(sweep) if plot.regions else [],
        plot.logx, plot.logy)


def trajectory_figure(claim: Claim, results: list[PointResult]) -> TrajectoryFigure | None:
    """The first trial's recorded trajectory at each point, in the claim's panels."""
    runs = []
    for pr in results:
        traj = pr.results[0].get("trajectory") if pr.results else None
        if traj:
            label = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in pr.point.labels.items())
            runs.append((label, list(traj["step"]), traj))
    if not runs:
        return None
    return TrajectoryFigure(f"{claim.key}: training trajectories", claim.plot.trajectories,
                            runs)


def prefetch(paper: Paper, claims: Sequence[Claim], budget: str, backend: Backend,
             seed: int) -> int:
    """Run every trial of every claim's sweep that the store lacks, one call per measurement,
    ordered by seed: runs that can share work (e.g. a simulator's passes over the same
    draws) then meet in one batch, whichever claims they serve. One overall progress bar
    (with its ETA) counts the runs the store lacks. Returns the number of distinct runs the
    claims need."""
    wanted: dict[str, dict[str, tuple[Any, int]]] = {}
    known = {m.name for m in paper.measurements}
    for claim in claims:
        try:
            points = claim.sweep(budget)
        except Exception:  # noqa: BLE001 - check_claim reports it, naming the claim
            continue
        for pt in points:
            name = pt.measurement or claim.measurement
            if name not in known:
                continue
            m = paper.measurement(name)
            for s in pt.seeds(seed):
                key = run_key(paper.key, m.name, m.version, pt.config, s)
                wanted.setdefault(name, {})[key] = (pt.config, s)
    missing = sum(len(r) - len(backend.store.verified_keys(list(r))) for r in wanted.values())
    with backend.overall(missing, f"{paper.key}: {missing} runs to compute"):
        for name, requests in wanted.items():
            ordered = sorted(requests.values(), key=lambda r: r[1])
            with contextlib.suppress(MeasurementError):  # each claim it serves reports it
                backend.run(guarded_measurement(paper, name), ordered,
                            desc=f"{paper.key} {name}")
    return sum(len(r) for r in wanted.values())


def faulted_trials(results: Sequence[PointResult]) -> list[dict[str, Any]]:
    """Every trial whose result names a ``fault`` (see :class:`theorycheck.paper.Measurement`):
    ``{"point": index, "seed": seed, "fault": text}``."""
    return [{"point": i, "seed": s, "fault": str(r["fault"])}
            for i, pr in enumerate(results) for s, r in zip(pr.seeds, pr.results)
            if r.get("fault") is not None]


def with_faults(outcome: Outcome, faults: list[dict[str, Any]], results: Sequence[PointResult],
                holds: Sequence[tuple[bool, str]]) -> Outcome:
    """The fault rule: a regime with a faulted trial (non-finite weights, an input that
    rounds away, ...) is left out of the judgement and listed in the run record. A
    ``consistent`` outcome of the remaining regimes becomes ``inconclusive`` (agreement on
    a subset chosen by what did not fail is no agreement); an ``inconsistent`` one stays,
    since the disagreement was measured on clean regimes; the reason names the faults."""
    judged = [f for f in faults if holds[f["point"]][0]]
    if not judged:
        return outcome
    causes = sorted({f["fault"].split(":")[0] for f in judged})
    regimes = len({f["point"] for f in judged})
    inside = sum(ok for ok, _ in holds)
    trials = sum(len(results[i].seeds) for i, (ok, _) in enumerate(holds) if ok)
    note = (f"{len(judged)} of {trials} trials in {regimes} of {inside} regimes inside the "
            f"conditions faulted ({', '.join(causes)}; e.g. {judged[0]['fault']}); those "
            "regimes are left out and listed")
    if outcome.status is Status.CONSISTENT:
        return Outcome(Status.INCONCLUSIVE, f"{note}; the other regimes alone would be "
                       f"consistent ({outcome.reason})", outcome.evidence)
    return Outcome(outcome.status, f"{outcome.reason} [{note}]", outcome.evidence)


class ClaimError(Exception):
    """Plugin code raised while a claim was checked: ``stage`` (its sweep, conditions,
    measurement, comparison or figures) and the error."""

    def __init__(self, stage: str, error: Exception) -> None:
        super().__init__(f"{stage}: {described(error)}")
        self.stage, self.error = stage, error


T = TypeVar("T")


def plugin_call(stage: str, fn: Callable[..., T], *args: Any,
                catch: type[Exception] = Exception) -> T:
    """``fn(*args)``, plugin code: a ``catch`` it raises becomes a ClaimError naming
    ``stage``."""
    try:
        return fn(*args)
    except catch as err:
        raise ClaimError(stage, err) from err


def error_verdict(claim: Claim, paper: Paper, err: ClaimError, backend: Backend, seed: int,
                  seconds: float) -> Verdict:
    """The verdict of a claim whose plugin code raised: inconclusive, the reason one line
    naming the claim, its paper, the measurement and the error."""
    if isinstance(err.error, MeasurementError):
        what = str(err.error)
    else:
        what = (f"its {err.stage} raised {described(err.error)} (measurement "
                f"{claim.measurement!r})")
    reason = f"error: claim {claim.key} of paper {paper.key!r}: {what}"
    run = RunRecord(regimes=0, inside_conditions=0, trials=0, root_seed=seed,
                    seed_rule=SEED_RULE, first_seeds=[], seconds=round(seconds, 3),
                    device=backend.device, measurement=claim.measurement)
    return Verdict(claim.paper, claim.key, claim.title, claim.statement, claim.provenance,
                   claim.source, Status.INCONCLUSIVE, reason, NoEvidence(), run)


def mark_repeats(paper: Paper, results: list[PointResult]) -> list[dict[str, Any]]:
    """Mark every point that repeats an earlier one's experiment (the same seeds and the same
    canonical configuration under the paper's invariances; none declared: nothing repeats)
    with ``repeat_of``; a part whose every point repeats another part's is then not judged
    (``comparisons.Subset``). Returns what was marked, for the run record."""
    if paper.invariances is None:
        return []
    seen: dict[str, PointResult] = {}
    repeats = []
    for pr in results:
        what = config_hash({"canonical": dict(paper.invariances(pr.config)),
                            "seeds": list(pr.seeds)})
        if what in seen:
            pr.repeat_of = dict(seen[what].point.labels)
            repeats.append({"regime": dict(pr.point.labels), "same_as": pr.repeat_of})
        else:
            seen[what] = pr
    return repeats


def check_claim(claim: Claim, budget: str, backend: Backend, seed: int,
                paper: Paper) -> Verdict:
    """The claim's verdict (:func:`judge_claim`); when its plugin code raises (sweep,
    conditions, measurement, comparison, figures), an inconclusive verdict whose reason
    names the claim, the measurement and the error (:func:`error_verdict`)."""
    t0 = time.perf_counter()
    try:
        return judge_claim(claim, budget, backend, seed, paper)
    except ClaimError as err:
        return error_verdict(claim, paper, err, backend, seed, time.perf_counter() - t0)


def claim_figures(claim: Claim, points: list[Point], results: list[PointResult],
                  inside: list[PointResult], outside: list[PointResult]) -> list[Figure]:
    """The claim's figures: its plot (and trajectories) of this run and its own figures."""
    plots: list[Figure] = []
    if claim.plot is not None and results:
        plots.append(series_figure(claim, points, inside, outside))
        if claim.plot.trajectories:
            traj = trajectory_figure(claim, results)
            plots += [traj] if traj is not None else []
    if claim.figures is not None and points:
        plots += claim.figures(points)
    return plots


def judge_claim(claim: Claim, budget: str, backend: Backend, seed: int,
                paper: Paper) -> Verdict:
    """Measure a claim's sweep (reusing stored runs) and judge the points inside its
    conditions; the points outside are judged apart and shown. The verdict keeps its seeds.
    Plugin code that raises raises ClaimError naming the stage."""
    t0 = time.perf_counter()
    points = plugin_call("sweep", claim.sweep, budget)
    holds = plugin_call("conditions", lambda: [claim.conditions(pt) if claim.conditions
                                               else (True, "") for pt in points])
    results = (plugin_call("measurement", measure_points, paper, claim.measurement, points,
                           backend, seed, f"{paper.key} {claim.key}", catch=MeasurementError)
               if points else [])
    short = [s.describe() for s in plugin_call(
        "trials needed", shortfalls, claim, [pt for pt, (ok, _) in zip(points, holds) if ok])]
    faults = faulted_trials(results)
    clean = [not any(f["point"] == i for f in faults) for i in range(len(results))]
    inside = [pr for pr, (ok, _), c in zip(results, holds, clean) if ok and c]
    outside = [pr for pr, (ok, _), c in zip(results, holds, clean) if not ok and c]
    repeats = plugin_call("invariances", mark_repeats, paper, inside)
    plugin_call("invariances", mark_repeats, paper, outside)
    key = int(config_hash({"claim": claim.key})[:8], 16)
    compare = f"comparison ({type(claim.comparison).__name__})"
    if inside or not points:
        outcome = plugin_call(compare, claim.comparison.evaluate, inside,
                              np.random.default_rng([seed, key, 0]))
    elif any(ok for ok, _ in holds):
        outcome = Outcome(Status.INCONCLUSIVE, "every regime inside the claim's conditions "
                          "has a faulted trial: nothing is judged", NoEvidence())
    else:
        outcome = Outcome(Status.INCONCLUSIVE, f"all {len(points)} regimes lie outside the "
                          "claim's conditions (up to the named constants): nothing is judged; "
                          "what was measured there is shown separately", NoEvidence())
    outcome = with_faults(outcome, faults, results, holds)
    outside_outcome = (plugin_call(compare, claim.comparison.evaluate, outside,
                                   np.random.default_rng([seed, key, 1])) if outside else None)
    reason = outcome.reason
    if outside_outcome is not None and inside:
        reason += (f" (judged on the {len(inside)} of {len(points)} regimes inside the claim's "
                   f"conditions; the {len(outside)} outside are shown apart, measured there: "
                   f"{outside_outcome.status.value})")
    if short:
        reason += f" [the budget cannot decide for the prediction: {'; '.join(short)}]"
    if repeats:
        reason += (f" [{len(repeats)} points repeat another point's experiment (the paper's "
                   "invariances); a part made only of repeats is not judged]")
    plots = plugin_call("figures", claim_figures, claim, points, results, inside, outside)
    names = sorted({pt.measurement or claim.measurement for pt in points} - {None})
    run = RunRecord(
        regimes=len(points), inside_conditions=len(inside) if points else 0,
        trials=sum(pt.trials for pt in points), root_seed=seed, seed_rule=SEED_RULE,
        first_seeds=results[0].seeds[:5] if results else [],
        seconds=round(time.perf_counter() - t0, 3), device=backend.device,
        measurement=", ".join(names) or None,
        outside=[{"regime": dict(pt.labels), "config": config_dict(pt.config), "note": note}
                 for pt, (ok, note) in zip(points, holds) if not ok],
        faults=[{"regime": dict(points[f["point"]].labels), "seed": f["seed"],
                 "fault": f["fault"]} for f in faults], undecidable=short, repeats=repeats)
    return Verdict(claim.paper, claim.key, claim.title, claim.statement, claim.provenance,
                   claim.source, outcome.status, reason, outcome.evidence, run,
                   outside_outcome, plots)


def check(
    paper: str | Paper,
    budget: str = "quick",
    device: str = "auto",
    backend: str = "local",
    *,
    seed: int = 0,
    claims: Sequence[str] | None = None,
    store: ResultStore | str | None = None,
    progress: bool = True,
    address: str | None = None,
    threads: int | str | None = None,
) -> CheckResults:
    """Check every claim of ``paper`` (or the named ``claims``) at ``budget``.

    Args:
        paper: an installed paper's key (``theorycheck.papers()``) or a Paper object.
        budget: one of the paper's budgets, by default ``"smoke"`` (seconds, for tests),
            ``"quick"`` (minutes on a laptop CPU) or ``"full"`` (meant for a GPU).
        device: ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"`` (an error where
            there is no CUDA).
        backend: ``"local"`` (this process) or ``"ray"`` (chunks of runs as Ray tasks; the
            driver alone writes the store).
        seed: the root seed; every trial's seed is derived from it and the configuration.
        claims: claim keys to run (default: all).
        store: a ResultStore, a path to its SQLite file, or None for the default path.
        progress: show tqdm progress bars.
        address: the ``ray`` backend's cluster (``HOST:PORT``); None starts or reuses a
            local Ray.
        threads: threads for torch and BLAS during the check (default
            ``$THEORYCHECK_THREADS``, else half the CPUs; :mod:`theorycheck.threads`).
    """
    seed = validate_seed(seed)
    spec = get_paper(paper)
    spec.check_budget(budget)
    try:
        chosen = spec.claims()
    except Exception as err:  # noqa: BLE001 - plugin code: named, one line
        raise PluginError(f"paper {spec.key!r}: its claims() raised {described(err)}") from err
    if claims is not None:
        known = {c.key for c in chosen}
        unknown = [k for k in claims if k not in known]
        if unknown:
            raise ValueError(f"claims must be among {sorted(known)}, got unknown {unknown}")
        chosen = [c for c in chosen if c.key in set(claims)]
    with using_threads(threads), opened(store) as db:
        runner = make_backend(backend, db, device, progress, address=address)
        t0 = time.perf_counter()
        for c in chosen:
            announce(spec.key, c, budget)
        distinct = prefetch(spec, chosen, budget, runner, seed)
        computed = runner.computed
        verdicts = [check_claim(c, budget, runner, seed, spec) for c in chosen]
        used = sum(v.run.trials for v in verdicts)
        return CheckResults(spec.key, spec.title, spec.citation, budget, runner.device, seed,
                            verdicts, round(time.perf_counter() - t0, 2), computed,
                            used - computed if distinct else 0, threads=current_threads())
