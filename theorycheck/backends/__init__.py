"""Sweep backends: where the simulations of a sweep run (benchopt-style, by name).

- ``local`` (:class:`LocalBackend`): this process, chunk by chunk;
- ``ray`` (:class:`~theorycheck.backends.ray_cluster.RayBackend`): chunks as tasks on a Ray
  cluster (an existing one at ``address``, or a local one); needs ``theorycheck[ray]``.

Both share :class:`Backend`, which does the store bookkeeping (lookups, leases, commits);
the driver alone writes the store.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from theorycheck.backends.base import Backend
from theorycheck.backends.devices import cuda_available, resolve_device
from theorycheck.backends.local import LocalBackend
from theorycheck.store import ResultStore

BACKENDS = {
    "local": "theorycheck.backends.local:LocalBackend",
    "ray": "theorycheck.backends.ray_cluster:RayBackend",
}
"""Backend names and the classes behind them (imported when asked for)."""


def make_backend(name: str, store: ResultStore, device: str = "auto", progress: bool = True,
                 **options: Any) -> Backend:
    """The backend ``name`` on ``store`` and ``device``; ``options`` are the backend's own
    (``ray``: ``address``). ValueError for an unknown name or an option it does not take."""
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}, got {name!r}")
    module, cls_name = BACKENDS[name].split(":")
    cls = getattr(import_module(module), cls_name)
    accepted = inspect.signature(cls).parameters
    options = {k: v for k, v in options.items() if v is not None}
    for option in options:
        if option not in accepted:
            raise ValueError(f"the {name} backend takes no option {option!r} (given "
                             f"{options[option]!r})")
    return cls(store, device, progress, **options)


__all__ = ["BACKENDS", "Backend", "LocalBackend", "cuda_available", "make_backend",
           "resolve_device"]
