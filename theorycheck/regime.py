"""The regime report that ``theorycheck.query`` returns: conditions, regime, predictions.

``to_dict`` is JSON-serializable with no NaN or inf: a prediction, a condition's side or
margin, or a parameter that is not a finite number is ``None`` there, and ``warnings`` says
which and why (checked on construction, so the warning is in the text form too).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from tabulate import tabulate


@dataclass
class ConditionReport:
    """One condition at a regime: lhs (relation) rhs, log-margin, and whether it holds."""

    name: str
    relation: str
    lhs: float
    rhs: float
    margin: float
    holds: bool
    note: str = ""
    provenance: str = "derived"


@dataclass
class RegimeReport:
    """What ``theorycheck.query`` returns: conditions, the regime, predictions, warnings."""

    paper: str
    params: dict[str, Any]
    regime: str
    conditions: list[ConditionReport] = field(default_factory=list)
    predictions: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    estimated_seconds: float | None = None

    def __post_init__(self) -> None:
        for name, value in self.predictions.items():
            value = _plain(value)
            if _non_finite(value):
                self.warnings.append(f"{name}: no finite prediction at this regime "
                                     f"({_fmt(value)}); reported as null")
                value = _jsonable(value)
            self.predictions[name] = value
        for c in self.conditions:
            bad = [part for part in ("lhs", "rhs", "margin") if _non_finite(getattr(c, part))]
            if bad:
                shown = ", ".join(f"{part} = {getattr(c, part)}" for part in bad)
                self.warnings.append(f"condition {c.name}: {shown}: not finite; "
                                     "reported as null")
        for name, value in self.params.items():
            if _non_finite(value):
                self.warnings.append(f"parameter {name} = {value} is not finite; reported as "
                                     "null")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, with no NaN or inf anywhere (non-finite numbers become None)."""
        return _jsonable(asdict(self))

    def __str__(self) -> str:
        lines = [f"{self.paper}: regime = {self.regime}",
                 "params: " + ", ".join(f"{k}={v}" for k, v in self.params.items())]
        if self.conditions:
            lines.append(tabulate(
                [[c.name, f"{c.lhs:.4g} {c.relation} {c.rhs:.4g}", f"{c.margin:+.3f}",
                  "yes" if c.holds else "NO", c.provenance] for c in self.conditions],
                headers=["condition", "value", "log-margin", "holds", "tag"]))
        if self.predictions:
            lines.append(tabulate([[k, _fmt(v)] for k, v in self.predictions.items()],
                                  headers=["prediction", "value"]))
        if self.estimated_seconds is not None:
            lines.append(f"estimated run time of one network: {self.estimated_seconds:.3g} s")
        lines += [f"warning: {w}" for w in self.warnings] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python number it holds."""
    return v.item() if hasattr(v, "item") and getattr(v, "ndim", 1) == 0 else v


def _non_finite(v: Any) -> bool:
    """Whether ``v`` is, or holds (in dicts, lists, tuples), a NaN or infinite float."""
    v = _plain(v)
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, dict):
        return any(_non_finite(x) for x in v.values())
    if isinstance(v, list | tuple):
        return any(_non_finite(x) for x in v)
    return False


def _jsonable(v: Any) -> Any:
    """``v`` with numpy scalars as Python numbers and NaN / inf as None, recursively through
    dicts, lists and tuples (tuples become lists)."""
    v = _plain(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)
