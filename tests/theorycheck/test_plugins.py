"""Papers are plugins: found through entry points, never imported by the core.

- the core (``theorycheck/``) imports nothing from any paper, ``bounds`` or ``simulations``
  (checked on the source, by walking every import with ``ast``);
- installed papers come from the entry-point group ``theorycheck.papers``: the built-in ones
  and the worked example (``examples/ols``, installed by the test command) alike;
- the example paper is checked through the unchanged core, and planted wrong predictions
  in it come back inconsistent;
- installed, the only top-level package is ``theorycheck`` (a wheel in a fresh virtual
  environment, and the editable install).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import theorycheck
from theorycheck.registry import get_paper, installed
from theorycheck.verdicts import Status

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "theorycheck"
PAPER_MODULES = ("bounds", "simulations", "theorycheck.bounds", "theorycheck.simulations",
                 "ols_example")


def imports_of(path: Path) -> list[str]:
    """Every module a source file imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found += [base] + [f"{base}.{a.name}" for a in node.names]
    return found


def test_the_core_imports_no_paper_bounds_or_simulations():
    sources = sorted(CORE.rglob("*.py"))
    assert len(sources) > 20
    offending = {str(p.relative_to(ROOT)): m for p in sources for m in imports_of(p)
                 if any(m == bad or m.startswith(bad + ".") for bad in PAPER_MODULES)}
    assert offending == {}


def test_the_import_walk_sees_relative_imports(tmp_path):
    """The walk above would catch ``from ..bounds import x`` inside the core."""
    fake = CORE / "comparisons" / "value.py"
    assert "theorycheck.claims.PointResult" in imports_of(fake)
    probe = ROOT / "theorycheck" / "comparisons" / "_probe_import.py"
    probe.write_text("from ..bounds import chang2021\n")
    try:
        assert "theorycheck.bounds.chang2021" in imports_of(probe)
    finally:
        probe.unlink()


def test_installed_papers_come_from_entry_points():
    found = {p.key: p for p in installed()}
    assert list(found) == ["chang2021", "ols", "yang2023"] == theorycheck.papers()
    assert found["chang2021"].target == "theorycheck.bounds.chang2021:PAPER"
    assert found["yang2023"].distribution.startswith("theorycheck ")
    assert found["ols"].distribution.startswith("theorycheck-example-ols ")
    assert found["ols"].target == "ols_example:PAPER"
    for key in found:
        assert get_paper(key).key == key


