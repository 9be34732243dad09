"""The ``yang2023`` probes (``bounds/yang2023/probes.py``): S1 where ``classify`` says mild,
S5 where it says over-pruned, at simulation scale near the D4 / D5 boundaries.

Fast (smoke budget, 2 trials a regime, a few regimes): the drawn regimes respect the model's
validation, the axes and the precondition, the boundaries' margins are the conditions that
decide ``classify``'s regime, every simulated regime carries its seeds and finite margins,
and a planted false bound is refuted.
"""

from __future__ import annotations

import math

from hypothesis import given, seed, settings
from theorycheck.bounds.yang2023 import PAPER
from theorycheck.bounds.yang2023 import probes as yp
from theorycheck.bounds.yang2023.claims import WHP_DELTA
from theorycheck.bounds.yang2023.conditions import CONDITIONS

from theorycheck.backends import make_backend
from theorycheck.probes import probe, regimes
from theorycheck.probes.runner import run_probe
from theorycheck.store import ResultStore
from theorycheck.verdicts import Status

KEYS = ("mild-small-error", "overpruned-chance")


def test_registered_and_claims() -> None:
    found = {p.key: p for p in PAPER.probes()}
    assert tuple(found) == KEYS
    assert found["mild-small-error"].claim == "S1"
    assert found["overpruned-chance"].claim == "S5"
    # the judges are S1's and S5's own per-network test-error comparisons
    assert found["mild-small-error"].judge.relation == "<="
    assert found["overpruned-chance"].judge.relation == ">="
    assert {p.judge.kind for p in found.values()} == {"per-network"}
    assert all(p.judge.delta == WHP_DELTA for p in found.values())


def draws_of(pr, n: int) -> list:
    """``n`` regimes of the probe's own Hypothesis strategy (seeded; no simulation)."""
    draws: list = []

    @seed(0)
    @settings(max_examples=n, database=None, deadline=None)
    @given(regimes(pr))
    def collect(draw) -> None:
        draws.append(draw)

    collect()
    return draws


def holds(regime: dict, name: str) -> bool:
    return bool(CONDITIONS[name].evaluate(yp.config(regime).theory_params())["holds"])


def test_draws_respect_validation_axes_and_where() -> None:
    """60 draws per probe (no simulation): inside the axes, a valid network, finite margins;
    ``where`` agrees with the conditions that define the regime, and some draws sit near a
    boundary on each side (the point of the probe)."""
    for pr in PAPER.probes():
        draws = draws_of(pr, 60)
        near = {True: 0, False: 0}
        for draw in draws:
            r = draw.regime
            for axis in pr.axes:
                assert axis.low <= r[axis.name] <= axis.high
            pt = pr.point(r, "smoke")
            assert pt.config.p == r["p"] and pt.config.mu == r["mu"] and pt.config.m == r["m"]
            assert pt.trials == yp.TRIALS["mild" if pr.key == KEYS[0] else "over-pruned"][
                "smoke"]
            margins = pr.margins(r)
            assert margins and all(math.isfinite(v) for v in margins.values())
            over = holds(r, "over_pruning") or not holds(r, "benign")
            mild = not over and holds(r, "mild_pruning")
            assert pr.where(r) == (mild if pr.key == KEYS[0] else over)
            # the boundaries' signs are the conditions' own
            for name, value in margins.items():
                assert (value >= 0) == holds(r, name.split(" ")[0])
            if min(abs(v) for v in margins.values()) < 0.3:
                near[bool(pr.where(r))] += 1
        assert near[True] > 0 and near[False] > 0, (pr.key, near)


def check_records(pr, result, budget: str = "smoke") -> None:
    for rec in result.records:
        assert rec.seeds and len(rec.seeds) == pr.point(rec.regime, budget).trials
        assert rec.margins and all(math.isfinite(v) for v in rec.margins.values())
        pr.point(rec.regime, budget)  # validation accepts every simulated regime
        assert pr.where(rec.regime)


def test_planted_false_bound_is_refuted(tmp_path) -> None:
    """S1 with an impossible bound (test error <= -10: no network holds it) is refuted at the
    first regime, and the counterexample is a mild network with its seeds. Judged per
    network, a refutation needs the exact upper end of 0 of n below 1 - delta = 0.8: 2 smoke
    networks cannot (0.84), the 17 of the quick budget can."""
    planted = yp.mild_small_error(bound=-10.0)
    db = ResultStore(tmp_path / "store.sqlite")
    try:
        result = run_probe(PAPER, planted, make_backend("local", db, "cpu", False),
                           budget="quick", examples=2, seed=0, shrink_limit=1,
                           refine_steps=1, progress=False)
    finally:
        db.close()
    assert result.refuted
    ce = result.counterexample
    assert ce.status is Status.INCONSISTENT and len(ce.seeds) == 17
    assert yp.regime_of(ce.regime) == "mild"
    check_records(planted, result, "quick")


def test_registered_probes_run_at_smoke(tmp_path) -> None:
    """Both registered probes run end to end (two regimes each); the unplanted chance
    prediction is not refuted by 2 trials of an over-pruned network."""
    results = probe("yang2023", list(KEYS), examples=2, budget="smoke", seed=0,
                    store=str(tmp_path / "store.sqlite"), device="cpu", shrink_limit=1,
                    refine_steps=1, progress=False)
    assert [r.probe.key for r in results] == list(KEYS)
    for r in results:
        assert r.records
        check_records(r.probe, r)
    assert not results[1].refuted
