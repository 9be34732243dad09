"""A toy paper for the store, lease and backend tests, importable by subprocesses and by Ray
workers (``tests.theorycheck.toy_paper``).

Its measurement is a small real simulation (the mean of Gaussian draws, E[mean] = mu) that
leaves a trace: each computed run appends ``"<pid> <mu> <seed> <unix time>"`` to the file
named by the config's ``trace`` (a line is written only once the run is computed), and a
chunk may first append ``"start <pid> <seeds>"``. ``$TOY_SLEEP`` (seconds per run) and the config's
``chunk_sleep`` (seconds per chunk, for Ray workers, which do not see the driver's
environment) slow it down so that a test can act mid-sweep. While the file named by the
config's ``fail_flag`` exists, runs at mu = 4 raise ValueError (an interrupted sweep).

As a script it runs one check and writes the verdicts as JSON::

    python -m tests.theorycheck.toy_paper STORE TRACE OUT [--go FILE]

(``--go``: wait until FILE exists before starting, so that two processes start together).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from theorycheck import check
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import ValueComparison
from theorycheck.paper import Measurement, Paper

MUS = (1.0, 2.0, 4.0)
TRIALS = 12
CHUNK = 4
SEED = 3


def draw(mu: float, samples: int, seed: int) -> dict[str, float]:
    """One run's result, computed directly (the reference for what a store must hold)."""
    return {"mean": float(np.random.default_rng(seed).normal(mu, 1.0, size=samples).mean())}


def gaussian_mean(requests: list[tuple[dict[str, Any], int]], device: str
                  ) -> list[dict[str, float]]:
    """The toy measurement: the mean of ``samples`` draws of N(mu, 1) per (config, seed)."""
    trace = requests[0][0].get("trace") if requests else None
    chunk_sleep = requests[0][0].get("chunk_sleep", 0.0) if requests else 0.0
    if trace and chunk_sleep:
        with open(trace, "a") as f:
            f.write(f"start {os.getpid()} {' '.join(str(s) for _, s in requests)}\n")
        time.sleep(chunk_sleep)
    out = []
    for cfg, seed in requests:
        if cfg.get("fail_flag") and os.path.exists(cfg["fail_flag"]) and cfg["mu"] == 4.0:
            raise ValueError("planted failure at mu = 4")
        time.sleep(float(os.environ.get("TOY_SLEEP", "0")))
        out.append(draw(cfg["mu"], cfg["samples"], seed))
        if trace:
            with open(trace, "a") as f:
                f.write(f"{os.getpid()} {cfg['mu']} {seed} {time.time():.6f}\n")
    return out


MEAN = Measurement("gaussian_mean", gaussian_mean, version="1", chunk=CHUNK)


def config(mu: float, trace: str | None = None, chunk_sleep: float = 0.0,
           fail_flag: str | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"mu": mu, "samples": 2000}
    for name, value in (("trace", trace), ("chunk_sleep", chunk_sleep),
                        ("fail_flag", fail_flag)):
        if value:
            cfg[name] = str(value) if name != "chunk_sleep" else value
    return cfg


def claim(trace: str | None = None, chunk_sleep: float = 0.0, scale: float = 1.0,
          fail_flag: str | None = None) -> Claim:
    """E[mean] = scale * mu over mu in MUS, TRIALS trials each (36 runs)."""

    def sweep(budget: str) -> list[Point]:
        return [Point(config(mu, trace, chunk_sleep, fail_flag), TRIALS, {"mu": mu})
                for mu in MUS]

    return Claim("toy", "T1", "toy mean", "E[mean] = mu", "derived", "test", MEAN.name, sweep,
                 ValueComparison("mean", lambda pr: scale * pr.label("mu"), rtol=0.05, x="mu"))


def paper(trace: str | None = None, chunk_sleep: float = 0.0,
          fail_flag: str | None = None) -> Paper:
    return Paper("toy", "a toy paper", "none",
                 lambda: [claim(trace, chunk_sleep, fail_flag=fail_flag)], (MEAN,))


def timeless(verdict: dict[str, Any]) -> dict[str, Any]:
    """A verdict's ``to_dict()`` without its timing (the only field a rerun may change)."""
    out = json.loads(json.dumps(verdict))
    out["run"].pop("seconds", None)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("trace")
    ap.add_argument("out")
    ap.add_argument("--go", default=None)
    args = ap.parse_args(argv)
    if args.go:
        while not Path(args.go).exists():
            time.sleep(0.01)
    res = check(paper(args.trace), budget="quick", device="cpu", store=args.store,
                progress=False, seed=SEED)
    Path(args.out).write_text(json.dumps({
        "pid": os.getpid(), "computed": res.runs_computed, "reused": res.runs_reused,
        "verdicts": [timeless(v.to_dict()) for v in res.verdicts]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
