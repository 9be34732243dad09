"""Running a probe: Hypothesis draws regimes, each is simulated and judged on its own, a
refuting regime is shrunk and then refined to the edge.

1. Draws (``strategies.regimes``) that the paper's validation refuses, or that fall outside
   the property's precondition ``where``, are filtered (``hypothesis.assume``) before any
   simulation and counted.
2. Each regime runs through the results store (a rerun costs nothing for regimes already
   simulated) with the checker's seeds and fault rule: a regime with a faulted trial is
   ``inconclusive``, never a pass or a refutation. Its judgement is the probe's comparison
   on that regime's trials alone.
3. A regime judged ``inconsistent`` refutes the property; Hypothesis shrinks it (towards the
   ``low`` end of every axis), simulating at most ``shrink_limit`` new regimes (candidates
   past that budget count as not refuting, unsimulated). Then the shrunk regime is refined
   towards the nearest regime judged consistent (when none was, one is sought by moving the
   refuting regime to the far end of one axis at a time), by at most ``refine_steps`` bisections of
   the segment between them in unit coordinates (a midpoint that does not refute, whether
   consistent or inconclusive, becomes the passing end): the reported counterexample is the
   refuting end, ``neighbour`` the passing one, so the pair brackets the edge of the refuted
   region.

Hypothesis's example database (``settings.database``) keeps a refuting draw, so the next run
replays it first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, assume, given
from hypothesis import seed as fixed_seed
from hypothesis import settings as Settings  # noqa: N812 - Hypothesis's class
from hypothesis.errors import Unsatisfiable
from tqdm.auto import tqdm

from theorycheck.backends import Backend
from theorycheck.checker import faulted_trials, measure_points
from theorycheck.claims import config_hash
from theorycheck.evidence import NoEvidence, jsonable
from theorycheck.figures import Contour, ProbeFigure
from theorycheck.paper import Paper
from theorycheck.params import shown
from theorycheck.probes.spec import Probe, Regime
from theorycheck.probes.strategies import Draw, regimes
from theorycheck.verdicts import Outcome, Status

SHRINK_LIMIT = 30
REFINE_STEPS = 6


@dataclass
class RegimeRecord:
    """One simulated regime: where it lies (unit coordinates, each boundary's log-margin),
    how it was drawn, its judgement and the seeds that rerun it exactly."""

    regime: Regime
    units: tuple[float, ...]
    kind: str
    detail: str
    margins: dict[str, float]
    status: Status
    reason: str
    summary: str
    seeds: list[int]
    phase: str

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"regime": self.regime, "kind": self.kind, "detail": self.detail,
                         "margins": self.margins, "status": self.status.value,
                         "reason": self.reason, "summary": self.summary, "seeds": self.seeds,
                         "phase": self.phase})


@dataclass
class ProbeResult:
    """What a probe found: every regime judged, and the counterexample if one refuted the
    property (``shrunk``: Hypothesis's minimal refuting draw; ``counterexample``: the
    refuting end of the refinement; ``neighbour``: the passing end next to it)."""

    probe: Probe
    budget: str
    seed: int
    examples: int
    device: str
    records: list[RegimeRecord]
    refused: int
    outside: int
    seconds: float
    where_text: str = ""
    shrunk: RegimeRecord | None = None
    counterexample: RegimeRecord | None = None
    neighbour: RegimeRecord | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def refuted(self) -> bool:
        return self.counterexample is not None

    @property
    def outcome(self) -> str:
        """``refuted``; ``survived`` (no regime refuted it, some were judged consistent); or
        ``undecided`` (no regime refuted it, none was judged consistent either)."""
        if self.refuted:
            return "refuted"
        return "survived" if self.counts()["consistent"] else "undecided"

    def counts(self) -> dict[str, int]:
        return {s.value: sum(r.status is s for r in self.records) for s in Status}

    def headline(self) -> str:
        """One line: refuted (at the shrunk counterexample) or survived, with the counts."""
        c = self.counts()
        judged = (f"{len(self.records)} regimes simulated ({c['consistent']} consistent, "
                  f"{c['inconsistent']} inconsistent, {c['inconclusive']} inconclusive); "
                  f"{self.refused} draws refused by validation, {self.outside} outside "
                  f"the precondition")
        if self.counterexample is None:
            return f"{self.outcome} after {self.examples} examples: {judged}"
        ce = self.shrunk or self.counterexample
        return (f"refuted at {fmt_regime(ce.regime)} ({ce.summary}); {judged}")

    def figure(self, grid: int = 40) -> ProbeFigure:
        """The judged regimes on the probe's plane, with each boundary's zero level drawn
        with the other axes at the counterexample (or mid-range)."""
        p = self.probe
        names = p.plane or tuple(a.name for a in p.axes[:2])
        ax_x = next(a for a in p.axes if a.name == names[0])
        ax_y = next((a for a in p.axes if len(names) > 1 and a.name == names[1]), None)
        centre = list(self.counterexample.units if self.counterexample else [0.5] * len(p.axes))
        ix = p.axes.index(ax_x)

        def xy(rec: RegimeRecord | None) -> tuple[float, float] | None:
            if rec is None:
                return None
            return (float(rec.regime[ax_x.name]),
                    float(rec.regime[ax_y.name]) if ax_y else 0.0)

        contours = []
        if ax_y is not None and p.boundaries:
            iy = p.axes.index(ax_y)
            us = np.linspace(0.0, 1.0, grid)
            others = ", ".join(f"{a.name} = {a.value(u):.4g}" for a, u in zip(p.axes, centre)
                               if a not in (ax_x, ax_y))
            for b in p.boundaries:
                z = []
                for uy in us:
                    row = []
                    for ux in us:
                        units = list(centre)
                        units[ix], units[iy] = ux, uy
                        row.append(p.margins(p.regime(tuple(units)))[b.name])
                    z.append(row)
                contours.append(Contour(b.name + (f" ({others})" if others else ""),
                                        [float(ax_x.value(u)) for u in us],
                                        [float(ax_y.value(u)) for u in us], z))
        return ProbeFigure(
            f"{p.paper} probe {p.key}: {self.outcome}", ax_x.name,
            ax_y.name if ax_y else "", [(*xy(r), r.status.value) for r in self.records],
            contours, xy(self.counterexample), xy(self.neighbour), ax_x.log,
            bool(ax_y and ax_y.log))

    def to_dict(self) -> dict[str, Any]:
        p = self.probe
        return jsonable({
            "paper": p.paper, "probe": p.key, "claim": p.claim, "title": p.title,
            "statement": p.statement, "provenance": p.provenance, "source": p.source,
            "where": self.where_text, "budget": self.budget, "seed": self.seed,
            "examples": self.examples, "device": self.device, "seconds": self.seconds,
            "outcome": self.outcome, "headline": self.headline(), "counts": self.counts(),
            "refused": self.refused, "outside": self.outside, "notes": self.notes,
            "boundaries": [b.name for b in p.boundaries],
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "shrunk": self.shrunk.to_dict() if self.shrunk else None,
            "neighbour": self.neighbour.to_dict() if self.neighbour else None,
            "regimes": [r.to_dict() for r in self.records]})


class Refuted(AssertionError):
    """A regime judged inconsistent (the property's failure, raised inside Hypothesis)."""

    def __init__(self, record: RegimeRecord) -> None:
        super().__init__(f"inconsistent at {fmt_regime(record.regime)}: {record.summary}")
        self.record = record


def fmt_regime(regime: Regime) -> str:
    return ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}"
                     for k, v in regime.items())


