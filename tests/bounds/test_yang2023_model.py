"""The typed network config of yang2023: validation by the one parameter layer, the default
step size and serialization."""

from __future__ import annotations

import json

import pytest
from theorycheck.bounds.yang2023.model import NetworkConfig


@pytest.mark.parametrize(("name", "value"), [
    ("p", 0.0), ("p", 1.5), ("p", float("nan")), ("p", -0.1), ("K", 1), ("m", 0), ("n", -3),
    ("d", 0), ("q", 0), ("q", 1.5), ("q", True), ("mu", 0.0), ("sigma_0", float("nan")),
    ("sigma_n", -1.0), ("eta", 0.0), ("epsilon", float("inf")), ("steps", -1),
    ("signal", "gaussian"), ("mask", "magnitude"), ("dtype", "float16"), ("n_test", 0),
])
def test_invalid_config_names_parameter(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        NetworkConfig(**{name: value})


def test_config_default_step_and_serialization():
    config = NetworkConfig(p=0.5, d=1000, mu=10.0, m=20)
    assert config.step_size == pytest.approx(0.5 * 20 / 500.0)
    assert NetworkConfig(p=0.01, d=1000, m=20).step_size == pytest.approx(0.5 * 20 / 100.0)
    assert NetworkConfig(eta=0.3).to_dict()["eta"] == 0.3
    json.dumps(config.to_dict())
    with pytest.raises(ValueError, match=r"^K must be an integer in \[2, d\] = \[2, 4\]"):
        NetworkConfig(K=5, d=4)


def test_replace_re_derives_the_default_step():
    """A default step follows the parameters it depends on; a given step stays."""
    base = NetworkConfig(p=0.5, d=1000, mu=10.0, m=20)
    assert base.replace(d=4000).step_size == pytest.approx(0.5 * 20 / 2000.0)
    assert NetworkConfig(eta=0.3).replace(d=4000).step_size == 0.3


