"""Batched training and the public entry point :func:`simulate`.

Networks are grouped by ``spec.shape_key`` (K, m, n, q, dtype) and each group trains as one
batch of tensor operations. Every network stops at its own step limit T, as soon as its
training loss is <= epsilon, or when it diverges; a stopped network is frozen while the rest
of its batch continues, and its stopping step is recorded as ``steps_run``. A finished network
leaves the coefficient trainer's working tensors at the step it finishes (the working columns
are re-gathered: results are bit-identical, only the later steps are cheaper), so a batch
costs what its slow networks need.

Two trainers (both exact GD on the same draws):
- ``coefficient`` (the simulator): streams the coordinates (``accumulate``), or draws the
  statistics from their law (``draws="wishart"``, ``wishart``): memory and the per-step cost
  do not grow with d; test errors from the exact Gaussian law of a fresh sample's noise
  parts (``test="gaussian"``) or from a streamed test set (``"sampled"``);
- ``full``: the reference, GD on the d-dimensional weights with autograd on the realized
  tensors (small d), with both kinds of test error computed from the realized weights.

Faults are data, never numbers: a network whose loss or coefficients become non-finite
stops there with ``fault`` naming the step and the cause, and every measured quantity of it
is NaN; an input that rounds to 0 or overflows in the working dtype is a fault before any
step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from ..devices import resolve_device, threads
from .accumulate import MAX_BYTES, test_statistics, training_statistics
from .batch import build_batch
from .coefficient_trainer import CoefficientTrainer
from .full_trainer import FullTrainer, project_coefficients
from .measurements import (
    Trained,
    coefficient_statistics,
    errors,
    filter_counts,
    gaussian_test_errors,
    sampled_test_errors,
    to_python,
)
from .network import outputs
from .spec import NetworkSpec, realized_key, shape_key
from .streams import generator, samples

TRAINERS = ("coefficient", "full")
SERIAL_STEPS = True
"""On the CPU a training step runs on one thread: a step is a few hundred small tensor
operations, each reading at most a few MB; waiting for a second thread at each costs more
than it saves (on a loaded machine, far more), and one thread makes reruns identical."""
TRAJECTORY_POINTS = 20
TRAJECTORY_KEYS = ("signal_per_class", "zeta_max", "omega_max")


def input_faults(spec: NetworkSpec) -> str | None:
    """An input the working dtype cannot hold: a positive parameter that rounds to 0 or
    overflows (e.g. eta = 1e-50 in float32)."""
    dtype = getattr(torch, spec.dtype)
    for name in ("step_size", "init_scale", "sigma_n", "mu"):
        value = float(getattr(spec, name))
        held = float(torch.tensor(value, dtype=dtype))
        if value > 0 and (held == 0.0 or not math.isfinite(held)):
            return f"input: {name} = {value:g} {'rounds to 0' if held == 0 else 'overflows'} " \
                   f"in {spec.dtype}"
    return None


def _train(forward: Callable, update: Callable, restrict: Callable | None,
           specs: Sequence[NetworkSpec], faults: list[str | None], device: torch.device,
           record: Callable[[int, torch.Tensor, bool], None]) -> tuple[torch.Tensor, torch.Tensor]:
    """The GD loop shared by both trainers: returns (final loss (B,), steps_run (B,))."""
    with threads(1 if SERIAL_STEPS and device.type == "cpu" else None):
        return _steps(forward, update, restrict, specs, faults, device, record)


def _steps(forward: Callable, update: Callable, restrict: Callable | None,
           specs: Sequence[NetworkSpec], faults: list[str | None], device: torch.device,
           record: Callable[[int, torch.Tensor, bool], None]) -> tuple[torch.Tensor, torch.Tensor]:
    B = len(specs)
    eps = torch.tensor([s.epsilon for s in specs], dtype=torch.float64, device=device)
    limit = torch.tensor([s.steps for s in specs], device=device)
    active = torch.tensor([f is None for f in faults], device=device)
    steps_run = torch.zeros(B, dtype=torch.long, device=device)
    loss = torch.full((B,), math.nan, dtype=torch.float64, device=device)
    rows = torch.arange(B, device=device)
    total = int(limit.max()) if B else 0
    for t in range(total + 1):
        working_loss, context = forward()
        loss[rows] = torch.where(active[rows], working_loss.double(), loss[rows])
        bad = active & ~torch.isfinite(loss)
        for b in torch.nonzero(bad).flatten().tolist():
            faults[b] = f"diverged: non-finite training loss at step {t}"
        done = active & ((loss <= eps) | (t >= limit) | bad)
        steps_run[done] = t
        active &= ~done
        last = not bool(active.any())
        record(t, loss, last)  # at the checkpoints, and the final state
        if last:
            break
        working = active[rows]
        if restrict is not None and int(working.sum()) < len(rows):
            rows = rows[working]
            restrict(rows)
            context = tuple(c[working] for c in context)
            working = working[working]
        update(context, working)
    return loss, steps_run


def _test_errors(specs: Sequence[NetworkSpec], seeds: Sequence[int], trained: Trained,
                 device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Test error (B,) and per-class error (B, K), each network by its own ``test`` kind
    (NaN for ``none``), batched over networks of one kind and size."""
    B, K, q = len(specs), specs[0].K, specs[0].q
    error = torch.full((B,), math.nan, dtype=torch.float64, device=device)
    per_class = torch.full((B, K), math.nan, dtype=torch.float64, device=device)
    signal = trained.inner[..., :K]
    groups: dict[tuple[str, int], list[int]] = {}
    for b, s in enumerate(specs):
        if s.test != "none":
            groups.setdefault((s.test, s.n_test), []).append(b)
    for (kind, n_test), idx in groups.items():
        rows = torch.tensor(idx, device=device)
        if kind == "sampled":
            labels = torch.stack([samples(specs[b], seeds[b], n_test, "test", device).labels
                                  for b in idx])
            e, pc = sampled_test_errors(signal[rows], torch.stack(
                [trained.test_inner[b] for b in idx]), labels, q)
        else:
            normals = torch.stack([torch.randn(
                n_test, K * specs[b].m, generator=generator(seeds[b], "gaussian_test", 0, device),
                device=device, dtype=torch.float64) for b in idx])
            e, pc = gaussian_test_errors(
                signal[rows], torch.stack([trained.weight_gram[b] for b in idx]),
                torch.tensor([specs[b].mu for b in idx], device=device),
                torch.tensor([specs[b].sigma_n for b in idx], device=device), q, normals)
        error[rows], per_class[rows] = e, pc
    return error, per_class


