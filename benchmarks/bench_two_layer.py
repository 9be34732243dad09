"""Two-layer CNN (yang2023) simulator benchmarks.

1. ``streaming_vs_full d={1e4, 1e5}``: ``simulate(..., trainer="full")`` (the reference:
   autograd GD on the realized d-dimensional weights) against the streaming coefficient-space
   simulator on the same 4 networks (default config K=3, m=20, n=60, p=0.5, q=3, float32,
   eta = 10x the D6 bound, ``steps`` GD steps, epsilon = 0 so both run every step, Gaussian
   test error). End to end (draws, training, measurements), as a user calls it.
2. ``one_network d={1e4, 1e6, 1e7}`` (the issue's targets: K=3, m=30, n=16, p=0.5, eta and
   sigma_0 at the D6 bounds, mu = 2 mu_crit, ``steps`` steps): time and peak memory of one
   network, each in a fresh process (peak resident memory, ``VmHWM``; on CUDA the peak
   of the caching allocator). Targets on 2 CPU cores: <= 10 s at 1e6, <= 60 s at 1e7,
   memory flat within 1.5x; on a GPU, d = 1e8.
3. ``step_vs_copy``: one coefficient-space GD step (forward and update) for 32 networks
   (K=3, m=20, n=60, float32) against one plain copy of the Gram tensors it reads (a copy
   reads and writes those bytes, a step need only read them). Target: no slower.
4. ``batched_vs_loop``: 16 networks (d=1000) in one ``simulate`` call vs a loop of calls.
5. ``wishart_vs_coordinates d={1e6, 1e7}``: 2 over-pruned networks (K=3, m=20, n=20,
   p = 1/120, K m p = 0.5, ``steps`` steps) from streamed coordinates against the same
   networks' statistics drawn by their exact law (``draws="wishart"``: other realizations of
   the same law, so only the time is compared); and ``one_network`` for the planned
   over-pruned network inside D6 (d about 4e8) drawn that way: time and peak memory.

Run alone: ``python -m benchmarks.bench_two_layer [--device cuda] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

import torch
from theorycheck.bounds.yang2023.model import NetworkConfig
from theorycheck.simulations.two_layer import simulate
from theorycheck.simulations.two_layer.coefficient_trainer import CoefficientTrainer

from .common import paired, resolve_device, table

PS = (1.0, 0.5, 0.1, 0.02)


def fast(config: NetworkConfig) -> NetworkConfig:
    """eta at 10x the D6 bound (the simulation-scale step of the yang2023 claims)."""
    return config.replace(eta=config.d6_bounds({"C_5": 0.1})[0])


def configs(d: int, count: int, steps: int) -> tuple[list[NetworkConfig], list[int]]:
    cfgs = [fast(NetworkConfig(d=d, p=PS[i % len(PS)], steps=steps, epsilon=0.0,
                               sigma_0=0.01)) for i in range(count)]
    return cfgs, list(range(count))


def _same_work(full: list[dict], coef: list[dict]) -> dict[str, Any]:
    rel = max(abs(a["train_loss"] - b["train_loss"]) / max(abs(b["train_loss"]), 1e-30)
              for a, b in zip(coef, full))
    return {"steps_run": sorted({r["steps_run"] for r in full + coef}),
            "max_rel_train_loss_diff": float(f"{rel:.3g}"),
            "max_test_error_diff": max(abs(a["test_error"] - b["test_error"])
                                       for a, b in zip(coef, full))}


ONE_NETWORK = """
import json, resource, sys, time, torch
from theorycheck.bounds.yang2023.plan import plan
from theorycheck.bounds.yang2023.model import NetworkConfig
from theorycheck.simulations.two_layer import simulate
d, steps, device, draws = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = (plan("over-pruned").params if draws == "wishart" else
     plan("mild", K=3, m=30, n=16, p=0.5, d=d, C_1=0.1, C_3=1e-12, C_4=1e-3).params)
cfg = NetworkConfig(**{k: p[k] for k in ("K", "m", "n", "d", "p", "mu", "sigma_0",
                                           "sigma_n", "q", "eta")}, steps=steps, draws=draws)
d = cfg.d
simulate([cfg.replace(d=4096, steps=2)], [0], device=device)  # warm up
start = time.perf_counter()
r = simulate([cfg], [1], device=device)[0]
if device.startswith("cuda"):
    torch.cuda.synchronize()
seconds = time.perf_counter() - start
def high_water_mark():  # this process's own peak resident memory (ru_maxrss may report a
    try:                  # forked parent's larger one)
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peak = (torch.cuda.max_memory_allocated() if device.startswith("cuda")
        else high_water_mark())
