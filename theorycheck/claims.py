"""Claims as data: what is measured, on which regimes, what is predicted, how it is compared.

A claim never runs anything itself. The checker (``theorycheck.checker``) asks the claim for
its sweep at a budget, runs the paper's measurement named by the claim (through the store and
a backend), and hands the results to the claim's comparison.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from theorycheck.figures import Curve, Figure, Region, TrajectoryPanel
from theorycheck.verdicts import Outcome

Provenance = Literal["paper", "derived"]
BUDGETS = ("smoke", "quick", "full")


B = TypeVar("B")


def budget_of(budgets: Mapping[str, B], name: str) -> B:
    """A paper's sweep sizes for the budget ``name``; ValueError naming the allowed ones."""
    if name not in budgets:
        raise ValueError(f"budget must be one of {sorted(budgets)}, got {name!r}")
    return budgets[name]


def config_hash(payload: Mapping[str, Any]) -> str:
    """Content hash of a JSON-able mapping (key order does not matter)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=float)
    return hashlib.sha256(text.encode()).hexdigest()


def config_dict(config: Any) -> dict[str, Any]:
    """The JSON-able content of a configuration: a ModelConfig's ``to_dict()`` or a mapping."""
    return dict(config.to_dict()) if hasattr(config, "to_dict") else dict(config)


@dataclass(frozen=True)
class Point:
    """One regime of a sweep: a model configuration, how many trials, and labels.

    ``config`` is the paper's typed model config (a ``ModelConfig``; a plain mapping also
    works); the simulator receives it as it is. ``labels`` carries what the comparison and
    the plots need about the point (the swept parameter's value, the group it belongs to);
    it is not part of the content hash. ``measurement`` overrides the claim's simulator for
    this point (a claim comparing two model families draws its points from both).
    ``seed_group``: points with the same group run the same seeds (common random numbers,
    e.g. along a scaling path); their bootstraps then resample whole seeds.
    """

    config: Any
    trials: int
    labels: Mapping[str, Any] = field(default_factory=dict)
    measurement: str | None = None
    seed_group: str | None = None

    def seeds(self, root_seed: int) -> list[int]:
        """Per-trial seeds: children of (root seed, configuration or seed group) via
        SeedSequence.

        Two claims sharing a configuration share its runs; the trial index keeps seeds
        stable when ``trials`` grows (a larger budget reuses the smaller budget's runs).
        """
        what = {"seed_group": self.seed_group} if self.seed_group else config_dict(self.config)
        key = int(config_hash(what)[:8], 16)
        children = np.random.SeedSequence([root_seed, key]).spawn(self.trials)
        return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


@dataclass
class PointResult:
    """The measurements at one point: one result dict per seed, in seed order."""

    point: Point
    seeds: list[int]
    results: list[dict[str, Any]]
    repeat_of: Mapping[str, Any] | None = None
    """The labels of an earlier point of the claim that ran the same experiment (the
    paper's invariances; set by the checker), or None."""

    def values(self, quantity: str) -> np.ndarray:
        """The per-trial values of a scalar quantity, as a float array (NaN where a trial
        does not define it)."""
        return np.array([_number(r.get(quantity)) for r in self.results], dtype=float)

    def label(self, name: str, default: Any = None) -> Any:
        return self.point.labels.get(name, default)

    @property
    def config(self) -> Any:
        return self.point.config


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


class Comparison(Protocol):
    """Kind of comparison (value, order, shape, sign, identity, ...)."""

    kind: str

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome: ...


@dataclass(frozen=True)
class Plot:
    """How the report draws a claim: measured ``quantities`` (mean and CI per point, from
    this run) against the point label ``x``, one panel per value of the label ``panel``,
    with theory curves from ``theory()`` and predicted ranges from ``regions(points)`` (both
    evaluated from the paper's definitions). ``trajectories``: the panels of a figure of the
    first trial's recorded training trajectory (the result's ``"trajectory"``) at each point."""

    x: str
    y: str
    quantities: tuple[str, ...]
    logx: bool = False
    logy: bool = False
    panel: str | None = None
    theory: Callable[[], list[Curve]] | None = None
    regions: Callable[[list[Point]], list[Region]] | None = None
    trajectories: tuple[TrajectoryPanel, ...] = ()


@dataclass(frozen=True)
class Statement:
    """What is asserted, and by whom: shared by a :class:`Claim` (checked on a sweep) and a
    probe (``theorycheck.probes.Probe``, checked regime by regime).

    Attributes:
        paper, key: e.g. ``"chang2021"``, ``"C1"``.
        title: a short name; ``statement``: the claim in words.
        provenance: ``"paper"`` (stated in the paper) or ``"derived"`` (our derivation;
            never presented as the paper's theorem).
        source: where it comes from (``"abstract P3"``, ``"docs/derivations/chang2021.md"``).
    """

    paper: str
    key: str
    title: str
    statement: str
    provenance: Provenance
    source: str

    def __post_init__(self) -> None:
        if self.provenance not in ("paper", "derived"):
            raise ValueError(f"provenance must be 'paper' or 'derived', got {self.provenance!r}")


@dataclass(frozen=True)
class Claim(Statement):
    """A checkable statement (the :class:`Statement` fields, then):

    Attributes:
        measurement: name of the paper's measurement that simulates the sweep, or ``None``
            for symbolic claims; the checker finds it among the paper's measurements.
        sweep: budget -> the points to measure.
        comparison: the comparison object that turns measurements into an outcome.
        conditions: optional point -> (holds, note): whether the point satisfies the claim's
            conditions. The points inside are judged on their own; the points outside are
            shown, judged separately, as measured outside the conditions.
        plot: how the report draws the evidence.
        figures: optional points -> figures about the sweep itself (e.g. where the regimes
            lie relative to the claim's conditions), drawn from the paper's definitions.
    """

    measurement: str | None
    sweep: Callable[[str], list[Point]]
    comparison: Comparison
    conditions: Callable[[Point], tuple[bool, str]] | None = None
    plot: Plot | None = None
    figures: Callable[[list[Point]], list[Figure]] | None = None
