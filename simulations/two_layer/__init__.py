"""Randomly pruned two-layer CNN on signal-plus-noise data (paper key ``yang2023``).

Public API: :func:`simulate` (batched training, one result dict per (spec, seed)); the
streamed draws (``streams``) and passes (``accumulate``: training and test statistics,
:func:`realize` for small d); the two trainers (:class:`CoefficientTrainer`, the simulator;
:class:`FullTrainer`, the small-d reference on a realized :class:`NetworkBatch`); the
measurements. A network is any object with the fields of :class:`NetworkSpec`.
"""

from .accumulate import realize, realize_test_noise, test_statistics, training_statistics
from .batch import NetworkBatch, build_batch
from .coefficient_trainer import CoefficientTrainer, gram_matvec
from .data import Examples, patches
from .full_trainer import FullTrainer, project_coefficients
from .measurements import coefficient_statistics, errors, gaussian_test_errors
from .spec import NetworkSpec, shape_key
from .streams import BLOCK
from .training import simulate

__all__ = [
    "BLOCK",
    "CoefficientTrainer",
    "Examples",
    "FullTrainer",
    "NetworkBatch",
    "NetworkSpec",
    "build_batch",
    "coefficient_statistics",
    "errors",
    "gaussian_test_errors",
    "gram_matvec",
    "patches",
    "project_coefficients",
    "realize",
    "realize_test_noise",
    "shape_key",
    "simulate",
    "test_statistics",
    "training_statistics",
]
