"""Reports: run the checks and write Markdown, self-contained HTML, JSON and PNG figures.

How a report reaches the disk, so that it appears whole or not at all (issue 17):

- ``out`` is checked first, before any simulation: it is created if needed and locked
  (``fcntl.flock`` on ``out/.theorycheck-report.lock``, removed at the end); a second
  ``report`` on the same ``out`` is refused with one line naming it.
- Each report is rendered in memory, then written into a staging directory inside ``out``
  (``.<name>.tmp-*``): the figures, then ``<name>.md``, ``.html`` and ``.json``, each file
  as bytes (UTF-8 for the documents, whatever the locale) and fsynced.
- The figures live in a folder named by their content, ``figures/<name>/<id>/`` (``id``: 12
  hex digits of a SHA-256 of the PNGs), renamed into place whole; an unchanged figure set
  keeps its folder. The Markdown links into that folder, so an old ``.md`` keeps its own
  figures until it is replaced.
- The staging directory is then renamed ``.<name>.ready-<id>``: the commit point. The three
  documents are renamed onto ``out/<name>.md``, ``.html``, ``.json`` (three ``rename``
  calls, microseconds apart), and only then are the older figure folders removed.
- A run killed before the commit point leaves only its staging directory (no report
  changed), deleted by the next ``report`` on ``out``; one killed after it (between the three
  renames) leaves a ``ready`` directory, whose remaining documents the next ``report`` on
  ``out`` renames into place before doing anything else.
- Nothing outside ``out`` is written or deleted: the suffix is a plain file-name part, and
  every path removed is checked to resolve inside ``out``.

A write that fails (a full disk, a file-size limit) removes its staging directory and raises
one line naming the report and ``out``; the previous report stays as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from theorycheck.checker import CheckResults, check
from theorycheck.paper import Paper
from theorycheck.params import described
from theorycheck.probes import ProbeResult, probe
from theorycheck.registry import papers as installed_papers
from theorycheck.reporting.documents import html_page, markdown
from theorycheck.reporting.figures import png
from theorycheck.reporting.probes import PROBE_EXAMPLES

LOCK = ".theorycheck-report.lock"
SUFFIX = re.compile(r"[A-Za-z0-9._-]{0,64}")
FIGURE_SET = re.compile(r"[0-9a-f]{12}")
STAGED = re.compile(r"\.(?P<name>.+)\.(?P<state>tmp|ready)-(?P<tag>[A-Za-z0-9_]+)")
DOCUMENTS = (".md", ".html", ".json")


@dataclass
class Rendered:
    """One paper's report in memory: ``documents`` (file name -> UTF-8 bytes) and
    ``figures`` (file name -> PNG bytes, the folder ``figures/<name>/<figure_set>/``)."""

    name: str
    figure_set: str
    documents: dict[str, bytes]
    figures: dict[str, bytes]


def report_name(paper: str, suffix: str) -> str:
    """``<paper><suffix>``, the stem of a report's files; ValueError naming ``suffix`` unless
    it is a plain file-name part (letters, digits, '-', '_', '.'; no '..'; at most 64)."""
    if not isinstance(suffix, str):
        raise ValueError(f"suffix must be a string, got a {type(suffix).__name__}")
    if not SUFFIX.fullmatch(suffix) or ".." in suffix:
        raise ValueError(f"suffix must be letters, digits, '-', '_' or '.' (a file-name part, "
                         f"no '/' or '..', at most 64), got {suffix[:40]!r}")
    return f"{paper}{suffix}"


def render(results: CheckResults, name: str, probes: Sequence[ProbeResult] = ()) -> Rendered:
    """Draw every figure and render the Markdown, HTML and JSON of one report."""
    claim_figures: list[tuple[str, str, bytes]] = []  # (claim, file name, PNG)
    for v in results.verdicts:
        used: set[str] = set()
        for fig in v.figures():
            stem, k = f"{v.claim}-{fig.name}", 1
            while stem in used:
                k, stem = k + 1, f"{v.claim}-{fig.name}-{k}"
            used.add(stem)
            claim_figures.append((v.claim, f"{stem}.png", png(fig)))
    probe_figures = [(r.probe.key, f"probe-{r.probe.key}.png", png(r.figure())) for r in probes]
    figures = {file: data for _, file, data in claim_figures + probe_figures}
    digest = hashlib.sha256()
    for file in sorted(figures):
        digest.update(f"{file}\0{len(figures[file])}\0".encode())
        digest.update(figures[file])
    figure_set = digest.hexdigest()[:12]

    def grouped(items: list[tuple[str, str, bytes]], link: bool) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for key, file, data in items:
            out.setdefault(key, []).append(f"figures/{name}/{figure_set}/{file}" if link
                                           else data)
        return out

    text = markdown(results, grouped(claim_figures, True), list(probes),
                    grouped(probe_figures, True))
    page = html_page(results, grouped(claim_figures, False), list(probes),
                     grouped(probe_figures, False))
    data = json.dumps({**results.to_dict(), "probes": [r.to_dict() for r in probes]},
                      indent=1, allow_nan=False)
    documents = {f"{name}.md": text, f"{name}.html": page, f"{name}.json": data}
    return Rendered(name, figure_set, {k: v.encode("utf-8") for k, v in documents.items()},
                    figures)


def _inside(path: Path, out: Path) -> bool:
    """Whether ``path`` resolves to ``out`` or below it."""
    return path.resolve().is_relative_to(out.resolve())


def _fsync(path: Path) -> None:
    """Flush a file's or a directory's entry and contents to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist), write ``data`` and fsync it."""
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _remove(path: Path, out: Path) -> None:
    """Delete a file or a directory tree that resolves inside ``out`` (refuse otherwise)."""
    if not _inside(path, out):
        raise ValueError(f"out {str(out)!r}: refusing to delete {str(path)!r}, which resolves "
                         f"outside out")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _prune_figures(out: Path, name: str, keep: str) -> None:
    """Remove ``figures/<name>/``'s figure folders other than ``keep``, and loose PNGs (the
    layout before figure folders)."""
    folder = out / "figures" / name
    for entry in folder.iterdir() if folder.is_dir() else ():
        stale_set = entry.is_dir() and FIGURE_SET.fullmatch(entry.name) and entry.name != keep
        if stale_set or (entry.suffix == ".png" and entry.is_file()):
            _remove(entry, out)


def _switch(out: Path, ready: Path, name: str, figure_set: str) -> None:
    """Rename the documents left in the committed staging directory ``ready`` onto the
    report's, then remove the older figure folders and ``ready``."""
    for doc in sorted(ready.iterdir()):
        if doc.is_file():
            os.replace(doc, out / doc.name)
    _fsync(out)
    _prune_figures(out, name, figure_set)
    _remove(ready, out)


