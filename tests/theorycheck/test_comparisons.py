"""Every comparison kind on synthetic measurements: right predictions are consistent,
planted wrong ones are inconsistent, and thin evidence is inconclusive.

Synthetic samples use fixed seeds; tolerances are stated in each test.
"""

import numpy as np
import pytest

from theorycheck.claims import Point, PointResult
from theorycheck.comparisons import (
    AllOf,
    ContrastComparison,
    IdentityComparison,
    MonotoneComparison,
    NormalityComparison,
    OrderComparison,
    PeakComparison,
    Reducer,
    Subset,
    TransitionComparison,
    ValueComparison,
)
from theorycheck.paths import Path, PathEnds
from theorycheck.stats import Support
from theorycheck.verdicts import Status

RNG = np.random.default_rng(20261121)


def point(values: dict[str, np.ndarray], **labels) -> PointResult:
    n = len(next(iter(values.values())))
    results = [{k: (v[i].tolist() if np.ndim(v[i]) else float(v[i])) for k, v in values.items()}
               for i in range(n)]
    return PointResult(Point({"id": str(labels)}, n, labels), list(range(n)), results)


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# ---- value ---------------------------------------------------------------------------------

def risk_points(scale=1.0, trials=400, sd=0.05):
    xs = [0.5, 2.0, 5.0]
    return [point({"risk": scale * (1 + x) + sd * RNG.standard_normal(trials)}, kappa=x)
            for x in xs]


def test_value_consistent_when_prediction_right():
    out = ValueComparison("risk", lambda pr: 1 + pr.label("kappa"), rtol=0.03).evaluate(
        risk_points(), rng())
    assert out.status is Status.CONSISTENT, out.reason


def test_value_catches_planted_factor_1_1():
    out = ValueComparison("risk", lambda pr: 1.1 * (1 + pr.label("kappa")), rtol=0.03).evaluate(
        risk_points(), rng())
    assert out.status is Status.INCONSISTENT, out.reason


def test_value_inconclusive_when_interval_too_wide():
    pts = risk_points(trials=3, sd=1.0)
    out = ValueComparison("risk", lambda pr: 1 + pr.label("kappa"), rtol=0.01).evaluate(pts, rng())
    assert out.status is Status.INCONCLUSIVE


def test_value_bound_relations():
    pts = [point({"loss": 1e-4 * np.abs(RNG.standard_normal(50))}, p=1.0)]
    assert ValueComparison("loss", lambda pr: 1e-3, rtol=0, relation="<=").evaluate(
        pts, rng()).status is Status.CONSISTENT
    assert ValueComparison("loss", lambda pr: 1e-6, rtol=0, relation="<=").evaluate(
        pts, rng()).status is Status.INCONSISTENT
    assert ValueComparison("loss", lambda pr: 1.0, rtol=0, relation=">=").evaluate(
        pts, rng()).status is Status.INCONSISTENT


def test_value_per_trial_prediction():
    pred = RNG.uniform(0, 1, 200)
    pts = [point({"err": pred + 0.001 * RNG.standard_normal(200), "pred": pred}, k=1)]
    good = ValueComparison("err", lambda pr: pr.values("pred"), atol=0.01, rtol=0)
    bad = ValueComparison("err", lambda pr: pr.values("pred") + 0.1, atol=0.01, rtol=0)
    assert good.evaluate(pts, rng()).status is Status.CONSISTENT
    assert bad.evaluate(pts, rng()).status is Status.INCONSISTENT


def test_value_nonfinite_prediction_is_inconclusive():
    out = ValueComparison("risk", lambda pr: float("inf")).evaluate(risk_points(), rng())
    assert out.status is Status.INCONCLUSIVE


# ---- distribution --------------------------------------------------------------------------

def test_normality_detects_wrong_variance():
    ok = [point({"z": RNG.standard_normal((40, 200))}, k=1)]
    wide = [point({"z": np.sqrt(2) * RNG.standard_normal((40, 200))}, k=1)]
    cmp = NormalityComparison("z", tolerance=0.03)
    assert cmp.evaluate(ok, rng()).status is Status.CONSISTENT
    assert cmp.evaluate(wide, rng()).status is Status.INCONSISTENT


# ---- order ---------------------------------------------------------------------------------

