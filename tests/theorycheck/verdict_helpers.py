"""Helpers shared by the papers' end-to-end tests: run one claim on a store, and show a
verdict's evidence in assertion messages."""

from __future__ import annotations

from theorycheck.backends import LocalBackend
from theorycheck.checker import check_claim
from theorycheck.claims import Claim
from theorycheck.store import ResultStore
from theorycheck.verdicts import Verdict

SEED = 0
SHOWN = ("x", "case", "trials", "samples", "measured", "predicted", "rel_error",
         "ks_distance", "ci", "tolerance", "status", "note")


def run_claim(claim: Claim, budget: str, path, seed: int = SEED) -> Verdict:
    """Check one claim on the CPU against the SQLite store at ``path``."""
    store = ResultStore(path)
    try:
        return check_claim(claim, budget, LocalBackend(store, "cpu", progress=False), seed=seed)
    finally:
        store.close()


def parts(verdict: Verdict) -> list[dict]:
    """The evidence of each part of a claim (the claim itself when it has one part)."""
    return verdict.evidence.get("parts", [verdict.evidence])


def rows(verdict: Verdict) -> list[str]:
    """The evidence rows in one line each, for assertion messages."""
    out = []
    for part in parts(verdict):
        head = f"{part.get('quantity', part.get('kind'))} [{part.get('status')}]"
        if "measured_slope" in part:
            out.append(f"{head}: slope {part['measured_slope']:.3f} CI {part['ci']}")
        for r in part.get("rows", []):
            shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()
                     if k in SHOWN}
            out.append(f"{head}: {shown}")
    return out


def describe(verdict: Verdict) -> str:
    return "\n".join([f"{verdict.claim} {verdict.status.value}: {verdict.reason}",
                      *rows(verdict)])


def without_timing(evidence: dict) -> dict:
    return {k: v for k, v in evidence.items() if k != "seconds"}
