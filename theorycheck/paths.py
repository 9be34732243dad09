"""One-parameter paths through a paper's regimes, and which of their ends stay open.

A bound ``f <= C polylog t^e`` (O~) can only fail where the path's parameter ``t`` can keep
moving: towards infinity it fails when f grows faster than t^e (slope above e), towards 0
when f falls more slowly than t^e (slope below e). Testing an O~ bound by "slope <= e" on a
path that the theorem's conditions bound from above (yang2023's sigma_0 <= ...) tests it at
the end where it cannot fail. So a path knows how to produce its point at *any* value of its
parameter (:attr:`Path.at`), and :meth:`Path.ends` asks the claim's conditions, decade by
decade beyond each end of the swept grid, whether the parameter can keep moving that way
with every condition holding: that end is **open**. The order comparison
(``theorycheck.comparisons.order``) reads the ends:

- O~ (upper bound): an open upper end needs slope <= e + allowance, an open lower end needs
  slope >= e - allowance; both open, both; neither open: the slope cannot test the bound;
- Omega~ (lower bound) mirrored; Theta two-sided whatever the ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theorycheck.claims import Point

Conditions = Callable[[Point], tuple[bool, str]]


@dataclass(frozen=True)
class PathEnds:
    """Whether the path's parameter can keep decreasing (``lower``) and increasing
    (``upper``) beyond the swept grid with every condition holding, and why not."""

    lower: bool
    upper: bool
    lower_note: str = ""
    upper_note: str = ""
    decades: float = 0.0

    def describe(self) -> str:
        def one(side: str, is_open: bool, note: str) -> str:
            if is_open:
                return f"{side} end open ({self.decades:g} decades checked)"
            return f"{side} end closed ({note})" if note else f"{side} end closed"
        return "; ".join((one("lower", self.lower, self.lower_note),
                          one("upper", self.upper, self.upper_note)))

    def to_dict(self) -> dict[str, Any]:
        return {"lower_open": self.lower, "upper_open": self.upper,
                "lower_note": self.lower_note, "upper_note": self.upper_note,
                "decades_checked": self.decades}


@dataclass(frozen=True)
class Path:
    """A one-parameter path: the point label ``parameter`` swept over ``values``, and
    ``at(value) -> Point``, the path's point at any value (the other parameters moving with
    it as the path says, from its base configuration). ``at`` may raise ValueError where the
    model itself has no regime (e.g. a keep fraction above 1): that end is closed there."""

    name: str
    parameter: str
    values: Sequence[float]
    at: Callable[[float], Point]
    labels: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        vals = np.asarray(self.values, dtype=float)
        if vals.size < 2 or not np.all(np.isfinite(vals)) or np.any(vals <= 0):
            raise ValueError(f"path {self.name!r}: values must be at least two positive "
                             f"numbers, got {list(self.values)[:5]}")

    def points(self) -> list[Point]:
        """The swept grid's points."""
        return [self.at(float(v)) for v in self.values]

    def ends(self, conditions: Conditions | None, decades: float = 6.0,
             per_decade: int = 2) -> PathEnds:
        """Which ends stay open: the conditions are evaluated at ``per_decade`` values per
        decade, out to ``decades`` decades beyond each end of the grid; an end is open when
        every condition holds at every one of them (and the model has a regime there). With
        no conditions both ends are open (the model's own domain still closes an end)."""
        lo, hi = float(np.min(self.values)), float(np.max(self.values))
        steps = np.arange(1, int(round(decades * per_decade)) + 1) / per_decade
        lower, lower_note = self._open([lo * 10.0 ** -s for s in steps], conditions)
        upper, upper_note = self._open([hi * 10.0 ** s for s in steps], conditions)
        return PathEnds(lower, upper, lower_note, upper_note, decades)

    def _open(self, values: list[float], conditions: Conditions | None) -> tuple[bool, str]:
        for v in values:
            try:
                pt = self.at(v)
            except ValueError as err:
                return False, f"no regime at {self.parameter} = {v:.3g}: {err}"
            if conditions is None:
                continue
            ok, note = conditions(pt)
            if not ok:
                return False, f"at {self.parameter} = {v:.3g}: {note}"
        return True, ""
