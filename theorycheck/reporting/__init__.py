"""Reports: run the checks and write Markdown, self-contained HTML, JSON and PNG figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
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


def write_paper_report(results: CheckResults, out: str | Path, suffix: str = "",
                       probes: Sequence[ProbeResult] = ()) -> list[Path]:
    """Write ``<paper><suffix>.md``, ``.html``, ``.json`` and the PNG figures under ``out``
    (with the section "Edge regimes probed" when ``probes`` are given)."""
    out = Path(out)
    name = f"{results.paper}{suffix}"
    fig_dir = out / "figures" / name
    fig_dir.mkdir(parents=True, exist_ok=True)
    for old in fig_dir.glob("*.png"):
        old.unlink()
    images: dict[str, list[bytes]] = {}
    paths: dict[str, list[str]] = {}
    for v in results.verdicts:
        used: set[str] = set()
        for fig in v.figures():
            stem = f"{v.claim}-{fig.name}"
            k = 1
            while stem in used:
                k, stem = k + 1, f"{v.claim}-{fig.name}-{k}"
            used.add(stem)
            data = png(fig)
            (fig_dir / f"{stem}.png").write_bytes(data)
            images.setdefault(v.claim, []).append(data)
            paths.setdefault(v.claim, []).append(f"figures/{name}/{stem}.png")
    probe_images: dict[str, list[bytes]] = {}
    probe_paths: dict[str, list[str]] = {}
    for res in probes:
        data = png(res.figure())
        stem = f"probe-{res.probe.key}"
        (fig_dir / f"{stem}.png").write_bytes(data)
        probe_images[res.probe.key] = [data]
        probe_paths[res.probe.key] = [f"figures/{name}/{stem}.png"]
    md, page, js = out / f"{name}.md", out / f"{name}.html", out / f"{name}.json"
    md.write_text(markdown(results, paths, list(probes), probe_paths))
    page.write_text(html_page(results, images, list(probes), probe_images))
    js.write_text(json.dumps({**results.to_dict(), "probes": [r.to_dict() for r in probes]},
                             indent=1, allow_nan=False))
    return [md, page, js]


def write_reports(papers: Sequence[str | Paper] | None = None, budget: str = "quick",
                  out: str | Path = "reports", suffix: str = "",
                  probe_examples: int | None = None, **check_kwargs: Any) -> list[Path]:
    """Check each paper (every installed one by default; keys or Paper objects), run its
    probes (``probe_examples`` regimes each, by default ``PROBE_EXAMPLES[budget]``; 0 runs
    none) with the same store, device and seed, and write its report; returns the written
    paths."""
    examples = PROBE_EXAMPLES.get(budget, 0) if probe_examples is None else probe_examples
    written: list[Path] = []
    failed: dict[str, Exception] = {}
    for paper in papers if papers is not None else installed_papers():
        try:  # one paper that fails (a broken plugin, say) does not stop the others
            results = check(paper, budget=budget, **check_kwargs)
            probed = probe(paper, examples=examples, budget=budget, **check_kwargs) \
                if examples else []
            written += write_paper_report(results, out, suffix, probed)
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
