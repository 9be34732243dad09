"""Runs of different papers never mix in one store, and seeds are validated (issue 17, 3).

- Two papers whose measurements share a name, a version and a configuration, but simulate
  different things, share one real SQLite store: each gets its own verdict, and the second
  computes its own runs (a run key without the paper served the first paper's runs to the
  second: 0 runs computed, a wrong ``inconsistent``).
- ``seed`` must be a non-negative whole number (not a bool, bytes, a float or a string): one
  ValueError naming ``seed``, in ``check`` and in ``probe``, before anything runs.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from tests.theorycheck import toy_paper as toy
from theorycheck.checker import check
from theorycheck.paper import Measurement, Paper
from theorycheck.probes import probe
from theorycheck.store import ResultStore, run_key
from theorycheck.verdicts import Status


def doubled_mean(requests, device):
    """Another paper's simulation under the same measurement name: the mean of N(2 mu, 1)."""
    return [{"mean": 2.0 * r["mean"]} for r in toy.gaussian_mean(requests, device)]


def doubled_paper() -> Paper:
    """A second paper ("toy2") whose measurement is named and versioned like toy's, on the
    same configurations, and predicts E[mean] = 2 mu."""
    twin = Measurement(toy.MEAN.name, doubled_mean, toy.MEAN.version, chunk=toy.CHUNK)
    return Paper("toy2", "a doubled toy paper", "none", lambda: [toy.claim(scale=2.0)], (twin,))


def test_two_papers_with_same_named_measurements_get_their_own_runs(tmp_path):
    path = tmp_path / "shared.sqlite"
    first = check(toy.paper(), budget="quick", device="cpu", store=str(path), progress=False,
                  seed=toy.SEED)
    second = check(doubled_paper(), budget="quick", device="cpu", store=str(path),
                   progress=False, seed=toy.SEED)
    assert [v.status for v in first.verdicts] == [Status.CONSISTENT]
    assert [v.status for v in second.verdicts] == [Status.CONSISTENT], second.verdicts[0].reason
    assert first.runs_computed == second.runs_computed == len(toy.MUS) * toy.TRIALS
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT paper, COUNT(*) FROM runs GROUP BY paper ORDER BY paper"
                          ).fetchall() == [("toy", 36), ("toy2", 36)]
    again = check(doubled_paper(), budget="quick", device="cpu", store=str(path),
                  progress=False, seed=toy.SEED)
    assert again.runs_computed == 0 and again.verdicts[0].status is Status.CONSISTENT


def test_the_run_key_names_the_paper():
    cfg = toy.config(1.0)
    assert run_key("toy", "m", "1", cfg, 5) != run_key("toy2", "m", "1", cfg, 5)
    assert run_key("toy", "m", "1", cfg, 5) == run_key("toy", "m", "1", dict(cfg), 5)


def test_a_measurement_is_bound_to_its_paper():
    assert toy.paper().measurement(toy.MEAN.name).paper == "toy"
    assert doubled_paper().measurement(toy.MEAN.name).paper == "toy2"
    assert toy.MEAN.paper is None  # as declared: unbound until its paper hands it out


def test_an_unbound_measurement_is_not_run(tmp_path):
    from theorycheck.backends import LocalBackend

    with ResultStore(tmp_path / "r.sqlite") as db:
        backend = LocalBackend(db, "cpu", progress=False)
        with pytest.raises(ValueError, match="measurement 'gaussian_mean' is not bound to a "
                           "paper"):
            backend.run(toy.MEAN, [(toy.config(1.0), 0)], "")


@pytest.mark.parametrize("seed", [b"200", True, 2.0, "3", -1, None])
def test_a_bad_seed_is_a_one_line_error_naming_seed(tmp_path, seed):
    path = tmp_path / "r.sqlite"
    for run in (lambda: check(toy.paper(), budget="quick", device="cpu", store=str(path),
                              progress=False, seed=seed),
                lambda: probe("chang2021", budget="smoke", store=str(path), progress=False,
                              seed=seed, examples=1)):
        with pytest.raises(ValueError, match=r"^seed must be a whole number >= 0, got ") as err:
            run()
        assert "\n" not in str(err.value)
    assert not path.exists() or ResultStore(path).count() == 0
