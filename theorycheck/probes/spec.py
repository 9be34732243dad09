"""What a probe is: a claim judged regime by regime over a box of parameters.

A :class:`Probe` names the parameters it draws (:class:`Axis`, each a range inside the
paper's declared range, on a linear or log scale), how a drawn regime becomes a
:class:`~theorycheck.claims.Point` (the paper's validated config, so a regime the validation
layer refuses raises ValueError and is filtered before any simulation), the comparison that
judges one regime on its own trials, and the conditions whose boundaries the draws
concentrate on (:class:`Boundary`, a log-margin: positive inside, zero on the boundary).
The property a probe tests is "at every drawn regime where ``where`` holds, the judgement is
not ``inconsistent``"; an ``inconclusive`` regime is reported and does not refute it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from theorycheck.claims import Comparison, Point, Statement
from theorycheck.params import Param

Regime = dict[str, Any]
"""One drawn regime: axis name -> value (an int on integer axes)."""


@dataclass(frozen=True)
class Axis:
    """A probed parameter: ``low <= x <= high`` on a ``log`` or linear scale; ``integer``
    values are rounded. A draw is a unit coordinate ``u`` in [0, 1] mapped onto the range,
    so that Hypothesis shrinks every axis towards its ``low`` end."""

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"axis {self.name}: low < high must be finite, got "
                             f"[{self.low}, {self.high}]")
        if self.log and self.low <= 0:
            raise ValueError(f"axis {self.name}: a log axis needs low > 0, got {self.low}")

    @classmethod
    def of(cls, spec: Param, low: float | None = None, high: float | None = None,
           log: bool = False) -> Axis:
        """The axis of a declared parameter, over ``[low, high]`` (default its declared
        range); ValueError when the range leaves the declared one."""
        lo = spec.low if low is None else low
        hi = spec.high if high is None else high
        if lo is None or hi is None:
            raise ValueError(f"axis {spec.name}: give low and high (the parameter's declared "
                             f"range {spec.allowed()} is unbounded)")
        spec.check(lo)
        spec.check(hi)
        return cls(spec.name, float(lo), float(hi), log, spec.kind == "int")

    def value(self, u: float) -> float | int:
        """The parameter value at unit coordinate ``u`` (clipped to [0, 1])."""
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        x = min(max(x, self.low), self.high)
        return int(round(x)) if self.integer else x

    def unit(self, x: float) -> float:
        """The unit coordinate of the value ``x``."""
        if self.log:
            return (math.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class Boundary:
    """A condition whose edge the draws seek: ``margin(regime)`` is its log-margin
    (``log(lhs / rhs)`` for ``lhs >= rhs``), positive where it holds."""

    name: str
    margin: Callable[[Mapping[str, Any]], float]


@dataclass(frozen=True)
class Probe(Statement):
    """A property of one claim, tested regime by regime (the :class:`Statement` fields,
    then):

    Attributes:
        axes: the parameters drawn.
        point: (regime, budget) -> the Point to simulate (config, trials per budget,
            labels); ValueError for a regime the paper's validation refuses.
        judge: the comparison that decides one regime from its own trials (evaluated on a
            one-point sweep, so its interval is at the comparison's own level).
        measurement: the paper's measurement that simulates a point.
        boundaries: the conditions whose boundary the draws concentrate on (both sides).
        where: the property's precondition (e.g. "``query`` calls it mild"); regimes where
            it fails are counted and not simulated. ``where_text`` says it in words.
        claim: the key of the claim it probes (if any).
        plane: the two axes of the report's regime-plane figure (default the first two).
    """

    axes: tuple[Axis, ...]
    point: Callable[[Regime, str], Point]
    judge: Comparison
    measurement: str
    boundaries: tuple[Boundary, ...] = ()
    where: Callable[[Regime], bool] | None = None
    where_text: str = ""
    claim: str | None = None
    plane: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.axes:
            raise ValueError(f"probe {self.key}: at least one axis is needed")
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise ValueError(f"probe {self.key}: axis names must differ, got {names}")
        if self.plane is not None and not set(self.plane) <= set(names):
            raise ValueError(f"probe {self.key}: plane must name two of the axes {names}, "
                             f"got {list(self.plane)}")

    def regime(self, units: tuple[float, ...]) -> Regime:
        """The regime at unit coordinates ``units`` (one per axis)."""
        return {a.name: a.value(u) for a, u in zip(self.axes, units)}

    def units(self, regime: Mapping[str, Any]) -> tuple[float, ...]:
        return tuple(a.unit(float(regime[a.name])) for a in self.axes)

    def margins(self, regime: Mapping[str, Any]) -> dict[str, float]:
        """Each boundary's log-margin at ``regime`` (NaN where it is not defined)."""
        out = {}
        for b in self.boundaries:
            try:
                out[b.name] = float(b.margin(regime))
            except (ValueError, ZeroDivisionError, OverflowError):
                out[b.name] = float("nan")
        return out