def _recover(out: Path) -> None:
    """Finish what a killed ``report`` on ``out`` left (the lock is held): staging
    directories before the commit point are deleted, committed ones are switched in."""
    for entry in sorted(out.iterdir()):
        staged = STAGED.fullmatch(entry.name)
        if not staged or not entry.is_dir() or entry.is_symlink():
            continue
        if staged["state"] == "tmp":
            _remove(entry, out)
        elif FIGURE_SET.fullmatch(staged["tag"]):
            _switch(out, entry, staged["name"], staged["tag"])


def _stage(out: Path, report: Rendered) -> Path:
    """Write ``report`` into a new staging directory in ``out`` (figures in ``figures/``),
    every file fsynced; the directory is removed again if a write fails."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{report.name}.tmp-", dir=out))
    try:
        (tmp / "figures").mkdir()
        for file, data in report.figures.items():
            _write_new(tmp / "figures" / file, data)
        _fsync(tmp / "figures")
        for file, data in report.documents.items():
            _write_new(tmp / file, data)
        _fsync(tmp)
    except OSError as err:
        _remove(tmp, out)
        raise OSError(f"could not write the {report.name} report into out {str(out)!r}: "
                      f"{err.strerror or err}; the previous report is unchanged") from None
    return tmp


def _publish(out: Path, report: Rendered) -> list[Path]:
    """Commit ``report`` and switch its documents in; returns their paths."""
    _switch(out, _commit(out, report), report.name, report.figure_set)
    return [out / file for file in report.documents]


def _commit(out: Path, report: Rendered) -> Path:
    """Stage ``report``, rename its figure folder into place, then rename the staging
    directory ``.<name>.ready-<figure set>`` (the commit point), which it returns."""
    figures = out / "figures" / report.name
    if not _inside(figures, out):
        raise ValueError(f"out {str(out)!r}: figures/{report.name} resolves outside out "
                         f"({figures.resolve()}); nothing is written there")
    figures.mkdir(parents=True, exist_ok=True)
    tmp = _stage(out, report)
    target = figures / report.figure_set
    if target.is_dir():  # the same figures, already in place
        _remove(tmp / "figures", out)
    else:
        os.replace(tmp / "figures", target)
        _fsync(figures)
    ready = out / f".{report.name}.ready-{report.figure_set}"
    os.replace(tmp, ready)
    _fsync(out)
    return ready


@contextmanager
def output_dir(out: str | Path) -> Iterator[Path]:
    """Create ``out`` if needed and hold its lock for the block, after finishing what a
    killed report left there. ValueError naming ``out`` where it cannot be created or
    written; RuntimeError naming it where another ``report`` holds it."""
    out = Path(out)
    lock = out / LOCK
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ValueError(f"out (--out) {str(out)!r} is not a writable directory: "
                         f"{err.strerror or err}") from None
    held = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # the lock file may have been removed and recreated by the holder meanwhile
            held = os.path.samestat(os.fstat(fd), os.stat(lock))
        except (BlockingIOError, FileNotFoundError):
            pass
        if not held:
            raise RuntimeError(f"out (--out) {str(out)!r} is in use by another theorycheck "
                               f"report (lock {lock}); wait for it or choose another --out")
        _recover(out)
        yield out
    finally:
        if held:
            lock.unlink(missing_ok=True)
        os.close(fd)


def write_paper_report(results: CheckResults, out: str | Path, suffix: str = "",
                       probes: Sequence[ProbeResult] = ()) -> list[Path]:
    """Write ``<paper><suffix>.md``, ``.html``, ``.json`` and the PNG figures under ``out``
    (with the section "Edge regimes probed" when ``probes`` are given), all or nothing;
    returns the documents' paths."""
    name = report_name(results.paper, suffix)
    with output_dir(out) as root:
        return _publish(root, render(results, name, probes))


