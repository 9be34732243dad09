"""Two-layer CNN (yang2023) simulator benchmarks.

1. ``coef_vs_full_d{d}``: ``simulate(..., trainer="full")`` (reference: autograd GD on the
   d-dimensional weights) vs ``trainer="coefficient"`` (exact GD in the K + n coefficients)
   on the same 8 networks (p in {1, 0.5, 0.1, 0.02} x 2 seeds), default config (K=3, m=20,
   n=60, q=3, float32), epsilon = 1e-12 so that both run exactly ``steps`` GD steps.
   Timed end to end (drawing the batch, training, final measurements), as a user calls it.
2. ``batched_vs_loop``: 16 networks (4 values of p x 4 seeds, coefficient trainer, d=1000)
   in one ``simulate`` call vs a Python loop of 16 single-network calls.

Run alone: ``python -m benchmarks.bench_two_layer [--device cuda] [--repeats N]``.
"""

from __future__ import annotations

import argparse
from typing import Any

from simulations.two_layer import NetworkConfig, simulate

from .common import paired, resolve_device, table

PS = (1.0, 0.5, 0.1, 0.02)
EPSILON = 1e-12


def configs(d: int, seeds_per_p: int, steps: int) -> tuple[list[NetworkConfig], list[int]]:
    """Default-config networks for every p in PS and ``seeds_per_p`` seeds each."""
    cfgs, seeds = [], []
    for i, p in enumerate(PS):
        for j in range(seeds_per_p):
            cfgs.append(NetworkConfig(d=d, p=p, steps=steps, epsilon=EPSILON))
            seeds.append(1000 * i + j)
    return cfgs, seeds


def _same_work(full: list[dict], coef: list[dict], steps: int) -> dict[str, Any]:
    """Both trainers ran every network for exactly ``steps`` steps, to the same losses."""
    rel = max(abs(a["train_loss"] - b["train_loss"]) / max(abs(b["train_loss"]), 1e-30)
              for a, b in zip(coef, full))
    return {
        "all_ran_steps": all(r["steps_run"] == steps for r in full + coef),
        "max_rel_train_loss_diff": float(f"{rel:.3g}"),
        "max_test_error_diff": max(abs(a["test_error"] - b["test_error"])
                                   for a, b in zip(coef, full)),
    }


def _same_results(loop: list[dict], batched: list[dict]) -> dict[str, Any]:
    rel = max(abs(a["train_loss"] - b["train_loss"]) / max(abs(b["train_loss"]), 1e-30)
              for a, b in zip(loop, batched))
    return {"networks": len(batched), "max_rel_train_loss_diff": float(f"{rel:.3g}")}


def warm_up(device: str) -> None:
    """First calls pay for lazy initialisation (kernels, allocator); keep that out."""
    cfgs, seeds = configs(d=64, seeds_per_p=1, steps=3)
    for trainer in ("coefficient", "full"):
        simulate(cfgs, seeds, device=device, trainer=trainer)


def run(device: str = "cpu", repeats: int = 3, steps: int = 300,
        dims: tuple[int, ...] = (1000, 4000)) -> list[dict[str, Any]]:
    warm_up(device)
    rows = []
    for d in dims:
        cfgs, seeds = configs(d, seeds_per_p=2, steps=steps)
        rows.append(paired(
            f"two_layer coef_vs_full d={d} B=8",
            lambda c=cfgs, s=seeds: simulate(c, s, device=device, trainer="full"),
            lambda c=cfgs, s=seeds: simulate(c, s, device=device, trainer="coefficient"),
            repeats=repeats, device=device,
            check=lambda full, coef: _same_work(full, coef, steps),
            params={"K": 3, "m": 20, "n": 60, "d": d, "q": 3, "dtype": "float32",
                    "steps": steps, "epsilon": EPSILON, "networks": len(cfgs), "p": PS},
            labels=("full trainer", "coefficient trainer"),
        ))
    cfgs, seeds = configs(1000, seeds_per_p=4, steps=steps)

    def loop() -> list[dict]:
        return [simulate([c], [s], device=device)[0] for c, s in zip(cfgs, seeds)]

    rows.append(paired(
        "two_layer batched_vs_loop d=1000 B=16",
        loop,
        lambda: simulate(cfgs, seeds, device=device),
        repeats=repeats, device=device, check=_same_results,
        params={"d": 1000, "steps": steps, "epsilon": EPSILON, "networks": len(cfgs),
                "trainer": "coefficient", "p": PS},
        labels=("loop of 16 calls", "one batched call"),
    ))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    if device is not None:
        print(table(run(device, args.repeats, args.steps)))


if __name__ == "__main__":
    main()
