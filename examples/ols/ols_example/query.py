"""``theorycheck.query("ols", n=..., p=..., sigma=...)``: the prediction at one regime."""

from __future__ import annotations

import math
from typing import Any

from theorycheck.regime import ConditionReport, RegimeReport

from .model import OLSConfig
from .theory import excess_risk


def query(**params: Any) -> RegimeReport:
    """The condition n > p + 1 (with its log-margin) and the predicted excess risk. Bad input
    raises ValueError naming the parameter and its range."""
    config = OLSConfig.from_mapping(params)
    slack = config.n - config.p - 1
    return RegimeReport(
        "ols", config.to_dict(), "finite risk (n > p + 1)" if slack >= 1 else
        "infinite risk (n <= p + 1)",
        [ConditionReport("n > p + 1", ">=", config.n, config.p + 2,
                         math.log(config.n / (config.p + 2)), slack >= 1,
                         "the expected excess risk is finite", "paper")],
        {"excess_risk": excess_risk(config.n, config.p, config.sigma),
         "relative_risk": config.p / slack if slack > 0 else math.inf})