def regime_key(regime: Regime) -> str:
    return config_hash({k: float(v) for k, v in regime.items()})


def outcome_summary(outcome: Outcome) -> str:
    """Measured against predicted at the regime, from the evidence's rows where it has them
    (a value comparison's mean, interval and prediction); else the outcome's reason."""
    rows = getattr(outcome.evidence, "rows", None)
    row = rows[0] if rows else None
    if row is not None and getattr(row, "predicted", None) is not None:
        ci = getattr(row, "ci", None)
        interval = f" [{ci[0]:.4g}, {ci[1]:.4g}]" if ci else ""
        return (f"measured {row.measured:.4g}{interval} vs predicted {row.predicted:.4g}, "
                f"{row.trials} trials")
    return outcome.reason


def precondition(name: str, where: Callable[[Regime], bool], regime: Regime) -> bool:
    """``where(regime)``, a precondition; TypeError naming ``name`` when it is no bool (a
    None from a function that forgot to return would otherwise exclude every regime)."""
    inside = where(regime)
    if not isinstance(inside, bool | np.bool_):
        raise TypeError(f"{name} must return a bool, got {shown(inside)} at "
                        f"{fmt_regime(regime)}")
    return bool(inside)


class ProbeRun:
    """The state of one probe run: the records so far, and the judge of one regime."""

    def __init__(self, paper: Paper, probe: Probe, budget: str, backend: Backend, seed: int,
                 where: Callable[[Regime], bool] | None) -> None:
        self.paper, self.probe, self.budget = paper, probe, budget
        self.backend, self.seed, self.where = backend, seed, where
        self.memo: dict[str, RegimeRecord] = {}
        self.records: list[RegimeRecord] = []
        self.refused = 0
        self.outside = 0

    def admissible(self, regime: Regime) -> bool:
        """Whether the regime passes the paper's validation and the precondition(s)."""
        try:
            self.probe.point(regime, self.budget)
        except ValueError:
            self.refused += 1
            return False
        for name, where in ((f"probe {self.probe.key}'s where", self.probe.where),
                            ("where", self.where)):
            if where is not None and not precondition(name, where, regime):
                self.outside += 1
                return False
        return True

    def known(self, regime: Regime) -> RegimeRecord | None:
        return self.memo.get(regime_key(regime))

    def judge(self, draw: Draw, phase: str) -> RegimeRecord:
        """Simulate (or reuse) the regime's trials and judge it on its own."""
        found = self.known(draw.regime)
        if found is not None:
            return found
        probe = self.probe
        point = probe.point(draw.regime, self.budget)
        [pr] = measure_points(self.paper, probe.measurement, [point], self.backend,
                              self.seed, f"{probe.paper} {probe.key}")
        faults = faulted_trials([pr])
        if faults:
            outcome = Outcome(Status.INCONCLUSIVE, f"{len(faults)} of {len(pr.seeds)} trials "
                              f"faulted (e.g. {faults[0]['fault']}): not judged", NoEvidence())
        else:
            key = int(regime_key(draw.regime)[:8], 16)
            outcome = probe.judge.evaluate([pr], np.random.default_rng([self.seed, key]))
        rec = RegimeRecord(draw.regime, draw.units, draw.kind, draw.detail,
                           probe.margins(draw.regime), outcome.status, outcome.reason,
                           outcome_summary(outcome), list(pr.seeds), phase)
        self.memo[regime_key(draw.regime)] = rec
        self.records.append(rec)
        return rec

    def consistent_near(self, failing: RegimeRecord) -> RegimeRecord | None:
        """The nearest regime judged consistent; when none was judged yet, the first
        consistent one among ``failing`` moved to the far end of one axis (axis by axis)."""
        passing = [r for r in self.records if r.status is Status.CONSISTENT]
        if passing:
            return min(passing, key=lambda r: math.dist(r.units, failing.units))
        for i, axis in enumerate(self.probe.axes):
            units = list(failing.units)
            units[i] = 0.0 if units[i] > 0.5 else 1.0
            regime = self.probe.regime(tuple(units))
            if self.known(regime) is None and not self.admissible(regime):
                continue
            rec = self.judge(Draw(tuple(units), regime, "refine",
                                  f"{axis.name} at its far end"), "refine")
            if rec.status is Status.CONSISTENT:
                return rec
        return None

    def refine(self, failing: RegimeRecord, steps: int) -> tuple[RegimeRecord,
                                                                 RegimeRecord | None]:
        """Bisect between ``failing`` and the nearest regime judged consistent; returns the
        refuting end and the other one (consistent, or inconclusive where the evidence
        stops deciding before the claim holds): the edge of the refuted region."""
        good = self.consistent_near(failing)
        if good is None:
            return failing, None
        bad = failing
        for _ in range(steps):
            mid = tuple(0.5 * (a + b) for a, b in zip(good.units, bad.units))
            regime = self.probe.regime(mid)
            if regime_key(regime) in (regime_key(good.regime), regime_key(bad.regime)):
                break  # the integer axes' resolution is reached
            if self.known(regime) is None and not self.admissible(regime):
                break
            rec = self.judge(Draw(mid, regime, "refine", "bisection towards "
                                  f"{fmt_regime(good.regime)}"), "refine")
            if rec.status is Status.INCONSISTENT:
                bad = rec
            else:
                good = rec
        return bad, good


