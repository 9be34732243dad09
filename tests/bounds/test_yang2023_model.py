"""The typed network config of yang2023: validation by the one parameter layer, the default
step size and initialization (the D6 bounds) and serialization."""

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


def test_config_defaults_are_the_d6_bounds_and_serialize():
    """eta = min(mu^-2, (sigma_n^2 p d)^-1) / C_5 and sigma_0 = min((sigma_n sqrt(p d))^-1,
    mu^-1) / C_6 with C_5 = C_6 = 1, written out by hand."""
    config = NetworkConfig(p=0.5, d=1000, mu=10.0, m=20)
    assert config.step_size == pytest.approx(1 / 500.0, rel=1e-12)
    assert config.init_scale == pytest.approx(1 / 500.0**0.5, rel=1e-12)
    small = NetworkConfig(p=0.01, d=1000, mu=30.0)  # mu^-2 is the smaller bound here
    assert small.step_size == pytest.approx(1 / 900.0, rel=1e-12)
    assert small.init_scale == pytest.approx(1 / 30.0, rel=1e-12)
    assert config.d6_bounds({"C_5": 0.1})[0] == pytest.approx(10 / 500.0, rel=1e-12)
    assert NetworkConfig(eta=0.3).to_dict()["eta"] == 0.3
    assert config.to_dict()["sigma_0"] == config.init_scale
    json.dumps(config.to_dict())
    with pytest.raises(ValueError, match=r"^K must be an integer in \[2, d\] = \[2, 4\]"):
        NetworkConfig(K=5, d=4)


def test_replace_re_derives_the_default_step():
    """A default step follows the parameters it depends on; a given step stays."""
    base = NetworkConfig(p=0.5, d=1000, mu=10.0, m=20)
    assert base.replace(d=4000).step_size == pytest.approx(1 / 2000.0, rel=1e-12)
    assert base.replace(d=4000).init_scale == pytest.approx(1 / 2000.0**0.5, rel=1e-12)
    assert NetworkConfig(eta=0.3).replace(d=4000).step_size == 0.3