def power_law_points(exponent=0.5, decades=2.0, trials=20, noise=0.05):
    xs = np.logspace(0, decades, 6)
    return [point({"q": x ** exponent * np.exp(noise * RNG.standard_normal(trials))}, d=x)
            for x in xs]


def test_order_consistent_for_right_exponent():
    out = OrderComparison("q", "d", exponent=0.5, slack=0.1).evaluate(power_law_points(), rng())
    assert out.status is Status.CONSISTENT, out.reason
    assert abs(out.evidence.measured_slope - 0.5) < 0.05


def test_order_catches_planted_exponent_one():
    out = OrderComparison("q", "d", exponent=1.0, slack=0.1).evaluate(power_law_points(), rng())
    assert out.status is Status.INCONSISTENT, out.reason


def test_order_short_path_is_inconclusive_never_consistent():
    out = OrderComparison("q", "d", exponent=0.5, slack=0.1, min_decades=1.0).evaluate(
        power_law_points(decades=0.5), rng())
    assert out.status is Status.INCONCLUSIVE
    assert "decades" in out.reason


UPPER_OPEN = PathEnds(lower=False, upper=True, lower_note="t >= 1", decades=6)
LOWER_OPEN = PathEnds(lower=True, upper=False, upper_note="t <= 100", decades=6)
BOTH_OPEN = PathEnds(lower=True, upper=True, decades=6)
CLOSED = PathEnds(lower=False, upper=False, lower_note="t >= 1", upper_note="t <= 100")


def test_upper_bound_at_an_open_upper_end():
    """Measured slope 0.5, the path open upwards. An O~(d^0.25) bound is violated (growth
    0.25 faster than allowed, slack 0.1): inconsistent. An O~(d^1) bound holds there and is
    reported as not tight; the interval holds 0.5 and excludes 1."""
    pts = power_law_points()
    small = OrderComparison("q", "d", exponent=0.25, slack=0.1, bound="O~",
                            ends=UPPER_OPEN).evaluate(pts, rng())
    assert small.status is Status.INCONSISTENT, small.reason
    large = OrderComparison("q", "d", exponent=1.0, slack=0.1, bound="O~",
                            ends=UPPER_OPEN).evaluate(pts, rng())
    assert large.status is Status.CONSISTENT, large.reason
    assert large.evidence.tight is False and "not tight" in large.reason
    assert large.evidence.contains_exponent is False and "excludes it" in large.reason
    right = OrderComparison("q", "d", exponent=0.5, slack=0.1, bound="O~",
                            ends=UPPER_OPEN).evaluate(pts, rng())
    assert right.status is Status.CONSISTENT and right.evidence.tight is True
    assert right.evidence.contains_exponent is True


def test_a_bound_that_fails_only_towards_zero_is_caught_at_an_open_lower_end():
    """The audit's S3 case: a quantity flat along a path that the conditions bound from
    above (sigma_0 <= ...), against O~(t^1). Towards 0 the bound falls tenfold a decade
    while the quantity does not: on the lower-open path, inconsistent. Judged as if the
    path were open upwards (the old rule) the same data say consistent."""
    flat = power_law_points(exponent=0.0)
    down = OrderComparison("q", "d", exponent=1.0, slack=0.1, bound="O~", ends=LOWER_OPEN)
    out = down.evaluate(flat, rng())
    assert out.status is Status.INCONSISTENT, out.reason
    assert "lower end open" in out.reason and "upper end closed (t <= 100)" in out.reason
    up = OrderComparison("q", "d", exponent=1.0, slack=0.1, bound="O~", ends=UPPER_OPEN)
    assert up.evaluate(flat, rng()).status is Status.CONSISTENT


def test_a_bound_that_fails_only_towards_infinity_is_caught_at_an_open_upper_end():
    grows = power_law_points(exponent=0.5)
    up = OrderComparison("q", "d", exponent=0.25, slack=0.1, bound="O~", ends=UPPER_OPEN)
    assert up.evaluate(grows, rng()).status is Status.INCONSISTENT
    down = OrderComparison("q", "d", exponent=0.25, slack=0.1, bound="O~", ends=LOWER_OPEN)
    assert down.evaluate(grows, rng()).status is Status.CONSISTENT
    both = OrderComparison("q", "d", exponent=0.25, slack=0.1, bound="O~", ends=BOTH_OPEN)
    assert both.evaluate(grows, rng()).status is Status.INCONSISTENT


