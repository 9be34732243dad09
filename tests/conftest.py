"""Hypothesis profiles: ``ci`` (fast, the default) and ``thorough``.

Choose with the environment variable THEORYCHECK_HYPOTHESIS=ci|thorough. Slow Monte Carlo
suites are marked ``slow``; THEORYCHECK_PROFILE=ci runs them at a reduced size.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("THEORYCHECK_HYPOTHESIS", "ci"))
pytest_plugins = ["pytester"]
