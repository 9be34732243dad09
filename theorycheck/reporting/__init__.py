"""Reports: run the checks and write Markdown + self-contained HTML with figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from theorycheck.checker import CheckResults, check
from theorycheck.registry import get_paper
from theorycheck.registry import papers as all_papers
from theorycheck.reporting.documents import html_page, markdown
from theorycheck.reporting.figures import verdict_figures


def write_paper_report(results: CheckResults, out: str | Path, suffix: str = "") -> list[Path]:
    """Write ``<paper><suffix>.md``, ``.html``, ``.json`` and the PNG figures under ``out``."""
    out = Path(out)
    spec = get_paper(results.paper)
    name = f"{results.paper}{suffix}"
    fig_dir = out / "figures" / name
    fig_dir.mkdir(parents=True, exist_ok=True)
    run = results.to_dict()
    images: dict[str, list[bytes]] = {}
    paths: dict[str, list[str]] = {}
    for v in run["verdicts"]:
        for fig_name, png in verdict_figures(v):
            (fig_dir / f"{fig_name}.png").write_bytes(png)
            images.setdefault(v["claim"], []).append(png)
            paths.setdefault(v["claim"], []).append(f"figures/{name}/{fig_name}.png")
    md, page, js = out / f"{name}.md", out / f"{name}.html", out / f"{name}.json"
    md.write_text(markdown(run, spec.title, spec.citation, paths))
    page.write_text(html_page(run, spec.title, spec.citation, images))
    js.write_text(json.dumps(run, indent=1, default=str))
    return [md, page, js]


def write_reports(papers: list[str] | None = None, budget: str = "quick",
                  out: str | Path = "reports", suffix: str = "", **check_kwargs: Any
                  ) -> list[Path]:
    """Check each paper (all by default) and write its report; returns the written paths."""
    written: list[Path] = []
    for key in papers or all_papers():
        written += write_paper_report(check(key, budget=budget, **check_kwargs), out, suffix)
    return written