def test_a_true_bound_on_a_closed_path_is_not_called_consistent():
    pts = power_law_points(exponent=0.5)
    for ends in (CLOSED, None):
        out = OrderComparison("q", "d", exponent=0.5, slack=0.1, bound="O~",
                              ends=ends).evaluate(pts, rng())
        assert out.status is Status.INCONCLUSIVE, out.reason
        assert "cannot test" in out.reason or "not known" in out.reason
    theta = OrderComparison("q", "d", exponent=0.5, slack=0.1, ends=CLOSED)
    assert theta.evaluate(pts, rng()).status is Status.CONSISTENT  # Theta: two-sided anyway


def test_lower_bound_is_mirrored():
    """Omega~: an open upper end needs slope >= e - allowance, an open lower end
    slope <= e + allowance."""
    pts = power_law_points()
    big = OrderComparison("q", "d", exponent=0.75, slack=0.1, bound="Omega~",
                          ends=UPPER_OPEN).evaluate(pts, rng())
    assert big.status is Status.INCONSISTENT, big.reason
    low = OrderComparison("q", "d", exponent=0.0, slack=0.1, bound="Omega~",
                          ends=UPPER_OPEN).evaluate(pts, rng())
    assert low.status is Status.CONSISTENT and "not tight" in low.reason
    towards_zero = OrderComparison("q", "d", exponent=0.25, slack=0.1, bound="Omega~",
                                   ends=LOWER_OPEN).evaluate(pts, rng())
    assert towards_zero.status is Status.INCONSISTENT, towards_zero.reason


def test_the_ratio_to_the_prediction_is_shown_per_network():
    """A quantity that saturates while the bound falls: measured / predicted grows tenfold
    down the path, visible in the rows and the reason whatever the verdict."""
    pts = power_law_points(exponent=0.0)
    for pr in pts:
        pr.seeds = list(range(len(pr.results)))
    out = OrderComparison("q", "d", exponent=1.0, slack=0.1, bound="O~", ends=LOWER_OPEN,
                          predict=lambda pr: float(pr.label("d"))).evaluate(pts, rng())
    rows = out.evidence.rows
    assert rows[0].ratio_mean / rows[-1].ratio_mean == pytest.approx(100, rel=0.1)
    assert rows[0].ratio_max >= rows[0].ratio_mean
    assert out.evidence.ratio_trend[1] == pytest.approx(-1.0, abs=0.1)
    assert "measured / predicted" in out.reason and "per network" in out.reason
    ratio = [f for f in out.evidence.figures("t") if f.name == "ratio"]
    assert len(ratio) == 1 and ratio[0].y[0] / ratio[0].y[-1] > 50  # visible in the figure


def test_path_ends_come_from_the_conditions():
    """A path in t whose conditions hold for t <= 100 only: the lower end is open, the upper
    closed, with the failing condition named; the model's own domain closes an end too."""
    def at(t: float) -> Point:
        if t > 1e4:
            raise ValueError("t must be at most 1e4")
        return Point({"t": t}, 1, {"t": t})

    def conditions(pt: Point) -> tuple[bool, str]:
        ok = pt.config["t"] <= 100
        return ok, "" if ok else "t <= 100 fails"

    path = Path("t", "t", [1.0, 10.0, 100.0], at)
    ends = path.ends(conditions)
    assert (ends.lower, ends.upper) == (True, False)
    assert "t <= 100 fails" in ends.upper_note and ends.to_dict()["lower_open"] is True
    free = path.ends(None)
    assert (free.lower, free.upper) == (True, False) and "at most 1e4" in free.upper_note
    with pytest.raises(ValueError, match="path 'x': values must be"):
        Path("x", "x", [1.0], at)