def test_a_paper_installed_by_metadata_alone_is_found(tmp_path, monkeypatch):
    """A distribution that is nothing but its metadata and one module is a paper plugin: its
    entry point is found, and an entry point that is not a Paper is refused by name."""
    dist = tmp_path / "tinypaper-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tinypaper\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[theorycheck.papers]\ntiny = tinypaper:PAPER\nbroken = tinypaper:NOT_A_PAPER\n")
    (tmp_path / "tinypaper.py").write_text(
        "from theorycheck import Paper\n"
        "PAPER = Paper('tiny', 'a tiny paper', 'none', lambda: [])\n"
        "NOT_A_PAPER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"tiny", "broken"} <= set(theorycheck.papers())
    assert get_paper("tiny").title == "a tiny paper"
    assert "tinypaper 0.1" in {p.distribution for p in installed()}
    with pytest.raises(ValueError, match="must be a theorycheck.paper.Paper, got int"):
        get_paper("broken")


def test_unknown_paper_lists_the_installed_ones():
    with pytest.raises(ValueError, match=r"installed papers \['chang2021', 'ols', 'yang2023'\]"):
        get_paper("nopaper")


def check_ols(claims, tmp_path):
    """The example paper with ``claims``, checked as a Paper object at the quick budget."""
    paper = dataclasses.replace(get_paper("ols"), claims=lambda: claims)
    return theorycheck.check(paper, budget="quick", device="cpu", progress=False, seed=0,
                             store=str(tmp_path / "runs.sqlite"))


def test_the_example_paper_is_checked_by_the_unchanged_core(tmp_path):
    """Quick budget, root seed 0: E1 (2000 trials at four n, 5% tolerance) and E2 (slope in
    n over two decades, Theta(n^-1) within 0.15) and E3 (per fit: excess risk <= 3 times its
    mean for at least 95% of the fits) are consistent; a prediction 10% too high, an
    exponent of -1/2 and a per-fit bound at the mean itself are inconsistent on the same
    runs."""
    from ols_example import claims

    res = check_ols([claims.e1(), claims.e2(), claims.e3(), claims.e1(scale=1.1),
                     claims.e2(exponent=-0.5), claims.e3(factor=1.0)], tmp_path)
    assert [v.status for v in res.verdicts] == [Status.CONSISTENT] * 3 + [
        Status.INCONSISTENT] * 3, [v.reason for v in res.verdicts]
    assert res.runs_computed == 4 * 2000 + 5 * 500  # the planted claims reuse every run
    e2 = res.verdicts[1]
    assert e2.evidence.paired  # one seed group along the path: whole seeds resampled
    assert theorycheck.query("ols", n=50, p=5).predictions["excess_risk"] == \
        pytest.approx(5 / 44)


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_exposes_only_theorycheck(tmp_path):
    """Build the wheels of theorycheck and of the example, install them (no dependencies) in
    a new virtual environment, and use them from an empty directory. The dependencies come
    from the running interpreter's site-packages (a ``.pth`` file lists them after the new
    environment's own): inside a virtual environment those are the running venv's, which a
    venv's ``system_site_packages`` (the base interpreter's) would miss."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(ROOT),
                    str(ROOT / "examples" / "ols")], check=True, capture_output=True,
                   timeout=300)
    (wheel,) = dist.glob("theorycheck-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"theorycheck"}
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("theorycheck/bounds/chang2021/claims.py",
                   "theorycheck/bounds/yang2023/model.py",
                   "theorycheck/simulations/two_layer/training.py"):
        assert module in names
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site_dir = subprocess.run([str(python), "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"], check=True,
                              capture_output=True, text=True, timeout=60).stdout.strip()
    running = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    Path(site_dir, "running_env.pth").write_text("\n".join(running) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", *map(str, dist.glob("*.whl"))],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "empty"
    work.mkdir()
    probe = (
        "import importlib.util, json, theorycheck, ols_example\n"
        "print(json.dumps({'core': theorycheck.__file__, 'example': ols_example.__file__,\n"
        "  'bounds': importlib.util.find_spec('bounds') is not None,\n"
        "  'simulations': importlib.util.find_spec('simulations') is not None,\n"
        "  'papers': theorycheck.papers(),\n"
        "  'regime': theorycheck.query('yang2023', p=0.05).regime}))\n")
    out = json.loads(subprocess.run([str(python), "-c", probe], cwd=work, check=True,
                                    capture_output=True, text=True, timeout=300).stdout)
    assert out["core"].startswith(str(env)) and out["example"].startswith(str(env))
    assert (out["bounds"], out["simulations"]) == (False, False)
    assert out["papers"] == ["chang2021", "ols", "yang2023"]
    assert out["regime"] == "in-between"
    cli = subprocess.run([str(env / "bin" / "theorycheck"), "check", "ols", "--budget",
                          "smoke", "--device", "cpu", "--quiet", "--store",
                          str(tmp_path / "runs.sqlite"), "--claims", "E2"],
                         cwd=work, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert "E2" in cli.stdout and "consistent" in cli.stdout


def test_the_editable_install_maps_the_folders_into_theorycheck(tmp_path):
    """From outside the repository, ``bounds`` and ``simulations`` are not importable; their
    code lives at ``theorycheck.bounds`` and ``theorycheck.simulations``."""
    probe = ("import importlib.util, theorycheck.bounds.chang2021 as c, "
             "theorycheck.simulations as s\n"
             "print(importlib.util.find_spec('bounds'), importlib.util.find_spec('simulations'),"
             " c.__file__, s.__file__)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=True,
                         capture_output=True, text=True, timeout=120).stdout.split()
    assert out[:2] == ["None", "None"]
    assert out[2] == str(ROOT / "bounds" / "chang2021" / "__init__.py")
    assert out[3] == str(ROOT / "simulations" / "__init__.py")