def _measure(specs: Sequence[NetworkSpec], seeds: Sequence[int], trained: Trained,
             train_labels: torch.Tensor, loss: torch.Tensor, device: torch.device
             ) -> list[dict[str, Any]]:
    K, q = specs[0].K, specs[0].q
    signal, noise = trained.inner[..., :K], trained.inner[..., K:]
    train_error, _ = errors(outputs(signal, noise, train_labels, q), train_labels)
    test_error, per_class = _test_errors(specs, seeds, trained, device)
    return to_python({
        "train_loss": loss, "train_error": train_error, "test_error": test_error,
        "test_error_per_class": per_class,
        **coefficient_statistics(trained.gamma, trained.rho, train_labels),
        **filter_counts(trained.kept, trained.init_signal, K),
    })


def _light(gamma: torch.Tensor, rho: torch.Tensor, labels: torch.Tensor,
           loss: torch.Tensor) -> list[dict[str, Any]]:
    stats = coefficient_statistics(gamma, rho, labels)
    return to_python({"train_loss": loss, **{k: stats[k] for k in TRAJECTORY_KEYS}})


def train_streaming(specs: Sequence[NetworkSpec], seeds: Sequence[int], device: torch.device,
                    track: bool, max_bytes: int = MAX_BYTES) -> list[dict[str, Any]]:
    """One batch (one shape) with the coefficient-space trainer on streamed coordinates."""
    spec = specs[0]
    K, m, n = spec.K, spec.m, spec.n
    B, A = len(specs), K + n
    stats = training_statistics(specs, seeds, device, max_bytes)
    gram = torch.stack([st.gram for st in stats])
    init_inner = torch.stack([st.init_inner for st in stats])
    labels = torch.stack([samples(s, seed, n, "labels", device).labels
                          for s, seed in zip(specs, seeds)])
    eta = torch.tensor([s.step_size for s in specs], dtype=torch.float64, device=device)
    model = CoefficientTrainer(gram, init_inner, labels, eta, spec.q, m,
                               getattr(torch, spec.dtype))
    norms = gram.diagonal(dim1=-2, dim2=-1).reshape(B, K, m, A)
    faults = [input_faults(s) for s in specs]
    trajectory, steps, recorded = [], _checkpoints(specs, track), []

    def record(t: int, loss: torch.Tensor, last: bool) -> None:
        if t in steps or (last and steps):
            coefficients = model.alpha().double() * norms
            trajectory.append(_light(coefficients[..., :K], coefficients[..., K:], labels,
                                     loss))
            recorded.append(t)

    loss, steps_run = _train(model.forward, model.update, model.restrict, specs, faults,
                             device, record)
    finite = torch.isfinite(model.alpha()).flatten(1).all(dim=1)
    for b in torch.nonzero(~finite).flatten().tolist():
        faults[b] = faults[b] or "diverged: non-finite coefficients"
    model.discard(torch.nonzero(torch.tensor([f is not None for f in faults],
                                             device=device)).flatten())
    alpha = model.alpha().double()
    coefficients = alpha * norms
    test = test_statistics(specs, seeds, list(alpha), device)
    trained = Trained(model.inner().double(), coefficients[..., :K], coefficients[..., K:],
                      [None if t is None else t.weight_gram for t in test],
                      [None if t is None else t.test_inner for t in test],
                      torch.stack([st.signal_kept for st in stats]), init_inner[..., :K])
    return _finish(specs, seeds, _measure(specs, seeds, trained, labels, loss, device),
                   loss, steps_run, faults, trajectory, recorded, "coefficient")


