"""Randomly pruned two-layer CNN on signal-plus-noise data (paper key ``yang2023``).

Public API: :func:`simulate` (batched training, one result dict per
(config, seed)), the data model (:func:`make_signals`, :func:`sample_examples`,
:func:`patches`), masks (:func:`sample_masks`), the two trainers (:class:`FullTrainer`,
:class:`CoefficientTrainer`) and the measurements (:func:`gram_matrices`,
:func:`project_coefficients`, :func:`coefficient_statistics`).
"""

from ..devices import resolve_device
from .batch import NetworkBatch, build_batch
from .coefficient_trainer import CoefficientTrainer
from .data import Examples, make_signals, patches, sample_examples
from .full_trainer import FullTrainer
from .masks import kept_count, sample_masks
from .measurements import (
    coefficient_statistics,
    errors,
    gram_matrices,
    logits_on_test_set,
    measure,
    project_coefficients,
    signal_filter_counts,
)
from .spec import NetworkSpec, shape_key
from .training import simulate, train_batch

__all__ = [
    "CoefficientTrainer",
    "Examples",
    "FullTrainer",
    "NetworkBatch",
    "NetworkSpec",
    "build_batch",
    "coefficient_statistics",
    "errors",
    "gram_matrices",
    "kept_count",
    "make_signals",
    "measure",
    "patches",
    "project_coefficients",
    "resolve_device",
    "sample_examples",
    "sample_masks",
    "shape_key",
    "signal_filter_counts",
    "simulate",
    "logits_on_test_set",
    "train_batch",
]
