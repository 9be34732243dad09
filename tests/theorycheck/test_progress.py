"""The overall progress bar of a check: one bar over every run the store lacks, with an
ETA, above each measurement's own bar; silent with --quiet and when nothing is missing."""

from __future__ import annotations

import json
import re
import subprocess
import sys


def run_check(store, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "theorycheck.cli", "check", "ols",
                           "--budget", "smoke", "--device", "cpu", "--store", str(store),
                           "--claims", "E2", "--json", *extra],
                          capture_output=True, text=True, timeout=300, check=True)


def test_the_overall_bar_counts_the_missing_runs(tmp_path):
    store = tmp_path / "runs.sqlite"
    first = run_check(store)
    computed = json.loads(first.stdout)["runs_computed"]
    assert computed > 0
    assert f"ols: {computed} runs to compute" in first.stderr
    # the bar's total and its elapsed<remaining (ETA) column
    assert re.search(rf"/{computed} \[[0-9:]+<[0-9:?]+", first.stderr), first.stderr
    again = run_check(store)
    assert "runs to compute" not in again.stderr  # nothing missing: no bar
    quiet = run_check(tmp_path / "other.sqlite", "--quiet")
    assert "runs to compute" not in quiet.stderr
