"""The regime report that ``theorycheck.query`` returns: conditions, regime, predictions.

``to_dict`` is JSON-serializable with no NaN or inf: a prediction or condition value that
does not exist at the regime is ``None``, and the reason is in ``warnings``.
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
            if isinstance(value, float) and not math.isfinite(value):
                self.warnings.append(f"{name}: no finite prediction at this regime ({value}); "
                                     "reported as null")
                value = None
            self.predictions[name] = value

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, with no NaN or inf (non-finite numbers become None)."""
        d = asdict(self)
        d["params"] = {k: _jsonable(v) for k, v in self.params.items()}
        d["conditions"] = [{k: _jsonable(v) for k, v in c.items()} for c in d["conditions"]]
        return d

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


def _jsonable(v: Any) -> Any:
    v = _plain(v)
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)
