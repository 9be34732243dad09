"""Regime parameters: validation messages name the parameter and its range; CLI values are
parsed, never evaluated."""

import math

import pytest

from theorycheck.regime import Param, parse_value, validate

SPECS = [
    Param("n", "int", "samples", low=1),
    Param("p", "float", "keep probability", default=1.0, low=0.0, high=1.0, low_open=True),
    Param("design", "choice", "design", default="L1", choices=("L1", "isotropic")),
]


def test_defaults_and_types():
    assert validate(SPECS, {"n": 10.0}) == {"n": 10, "p": 1.0, "design": "L1"}


@pytest.mark.parametrize("params,name", [
    ({"n": -3}, "n"), ({"n": 0}, "n"), ({"n": 2.5}, "n"), ({"n": math.nan}, "n"),
    ({"n": 5, "p": 0.0}, "p"), ({"n": 5, "p": 1.5}, "p"), ({"n": 5, "p": math.nan}, "p"),
    ({"n": 5, "design": "nope"}, "design"), ({"n": "5"}, "n"), ({"n": True}, "n"),
])
def test_bad_values_name_the_parameter_and_range(params, name):
    with pytest.raises(ValueError, match=rf"^{name} must be .* in|^{name} must be one of"):
        validate(SPECS, params)


def test_unknown_and_missing():
    with pytest.raises(ValueError, match="unknown parameter"):
        validate(SPECS, {"n": 3, "kappa": 2})
    with pytest.raises(ValueError, match="n is required"):
        validate(SPECS, {})


def test_parse_value_never_evaluates():
    assert parse_value("200") == 200 and parse_value("1e-3") == 1e-3
    assert parse_value("L1") == "L1"
    assert parse_value("__import__('os')") == "__import__('os')"
    assert parse_value("2**10") == "2**10"
    with pytest.raises(ValueError, match="n must be"):
        validate(SPECS, {"n": parse_value("2**10")})
