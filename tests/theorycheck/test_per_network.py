"""The per-network kind: "with high probability" judged network by network (issue 13).

Planted failures: the audit's S1 case (six networks, one at error 0.165, mean 0.06 <= 0.1)
must not come out consistent; a statement that fails for a fifth of 40 networks against
delta = 0.05 must come out inconsistent; a true statement on enough networks consistent.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.theorycheck.test_comparisons import point, rng
from theorycheck.comparisons import PerNetworkComparison
from theorycheck.verdicts import Status


def errors(values) -> list:
    return [point({"test_error": np.asarray(values, float)}, p=0.7)]


def test_the_audits_six_networks_are_not_consistent():
    audit = [0.0, 0.02, 0.0, 0.165, 0.03, 0.0]  # mean 0.036: a mean rule said consistent
    out = PerNetworkComparison("test_error", "<=", 0.1, delta=0.1).evaluate(errors(audit), rng())
    assert out.status is not Status.CONSISTENT, out.reason
    row = out.evidence.rows[0]
    assert (row.holding, row.networks, row.worst) == (5, 6, 0.165)


def test_a_fifth_failing_is_inconsistent_with_delta_005():
    values = np.where(np.arange(40) % 5 == 0, 0.6, 0.01)
    out = PerNetworkComparison("test_error", "<=", 0.1, delta=0.05).evaluate(errors(values),
                                                                               rng())
    assert out.status is Status.INCONSISTENT, out.reason


def test_a_true_statement_on_enough_networks_is_consistent():
    comp = PerNetworkComparison("test_error", "<=", 0.1, delta=0.2)
    need = comp.trials_needed(points=1)
    assert need == 17  # (0.025)^(1/n) >= 0.8
    values = np.random.default_rng(3).uniform(0.0, 0.09, need)
    assert comp.evaluate(errors(values), rng()).status is Status.CONSISTENT
    short = comp.evaluate(errors(values[:need - 1]), rng())
    assert short.status is Status.INCONCLUSIVE and "needed to be able to decide" in short.reason


def test_points_form_one_family():
    comp = PerNetworkComparison("test_error", "<=", 0.1, delta=0.2)
    assert comp.trials_needed(points=4) > comp.trials_needed(points=1)
    pts = [point({"test_error": np.zeros(17)}, p=p) for p in (1.0, 0.85, 0.7, 0.5)]
    out = comp.evaluate(pts, rng())
    assert out.status is Status.INCONCLUSIVE and "Bonferroni over 4 points" in out.reason


def test_undefined_networks_are_left_out_and_named():
    values = np.concatenate([np.zeros(20), [np.nan] * 3])
    out = PerNetworkComparison("test_error", "<=", 0.1, delta=0.2).evaluate(errors(values),
                                                                              rng())
    assert out.status is Status.CONSISTENT
    assert "3 of 23 networks do not define it" in out.evidence.rows[0].note


def test_a_point_threshold_and_lower_bounds():
    comp = PerNetworkComparison("test_error", ">=", lambda pr: 1 - 1 / 3 - 0.05, delta=0.2)
    chance = errors(np.full(20, 0.66))
    assert comp.evaluate(chance, rng()).status is Status.CONSISTENT
    assert comp.evaluate(errors(np.full(20, 0.3)), rng()).status is Status.INCONSISTENT


@pytest.mark.parametrize(("field", "value", "message"), [
    ("delta", 0.0, "delta must be in"), ("relation", "==", "relation must be one of"),
    ("level", 1.0, "level must be in")])
def test_bad_settings_are_refused_by_name(field, value, message):
    kwargs = {"quantity": "e", "relation": "<=", "threshold": 0.1, "delta": 0.1, field: value}
    with pytest.raises(ValueError, match=message):
        PerNetworkComparison(**kwargs)
