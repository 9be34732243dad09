"""The same experiment is shown and counted once (issue 13): a paper declares its
invariances (a map to a canonical configuration), and the checker leaves out every point
whose canonical configuration and seeds repeat an earlier point's.

Toy: the measurement ignores the config's ``tag``, and the paper says so; a claim of two
paths, the second the first re-tagged (yang2023's sigma_n path was its sigma_0 path run
again, by the model's scale invariance), judges the first and marks the second "not
judged", listing its points as repeats. Without the declaration both are judged (control).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from theorycheck.bounds.yang2023 import claims as cl
from theorycheck.bounds.yang2023 import model

import theorycheck
from tests.theorycheck.toy_paper import MEAN, paper
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import AllOf, Subset, ValueComparison
from theorycheck.verdicts import Status


def two_paths() -> Claim:
    def sweep(budget: str) -> list[Point]:
        return [Point({"mu": mu, "samples": 500, "tag": tag}, 8, {"mu": mu, "path": tag},
                      seed_group="g") for tag in ("a", "b") for mu in (1.0, 2.0)]

    part = ValueComparison("mean", lambda pr: pr.label("mu"), rtol=0.1, x="mu")
    return Claim("toy", "I1", "twice", "E[mean] = mu", "derived", "test", MEAN.name, sweep,
                 AllOf([Subset(part, lambda pr, t=t: pr.label("path") == t, f"path {t}")
                        for t in ("a", "b")]))


def toy(invariances) -> object:
    return dataclasses.replace(paper(), claims=lambda: [two_paths()], invariances=invariances)


def test_a_repeated_path_is_shown_once_and_not_counted(tmp_path):
    untagged = toy(lambda cfg: {k: v for k, v in cfg.items() if k != "tag"})
    v = theorycheck.check(untagged, budget="quick", device="cpu", progress=False,
                          store=str(tmp_path / "runs.sqlite")).verdicts[0]
    assert v.status is Status.CONSISTENT, v.reason
    assert [r["regime"]["path"] for r in v.run.repeats] == ["b", "b"]
    assert all(r["same_as"]["path"] == "a" for r in v.run.repeats)
    assert "[not judged] path b: every point repeats another part's experiment" in v.reason
    assert "2 points repeat another point's experiment" in v.reason
    assert "[consistent] path a" in v.reason  # the first path is judged on all its points
    control = theorycheck.check(toy(None), budget="quick", device="cpu", progress=False,
                                store=str(tmp_path / "runs.sqlite")).verdicts[0]
    assert not control.run.repeats and "not judged" not in control.reason


def test_the_old_sigma_n_path_is_the_sigma_0_path_again():
    """yang2023's invariance maps the removed sigma_n path (sigma_n and mu up together,
    sigma_0 fixed at its top bound) point for point onto the sigma_0 path; the mu path is
    another experiment."""
    cfg = cl.base("quick")
    grid = np.geomspace(1.0, 10.0, 4)
    top = cfg.replace(sigma_n=cfg.sigma_n * grid[-1], mu=cfg.mu * grid[-1]).init_scale
    old = [cfg.replace(sigma_n=cfg.sigma_n * g, mu=cfg.mu * g, sigma_0=top, test="none")
           for g in grid]
    paths = cl.order_paths("quick")
    same = [model.canonical(pt.config) for pt in paths["sigma_0"].points()]
    assert [model.canonical(c) for c in old] == same
    assert not {str(model.canonical(pt.config)) for pt in paths["mu"].points()} & {
        str(c) for c in same}
