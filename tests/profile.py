"""Test-size profile for the slow suites, chosen by the environment variable
``THEORYCHECK_PROFILE``:

- ``"ci"`` (the default): reduced sizes, so that the whole CI run stays under 15 minutes on
  two CPU cores. Slow tests still run, on the smallest sweep that can decide them.
- ``"full"``: the sizes the checks are specified at (e.g. a claim's whole ``quick`` sweep
  instead of a subset of its points); minutes per test, meant for a workstation or a GPU.

Slow tests read :data:`PROFILE` (or :func:`full`) to pick their sizes; any other value is
an error, so a typo does not silently run the reduced suite.
"""

from __future__ import annotations

import os

PROFILES = ("ci", "full")
PROFILE = os.environ.get("THEORYCHECK_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise ValueError(f"THEORYCHECK_PROFILE must be one of {list(PROFILES)}, got {PROFILE!r}")


def full() -> bool:
    """Whether the ``full`` profile is selected."""
    return PROFILE == "full"
