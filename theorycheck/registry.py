"""The registry: papers by key, measurements by name.

Papers are plug-ins: ``PAPER_MODULES`` maps a key to the module (in
``theorycheck.adapters``) that registers the paper's measurements and returns its
``PaperSpec``. Modules are imported on first use, so ``bounds`` can import the core
types without importing any simulator (and without importing torch).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from theorycheck.claims import Claim

Request = tuple[Mapping[str, Any], int]
MeasureFn = Callable[[Sequence[Request], str], list[dict[str, Any]]]

PAPER_MODULES = {
    "chang2021": "theorycheck.adapters.chang2021",
    "yang2023": "theorycheck.adapters.yang2023",
}


@dataclass(frozen=True)
class Measurement:
    """A simulation the checker can run: ``fn(requests, device) -> one result per request``.

    ``requests`` are (configuration, seed) pairs; the function may batch them however it
    likes (e.g. many networks in one tensor), but each result depends only on its own
    (configuration, seed). ``version`` is part of every run's content hash: bump it when
    the simulator's output for a given configuration and seed changes.
    """

    name: str
    fn: MeasureFn
    version: str
    chunk: int = 64


@dataclass(frozen=True)
class PaperSpec:
    """What the core needs of a paper: its claims, its regime query, and its citation."""

    key: str
    title: str
    citation: str
    claims: Callable[[], list[Claim]]
    query: Callable[..., Any]


_MEASUREMENTS: dict[str, Measurement] = {}


def measurement(name: str, version: str, chunk: int = 64) -> Callable[[MeasureFn], MeasureFn]:
    """Decorator registering a measurement function under ``name``."""

    def register(fn: MeasureFn) -> MeasureFn:
        _MEASUREMENTS[name] = Measurement(name, fn, version, chunk)
        return fn

    return register


def get_measurement(name: str) -> Measurement:
    """The measurement ``name``; a paper's own (``"<paper>.<what>"``) load with its paper."""
    paper = name.split(".", 1)[0]
    if name not in _MEASUREMENTS and paper in PAPER_MODULES:
        importlib.import_module(PAPER_MODULES[paper])
    if name not in _MEASUREMENTS:
        raise KeyError(f"no measurement named {name!r}; known: {sorted(_MEASUREMENTS)}")
    return _MEASUREMENTS[name]


def papers() -> list[str]:
    """The keys of the papers theorycheck knows."""
    return list(PAPER_MODULES)


def get_paper(key: str) -> PaperSpec:
    """The paper's spec; ValueError naming the allowed keys for an unknown one."""
    if key not in PAPER_MODULES:
        raise ValueError(f"paper must be one of {papers()}, got {key!r}")
    return importlib.import_module(PAPER_MODULES[key]).PAPER