def hypothesis_settings(base: Settings | None, examples: int) -> Settings:
    """``base`` (default: Hypothesis's defaults, with no example database) with the probe's
    number of examples, no deadline, quiet output and the health checks that slow
    simulations and filtered draws would trip turned off."""
    base = base if base is not None else Settings(database=None)
    return Settings(base, max_examples=examples, deadline=None, verbosity=Verbosity.quiet,
                    suppress_health_check=list(HealthCheck), print_blob=False,
                    report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])


def run_probe(paper: Paper, probe: Probe, backend: Backend, *, budget: str, examples: int,
              seed: int, settings: Settings | None = None,
              where: Callable[[Regime], bool] | None = None, where_text: str = "",
              shrink_limit: int = SHRINK_LIMIT, refine_steps: int = REFINE_STEPS,
              progress: bool = True) -> ProbeResult:
    """Test ``probe``'s property on ``examples`` drawn regimes (see the module docstring)."""
    if examples < 1:
        raise ValueError(f"examples must be an integer >= 1, got {examples}")
    t0 = time.perf_counter()
    state = ProbeRun(paper, probe, budget, backend, seed, where)
    failing: list[RegimeRecord] = []
    bar = tqdm(total=examples, desc=f"probe {probe.paper} {probe.key}", unit="regime",
               disable=not progress, leave=False)

    def prop(draw: Draw) -> None:
        if state.known(draw.regime) is None:
            assume(state.admissible(draw.regime))
            shrinking = bool(failing)
            if shrinking and sum(r.phase == "shrink" for r in state.records) >= shrink_limit:
                return  # the shrink budget is spent: not simulated, counts as not refuting
            if not shrinking:
                bar.update(1)
        rec = state.judge(draw, "shrink" if failing else "generate")
        if rec.status is Status.INCONSISTENT:
            failing.append(rec)
            raise Refuted(rec)

    # @seed drops the example database; the settings applied after it restore it
    test = hypothesis_settings(settings, examples)(fixed_seed(seed)(given(regimes(probe))(prop)))
    what = where_text or getattr(where, "__qualname__", "")
    test._hypothesis_internal_database_key = (  # one example database entry per property
        f"theorycheck-probe/{probe.paper}/{probe.key}/{what}/{budget}".encode())
    notes: list[str] = []
    shrunk = None
    try:
        test()
    except Refuted as err:
        shrunk = err.record
    except Unsatisfiable:
        notes.append("no drawn regime passed validation and the precondition")
    finally:
        bar.close()
    counterexample = neighbour = None
    if shrunk is not None:
        counterexample, neighbour = state.refine(shrunk, refine_steps)
    return ProbeResult(probe, budget, seed, examples, backend.device, state.records,
                       state.refused, state.outside, round(time.perf_counter() - t0, 2),
                       where_text or probe.where_text, shrunk, counterexample, neighbour,
                       notes)


def select_probes(paper: Paper, keys: Sequence[str] | None) -> list[Probe]:
    """The probes named by key or by the claim they probe (all by default), in the paper's
    order; ValueError naming an unknown key and listing the paper's probes."""
    found = list(paper.probes())
    if keys is None:
        return found
    unknown = [k for k in keys if not any(k in (p.key, p.claim) for p in found)]
    if unknown:
        raise ValueError(f"probes must be among {[p.key for p in found]} or the claims they "
                         f"probe {sorted({p.claim for p in found if p.claim})}, got unknown "
                         f"{unknown}")
    return [p for p in found if p.key in keys or p.claim in keys]
