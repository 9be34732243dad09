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


def estimate_seconds(config: NetworkConfig, device: str) -> float:
    """An upper estimate of one network's run time on ``device``, measured here: the passes
    over one block of coordinates (``draws="wishart"``: the whole draw, whose cost does not
    grow with d) and 100 training steps are timed, then scaled to the network's blocks and
    to its step limit T (GD usually stops earlier, at epsilon)."""
    from theorycheck.simulations.two_layer import BLOCK, simulate

    whole = config.draws == "wishart"
    probe = config.replace(d=config.d if whole else min(config.d, BLOCK), epsilon=0.0)
    simulate([probe.replace(steps=0)], [0], device=device)  # warm up
    t0 = time.perf_counter()
    simulate([probe.replace(steps=0)], [0], device=device)
    passes = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate([probe.replace(steps=100)], [0], device=device)
    per_step = max(0.0, time.perf_counter() - t0 - passes) / 100
    return passes * (1 if whole else math.ceil(config.d / BLOCK)) + per_step * config.steps
