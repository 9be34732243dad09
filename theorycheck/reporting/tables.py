"""Evidence tables as text cells: one formatting for every comparison kind."""

from __future__ import annotations

from typing import Any

from theorycheck.evidence import Table


def fmt(v: Any) -> str:
    """Compact, readable cell text."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return ", ".join(f"{k}={fmt(x)}" for k, x in v.items())
    return str(v)


def cells(table: Table) -> list[list[str]]:
    """The table's rows as formatted text."""
    return [[fmt(v) for v in row] for row in table.rows]