def test_polylog_slack_is_converted_at_the_path():
    """A factor log(d)^2 on d in [1e4, 1e6] adds 2 (log log 1e6 - log log 1e4) / log 100 =
    0.088 to the slope; a quantity growing as d^0.5 log(d)^2 then meets O~(d^0.5) with the
    polylog allowance, and violates it without."""
    xs = np.logspace(4, 6, 6)
    pts = [point({"q": x ** 0.5 * np.log(x) ** 2 * np.exp(0.01 * RNG.standard_normal(20))},
                 d=x) for x in xs]
    plain = OrderComparison("q", "d", exponent=0.5, slack=0.02, bound="O~",
                            ends=UPPER_OPEN).evaluate(pts, rng())
    assert plain.status is Status.INCONSISTENT, plain.reason
    poly = OrderComparison("q", "d", exponent=0.5, slack=0.02, bound="O~",
                           polylog=(2.0, "d"), ends=UPPER_OPEN).evaluate(pts, rng())
    assert poly.status is Status.CONSISTENT, poly.reason
    expected = 2 * (np.log(np.log(1e6)) - np.log(np.log(1e4))) / np.log(100)
    assert abs(poly.evidence.allowance - (0.02 + expected)) < 1e-12


def test_points_sharing_seeds_are_judged_seed_by_seed():
    """Every seed carries one common factor across the path, which cancels in the slope:
    the slope is exactly 0.5 for every seed. Judging each seed's own slope sees that (a
    narrow t-interval, consistent within 0.02); resampling each point on its own would not
    (the common factor then looks like noise at every point)."""
    xs = np.logspace(0, 2, 5)
    common = np.exp(RNG.standard_normal(30))
    pts = [point({"q": x ** 0.5 * common}, d=x) for x in xs]
    for pr in pts:
        pr.seeds = list(range(30))  # the same seeds at every point
    out = OrderComparison("q", "d", exponent=0.5, slack=0.02).evaluate(pts, rng())
    assert out.evidence.paired and out.status is Status.CONSISTENT, out.reason
    for k, pr in enumerate(pts):
        pr.seeds = [1000 * k + i for i in range(30)]  # distinct seeds: stratified resampling
    apart = OrderComparison("q", "d", exponent=0.5, slack=0.02).evaluate(pts, rng())
    assert not apart.evidence.paired and apart.status is Status.INCONCLUSIVE, apart.reason


def test_order_noisy_path_is_inconclusive():
    out = OrderComparison("q", "d", exponent=0.5, slack=0.05).evaluate(
        power_law_points(trials=3, noise=1.5), rng())
    assert out.status is not Status.CONSISTENT


# ---- shape ---------------------------------------------------------------------------------

def double_descent_points(trials=60):
    kappas = [0.75, 0.9, 0.95, 1.05, 1.1, 1.5, 2.0, 3.0, 5.0]
    curve = lambda k: 1.0 + 3.0 / (abs(k - 1) + 0.05)  # noqa: E731
    return [point({"risk": curve(k) * (1 + 0.05 * RNG.standard_normal(trials))}, kappa=k)
            for k in kappas]


def test_peak_at_interpolation_threshold_consistent():
    out = PeakComparison("risk", "kappa", predicted=1.0, factor=1.2).evaluate(
        double_descent_points(), rng())
    assert out.status is Status.CONSISTENT, out.reason


def test_peak_planted_at_kappa_2_is_inconsistent():
    out = PeakComparison("risk", "kappa", predicted=2.0, factor=1.2).evaluate(
        double_descent_points(), rng())
    assert out.status is Status.INCONSISTENT, out.reason


def test_peak_window_without_grid_points_is_inconclusive():
    out = PeakComparison("risk", "kappa", predicted=20.0, factor=1.2).evaluate(
        double_descent_points(), rng())
    assert out.status is Status.INCONCLUSIVE


def test_monotone_catches_flipped_trend():
    pts = [point({"err": (0.3 - 0.05 * i) + 0.01 * RNG.standard_normal(40)}, frac=0.1 * i)
           for i in range(5)]
    assert MonotoneComparison("err", "frac", "non-increasing", 0.01).evaluate(
        pts, rng()).status is Status.CONSISTENT
    assert MonotoneComparison("err", "frac", "non-decreasing", 0.01).evaluate(
        pts, rng()).status is Status.INCONSISTENT


# ---- contrast ------------------------------------------------------------------------------

def contrast_points():
    pts = []
    for group, gap in (("helps", -0.3), ("hurts", 0.3)):
        for k in (1.5, 3.0):
            pruned = 1.0 + gap + 0.05 * RNG.standard_normal(80) + 0.1 * (k == 3.0)
            pts.append(point({"prune": pruned, "small": 1.0 + 0.05 * RNG.standard_normal(80)},
                             kappa=k, group=group))
    return pts


