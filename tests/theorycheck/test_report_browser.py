"""The HTML report as a reader sees it, in a real headless chromium (issue 17, "What a new
user sees").

A small report is built (the example paper ``examples/ols`` at the smoke budget, with two
claims added here shaped like yang2023's: ``B1`` of eight parts whose reasons run to many
lines, judged inside conditions whose note names them as a Python list, and ``B2`` measured
at a single n; both show the same figure of where the regimes lie, as S1, S2 and D1 do). The
page is opened in chromium with a small script appended to a copy of it (the report itself
carries no script); the script opens every ``<details>`` and writes what it measured into
the DOM, which ``--dump-dom`` returns: every image decoded, no literal backticks or Python
list syntax in the visible text, no page wider than the window, each figure shown once, and
each verdict paragraph a few lines long at most.

Skipped, saying so, where chromium is not installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import theorycheck
from theorycheck.claims import Claim, Plot, Point
from theorycheck.comparisons import AllOf, ValueComparison
from theorycheck.figures import Curve, RegimeFigure, RegimePoint
from theorycheck.reporting import write_paper_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium): "
                             "the HTML report cannot be opened in a real browser")
MAX_VERDICT_LINES = 4
PROBE_SCRIPT = """<script>
window.addEventListener("load", () => {
  const root = document.documentElement;
  const images = [...document.images];
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const verdicts = [...document.querySelectorAll("section p")]
    .filter(p => p.textContent.startsWith("Verdict."))
    .map(p => {
      const style = getComputedStyle(p);
      const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
      return [p.closest("section").id, Math.round(p.getBoundingClientRect().height / line)];
    });
  const out = {
    images: images.map(i => [i.alt, i.complete && i.naturalWidth > 0,
                             Math.ceil(i.getBoundingClientRect().right)]),
    repeated_images: images.length - new Set(images.map(i => i.src)).size,
    scroll_width: root.scrollWidth, client_width: root.clientWidth,
    text: document.body.innerText, verdicts: verdicts,
  };
  const pre = document.createElement("pre");
  pre.id = "browser-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def plane(points: list[Point]) -> list[RegimeFigure]:
    """Where the regimes lie: the same figure for every claim that shows it."""
    return [RegimeFigure("simulated regimes against the example's condition n_large", "n",
                         "p n", [RegimePoint(200.0, 1000.0, "n=200", True)],
                         [Curve("boundary", [50.0, 500.0], [250.0, 2500.0])], name="plane")]


def browser_claims() -> list[Claim]:
    ols = theorycheck.get_paper("ols")
    e1 = ols.claims()[0]
    config = e1.sweep("smoke")[0].config
    predict = e1.comparison.predict
    parts = [ValueComparison("excess_risk", predict, rtol=0.2 + 0.01 * k, x="n")
             for k in range(8)]
    return [
        Claim("ols", "B1", "Eight parts", "Each part bounds `excess_risk` at every n.",
              "derived", "this test", "ols", lambda b: e1.sweep(b)[:3], AllOf(parts),
              conditions=lambda pt: (pt.config.n > 40,
                                     f"conditions {['n_large', 'p_small']} fail"),
              figures=plane),
        Claim("ols", "B2", "One n", "At n = 80 the excess risk is as predicted.", "derived",
              "this test", "ols", lambda b: [Point(dataclasses.replace(config, n=80), 60,
                                                   {"n": 80})],
              ValueComparison("excess_risk", predict, rtol=0.3, x="n"),
              plot=Plot("n", "excess risk", ("excess_risk",)), figures=plane),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, Path]:
    """The report's Markdown and HTML files."""
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    ols = theorycheck.get_paper("ols")
    paper = dataclasses.replace(ols, claims=lambda: [*ols.claims(), *browser_claims()])
    res = theorycheck.check(paper, budget="smoke", device="cpu", store=str(store),
                            progress=False, seed=0)
    paths = write_paper_report(res, out=tmp_path_factory.mktemp("reports"))
    return paths[0], paths[1]


def rendered(page: Path, width: int, tmp: Path) -> dict:
    """What the probe script measured with the page open in a ``width``-pixel window."""
    probe = tmp / f"probe-{width}.html"
    probe.write_text(page.read_text().replace("</body>", PROBE_SCRIPT + "</body>"))
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp / f'profile-{width}'}",
         f"--window-size={width},900", "--virtual-time-budget=10000", "--dump-dom",
         probe.as_uri()],
        capture_output=True, text=True, timeout=180, check=True).stdout
    found = re.search(r'<pre id="browser-check">(.*?)</pre>', dom, re.S)
    assert found, f"the probe script left no result in the DOM: {dom[-300:]!r}"
    return json.loads(html.unescape(found.group(1)))


def reading_problems(seen: dict) -> list[str]:
    """What is wrong with the page as rendered, one line each."""
    problems = [f"image {alt!r} did not load" for alt, ok, _ in seen["images"] if not ok]
    problems += [f"image {alt!r} ends at {right} px, past the window's {seen['client_width']}"
                 for alt, _, right in seen["images"] if right > seen["client_width"]]
    if seen["scroll_width"] > seen["client_width"]:
        problems.append(f"the page is {seen['scroll_width']} px wide in a "
                        f"{seen['client_width']} px window")
    text = seen["text"]
    for literal in ("`", "['", '["'):
        if (at := text.find(literal)) >= 0:
            problems.append(f"literal {literal!r} in the text: {text[max(0, at - 60):at + 60]!r}")
    if seen["repeated_images"]:
        problems.append(f"{seen['repeated_images']} figure(s) shown twice")
    if "The same figure as under B1 above." not in text:
        problems.append("B2 does not refer back to B1's figure")
    problems += [f"{claim}'s verdict paragraph is {lines} lines long"
                 for claim, lines in seen["verdicts"] if lines > MAX_VERDICT_LINES]
    if "the 8 parts of the verdict" not in text:
        problems.append("B1's parts are not listed apart")
    return problems


@needs_chromium
@pytest.mark.parametrize("width", [1280, 720])
def test_report_reads_well_in_a_browser(report, width, tmp_path):
    _, page = report
    seen = rendered(page, width, tmp_path)
    assert seen["images"], "no image in the report"
    assert reading_problems(seen) == []


def test_markdown_shows_each_figure_once(report):
    md_path, _ = report
    md = md_path.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert [link for link in links if "B2" in link and "plane" in link] == []
    assert "*The same figure as under B1 above.*" in md
    assert "['" not in md
    parts = [line for line in md.splitlines() if line.startswith("- **")]
    assert len(parts) == 8, "B1's parts are not listed one per line"