def train_full(specs: Sequence[NetworkSpec], seeds: Sequence[int], device: torch.device,
               track: bool) -> list[dict[str, Any]]:
    """One batch with the reference trainer on the realized d-dimensional draws."""
    spec = specs[0]
    K, m = spec.K, spec.m
    sampled = any(s.test == "sampled" for s in specs)
    batch = build_batch(specs, seeds, spec.n_test if sampled else 0, device)
    model = FullTrainer(batch)
    faults = [input_faults(s) for s in specs]
    trajectory, steps, recorded = [], _checkpoints(specs, track), []

    def record(t: int, loss: torch.Tensor, last: bool) -> None:
        if t in steps or (last and steps):
            gamma, rho = project_coefficients(batch, model.masked_weights())
            trajectory.append(_light(gamma, rho, batch.train.labels, loss))
            recorded.append(t)

    loss, steps_run = _train(model.forward, model.update, None, specs, faults, device, record)
    B, _, _, n, d = batch.shape
    weights = model.masked_weights()
    finite = torch.isfinite(weights).flatten(1).all(dim=1)
    for b in torch.nonzero(~finite).flatten().tolist():
        faults[b] = faults[b] or "diverged: non-finite weights"
    faulted = torch.tensor([f is not None for f in faults], device=device)
    weights[faulted] = batch.masked_init[faulted]  # no result: finite values for the passes
    W = weights.reshape(B, K * m, d)
    vectors = torch.cat((batch.signals, batch.train.noise), dim=1)
    gamma, rho = project_coefficients(batch, weights)
    init = batch.masked_init.reshape(B, K * m, d)
    trained = Trained(
        (W @ vectors.transpose(1, 2)).reshape(B, K, m, K + n), gamma, rho,
        list(W @ W.transpose(1, 2)), list(W @ batch.test.noise.transpose(1, 2)),
        torch.diagonal(batch.masks[..., :K], dim1=1, dim2=3).transpose(1, 2).reshape(B, -1) > 0
        if spec.signal == "sparse" else torch.ones(B, K * m, dtype=torch.bool, device=device),
        init @ batch.signals.transpose(1, 2))
    return _finish(specs, seeds, _measure(specs, seeds, trained, batch.train.labels, loss,
                                          device),
                   loss, steps_run, faults, trajectory, recorded, "full")


