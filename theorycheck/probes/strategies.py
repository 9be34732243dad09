"""Hypothesis strategies of regimes, built from a probe's axes and boundaries.

A draw is one of three kinds (Hypothesis shrinks towards the first):

- ``bulk``: every axis uniform in its unit coordinate (log-uniform on a log axis);
- ``edge``: one axis within ``EDGE_BAND`` of one end of its range, the others in the bulk;
- ``boundary``: one condition's boundary along one axis, found by bisection of its
  log-margin over that axis (the other axes as drawn), then moved by a signed offset of at
  most ``BOUNDARY_BAND`` in unit coordinates, so that both sides are drawn. Where the
  margin does not change sign along that axis the draw stays in the bulk.

Shrinking moves unit coordinates towards 0, i.e. every axis towards its ``low`` end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from theorycheck.probes.spec import Boundary, Probe, Regime

EDGE_BAND = 0.02
BOUNDARY_BAND = 0.03
BISECTION_STEPS = 30


@dataclass(frozen=True)
class Draw:
    """A drawn regime and how it was drawn (``kind``, and for an edge or a boundary draw
    which axis and condition)."""

    units: tuple[float, ...]
    regime: Regime
    kind: str
    detail: str = ""


def boundary_unit(probe: Probe, boundary: Boundary, units: list[float], axis: int
                  ) -> float | None:
    """The unit coordinate of ``axis`` where ``boundary``'s margin changes sign, the other
    coordinates fixed; None when it has one sign over the whole axis (or is undefined)."""

    def margin(u: float) -> float:
        trial = list(units)
        trial[axis] = u
        m = probe.margins(probe.regime(tuple(trial))).get(boundary.name, math.nan)
        return m if math.isfinite(m) else math.nan

    lo, hi = 0.0, 1.0
    m_lo, m_hi = margin(lo), margin(hi)
    if not (math.isfinite(m_lo) and math.isfinite(m_hi)) or (m_lo > 0) == (m_hi > 0):
        return None
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        m_mid = margin(mid)
        if not math.isfinite(m_mid):
            return None
        if (m_mid > 0) == (m_lo > 0):
            lo, m_lo = mid, m_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def regimes(probe: Probe) -> st.SearchStrategy[Draw]:
    """The strategy of :class:`Draw` for ``probe``."""
    unit = st.floats(0.0, 1.0, allow_nan=False)
    kinds = ("bulk", "edge", "boundary") if probe.boundaries else ("bulk", "edge")
    n = len(probe.axes)

    @st.composite
    def draw(data: Callable) -> Draw:
        units = [data(unit) for _ in range(n)]
        kind = data(st.sampled_from(kinds))
        detail = ""
        if kind == "edge":
            i = data(st.integers(0, n - 1))
            high = data(st.booleans())
            d = data(st.floats(0.0, EDGE_BAND))
            units[i] = 1.0 - d if high else d
            detail = f"{probe.axes[i].name} at its {'high' if high else 'low'} end"
        elif kind == "boundary":
            b = data(st.sampled_from(probe.boundaries))
            i = data(st.integers(0, n - 1))
            offset = data(st.floats(-BOUNDARY_BAND, BOUNDARY_BAND))
            root = boundary_unit(probe, b, units, i)
            if root is None:
                kind = "bulk"
            else:
                units[i] = min(max(root + offset, 0.0), 1.0)
                detail = f"{b.name} along {probe.axes[i].name}"
        return Draw(tuple(units), probe.regime(tuple(units)), kind, detail)

    return draw()
