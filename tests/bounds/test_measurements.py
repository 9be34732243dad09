"""The papers' measurement plumbing: quantities folded from simulator output (no theory)."""

import math

import numpy as np
from theorycheck.bounds.chang2021.measurements import by_config
from theorycheck.bounds.chang2021.model import LinearConfig
from theorycheck.bounds.yang2023.measurements import class_summaries


def test_class_summaries_split_dead_and_live_classes():
    out = class_summaries({"test_error_per_class": [0.9, 0.1, 0.0], "N_j_plus": [0, 2, 5],
                           "N_j": [1, 3, 8], "noise_memorization_min": 0.7})
    assert out["n_dead"] == 1
    assert out["dead_class_error"] == 0.9
    assert out["alive_error"] == np.mean([0.1, 0.0])
    assert out["N_mean"] == 4.0
    assert math.isnan(out["memorization_all_dead"])  # a class is alive


def test_class_summaries_without_dead_or_live_classes_are_nan():
    none_dead = class_summaries({"test_error_per_class": [0.1, 0.2], "N_j_plus": [1, 1],
                                 "N_j": [2, 2], "noise_memorization_min": 0.1})
    all_dead = class_summaries({"test_error_per_class": [0.5, 0.5], "N_j_plus": [0, 0],
                                "N_j": [0, 1], "noise_memorization_min": 1.5})
    assert math.isnan(none_dead["dead_class_error"]) and none_dead["n_dead"] == 0
    assert math.isnan(all_dead["alive_error"]) and all_dead["n_dead"] == 2
    assert all_dead["memorization_all_dead"] == 1.5


def test_requests_grouped_by_configuration_in_order():
    a, b = LinearConfig(p=300), LinearConfig(p=400)
    reqs = [(a, 5), (b, 6), (LinearConfig(p=300), 7)]
    assert sorted(by_config(reqs).values()) == [[0, 2], [1]]
