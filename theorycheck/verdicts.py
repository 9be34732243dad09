"""Verdicts: the three outcomes of a check and the evidence behind them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from theorycheck.evidence import Evidence, NoEvidence, Table, jsonable

if TYPE_CHECKING:
    from theorycheck.figures import Figure


class Status(str, enum.Enum):
    """Outcome of comparing a measurement with a prediction (docs/architecture.md)."""

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
    """What a comparison returns: a status, the reason in words, and typed evidence."""

    status: Status
    reason: str
    evidence: Evidence = field(default_factory=NoEvidence)
    judged: bool = True
    """False for a part with nothing to judge here (no points of its kind at this budget,
    or only repeats of another part's experiments): a conjunction leaves it out."""


@dataclass
class RunRecord:
    """How a verdict was reached: regimes inside and outside the claim's conditions, trials,
    seeds, time and device, and the measurement that ran."""

    regimes: int
    inside_conditions: int
    trials: int
    root_seed: int
    seed_rule: str
    first_seeds: list[int]
    seconds: float
    device: str
    measurement: str | None
    outside: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    repeats: list[dict[str, Any]] = field(default_factory=list)
    """Points that repeat an earlier point's experiment (the paper's invariances)."""
    undecidable: list[str] = field(default_factory=list)
    """Parts the budget cannot decide for the prediction (``theorycheck.power``)."""


@dataclass
class Verdict:
    """One claim's verdict: status and reason from the points inside the claim's conditions,
    its evidence, the outcome of the points outside (shown, never judged with the inside),
    the figures the claim's plot spec asks for, and the run record."""

    paper: str
    claim: str
    title: str
    statement: str
    provenance: str
    source: str
    status: Status
    reason: str
    evidence: Evidence
    run: RunRecord
    outside: Outcome | None = None
    plots: list[Figure] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Every evidence table, the outside-the-conditions ones captioned as such."""
        out = list(self.evidence.tables())
        if self.outside is not None:
            out += [Table(f"measured outside the claim's conditions [{self.outside.status}]: "
                          f"{t.caption}", t.columns, t.rows)
                    for t in self.outside.evidence.tables()]
        if self.run.faults:
            out.append(Table(f"faulted trials ({len(self.run.faults)}), left out of the "
                             "judgement", ("regime", "seed", "fault"),
                             [(_labels(f["regime"]), f["seed"], f["fault"])
                              for f in self.run.faults]))
        return out

    def figures(self) -> list[Figure]:
        """The claim's plots, then the figures of its evidence (inside the conditions, then
        outside)."""
        title = f"{self.claim}: {self.title} [{self.status.value}]"
        outside = [] if self.outside is None else self.outside.evidence.figures(
            f"{self.claim} outside its conditions [{self.outside.status.value}]")
        return [*self.plots, *self.evidence.figures(title), *outside]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, with no NaN or inf."""
        return {
            "paper": self.paper, "claim": self.claim, "title": self.title,
            "statement": self.statement, "provenance": self.provenance, "source": self.source,
            "status": self.status.value, "reason": self.reason,
            "evidence": self.evidence.to_dict(), "run": jsonable(self.run),
            "outside": None if self.outside is None else {
                "status": self.outside.status.value, "reason": self.outside.reason,
                "evidence": self.outside.evidence.to_dict()},
        }


def _labels(regime: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in regime.items())