def _checkpoints(specs: Sequence[NetworkSpec], track: bool) -> list[int]:
    """About ``TRAJECTORY_POINTS`` evenly spaced steps (and the last) when tracking."""
    if not track:
        return []
    total = max(s.steps for s in specs)
    return sorted(set(range(0, total + 1, max(1, total // TRAJECTORY_POINTS))) | {total})


def _finish(specs: Sequence[NetworkSpec], seeds: Sequence[int], results: list[dict[str, Any]],
            loss: torch.Tensor, steps_run: torch.Tensor, faults: list[str | None],
            trajectory: list[list[dict[str, Any]]], steps: list[int], trainer: str
            ) -> list[dict[str, Any]]:
    """Bookkeeping per network; a faulted network's measurements are all NaN."""
    converged = (loss <= torch.tensor([s.epsilon for s in specs], dtype=loss.dtype,
                                      device=loss.device)).tolist()
    for b, result in enumerate(results):
        if faults[b] is not None:
            for key, value in result.items():
                result[key] = ([math.nan] * len(value) if isinstance(value, list)
                               else math.nan)
        result.update(seed=int(seeds[b]), trainer=trainer, steps_run=int(steps_run[b]),
                      converged=bool(converged[b]) and faults[b] is None, fault=faults[b])
        if trajectory:
            points = [point[b] for point in trajectory]
            result["trajectory"] = {"step": steps[:len(points)],
                                    **{key: [point[key] for point in points]
                                       for key in points[0]}}
    return results


def simulate(configs: Sequence[NetworkSpec], seeds: Sequence[int], *,
             device: torch.device | str = "cpu", trainer: str = "coefficient",
             track: bool = False, max_batch: int | None = None,
             max_bytes: int = MAX_BYTES) -> list[dict[str, Any]]:
    """Train every (config, seed) pair; configs sharing ``shape_key`` train as one batch.

    Returns one dict per pair, in input order, with plain Python values: ``seed, trainer,
    steps_run, converged, fault, train_loss, train_error, test_error, test_error_per_class,
    signal_per_class, signal_learning, gamma_off_max, zeta_max, omega_max,
    noise_memorization_min, noise_memorization_median, N_j, N_j_plus``; with ``track=True``
    also ``trajectory``: lists over about 20 evenly spaced steps (and the step where the
    batch stopped) of ``train_loss, signal_per_class, zeta_max, omega_max`` (a stopped
    network repeats its frozen state).
    ``max_batch`` caps the networks per batch and ``max_bytes`` the memory of the streamed
    pair products; results do not depend on either.
    """
    if len(configs) != len(seeds):
        raise ValueError(f"seeds must have one entry per config, got {len(seeds)} seeds "
                         f"for {len(configs)} configs")
    if max_batch is not None and (isinstance(max_batch, bool) or max_batch < 1):
        raise ValueError(f"max_batch must be a positive integer or None, got {max_batch!r}")
    if trainer not in TRAINERS:
        raise ValueError(f"trainer must be one of {TRAINERS}, got {trainer!r}")
    if trainer == "full" and any(c.draws == "wishart" for c in configs):
        raise ValueError("trainer='full' needs every coordinate: draws must be 'coordinates' "
                         "(a network with draws='wishart' has none)")
    target = resolve_device(device)
    key = shape_key if trainer == "coefficient" else realized_key
    groups: dict[tuple, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(key(config), []).append(index)
    results: list[dict[str, Any] | None] = [None] * len(configs)
    with torch.no_grad():
        for members in groups.values():
            size = max_batch or len(members)
            for start in range(0, len(members), size):
                chunk = members[start:start + size]
                specs = [configs[i] for i in chunk]
                chunk_seeds = [int(seeds[i]) for i in chunk]
                out = (train_streaming(specs, chunk_seeds, target, track, max_bytes)
                       if trainer == "coefficient" else
                       train_full(specs, chunk_seeds, target, track))
                for i, result in zip(chunk, out, strict=True):
                    results[i] = result
    return results