def test_contrast_reports_both_sides_and_catches_flipped_prediction():
    a, b = Reducer("prune", "min"), Reducer("small", "mean")
    right = ContrastComparison(a, b, expected=lambda g: -1 if g == "helps" else 1)
    out = right.evaluate(contrast_points(), rng())
    assert out.status is Status.CONSISTENT, out.reason
    assert [g.measured_sign for g in out.evidence.groups] == ["A < B", "A > B"]
    flipped = ContrastComparison(a, b, expected=lambda g: -1)
    assert flipped.evaluate(contrast_points(), rng()).status is Status.INCONSISTENT
    only_measured = ContrastComparison(a, b, expected=lambda g: None)
    assert only_measured.evaluate(contrast_points(), rng()).status is Status.INCONCLUSIVE


# ---- identity and combination ---------------------------------------------------------------

def test_identity_and_all_of():
    good = IdentityComparison(lambda: [("x", 1.0, 1.0 + 1e-12)])
    bad = IdentityComparison(lambda: [("x", 2.0, 1.0)])
    assert good.evaluate([], rng()).status is Status.CONSISTENT
    assert bad.evaluate([], rng()).status is Status.INCONSISTENT
    assert AllOf([good, bad]).evaluate([], rng()).status is Status.INCONSISTENT
    assert AllOf([good, good]).evaluate([], rng()).status is Status.CONSISTENT


@pytest.mark.parametrize("statuses,expected", [
    ([], Status.INCONCLUSIVE),
    ([Status.CONSISTENT, Status.INCONCLUSIVE], Status.INCONCLUSIVE),
    ([Status.INCONCLUSIVE, Status.INCONSISTENT], Status.INCONSISTENT),
])
def test_combine(statuses, expected):
    from theorycheck.verdicts import combine

    assert combine(statuses) is expected


# ---- transition and subset -----------------------------------------------------------------

def boundary_points(exponent=0.5, trials=8):
    """Error curves in mu that fall through 0.3 at mu_c = 10 * p^exponent."""
    pts = []
    for p in (0.05, 0.1, 0.2, 0.5, 1.0):
        mu_c = 10 * p ** exponent
        for mu in np.geomspace(0.5, 40, 12):
            err = 0.6 / (1 + (mu / mu_c) ** 4) + 0.01 * RNG.standard_normal(trials)
            pts.append(point({"err": err}, p=p, mu=mu))
    return pts


def test_transition_slope_right_and_planted_wrong():
    pts = boundary_points()
    good = TransitionComparison("err", "mu", "p", level=0.3, exponent=0.5, slack=0.1)
    bad = TransitionComparison("err", "mu", "p", level=0.3, exponent=1.0, slack=0.1)
    out = good.evaluate(pts, rng())
    assert out.status is Status.CONSISTENT, out.reason
    assert abs(out.evidence.measured_slope - 0.5) < 0.05
    assert bad.evaluate(pts, rng()).status is Status.INCONSISTENT


def test_transition_censored_curve_is_inconclusive():
    pts = [pr for pr in boundary_points() if pr.label("mu") < 3]
    out = TransitionComparison("err", "mu", "p", level=0.3, exponent=0.5).evaluate(pts, rng())
    assert out.status is Status.INCONCLUSIVE and "censored" in out.reason


def test_subset_judges_only_selected_points():
    pts = [point({"err": (0.3 - 0.05 * i) + 0.01 * RNG.standard_normal(40)}, frac=0.1 * i,
                 signal="sparse") for i in range(4)]
    pts += [point({"err": (0.1 + 0.05 * i) + 0.01 * RNG.standard_normal(40)}, frac=0.1 * i,
                  signal="dense") for i in range(4)]
    mono = MonotoneComparison("err", "frac", "non-increasing", 0.01)
    assert Subset(mono, lambda pr: pr.label("signal") == "sparse").evaluate(
        pts, rng()).status is Status.CONSISTENT
    assert Subset(mono, lambda pr: pr.label("signal") == "dense").evaluate(
        pts, rng()).status is Status.INCONSISTENT


# ---- one family per claim ----------------------------------------------------------------

