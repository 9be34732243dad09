"""Paper ``yang2023``: its claims and query (``bounds.yang2023``) and the measurement that
trains its networks (``simulations.two_layer``), many networks per batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bounds.yang2023.claims import claims
from bounds.yang2023.query import query
from theorycheck.registry import PaperSpec, Request, measurement


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


@measurement("yang2023.network", version="2", chunk=64)
def network(requests: Sequence[Request], device: str) -> list[dict[str, Any]]:
    """Train the masked two-layer networks of the requests (batched by shape, coefficient-
    space trainer) and return the simulator's measurements plus ``class_summaries``."""
    from simulations.two_layer import NetworkConfig, simulate

    configs = [NetworkConfig(**dict(cfg)) for cfg, _ in requests]
    results = simulate(configs, [seed for _, seed in requests], device=device, track=True,
                       max_batch=32)
    for r in results:
        r.update(class_summaries(r))
        r.pop("config", None)
    return results


PAPER = PaperSpec(
    key="yang2023",
    title="yang2023: random pruning at initialization of a two-layer network",
    citation=("Yang, Liang, Guo, Wu, Wang, \"Theoretical Characterization of How Neural "
              "Network Pruning Affects its Generalization\", ICLR 2023, arXiv 2301.00335. "
              "The project has the abstract and a few sentences of the main theorem: claims "
              "tagged `paper` are those statements; `derived` ones are our reconstruction in "
              "the framework of Cao, Chen, Belkin, Gu (NeurIPS 2022), "
              "docs/derivations/yang2023.md."),
    claims=claims,
    query=query,
)
