"""Reports: run the checks and write Markdown, self-contained HTML, JSON and PNG figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from theorycheck.checker import CheckResults, check
from theorycheck.paper import Paper
from theorycheck.registry import papers as installed_papers
from theorycheck.reporting.documents import html_page, markdown
from theorycheck.reporting.figures import png


def write_paper_report(results: CheckResults, out: str | Path, suffix: str = "") -> list[Path]:
    """Write ``<paper><suffix>.md``, ``.html``, ``.json`` and the PNG figures under ``out``."""
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
    md, page, js = out / f"{name}.md", out / f"{name}.html", out / f"{name}.json"
    md.write_text(markdown(results, paths))
    page.write_text(html_page(results, images))
    js.write_text(json.dumps(results.to_dict(), indent=1, allow_nan=False))
    return [md, page, js]


def write_reports(papers: Sequence[str | Paper] | None = None, budget: str = "quick",
                  out: str | Path = "reports", suffix: str = "", **check_kwargs: Any
                  ) -> list[Path]:
    """Check each paper (every installed one by default; keys or Paper objects) and write
    its report; returns the written paths."""
    written: list[Path] = []
    for paper in papers if papers is not None else installed_papers():
        written += write_paper_report(check(paper, budget=budget, **check_kwargs), out, suffix)
    return written
