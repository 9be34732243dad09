"""Verdicts: the three outcomes of a check and the evidence behind them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(str, enum.Enum):
    """Outcome of comparing a measurement with a prediction (DESIGN.md, "Verdicts")."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


def combine(statuses: list[Status]) -> Status:
    """Fold part-verdicts into one: any inconsistent part wins, then any inconclusive part.

    An empty list is inconclusive: no evidence decides nothing.
    """
    if not statuses:
        return Status.INCONCLUSIVE
    if Status.INCONSISTENT in statuses:
        return Status.INCONSISTENT
    if Status.INCONCLUSIVE in statuses:
        return Status.INCONCLUSIVE
    return Status.CONSISTENT


@dataclass
class Outcome:
    """What a comparison returns: a status, the reason in words, and JSON-able evidence."""

    status: Status
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verdict:
    """One claim's verdict with its provenance and everything needed to rerun it."""

    paper: str
    claim: str
    title: str
    statement: str
    provenance: str
    source: str
    status: Status
    reason: str
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper,
            "claim": self.claim,
            "title": self.title,
            "statement": self.statement,
            "provenance": self.provenance,
            "source": self.source,
            "status": self.status.value,
            "reason": self.reason,
            "evidence": self.evidence,
        }
