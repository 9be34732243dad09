"""How ``theorycheck report`` writes its files (issue 17).

A report appears whole or not at all (SIGKILL at many moments, a file-size limit); two
``report`` processes never share one ``--out``; ``--suffix`` is a plain file-name part and
nothing outside ``--out`` is touched; the documents are UTF-8 under an ASCII locale;
``--out`` is checked before any simulation. Every run is the real command line in its own
process on real files: the example paper ``ols`` at the smoke budget, without probes (about
a second after the imports). A process is started, imports everything, says ``ready`` and
waits for a line on stdin before it runs ``theorycheck report``, so that a kill can be timed
from the start of the run, and two processes can start their runs together.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import theorycheck
import theorycheck.reporting as reporting
from tests.theorycheck.fuzzing import HOSTILE
from theorycheck.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
DOCUMENTS = (".md", ".html", ".json")
HEADING = re.compile(r"^## (\S+?): .*\*\*(consistent|inconsistent|inconclusive)\*\*\s*$", re.M)
LINK = re.compile(r"^!\[[^\]]*\]\(([^)]+)\)", re.M)
SEED = re.compile(r"root seed (\d+)")
LOCK = ".theorycheck-report.lock"
LAUNCHER = """
import sys
import theorycheck
import theorycheck.cli
import theorycheck.figures
import theorycheck.reporting
theorycheck.get_paper("ols")
theorycheck.figures.pyplot()
print("ready", flush=True)
sys.stdin.readline()
sys.exit(theorycheck.cli.main(sys.argv[1:]))
"""


def report_args(out: Path, store: Path, seed: int = 0, *extra: str) -> list[str]:
    """``theorycheck report`` of ols at the smoke budget, no probes, into ``out``."""
    return ["report", "--papers", "ols", "--budget", "smoke", "--probe-examples", "0",
            "--quiet", "--out", str(out), "--store", str(store), "--seed", str(seed), *extra]


def environment(**changes: str | None) -> dict[str, str]:
    """This process's environment, one thread per pool, with ``changes`` (None: unset)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "THEORYCHECK_THREADS": "1"}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class Run:
    """A ``theorycheck`` command line in its own process, started but waiting: ``go()``
    runs it."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None,
                 preexec_fn=None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], env=env or
                                     environment(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, preexec_fn=preexec_fn)
        line = self.proc.stdout.readline()
        assert line == "ready\n", (line, self.proc.stderr.read())

    def go(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def finish(self) -> tuple[int, str, str]:
        """Wait for the end: exit status, stdout, stderr."""
        out, err = self.proc.communicate(timeout=300)
        return self.proc.returncode, out, err

    def kill(self) -> bool:
        """SIGKILL it; whether it was still running."""
        running = self.proc.poll() is None
        self.proc.kill()
        self.proc.communicate(timeout=60)
        return running


def run_report(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    run = Run(list(args), env)
    run.go()
    return run.finish()


def snapshot(out: Path) -> list[tuple[str, int, int]]:
    """Every file and folder under ``out`` (but the lock) with its size and mtime, as far
    as it can be listed while a report writes there."""
    entries = []
    for root, dirs, files in os.walk(out):
        for name in dirs + files:
            try:
                st = os.stat(os.path.join(root, name))
            except FileNotFoundError:  # renamed or removed meanwhile
                continue
            if name != LOCK:
                entries.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
    return sorted(entries)


def assert_whole(out: Path) -> list[str]:
    """Every report in ``out`` is whole and of one run: its three documents exist, the
    HTML and JSON are complete, the Markdown's figure links are PNG files, and the three
    agree on the root seed, the JSON's verdicts are the Markdown's. Returns the names."""
    names = sorted({p.stem for p in out.iterdir() if p.suffix in DOCUMENTS and p.is_file()})
    for name in names:
        md, page, js = (out / f"{name}{ext}" for ext in DOCUMENTS)
        missing = [p.name for p in (md, page, js) if not p.is_file()]
        assert not missing, f"{name}: {missing} missing beside the others"
        text, html = md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>"), f"{page.name} is truncated"
        data = json.loads(js.read_text(encoding="utf-8"))
        verdicts = [(v["claim"], v["status"]) for v in data["verdicts"]]
        assert verdicts and HEADING.findall(text) == verdicts, f"{name}: md and json differ"
        seeds = {SEED.search(text)[1], SEED.search(html)[1], str(data["seed"])}
        assert len(seeds) == 1, f"{name}: md, html and json of different runs (seeds {seeds})"
        links = LINK.findall(text)
        assert links, f"{md.name} links no figure"
        for link in links:
            assert (out / link).is_file(), f"{md.name} links the missing figure {link}"
            assert (out / link).read_bytes().startswith(PNG), link
    return names


def leftovers(out: Path) -> list[str]:
    """Staging folders, a lock file, and figures no document links."""
    linked = {link for p in out.glob("*.md") for link in LINK.findall(p.read_text("utf-8"))}
    stale = [str(p.relative_to(out)) for p in (out / "figures").rglob("*.png")
             if str(p.relative_to(out)) not in linked]
    return [p.name for p in out.iterdir() if p.name.startswith(".")] + stale


# ---- all or nothing -------------------------------------------------------------------------

KILL_AFTER_GO = (0.05, 0.4, 1.0)
"""Seconds after the run starts: parsing and checking, simulating, drawing figures."""
KILL_AFTER_WRITING = (0.0, 0.0005, 0.002, 0.005, 0.01, 0.03, 0.1)
"""Seconds after the run's first change under --out (its writing phase)."""


