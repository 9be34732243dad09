"""Typed evidence: what a comparison measured, able to render its own tables and figures.

Every comparison returns an :class:`Evidence` subclass (a dataclass). Reporting never reads
evidence by key: it asks each piece for ``tables()`` and ``figures(title)``, and stores
``to_dict()`` in the JSON report. A new comparison kind therefore appears in reports without
any change to ``theorycheck.reporting``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from theorycheck.figures import Figure


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dataclasses and mappings as dicts, sequences as lists,
    numpy scalars and arrays unwrapped, non-finite floats as None (JSON has no NaN)."""
    if isinstance(value, Evidence):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Table:
    """A table of evidence: a caption, column headers and rows of raw values."""

    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def rows_table(caption: str, rows: Sequence[Any], columns: Sequence[tuple[str, str]]) -> Table:
    """A :class:`Table` of ``rows`` (dataclasses) showing ``columns`` = (attribute, header);
    a column that no row fills (all None or empty) is left out."""
    shown = [(attr, head) for attr, head in columns
             if any(getattr(r, attr, None) not in (None, "", {}, ()) for r in rows)]
    return Table(caption, tuple(h for _, h in shown),
                 [tuple(getattr(r, a, None) for a, _ in shown) for r in rows])


class Evidence:
    """Base of every comparison's evidence. Subclasses are dataclasses; ``kind`` names the
    comparison; ``tables`` and ``figures`` render what the subclass holds."""

    kind: ClassVar[str] = "evidence"

    def tables(self) -> list[Table]:
        return []

    def figures(self, title: str) -> list[Figure]:
        return []

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind}
        out.update(jsonable({f.name: getattr(self, f.name)
                             for f in dataclasses.fields(self)}))  # type: ignore[arg-type]
        return out


@dataclass
class NoEvidence(Evidence):
    """Nothing was measured (e.g. every regime lay outside the claim's conditions)."""

    kind: ClassVar[str] = "none"
    note: str = ""


@dataclass
class Part:
    """One part of a composite claim: its status, reason and evidence."""

    status: str
    reason: str
    evidence: Evidence


@dataclass
class PartsEvidence(Evidence):
    """The evidence of a claim with several parts (``AllOf``), part by part."""

    kind: ClassVar[str] = "all-of"
    parts: list[Part] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [dataclasses.replace(t, caption=f"[{p.status}] {t.caption}: {p.reason}")
                for p in self.parts for t in p.evidence.tables()]

    def figures(self, title: str) -> list[Figure]:
        return [f for p in self.parts for f in p.evidence.figures(title)]


@dataclass
class SubsetEvidence(Evidence):
    """The evidence of a comparison restricted to some of a sweep's points."""

    kind: ClassVar[str] = "subset"
    description: str = ""
    evidence: Evidence = field(default_factory=NoEvidence)

    def tables(self) -> list[Table]:
        return [dataclasses.replace(t, caption=f"{self.description}: {t.caption}")
                for t in self.evidence.tables()]

    def figures(self, title: str) -> list[Figure]:
        return self.evidence.figures(f"{title} ({self.description})")