print(json.dumps({"d": d, "draws": draws, "seconds": seconds, "peak_bytes": peak,
                  "steps_run": r["steps_run"], "train_loss": r["train_loss"],
                  "test_error": r["test_error"]}))
"""


def one_network(d: int, steps: int, device: str, draws: str = "coordinates"
                ) -> dict[str, Any]:
    """Time and peak memory of one network in a fresh process: streamed coordinates (K=3,
    m=30, n=16; the size conditions relaxed (C_1, C_3, C_4) only so that the planner sizes
    mu, eta and sigma_0 (at their D6 bounds) at any d), or, with ``draws="wishart"``, the
    planned over-pruned network inside D6 (d about 4e8; ``d`` is ignored)."""
    out = subprocess.run([sys.executable, "-c", ONE_NETWORK, str(d), str(steps), device,
                          draws], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"one network at d={d}: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def step_vs_copy(device: str, repeats: int) -> dict[str, Any]:
    """One GD step of 32 networks against a copy of the Gram tensors the step reads."""
    B, K, m, n = 32, 3, 20, 60
    A, F = K + n, K * m
    gen = torch.Generator(device=device).manual_seed(0)
    root = torch.randn(B, F, A, A, generator=gen, device=device, dtype=torch.float64) / A
    gram = root @ root.transpose(-1, -2) + torch.eye(A, device=device, dtype=torch.float64)
    init = 0.01 * torch.randn(B, F, A, generator=gen, device=device, dtype=torch.float64)
    labels = torch.randint(0, K, (B, n), generator=gen, device=device)
    model = CoefficientTrainer(gram, init, labels, torch.full((B,), 1e-3, device=device),
                               3, m, torch.float32)
    active = torch.ones(B, dtype=torch.bool, device=device)

    def step() -> None:
        _, context = model.forward()
        model.update(context, active)

    with torch.no_grad():
        return paired("two_layer step_vs_copy B=32 K=3 m=20 n=60 float32",
                      lambda: model._work["gram_t"].clone(), step, repeats=20 * repeats,
                      device=device,
                      params={"gram_bytes": model._work["gram_t"].numel() * 4},
                      labels=("copy of the Gram tensors", "one GD step"))


def run(device: str = "cpu", repeats: int = 3, steps: int = 300,
        dims: tuple[int, ...] = (10_000, 100_000)) -> list[dict[str, Any]]:
    """The paired comparisons."""
    rows = []
    cfgs, seeds = configs(1000, 2, 3)
    simulate(cfgs, seeds, device=device)  # warm up
    for d in dims:
        cfgs, seeds = configs(d, 4, steps)
        rows.append(paired(
            f"two_layer streaming_vs_full d={d:.0e} B=4",
            lambda c=cfgs, s=seeds: simulate(c, s, device=device, trainer="full"),
            lambda c=cfgs, s=seeds: simulate(c, s, device=device),
            repeats=1 if d >= 100_000 else repeats, device=device, check=_same_work,
            params={"K": 3, "m": 20, "n": 60, "d": d, "steps": steps, "networks": 4},
            labels=("full-weight trainer", "streaming simulator")))
    for d in (1_000_000, 10_000_000):
        over = [NetworkConfig(K=3, m=20, n=20, d=d, p=1 / 120, steps=steps, epsilon=0.0)] * 2
        rows.append(paired(
            f"two_layer wishart_vs_coordinates d={d:.0e} B=2 over-pruned",
            lambda c=over: simulate(c, [0, 1], device=device),
            lambda c=over: simulate([x.replace(draws="wishart") for x in c], [0, 1],
                                    device=device),
            repeats=1 if d >= 10_000_000 else repeats, device=device,
            params={"K": 3, "m": 20, "n": 20, "p": 1 / 120, "d": d, "steps": steps,
                    "networks": 2},
            labels=("streamed coordinates", "statistics drawn by their law")))
    rows.append(step_vs_copy(device, repeats))
    cfgs, seeds = configs(1000, 16, steps)
    rows.append(paired(
        "two_layer batched_vs_loop d=1000 B=16",
        lambda: [simulate([c], [s], device=device)[0] for c, s in zip(cfgs, seeds)],
        lambda: simulate(cfgs, seeds, device=device),
        repeats=repeats, device=device,
        labels=("loop of 16 calls", "one batched call")))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--memory-dims", default="1e4,1e6,1e7")
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    if device is not None:
        print(table(run(device, args.repeats, args.steps)), flush=True)
        for d in (int(float(x)) for x in args.memory_dims.split(",")):
            print(json.dumps(one_network(d, args.steps, device)), flush=True)
        print(json.dumps(one_network(0, args.steps, device, "wishart")), flush=True)


if __name__ == "__main__":
    main()
