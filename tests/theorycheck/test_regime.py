"""RegimeReport: ``to_dict()`` is strict JSON whatever the numbers, and every null in it is
explained in ``warnings`` (predictions, conditions' sides and margins, nested values)."""

import json
import math

import numpy as np

from theorycheck.regime import ConditionReport, RegimeReport


def report() -> RegimeReport:
    return RegimeReport(
        "toy", {"n": 3, "x": np.float64(2.0)}, "some regime",
        [ConditionReport("big", ">=", math.inf, 1.0, math.inf, True),
         ConditionReport("ok", "<=", 1.0, 2.0, math.log(2.0), True),
         ConditionReport("nan", ">=", math.nan, 1.0, math.nan, False)],
        {"risk": math.inf, "fine": np.float64(0.5), "curve": [1.0, math.nan],
         "parts": {"a": (math.inf, 2)}, "name": "text"})


def test_to_dict_is_strict_json_with_nulls():
    d = report().to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["predictions"] == {"risk": None, "fine": 0.5, "curve": [1.0, None],
                                "parts": {"a": [None, 2]}, "name": "text"}
    big, ok, nan_ = d["conditions"]
    assert (big["lhs"], big["rhs"], big["margin"], big["holds"]) == (None, 1.0, None, True)
    assert ok["lhs"] == 1.0 and nan_["margin"] is None
    assert d["params"] == {"n": 3, "x": 2.0}


def test_every_null_has_a_warning():
    """Non-finite condition values and nested prediction values became null silently."""
    warnings = report().warnings
    for name in ("risk", "curve", "parts", "condition big", "condition nan"):
        assert any(w.startswith(name) for w in warnings), (name, warnings)
    assert not any("fine" in w or "condition ok" in w for w in warnings)
    text = str(report())
    assert "warning: condition big" in text and "inf" in text
