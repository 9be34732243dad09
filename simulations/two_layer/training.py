"""Batched training driver and the public entry point :func:`simulate`.

Configs are grouped by ``spec.shape_key`` and each group trains as one batch of
tensor operations (no Python loop over networks). Every network stops at its own step
limit T or as soon as its training loss is <= epsilon; a stopped network is frozen while the
rest of its batch continues, and its stopping step is recorded as ``steps_run``. With the
coefficient trainer, finished networks also leave the working tensors once half of them are
done, so a batch costs what its slow networks need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..devices import resolve_device
from .batch import NetworkBatch, build_batch
from .coefficient_trainer import CoefficientTrainer
from .full_trainer import FullTrainer
from .measurements import Trainer, measure, trajectory_point
from .spec import NetworkSpec, shape_key

TRAINERS = ("coefficient", "full")
TRAJECTORY_POINTS = 20


def make_trainer(batch: NetworkBatch, trainer: str) -> Trainer:
    """The ``"coefficient"`` (exact, coefficient space) or ``"full"`` (weights) trainer."""
    if trainer == "coefficient":
        return CoefficientTrainer(batch)
    if trainer == "full":
        return FullTrainer(batch)
    raise ValueError(f"trainer must be one of {TRAINERS}, got {trainer!r}")


def _record_steps(checkpoints: Sequence[int], track: bool, total: int) -> tuple[list, list]:
    for step in checkpoints:
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= total:
            raise ValueError(f"checkpoints must be integers in [0, {total}], got {step!r}")
    full = sorted(set(checkpoints))
    if not track:
        return full, []
    light = full or sorted(set(range(0, total + 1, max(1, total // TRAJECTORY_POINTS))) | {total})
    return full, light


def train_batch(batch: NetworkBatch, trainer: str = "coefficient",
                checkpoints: Sequence[int] = (), track: bool = False) -> list[dict[str, Any]]:
    """Train one batch; returns one result dict per network (see :func:`simulate`)."""
    model = make_trainer(batch, trainer)
    B = len(batch.configs)
    total = int(batch.max_steps.max())
    full_steps, light_steps = _record_steps(checkpoints, track, total)
    recorded: dict[str, list[list[dict[str, Any]]]] = {"full": [], "light": []}
    active = torch.ones(B, dtype=torch.bool, device=batch.masks.device)
    steps_run = batch.max_steps.clone()
    rows = torch.arange(B, device=batch.masks.device)  # the networks the trainer steps
    loss = torch.zeros(B, dtype=batch.eta.dtype, device=batch.masks.device)

    def record(step: int, loss: torch.Tensor) -> None:
        if step in full_steps:
            recorded["full"].append(measure(batch, model, loss))
        if step in light_steps:
            recorded["light"].append(trajectory_point(batch, model, loss))

    with torch.no_grad():
        for t in range(total + 1):
            working_loss, context = model.forward()
            loss[rows] = working_loss
            record(t, loss)
            done = active & ((loss <= batch.epsilon) | (t >= batch.max_steps))
            steps_run[done] = t
            active &= ~done
            if not bool(active.any()):
                break
            working = active[rows]
            if isinstance(model, CoefficientTrainer) and int(working.sum()) <= len(rows) // 2:
                rows = rows[working]
                model.restrict(rows)
                context = tuple(c[working] for c in context)
                working = working[working]
            model.update(context, working)
        for step in sorted(set(full_steps) | set(light_steps)):
            if step > t:
                record(step, loss)
        results = measure(batch, model, loss)

    converged = (loss <= batch.epsilon).tolist()
    for b, result in enumerate(results):
        result.update(seed=batch.seeds[b], trainer=trainer,
                      steps_run=int(steps_run[b]), converged=bool(converged[b]))
        if full_steps:
            result["checkpoints"] = [dict(step=s, **point[b])
                                     for s, point in zip(full_steps, recorded["full"],
                                                         strict=True)]
        if light_steps:
            points = [point[b] for point in recorded["light"]]
            result["trajectory"] = {"step": light_steps,
                                    **{key: [point[key] for point in points]
                                       for key in points[0]}}
    return results


def simulate(configs: Sequence[NetworkSpec], seeds: Sequence[int], *,
             device: torch.device | str = "cpu", trainer: str = "coefficient",
             checkpoints: Sequence[int] = (), track: bool = False,
             max_batch: int | None = None) -> list[dict[str, Any]]:
    """Train every (config, seed) pair; configs sharing ``shape_key`` train as one batch.

    Returns one dict per pair, in input order, with plain Python values:
    ``seed, trainer, steps_run, converged, train_loss, train_error, test_error,
    test_error_per_class, signal_per_class, signal_learning, gamma_off_max, zeta_max,
    omega_max, noise_memorization_min, noise_memorization_median, N_j, N_j_plus``; with
    ``checkpoints`` (steps t = number of GD updates) also ``checkpoints``: a list of the same
    measurements plus ``step``; with ``track=True`` also ``trajectory``: lists over the
    checkpoints (or about 20 evenly spaced steps if none are given) of ``train_loss,
    signal_per_class, zeta_max, omega_max``. A stopped network's later checkpoints repeat its
    frozen state. ``max_batch`` caps the networks per batch (results do not depend on it).
    """
    if len(configs) != len(seeds):
        raise ValueError(f"seeds must have one entry per config, got {len(seeds)} seeds "
                         f"for {len(configs)} configs")
    if max_batch is not None and (isinstance(max_batch, bool) or max_batch < 1):
        raise ValueError(f"max_batch must be a positive integer or None, got {max_batch!r}")
    if trainer not in TRAINERS:
        raise ValueError(f"trainer must be one of {TRAINERS}, got {trainer!r}")
    target = resolve_device(device)
    groups: dict[tuple, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(shape_key(config), []).append(index)
    results: list[dict[str, Any] | None] = [None] * len(configs)
    for members in groups.values():
        size = max_batch or len(members)
        for start in range(0, len(members), size):
            chunk = members[start:start + size]
            batch = build_batch([configs[i] for i in chunk], [seeds[i] for i in chunk], target)
            for i, result in zip(chunk, train_batch(batch, trainer, checkpoints, track),
                                 strict=True):
                results[i] = result
    return results
