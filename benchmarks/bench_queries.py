"""Regime queries at the largest sizes the limits accept (chang2021), against the smallest.

The limits in ``bounds/chang2021/model.py`` promise that an accepted query answers within
1 s on 2 cores. This was a timed test; timed tests fail on a loaded machine, so the goal is
measured here: each of ``model.LARGEST_REGIMES`` is queried cold (caches cleared) and timed
interleaved with the same design at a small size (n = p = 20, s = 10) in the same process.
The row's ``candidate_median_s`` is the largest query's time (target: <= 1 s); ``ratio`` is
small / large.
"""

from __future__ import annotations

from typing import Any

from theorycheck.bounds.chang2021 import model, predictions

import theorycheck
from benchmarks.common import paired

TARGET_SECONDS = 1.0


def _small(params: dict[str, Any]) -> dict[str, Any]:
    small = {"design": params["design"], "n": 20, "p": 20, "s": 10}
    if params["design"] == "two_level":
        small["k"] = 5
    if params["design"] == "rf":
        small["d"] = 10
    return small


def _cold(params: dict[str, Any]) -> Any:
    def query() -> Any:
        predictions.clear_caches()
        return theorycheck.query("chang2021", **params)
    return query


def run(repeats: int = 3) -> list[dict[str, Any]]:
    rows = []
    for params in model.LARGEST_REGIMES:
        name = "query chang2021 " + " ".join(f"{k}={v}" for k, v in params.items())
        row = paired(name, _cold(_small(params)), _cold(params), repeats=repeats,
                     labels=("small query (n = p = 20)", "largest accepted query"),
                     check=lambda a, b: {"regime": [a.regime, b.regime]}, params=params)
        row["target_s"] = TARGET_SECONDS
        row["target_met"] = row["candidate_median_s"] <= TARGET_SECONDS
        rows.append(row)
        print(f"[benchmarks] {name}: {row['candidate_median_s']:.2f} s", flush=True)
    return rows