def kill_when(run: Run, out: Path, moment: tuple[str, float]) -> bool:
    """Start ``run`` and SIGKILL it at ``moment``: ``("go", s)``, s seconds after the start,
    or ``("writing", s)``, s seconds after its first change under ``out``."""
    kind, delay = moment
    before = snapshot(out)
    run.go()
    if kind == "writing":
        while run.proc.poll() is None and snapshot(out) == before:
            time.sleep(0.0002)
    time.sleep(delay)
    return run.kill()


@pytest.mark.slow
def test_a_killed_report_leaves_every_report_whole_or_absent(tmp_path):
    """SIGKILL at 10 moments of a rerun over a whole report (alternating the root seed, so
    the old and the new report differ): each time, every report present is whole and of
    one run; a last run completes and leaves no staging folder or unlinked figure."""
    out, store = tmp_path / "out", tmp_path / "runs.sqlite"
    assert run_report(*report_args(out, store, 0))[0] == 0
    assert assert_whole(out) == ["ols"]
    seeds = itertools.cycle([1, 0])
    moments = [("go", s) for s in KILL_AFTER_GO] + [("writing", s) for s in KILL_AFTER_WRITING]
    broken = []
    for moment in moments:
        run = Run(report_args(out, store, next(seeds)))
        kill_when(run, out, moment)
        try:
            assert_whole(out)
        except AssertionError as err:
            broken.append(f"{moment}: {err}")
    assert not broken, f"{len(broken)} of {len(moments)} kills broke a report: {broken}"
    code, _, err = run_report(*report_args(out, store, 2))
    assert code == 0, err
    assert assert_whole(out) == ["ols"] and leftovers(out) == []


def test_a_report_killed_between_its_renames_is_completed_by_the_next(tmp_path):
    """The one moment a kill leaves a mixed report: after the commit point, between the
    documents' renames (here: the new .md in place, the .html and .json not yet). The next
    report on --out (even of another paper) first completes the switch."""
    out, store = tmp_path / "out", str(tmp_path / "runs.sqlite")
    old, new = (theorycheck.check("ols", budget="smoke", device="cpu", store=store,
                                  progress=False, seed=seed) for seed in (0, 1))
    reporting.write_paper_report(old, out)
    with reporting.output_dir(out) as root:
        ready = reporting._commit(root, reporting.render(new, "ols"))
        os.replace(ready / "ols.md", out / "ols.md")
    with pytest.raises(AssertionError, match="different runs"):
        assert_whole(out)
    with reporting.output_dir(out):
        pass
    assert assert_whole(out) == ["ols"] and leftovers(out) == []
    assert json.loads((out / "ols.json").read_text("utf-8"))["seed"] == 1


