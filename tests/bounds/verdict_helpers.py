"""Helpers shared by the papers' end-to-end tests: run one claim on a store, and show a
verdict's evidence in assertion messages."""

from __future__ import annotations

from theorycheck.backends import LocalBackend
from theorycheck.checker import check_claim
from theorycheck.claims import Claim
from theorycheck.registry import get_paper
from theorycheck.reporting.tables import cells
from theorycheck.store import ResultStore
from theorycheck.verdicts import Verdict

SEED = 0


def run_claim(claim: Claim, budget: str, path, seed: int = SEED) -> Verdict:
    """Check one claim of an installed paper on the CPU against the SQLite store at ``path``."""
    store = ResultStore(path)
    try:
        return check_claim(claim, budget, LocalBackend(store, "cpu", progress=False), seed,
                           get_paper(claim.paper))
    finally:
        store.close()


def describe(verdict: Verdict) -> str:
    """The verdict, its reason and every evidence table, for assertion messages."""
    lines = [f"{verdict.claim} {verdict.status.value}: {verdict.reason}"]
    for table in verdict.tables():
        lines.append(f"  {table.caption}")
        lines += ["    " + " | ".join(row) for row in cells(table)]
    return "\n".join(lines)


def evidence_dict(verdict: Verdict) -> dict:
    """The verdict's evidence as JSON data (for comparing reruns)."""
    return verdict.evidence.to_dict()


def parts(evidence) -> list:
    """The parts (status, reason, evidence) of a composite claim's evidence; a one-part
    claim's evidence as its only part."""
    from theorycheck.evidence import Part, SubsetEvidence

    found = getattr(evidence, "parts", None)
    out = found if found is not None else [Part("", "", evidence)]
    return [Part(p.status, p.reason, p.evidence.evidence
                 if isinstance(p.evidence, SubsetEvidence) else p.evidence) for p in out]
