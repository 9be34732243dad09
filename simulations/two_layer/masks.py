"""Random pruning masks M_{j,r} in {0,1}^d, fixed at initialization.

p is the probability that a weight is KEPT. ``bernoulli``: entries i.i.d. Bernoulli(p).
``exact``: every filter keeps exactly round(p d) coordinates, chosen uniformly. Both are
drawn from one uniform U_{j,r,c} per coordinate (kept iff U < p, resp. iff U is among the
round(p d) smallest of its filter), so one seed gives nested masks across p.
"""

from __future__ import annotations

import torch


def kept_count(p: float, d: int) -> int:
    """Number of coordinates an ``exact`` mask keeps per filter: round(p d)."""
    return int(round(p * d))


def sample_masks(K: int, m: int, d: int, p: float, kind: str,
                 generator: torch.Generator) -> torch.Tensor:
    """Boolean masks of shape (K, m, d) for the K x m filters w_{j,r}."""
    uniform = torch.rand(K, m, d, generator=generator, dtype=torch.float64)
    if kind == "bernoulli":
        return uniform < p
    if kind != "exact":
        raise ValueError(f"mask must be 'bernoulli' or 'exact', got {kind!r}")
    kept = torch.zeros(K, m, d, dtype=torch.bool)
    smallest = uniform.argsort(dim=-1)[..., : kept_count(p, d)]
    return kept.scatter_(-1, smallest, True)