def limit_file_size(limit: int):
    """A preexec_fn: files this process writes stop at ``limit`` bytes (EFBIG, SIGXFSZ
    ignored so that the write raises), as on a full disk."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_size_limit_leaves_the_old_report_and_one_line(tmp_path):
    """With a file-size limit of half the HTML's size, the rerun fails with one line naming
    out, leaves the previous report byte for byte, and no staging folder."""
    out, store = tmp_path / "out", tmp_path / "runs.sqlite"
    assert run_report(*report_args(out, store, 0))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    limit = (out / "ols.html").stat().st_size // 2
    run = Run(report_args(out, store, 0), preexec_fn=limit_file_size(limit))
    run.go()
    code, _, err = run.finish()
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and str(out) in err, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert assert_whole(out) == ["ols"] and leftovers(out) == []


# ---- one report per --out -------------------------------------------------------------------

def test_two_reports_on_one_out_one_refuses_with_one_line(tmp_path):
    """Two processes start their runs together on one --out (different seeds): one writes
    its report, the other exits non-zero with one line naming --out, before writing."""
    out = tmp_path / "out"
    runs = [Run(report_args(out, tmp_path / f"runs{k}.sqlite", k)) for k in (0, 1)]
    for run in runs:
        run.go()
    codes, errs = zip(*[(code, err) for code, _, err in (run.finish() for run in runs)])
    assert sorted(codes) == [0, 1], (codes, errs)
    err = errs[codes.index(1)].strip()
    assert "\n" not in err and "--out" in err and str(out) in err, err
    assert assert_whole(out) == ["ols"] and leftovers(out) == []


# ---- the suffix is a plain name; nothing outside --out is touched ---------------------------

def test_a_path_in_the_suffix_is_refused_and_nothing_outside_out_is_touched(tmp_path, capsys):
    """``--suffix '/../../../victim'`` once deleted victim/*.png beside --out."""
    out, victim = tmp_path / "out", tmp_path / "victim"
    (out / "figures" / "ols").mkdir(parents=True)
    victim.mkdir()
    (victim / "keep.png").write_bytes(PNG)
    code = main(report_args(out, tmp_path / "runs.sqlite", 0, "--suffix", "/../../../victim"))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "suffix" in err, err
    assert (victim / "keep.png").read_bytes() == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "victim"]


def test_figures_resolving_outside_out_are_refused_and_kept(tmp_path, capsys):
    """``out/figures`` a link to another folder: nothing is written or deleted there."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (elsewhere / "ols").mkdir(parents=True)
    (elsewhere / "ols" / "old.png").write_bytes(PNG)
    out.mkdir()
    (out / "figures").symlink_to(elsewhere)
    code = main(report_args(out, tmp_path / "runs.sqlite"))
    err = capsys.readouterr().err.strip()
    assert code != 0 and "\n" not in err and "outside out" in err, err
    assert [p.name for p in (elsewhere / "ols").iterdir()] == ["old.png"]


SUFFIX_PIECES = ("/", "..", "../", "/..", "\\", "\0", "\n", " ", "-", "_", ".", "a", "Z", "9",
                 "~", "*", "?", "é", "\u2028", "$HOME", "%2e%2e", "victim", "-full")


def inside_out(name: str, out: Path) -> bool:
    """Whether every path a report named ``name`` writes or deletes lies directly in
    ``out`` (its documents) or in ``out/figures/<name>`` (its figures)."""
    documents = {(out / f"{name}{ext}").resolve().parent for ext in DOCUMENTS}
    figures = (out / "figures" / name).resolve()
    return documents == {out.resolve()} and figures.parent == (out / "figures").resolve()


@pytest.mark.property
@settings(derandomize=True, max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.one_of(st.lists(st.sampled_from(SUFFIX_PIECES), max_size=6).map("".join),
                        st.text(max_size=80), st.sampled_from(HOSTILE)))
def test_any_suffix_is_a_plain_name_or_refused_by_name(suffix, tmp_path):
    """Every suffix is accepted as a file-name part whose files stay inside out, or
    refused with one line naming suffix."""
    try:
        name = reporting.report_name("ols", suffix)
    except ValueError as err:
        assert "suffix" in str(err) and "\n" not in str(err), err
        return
    assert isinstance(suffix, str) and inside_out(name, tmp_path / "out"), suffix


# ---- the locale, and --out checked first ----------------------------------------------------

def test_an_ascii_locale_writes_utf8_reports(tmp_path):
    """LC_ALL=C with Python's UTF-8 mode off (PYTHONUTF8=0; the C locale alone turns it on):
    the documents, which hold non-ASCII text ('—'), are written whole as UTF-8."""
    out = tmp_path / "out"
    env = environment(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONIOENCODING=None)
    code, _, err = run_report(*report_args(out, tmp_path / "runs.sqlite"), env=env)
    assert code == 0, err
    assert assert_whole(out) == ["ols"]
    assert "—" in (out / "ols.md").read_text(encoding="utf-8")


def test_an_unwritable_out_is_refused_before_any_simulation(tmp_path, capsys):
    """--out under a regular file cannot be created: one line naming --out, exit 2, and the
    results store was never opened (nothing was simulated)."""
    (tmp_path / "file").write_text("not a folder")
    store = tmp_path / "runs.sqlite"
    code = main(report_args(tmp_path / "file" / "sub", store))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "--out" in err and "file/sub" in err, err
    assert not store.exists()


@pytest.fixture
def read_only_dir(tmp_path):
    """A read-only tmpfs (needs the right to mount; skipped elsewhere)."""
    where = tmp_path / "ro"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(where)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here")
    yield where
    subprocess.run(["umount", str(where)], check=True)


def test_a_read_only_out_is_refused_before_any_simulation(read_only_dir, tmp_path, capsys):
    store = tmp_path / "runs.sqlite"
    code = main(report_args(read_only_dir / "out", store))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "--out" in err and "Read-only" in err, err
    assert not store.exists()
