"""Evidence as tables: one generic rendering for every comparison kind."""

from __future__ import annotations

from typing import Any

COLUMNS = [
    ("group", "group"), ("case", "case"), ("x", "x"), ("from", "from"), ("to", "to"),
    ("labels", "regime"), ("trials", "trials"), ("samples", "samples"),
    ("measured", "measured"), ("A", "A"), ("B", "B"), ("difference", "A - B"),
    ("change", "change"), ("ks_distance", "KS distance"), ("mean", "mean"),
    ("variance", "variance"), ("closed_form", "closed form"), ("solver", "solver"),
    ("ci", "95% CI"), ("rise_ci", "rise CI"), ("predicted", "predicted"),
    ("tolerance", "tolerance"), ("rel_error", "rel. error"), ("measured_sign", "measured"),
    ("predicted_sign", "predicted"), ("prediction_source", "prediction from"),
    ("status", "status"), ("note", "note"),
]


def fmt(v: Any) -> str:
    """Compact, readable cell text."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return ", ".join(f"{k}={fmt(x)}" for k, x in v.items())
    return str(v)


def table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Headers and cells for the columns that some row fills."""
    cols = [(k, h) for k, h in COLUMNS if any(r.get(k) not in (None, {}, "") for r in rows)]
    return [h for _, h in cols], [[fmt(r.get(k)) for k, _ in cols] for r in rows]


def evidence_tables(evidence: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, headers, cells) for every table in a verdict's evidence, parts included."""
    out = []
    parts = evidence.get("parts")
    if parts:
        for part in parts:
            out += [(f"{part.get('kind')}: {part.get('reason', '')}", h, c)
                    for _, h, c in evidence_tables(part)]
        return out
    for key in ("rows", "groups", "pairs"):
        rows = evidence.get(key)
        if rows:
            headers, cells = table(rows)
            out.append((evidence.get("kind", key), headers, cells))
    return out
