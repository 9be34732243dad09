"""Probes of ``yang2023``: S1's and S5's test-error halves, regime by regime, near the D4 and
D5 boundaries of ``classify``, at simulation scale (outside D6).

- ``mild-small-error`` (claim S1): wherever ``classify`` calls a network mild, its test error
  is small (S1's own comparison: E[test error] <= SMALL_ERROR).
- ``overpruned-chance`` (claim S5): wherever ``classify`` calls a network over-pruned (K m p
  <= C_over, D4, or the benign condition fails, D5), its test error is at chance (S5's own
  comparison: E[test error] >= 1 - 1/K - 0.05).

Both draw (p, mu, m) around the simulation regime ``claims.SIM`` (K = 3, n = 60, d = 1000,
sigma_n = 1, q = 3, sigma_0 = 0.01, the SIM_STEP step; ``claims.at_scale``), with the
named constants at their defaults, and concentrate the draws on the boundaries of the
conditions that decide the regime: ``mild_pruning`` (m p = C_1 log(K d)) and ``benign``
(n mu^q = C_2 (sigma_n sqrt(p d))^q) for the first, ``over_pruning`` (K m p = C_over) and
``benign`` for the second. The margins are the conditions' own log-margins
(``Condition.evaluate``).

The regime is the property's precondition (``where``), not part of the judge: a regime of
another class would be simulated for nothing, while a filtered draw costs no simulation and
does not count as one of the examples, so the examples all land on the side that the claim
speaks about, those drawn at a boundary just inside it.

Only the test-error half of S1 / S5 is probed: training runs the model's default step
limit (``NetworkConfig.steps`` = 3000, stopped at epsilon), not S5's OVER_STEPS = 30000
that an over-pruned network needs to memorize its noise down to epsilon (ten times the
cost); the test error of a class without a learnable filter does not depend on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from theorycheck.claims import Claim, Point
from theorycheck.comparisons import AllOf, PerNetworkComparison
from theorycheck.probes import Axis, Boundary, Probe

from .claims import (
    CHANCE_TOLERANCE,
    DERIVATIONS,
    PAPER,
    SIM,
    SMALL_ERROR,
    WHP_DELTA,
    at_scale,
    budget,
    point,
    s1,
    s5,
)
from .conditions import BENIGN, MILD_PRUNING, OVER_PRUNING, Condition, classify
from .measurements import NETWORK
from .model import NetworkConfig

AXES = {
    "mild": (Axis.of(NetworkConfig.parameter("p"), 0.15, 1.0, log=True),
             Axis.of(NetworkConfig.parameter("mu"), 3.0, 20.0, log=True),
             Axis.of(NetworkConfig.parameter("m"), 10, 40, log=True)),
    "over-pruned": (Axis.of(NetworkConfig.parameter("p"), 0.005, 1.0, log=True),
                    Axis.of(NetworkConfig.parameter("mu"), 2.0, 40.0, log=True),
                    Axis.of(NetworkConfig.parameter("m"), 10, 40, log=True)),
}
"""Where D4's and D5's boundaries lie in the boxes (SIM's K = 3, n = 60, d = 1000).

mild: m p = C_1 log(K d) = 8.0 at p = 0.2 to 0.8 for m = 40 to 10; the benign mu_crit =
(C_2 / n)^(1/q) sigma_n sqrt(p d) = 3.1 to 8.1 for p = 0.15 to 1 (mu <= 20: above, every
mild draw of a first run had zero error, far from both boundaries).

over-pruned: K m p = C_over at p = 0.0042 to 0.017 (inside the range for m <= 33); mu_crit =
2 to 8.1 for p = 0.06 to 1 (a harmful, "over-pruned" network at p < 0.06 needs mu < 2).
p >= 0.005: with p d <= 4 kept coordinates per filter, SIM's step rule (10 times the D6
bound, ``claims.SIM_STEP``) makes GD diverge in some trials (measured at p = 0.002 to
0.004), which the probe could only report as inconclusive; mu >= 2: below, every draw of a
first run was exactly at chance."""


TRIALS = {"mild": {"smoke": 2, "quick": 17, "full": 32},
          "over-pruned": {"smoke": 2, "quick": 17, "full": 32}}
"""Trials per regime. The judge is per network (S1's and S5's comparisons): a regime can
come out consistent only with at least 17 networks (the exact lower end of 17 of 17 at 95%
is just above 1 - WHP_DELTA = 0.8), so quick gives 17; fewer could only refute. Mild
networks converge in a few hundred steps (a regime of 12 cost about a second on two CPU
cores); over-pruned networks at small p run the whole step limit (several seconds a
regime)."""


def config(regime: Mapping[str, Any]) -> NetworkConfig:
    """The network of a drawn regime: SIM with its p, mu, m (``at_scale``: SIM's step rule);
    ValueError where the model's validation refuses it."""
    return at_scale(SIM, **dict(regime))


def regime_of(regime: Mapping[str, Any]) -> str:
    """``classify``'s regime (default constants) of the drawn network."""
    return classify(config(regime).theory_params())["regime"]


def margin(condition: Condition) -> Callable[[Mapping[str, Any]], float]:
    """The condition's log-margin at a drawn regime (positive where it holds)."""

    def at(regime: Mapping[str, Any]) -> float:
        return float(condition.evaluate(config(regime).theory_params())["margin"])

    return at


def boundaries(*conditions: Condition) -> tuple[Boundary, ...]:
    return tuple(Boundary(f"{c.name} ({c.source})", margin(c)) for c in conditions)


def test_error_part(claim: Claim) -> PerNetworkComparison:
    """The claim's own per-network comparison of the test error (a part of its AllOf)."""
    parts = claim.comparison.parts if isinstance(claim.comparison, AllOf) else [
        claim.comparison]
    [found] = [c for c in parts if isinstance(c, PerNetworkComparison)
               and c.quantity == "test_error"]
    return found


def network_point(trials: Mapping[str, int]) -> Callable[[Mapping[str, Any], str], Point]:
    """(regime, budget) -> the regime's network with ``trials[budget]`` trials."""

    def at(regime: Mapping[str, Any], b: str) -> Point:
        budget(b)  # an unknown budget is refused by name
        return point(config(regime), trials[b])

    return at


def mild_small_error(bound: float | None = None) -> Probe:
    """S1's test-error half where ``classify`` says mild; ``bound`` lets a test plant a
    wrong one (default: S1's own, SMALL_ERROR)."""
    judge = test_error_part(s1())
    if bound is not None:
        judge = dataclasses.replace(judge, threshold=bound)
    small = SMALL_ERROR if bound is None else bound
    return Probe(
        PAPER, "mild-small-error", "Mild by classify implies a small test error",
        f"At every simulation-scale network (K = 3, n = 60, d = 1000) with 0.15 <= p <= 1, "
        f"3 <= mu <= 20, 10 <= m <= 40 that classify (default constants) calls mild "
        f"(m p >= C_1 log(K d), K m p > C_over and benign), test error <= {small:g} for at "
        f"least {1 - WHP_DELTA:g} of the networks (S1's per-network comparison).",
        "paper", f"S1; regimes from D4 and D5 ({DERIVATIONS}), outside D6", AXES["mild"],
        network_point(TRIALS["mild"]), judge, NETWORK, boundaries(MILD_PRUNING, BENIGN),
        where=lambda r: regime_of(r) == "mild", where_text="classify says mild",
        claim="S1", plane=("p", "mu"))


def overpruned_chance() -> Probe:
    """S5's test-error half where ``classify`` says over-pruned."""
    judge = test_error_part(s5())
    return Probe(
        PAPER, "overpruned-chance", "Over-pruned by classify implies chance-level test error",
        f"At every simulation-scale network (K = 3, n = 60, d = 1000) with 0.005 <= p <= 1, "
        f"2 <= mu <= 40, 10 <= m <= 40 that classify (default constants) calls "
        f"over-pruned (K m p <= C_over, or the benign condition fails), test error >= "
        f"1 - 1/K - {CHANCE_TOLERANCE:g} for at least {1 - WHP_DELTA:g} of the networks "
        "(S5's per-network comparison).",
        "paper", f"S5; D3, regimes from D4 and D5 ({DERIVATIONS}), outside D6",
        AXES["over-pruned"], network_point(TRIALS["over-pruned"]), judge, NETWORK,
        boundaries(OVER_PRUNING, BENIGN),
        where=lambda r: regime_of(r) == "over-pruned",
        where_text="classify says over-pruned", claim="S5", plane=("p", "mu"))


def probes() -> list[Probe]:
    return [mild_small_error(), overpruned_chance()]