def write_reports(papers: Sequence[str | Paper] | None = None, budget: str = "quick",
                  out: str | Path = "reports", suffix: str = "",
                  probe_examples: int | None = None, **check_kwargs: Any) -> list[Path]:
    """Check each paper (every installed one by default; keys or Paper objects), run its
    probes (``probe_examples`` regimes each, by default ``PROBE_EXAMPLES[budget]``; 0 runs
    none) with the same store, device and seed, and write its report; returns the written
    paths. ``suffix`` and ``out`` are checked, and ``out`` locked, before anything runs."""
    examples = PROBE_EXAMPLES.get(budget, 0) if probe_examples is None else probe_examples
    report_name("", suffix)
    written: list[Path] = []
    failed: dict[str, Exception] = {}
    with output_dir(out) as root:
        for paper in papers if papers is not None else installed_papers():
            try:  # one paper that fails (a broken plugin, say) does not stop the others
                results = check(paper, budget=budget, **check_kwargs)
                probed = probe(paper, examples=examples, budget=budget, **check_kwargs) \
                    if examples else []
                written += _publish(root, render(results, report_name(results.paper, suffix),
                                                 probed))
            except Exception as err:  # noqa: BLE001 - named with its paper, raised at the end
                failed[paper.key if isinstance(paper, Paper) else str(paper)] = err
    if failed and not written:
        raise next(iter(failed.values()))  # e.g. an unknown budget: every paper refuses it
    if failed:
        raise ReportsFailed(written, failed)
    return written


class ReportsFailed(RuntimeError):
    """Some papers' reports were written (``written``), others failed (``failures``: paper
    key to its error); the message is one line naming each failed paper and its error."""

    def __init__(self, written: list[Path], failures: dict[str, Exception]) -> None:
        self.written, self.failures = written, failures
        errors = "; ".join(f"{key}: {described(err)}" for key, err in failures.items())
        super().__init__(f"{len(failures)} paper(s) failed, the other reports were written "
                         f"({len(written)} files): {errors}")
