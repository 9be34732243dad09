"""The one validation layer: ``Param`` specs and typed ``ModelConfig``s. Messages name the
parameter and its range; huge or non-finite numbers are refused, never converted; CLI values
are parsed, never evaluated."""

import dataclasses
import math

import numpy as np
import pytest

from theorycheck.params import ModelConfig, Param, param, parse_value


@dataclasses.dataclass(frozen=True, kw_only=True)
class Toy(ModelConfig):
    n: int = param(kind="int", low=1, high=1000, description="samples")
    p: float = param(1.0, kind="float", low=0.0, high=1.0, low_open=True)
    design: str = param("L1", kind="choice", choices=("L1", "isotropic"))
    s: int | None = param(None, kind="int", low=1, high=1000, optional=True)

    def relations(self) -> None:
        if self.s is not None and self.s > self.n:
            raise ValueError(f"s must be an integer in [1, n] = [1, {self.n}], got {self.s}")


def test_values_are_normalized_and_defaults_filled():
    t = Toy(n=10.0)
    assert (t.n, t.p, t.design, t.s) == (10, 1.0, "L1", None)
    assert isinstance(t.n, int) and isinstance(t.p, float)
    assert t.to_dict() == {"n": 10, "p": 1.0, "design": "L1", "s": None}
    assert Toy(n=np.int64(7)).n == 7  # numpy scalars are numbers too


@pytest.mark.parametrize("params,name", [
    ({"n": -3}, "n"), ({"n": 0}, "n"), ({"n": 2.5}, "n"), ({"n": math.nan}, "n"),
    ({"n": 10**400}, "n"), ({"n": 1e300}, "n"), ({"n": 5, "p": 0.0}, "p"),
    ({"n": 5, "p": 1.5}, "p"), ({"n": 5, "p": math.nan}, "p"), ({"n": 5, "p": -math.inf}, "p"),
    ({"n": 5, "design": "nope"}, "design"), ({"n": 5, "design": ["L1"]}, "design"),
    ({"n": "5"}, "n"), ({"n": True}, "n"), ({"n": 5, "s": 6}, "s"),
])
def test_bad_values_name_the_parameter_and_range(params, name):
    with pytest.raises(ValueError, match=rf"^{name} must be (an integer|a finite number|one of)"):
        Toy(**params)


def test_range_is_stated():
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 1000\], got 0"):
        Toy(n=0)
    with pytest.raises(ValueError, match=r"p must be a finite number in \(0, 1\], got 1.5"):
        Toy(n=1, p=1.5)


def test_unknown_and_missing():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['kappa'\]; allowed"):
        Toy.from_mapping({"n": 3, "kappa": 2})
    with pytest.raises(TypeError, match="n"):
        Toy()  # a required parameter
    assert [p.name for p in Toy.parameters()] == ["n", "p", "design", "s"]
    assert Toy.parameter("p").low_open
    with pytest.raises(ValueError, match="unknown parameter 'q'"):
        Toy.parameter("q")


def test_replace_validates_again():
    t = Toy(n=10)
    assert t.replace(n=20).n == 20
    with pytest.raises(ValueError, match="n must be"):
        t.replace(n=-1)


def test_param_check_alone():
    spec = Param("k", "int", low=2, high=5)
    assert spec.check(3.0) == 3
    assert spec.allowed() == "an integer in [2, 5]"
    with pytest.raises(ValueError, match=r"k must be an integer in \[2, 5\], got 6"):
        spec.check(6)


def test_parse_value_never_evaluates():
    assert parse_value("200") == 200 and parse_value("1e-3") == 1e-3
    assert parse_value("L1") == "L1"
    assert parse_value("__import__('os')") == "__import__('os')"
    assert parse_value("2**10") == "2**10"
    with pytest.raises(ValueError, match="n must be"):
        Toy(n=parse_value("2**10"))


# ---- issue 9: every refusal is one line naming the parameter --------------------------------

def test_missing_required_parameter_is_a_value_error_naming_it():
    """A missing required parameter was a TypeError from the dataclass constructor."""
    with pytest.raises(ValueError, match=r"^n is required: an integer in \[1, 1000\]$"):
        Toy.from_mapping({})
    with pytest.raises(ValueError, match=r"^n is required"):
        Toy.from_mapping({"n": None})  # None counts as not given


def test_refusals_show_any_value_on_one_short_line():
    """A huge int's repr raised Python's 4300-digit ValueError (naming no parameter), and an
    array's repr broke the message over several lines."""
    with pytest.raises(ValueError, match=r"^n must be an integer in \[1, 1000\], got <int of "):
        Toy(n=10**5000)
    with pytest.raises(ValueError) as exc:
        Toy(n=np.zeros((3, 3)))
    assert "\n" not in str(exc.value) and str(exc.value).startswith("n must be")
    assert len(str(exc.value)) < 120
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['x', 1\]"):
        Toy.from_mapping({"n": 3, "x": 1, 1: 2})  # unknown keys of mixed types are sorted


def test_choices_and_signed_zero_are_normalized():
    assert type(Toy(n=1, design=np.str_("L1")).design) is str
    assert math.copysign(1.0, Param("x", "float", low=-1, high=1).check(-0.0)) == 1.0
