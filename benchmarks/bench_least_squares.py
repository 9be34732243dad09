"""Min-norm least squares, train-then-prune (chang2021) simulator benchmark.

``simulate_linear`` (all trials drawn, then stacked and solved as one batch in torch float64)
vs a naive baseline written here: a Python loop over trials with numpy that draws X, y,
fits the min-norm least-squares solution with ``np.linalg.lstsq``, keeps the s largest
|beta_hat_i| (argsort) and computes the exact population risk of the dense and pruned
vectors. Both do the same work: ``simulate_linear`` is called with rules=("magnitude",),
retrain=("none",), small_model=False. Sizes: n=200, s=150, p in {400, 2000}, 40 trials,
isotropic features (lambda = 1, D = 2000), fixed beta ~ N(0, I/D), sigma = 0.5.
The baseline always runs on the CPU (numpy); ``--device cuda`` moves the candidate only.

Run alone: ``python -m benchmarks.bench_least_squares [--device cuda] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np
from theorycheck.bounds.chang2021.model import Design
from theorycheck.simulations.least_squares import simulate_linear

from .common import paired, resolve_device, set_numpy_blas_threads, table

N, S, D, TRIALS, SIGMA = 200, 150, 2000, 40, 0.5


def problem() -> tuple[np.ndarray, np.ndarray]:
    lam = np.ones(D)
    beta = np.random.default_rng(0).standard_normal(D) / math.sqrt(D)
    return lam, beta


def naive(lam: np.ndarray, beta: np.ndarray, p: int, seeds: list[int]) -> list[dict]:
    """The obvious implementation: one trial at a time in numpy."""
    sigma_p = math.sqrt(SIGMA**2 + float(np.sum(lam[p:] * beta[p:] ** 2)))
    lam_p, beta_p = lam[:p], beta[:p]
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((N, p)) * np.sqrt(lam_p)
        y = X @ beta_p + sigma_p * rng.standard_normal(N)
        beta_hat = np.linalg.lstsq(X, y, rcond=None)[0]
        keep = np.argsort(-np.abs(beta_hat), kind="stable")[:S]
        pruned = np.zeros(p)
        pruned[keep] = beta_hat[keep]
        out.append({
            "dense": sigma_p**2 + float(np.sum(lam_p * (beta_hat - beta_p) ** 2)),
            "prune_magnitude": sigma_p**2 + float(np.sum(lam_p * (pruned - beta_p) ** 2)),
        })
    return out


def batched(lam: np.ndarray, beta: np.ndarray, p: int, seeds: list[int],
            device: str) -> list[dict]:
    return simulate_linear(Design("benchmark", lam, beta, SIGMA, N, p, S), seeds,
                           device=device, rules=("magnitude",), retrain=("none",),
                           small_model=False)


def _agreement(base: list[dict], cand: list[dict]) -> dict[str, Any]:
    """Different random draws, same law: the mean risks must agree within Monte Carlo error."""
    out: dict[str, Any] = {}
    for key in ("dense", "prune_magnitude"):
        a = np.array([r[key] for r in base])
        b = np.array([r[key] for r in cand])
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        out[f"{key}_mean_naive"] = round(float(a.mean()), 4)
        out[f"{key}_mean_batched"] = round(float(b.mean()), 4)
        out[f"{key}_z"] = round(float((a.mean() - b.mean()) / se), 2) if se > 0 else 0.0
    return out


def run(device: str = "cpu", repeats: int = 5,
        ps: tuple[int, ...] = (400, 2000)) -> list[dict[str, Any]]:
    lam, beta = problem()
    seeds = list(range(TRIALS))
    for p in ps:  # warm-up: BLAS/LAPACK and torch first-call costs
        naive(lam, beta, p, seeds[:2])
        batched(lam, beta, p, seeds[:2], device)
    rows = []
    for p in ps:
        rows.append(paired(
            f"least_squares n={N} p={p} s={S} trials={TRIALS}",
            lambda p=p: naive(lam, beta, p, seeds),
            lambda p=p: batched(lam, beta, p, seeds, device),
            repeats=repeats, device=device, check=_agreement,
            params={"n": N, "p": p, "s": S, "D": D, "trials": TRIALS, "sigma": SIGMA},
            labels=("numpy loop (lstsq)", "simulate_linear"),
        ))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--numpy-threads", type=int, default=1)
    args = parser.parse_args(argv)
    set_numpy_blas_threads(args.numpy_threads)
    device = resolve_device(args.device)
    if device is not None:
        print(table(run(device, args.repeats)))


if __name__ == "__main__":
    main()
