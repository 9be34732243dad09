"""The measurement of ``yang2023``: train the claims' networks with the two-layer simulator.

Requests carry this paper's typed config (``model.NetworkConfig``); the simulator reads it
as it is and trains many networks per batch. It is imported when the measurement runs, so
importing the paper (e.g. for ``query``) never imports torch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from theorycheck.paper import Measurement, Request

from .model import NetworkConfig

NETWORK = "network"


def class_summaries(result: dict[str, Any]) -> dict[str, float]:
    """Per-class measurements folded into scalars: the number of classes with no learnable
    filter (N_j+ = 0), the mean test error of those classes and of the others (NaN where a
    network has none), the mean of N_j (filters that kept their class's coordinate), and the
    noise memorization of networks where every class is dead (NaN otherwise)."""
    per_class = np.asarray(result["test_error_per_class"], float)
    dead = np.asarray(result["N_j_plus"]) == 0
    return {
        "n_dead": float(dead.sum()),
        "dead_class_error": float(per_class[dead].mean()) if dead.any() else float("nan"),
        "alive_error": float(per_class[~dead].mean()) if (~dead).any() else float("nan"),
        "N_mean": float(np.mean(result["N_j"])),
        "memorization_all_dead": (float(result["noise_memorization_min"]) if dead.all()
                                  else float("nan")),
    }


def network(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Train the masked two-layer networks of the requests (batched by shape, coefficient-
    space trainer) and return the simulator's measurements plus ``class_summaries``."""
    from theorycheck.simulations.two_layer import simulate

    configs = [cfg for cfg, _ in requests]
    for cfg in configs:
        if not isinstance(cfg, NetworkConfig):
            raise TypeError(f"measurement {NETWORK!r} needs a NetworkConfig, got {cfg!r}")
    results = simulate(configs, [seed for _, seed in requests], device=device, track=True)
    for r in results:
        r.update(class_summaries(r))
        r.pop("config", None)
    return results


MEASUREMENTS = (Measurement(NETWORK, network, version="6", chunk=64),)


STAND_IN_D = 1000
"""The input dimension of the stand-in network on which ``estimate_seconds`` times the
training steps (a step works on the K m x (K + n) coefficients, whatever d and the draws)."""


def estimate_seconds(config: NetworkConfig, device: str) -> float:
    """An upper estimate of one network's run time on ``device``, measured here: 100
    training steps are timed on a small stand-in of the same shape (d = 1000, coordinates;
    its first run warms the simulator up), the passes over one block of coordinates
    (``draws="wishart"``: the whole draw, whose cost does not grow with d) on the network
    itself, once; then scaled to the network's blocks and to its step limit T (GD usually
    stops earlier, at epsilon)."""
    from theorycheck.simulations.two_layer import BLOCK, simulate

    def seconds(cfg: NetworkConfig) -> tuple[float, int]:
        t0 = time.perf_counter()
        [result] = simulate([cfg], [0], device=device)
        return time.perf_counter() - t0, result["steps_run"]

    stand_in = config.replace(d=min(config.d, max(STAND_IN_D, config.K)), draws="coordinates",
                              epsilon=0.0, steps=0)
    seconds(stand_in)  # warm up
    base, _ = seconds(stand_in)
    stepping, steps_run = seconds(stand_in.replace(steps=100))
    per_step = max(0.0, stepping - base) / max(1, steps_run)
    whole = config.draws == "wishart"
    passes, _ = seconds(config.replace(d=config.d if whole else min(config.d, BLOCK),
                                       epsilon=0.0, steps=0))
    return passes * (1 if whole else math.ceil(config.d / BLOCK)) + per_step * config.steps
