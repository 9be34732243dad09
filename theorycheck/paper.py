"""What a paper plugin provides: the :class:`Paper` object the core works with.

A paper is a package found through the entry-point group ``theorycheck.papers`` (or an
object handed directly to ``check`` / ``report``, e.g. defined in a notebook). It provides
its key and citation, its claims, its measurements (simulations the checker pairs with the
claims by name), its regime ``query``, its probes and, optionally, a ``plan`` (the cheapest
regime in which given conditions hold) and its budgets. The core never imports a paper: it
only reads this object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from theorycheck.claims import BUDGETS, Claim
from theorycheck.params import Param
from theorycheck.regime import RegimeReport

if TYPE_CHECKING:
    from theorycheck.probes.spec import Probe

Request = tuple[Any, int]
"""One run: (the paper's model config for a point, a trial seed)."""
MeasureFn = Callable[[Sequence[Request], str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Measurement:
    """A simulation the checker can run: ``fn(requests, device) -> one result per request``.

    ``requests`` are (config, seed) pairs; the function may batch them however it likes (e.g.
    many networks in one tensor), but each result depends only on its own (config, seed).
    ``version`` is part of every run's content hash: bump it when the simulator's output for
    a given configuration and seed changes. ``chunk`` runs are simulated (and stored) at a
    time.

    Faults are data: a run that cannot give a result (non-finite weights, divergence, an
    input that rounds away in the working precision) returns ``"fault": "<cause>: <detail>"``
    (e.g. ``"diverged: non-finite training loss at step 12"``) instead of raising, and NaN
    for what it would have measured. The checker leaves such a run's regime out of the
    judgement and never calls the rest ``consistent`` (``checker.with_faults``).

    ``paper`` is the key of the paper the measurement belongs to, part of every run's key
    too (two papers may name and version measurements alike and simulate different things).
    A plugin leaves it unset; :meth:`Paper.measurement` hands the measurement out bound to
    its paper, and backends run only bound measurements.
    """

    name: str
    fn: MeasureFn
    version: str
    chunk: int = 64
    paper: str | None = None


@dataclass(frozen=True)
class Paper:
    """A paper plugin: claims, measurements and regime queries under one key.

    ``query_parameters`` declares what ``query`` accepts: one tuple of parameter specs per
    model (e.g. the linear designs and random features of one paper), each spec with its
    kind and range, so that tools can draw regimes from them (the query fuzz tests do).
    ``probes`` lists the properties ``theorycheck probe`` tests regime by regime
    (:class:`~theorycheck.probes.spec.Probe`).
    """

    key: str
    title: str
    citation: str
    claims: Callable[[], list[Claim]]
    measurements: Sequence[Measurement] = ()
    query: Callable[..., RegimeReport] | None = None
    plan: Callable[..., Any] | None = None
    budgets: tuple[str, ...] = BUDGETS
    query_parameters: tuple[tuple[Param, ...], ...] = ()
    probes: Callable[[], list[Probe]] = lambda: []
    invariances: Callable[[Any], Mapping[str, Any]] | None = None
    """``canonical(config)``: the representative of the configurations the model cannot
    tell apart (an exact symmetry of the simulated law, e.g. a rescaling). The checker
    treats points with the same canonical form and seeds as one experiment: shown and
    counted once."""

    def measurement(self, name: str) -> Measurement:
        """The measurement ``name``, bound to this paper (``paper`` set to this paper's key);
        KeyError listing the paper's measurements."""
        for m in self.measurements:
            if m.name == name:
                return replace(m, paper=self.key)
        raise KeyError(f"paper {self.key!r} has no measurement {name!r}; it has "
                       f"{[m.name for m in self.measurements]}")

    def check_budget(self, budget: str) -> str:
        if budget not in self.budgets:
            raise ValueError(f"budget must be one of {list(self.budgets)}, got {budget!r}")
        return budget