def test_the_parts_of_a_claim_are_one_family():
    """Eight true parts (each: the mean of 10 normal trials equals its prediction, rtol 0):
    judged at 95% each, the claim comes out inconsistent in about 1 - 0.95^8 = 34% of
    replications (an equality with zero tolerance is inconsistent whenever the interval
    misses the truth); as one Bonferroni family, in at most 5% (+ Monte Carlo error, 3
    binomial standard errors at 300 replications). The reason states the family."""
    gen = np.random.default_rng(11)
    parts = [ValueComparison(f"q{k}", lambda pr: 0.0, rtol=0.0, atol=0.0) for k in range(8)]
    family, separate = AllOf(parts), AllOf(parts, corrected=True)
    wrong = {"family": 0, "separate": 0}
    for _ in range(300):
        pts = [point({f"q{k}": gen.standard_normal(10) for k in range(8)}, x=1)]
        wrong["family"] += family.evaluate(pts, rng()).status is Status.INCONSISTENT
        wrong["separate"] += separate.evaluate(pts, rng()).status is Status.INCONSISTENT
    assert wrong["family"] / 300 <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 300)
    assert wrong["separate"] / 300 > 0.2
    out = family.evaluate(pts, rng())
    assert "one family of 8 parts at 0.95 (Bonferroni: 0.9938 each" in out.reason


def test_nested_conjunctions_and_subsets_share_the_family():
    inner = AllOf([ValueComparison("a", lambda pr: 0.0), ValueComparison("b", lambda pr: 0.0)])
    outer = AllOf([inner, Subset(ValueComparison("c", lambda pr: 0.0), lambda pr: True)])
    pts = [point({k: np.zeros(5) + 0.01 * np.arange(5) for k in "abc"}, x=1)]
    out = outer.evaluate(pts, rng())
    assert "one family of 3 parts" in out.reason and out.reason.count("one family") == 1


def test_monotone_points_sharing_seeds_are_compared_paired():
    """Six seeds, each with its own level (spread 0.15) and a fall of 0.1 +/- 0.01 from one
    point to the next (the S4 case). Paired, a planted "non-decreasing" is caught; unpaired
    (distinct seeds) the seed-to-seed spread hides the fall."""
    gen = np.random.default_rng(5)
    level = 0.4 + 0.15 * gen.standard_normal(6)
    pts = [point({"err": level - 0.1 * k + 0.01 * gen.standard_normal(6)}, frac=0.1 * k)
           for k in range(3)]
    for pr in pts:
        pr.seeds = list(range(6))
    wrong = MonotoneComparison("err", "frac", "non-decreasing", 0.0)
    out = wrong.evaluate(pts, rng())
    assert out.status is Status.INCONSISTENT and "paired" in out.reason, out.reason
    right = MonotoneComparison("err", "frac", "non-increasing", 0.0).evaluate(pts, rng())
    assert right.status is Status.CONSISTENT, right.reason
    for k, pr in enumerate(pts):
        pr.seeds = [100 * k + i for i in range(6)]
    apart = wrong.evaluate(pts, rng())
    assert apart.status is Status.INCONCLUSIVE and "Welch" in apart.reason, apart.reason


def test_a_bounded_value_is_not_decided_by_six_agreeing_trials():
    """The audit's S1 rule: six test errors, mean <= 0.1 by a t-interval. With the declared
    support [0, 1] the interval covers every law on [0, 1]: six zeros are not enough to
    call "<= 0.1" consistent (a t-interval had width 0 there), 400 trials are."""
    bounded = Support.bounded(0.0, 1.0)
    six = [point({"err": np.zeros(6)}, p=0.7)]
    cmp = ValueComparison("err", lambda pr: 0.0, atol=0.1, rtol=0.0, relation="<=",
                          support=bounded)
    assert cmp.evaluate(six, rng()).status is Status.INCONCLUSIVE
    unbounded = ValueComparison("err", lambda pr: 0.0, atol=0.1, rtol=0.0, relation="<=")
    assert unbounded.evaluate(six, rng()).status is Status.INCONCLUSIVE  # never zero-width
    many = [point({"err": np.where(RNG.random(400) < 0.05, 0.6, 0.0)}, p=0.7)]
    assert cmp.evaluate(many, rng()).status is Status.CONSISTENT
    failing = [point({"err": np.where(RNG.random(400) < 0.5, 0.6, 0.0)}, p=0.7)]
    assert cmp.evaluate(failing, rng()).status is Status.INCONSISTENT
