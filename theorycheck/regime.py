"""Typed, validated regime parameters and the regime report that ``query`` returns.

Parameters are declared once per paper (in ``bounds``) as ``Param`` specs; ``validate``
turns user input into checked values or raises ValueError naming the parameter and its
allowed range. User strings are parsed as numbers or known names, never evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tabulate import tabulate


@dataclass(frozen=True)
class Param:
    """One regime parameter: its kind and allowed range (``low < x`` when ``low_open``).

    A parameter without a default is required, unless ``optional`` (then a missing value is
    None and the paper's query fills it in)."""

    name: str
    kind: Literal["int", "float", "choice"]
    description: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False

    def allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        what = "an integer" if self.kind == "int" else "a finite number"
        return f"{what} in {left}{lo}, {hi}{right}"

    def check(self, value: Any) -> Any:
        """The validated value; ValueError naming this parameter and its range otherwise."""
        bad = ValueError(f"{self.name} must be {self.allowed()}, got {value!r}")
        if self.kind == "choice":
            if value not in self.choices:
                raise bad
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if not math.isfinite(value):
            raise bad
        if self.kind == "int":
            if float(value) != int(value):
                raise bad
            value = int(value)
        else:
            value = float(value)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise bad
        return value


def validate(specs: Sequence[Param], params: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``params`` against ``specs``: unknown names and bad values raise ValueError;
    missing parameters take their defaults (a parameter without default is required)."""
    by_name = {p.name: p for p in specs}
    unknown = sorted(set(params) - set(by_name))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; allowed: {sorted(by_name)}")
    out: dict[str, Any] = {}
    for p in specs:
        if p.name in params and params[p.name] is not None:
            out[p.name] = p.check(params[p.name])
        elif p.default is None and not p.optional:
            raise ValueError(f"{p.name} is required: {p.allowed()} ({p.description})")
        else:
            out[p.name] = p.default
    return out


def parse_value(text: str) -> int | float | str:
    """A command-line value: an int, a float (``1e-3``, ``nan``, ``inf`` included), or a
    bare name. Nothing is evaluated: ``2**10`` stays the string ``"2**10"`` and fails
    validation as a number."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


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

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["predictions"] = {k: _jsonable(v) for k, v in self.predictions.items()}
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
        lines += [f"warning: {w}" for w in self.warnings] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)
