"""Report writing: Markdown, self-contained HTML and JSON with PNG figures.

The example paper (``examples/ols``, installed as a plugin) is checked at the smoke budget,
handed over as a Paper object with two claims added in this file: a symbolic one (no
figure) and one whose comparison is defined here, with an evidence kind that reporting has
never seen: its table and figure must appear in the report all the same.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import platform
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path
from typing import ClassVar

import pytest

import theorycheck
from theorycheck.claims import Claim, Point
from theorycheck.comparisons import IdentityComparison
from theorycheck.evidence import Evidence, Table
from theorycheck.figures import HistogramFigure
from theorycheck.reporting import write_paper_report
from theorycheck.verdicts import Outcome, Status

PNG = b"\x89PNG\r\n\x1a\n"
CLAIMS = ["E1", "E2", "E3", "X1", "X2"]
STATUSES = {"consistent", "inconsistent", "inconclusive"}


@dataclass
class SpreadEvidence(Evidence):
    """An evidence kind unknown to reporting: the spread of the measured risks."""

    kind: ClassVar[str] = "spread"
    values: list[float] = dataclasses.field(default_factory=list)

    def tables(self) -> list[Table]:
        return [Table("spread of the excess risk (new evidence kind)", ("min", "max"),
                      [(min(self.values), max(self.values))])]

    def figures(self, title: str) -> list:
        return [HistogramFigure(title, self.values, name="spread")]


@dataclass
class SpreadComparison:
    kind: str = "spread"

    def evaluate(self, results, rng) -> Outcome:
        values = [float(v) for pr in results for v in pr.values("excess_risk")]
        return Outcome(Status.CONSISTENT, "every risk was measured", SpreadEvidence(values))


def extra_claims() -> list[Claim]:
    ols = theorycheck.get_paper("ols")
    config = ols.claims()[0].sweep("smoke")[0].config
    return [
        Claim("ols", "X1", "Symbolic identity", "1 + 1 = 2", "derived", "this test", None,
              lambda b: [], IdentityComparison(lambda: [("1 + 1", 1.0 + 1.0, 2.0)])),
        Claim("ols", "X2", "A new evidence kind", "risks are measured", "derived",
              "this test", "ols", lambda b: [Point(config, 20, {"n": config.n})],
              SpreadComparison()),
    ]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    ols = theorycheck.get_paper("ols")
    paper = dataclasses.replace(ols, claims=lambda: [*ols.claims(), *extra_claims()])
    return theorycheck.check(paper, budget="smoke", device="cpu", store=str(store),
                             progress=False, seed=0)


@pytest.fixture(scope="module")
def report(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return out, write_paper_report(results, out=out)


class ReportParser(HTMLParser):
    """Collects, per ``<section id=...>``, the texts of its tag and status spans in the
    heading; and every ``src``/``href`` attribute and ``<link>``/``<script>`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, list[str]]] = {}
        self.section: str | None = None
        self.in_h2 = False
        self.span: str | None = None
        self.srcs: list[str] = []
        self.hrefs: list[str] = []
        self.external_elements: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "src" in a:
            self.srcs.append(a["src"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag in ("link", "script", "iframe", "object", "embed"):
            self.external_elements.append(tag)
        if tag == "section":
            self.section = a.get("id")
            self.sections[self.section] = {"tags": [], "statuses": [], "images": []}
        elif tag == "h2":
            self.in_h2 = True
        elif tag == "span" and self.in_h2:
            self.span = a.get("class")
        elif tag == "img" and self.section:
            self.sections[self.section]["images"].append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
        elif tag == "span":
            self.span = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.section and self.in_h2 and self.span:
            kind = "tags" if self.span == "tag" else "statuses"
            self.sections[self.section][kind].append(data.strip())


def test_writes_md_html_json_and_png(report):
    out, paths = report
    assert [p.name for p in paths] == ["ols.md", "ols.html", "ols.json"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    (figure_set,) = (out / "figures" / "ols").iterdir()  # one folder, named by its content
    pngs = sorted(figure_set.glob("*.png"))
    # E1: the claim's plot; E2: its log-log evidence; X2: the new kind's own figure
    assert {p.stem for p in pngs} == {"E1-series", "E2-loglog", "X2-spread"}
    for p in pngs:
        assert p.read_bytes().startswith(PNG), p


def test_html_is_self_contained_with_a_section_per_claim(report, results):
    out, _ = report
    text = (out / "ols.html").read_text()
    assert 'src="http' not in text and "src='http" not in text
    assert "stylesheet" not in text and "@import" not in text
    parser = ReportParser()
    parser.feed(text)
    assert parser.external_elements == []
    assert parser.srcs, "no inline images"
    for src in parser.srcs:
        assert src.startswith("data:image/png;base64,"), src[:60]
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    assert all(h.startswith("#") for h in parser.hrefs), parser.hrefs
    assert set(parser.sections) == set(CLAIMS)
    for v in results.verdicts:
        sec = parser.sections[v.claim]
        assert sec["tags"] == [v.provenance], (v.claim, sec)
        assert sec["statuses"] == [v.status.value], (v.claim, sec)
    assert parser.sections["E1"]["images"] and parser.sections["E2"]["images"]
    assert parser.sections["X1"]["images"] == []
    assert "spread of the excess risk (new evidence kind)" in text


def test_markdown_has_legend_and_every_verdict(report, results):
    out, _ = report
    md = (out / "ols.md").read_text()
    assert "Provenance tags" in md
    assert "`paper` = stated in the paper" in md and "`derived` = our own derivation" in md
    assert "`inconclusive` = the evidence cannot decide" in md
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert len(headings) == len(CLAIMS)
    for v, heading in zip(results.verdicts, headings):
        assert heading.startswith(f"## {v.claim}:"), heading
        assert f"[`{v.provenance}`]" in heading and f"**{v.status.value}**" in heading
        assert v.status.value in STATUSES
    counts = results.counts()
    assert (f"**{counts['consistent']} consistent, {counts['inconsistent']} inconsistent, "
            f"{counts['inconclusive']} inconclusive.**") in md
    # every figure link points at a written PNG
    links = [line[line.index("](") + 2:-1] for line in md.splitlines() if line.startswith("![")]
    assert links
    for link in links:
        assert (out / link).read_bytes().startswith(PNG), link


def test_json_report_round_trips(report, results):
    out, _ = report
    data = json.loads((out / "ols.json").read_text())
    assert data.pop("probes") == []  # no probes were run for this report
    assert data == json.loads(json.dumps(results.to_dict(), allow_nan=False))
    (x2,) = [v for v in data["verdicts"] if v["claim"] == "X2"]
    assert x2["evidence"]["kind"] == "spread" and len(x2["evidence"]["values"]) == 20
    assert [(v["claim"], v["provenance"], v["status"]) for v in data["verdicts"]] == [
        (v.claim, v.provenance, v.status.value) for v in results.verdicts]


def test_suffix_names_the_files(results, tmp_path):
    paths = write_paper_report(results, out=tmp_path, suffix="-smoke")
    assert [p.name for p in paths] == ["ols-smoke.md", "ols-smoke.html", "ols-smoke.json"]
    (series,) = (tmp_path / "figures" / "ols-smoke").glob("*/E1-series.png")
    assert series.read_bytes().startswith(PNG)
    md = Path(paths[0]).read_text(encoding="utf-8")
    assert f"figures/ols-smoke/{series.parent.name}/E1-series.png" in md


def test_an_unchanged_rewrite_keeps_its_figure_folder(report, results):
    """The figures are named by their content: rewriting the same results keeps the same
    folder and leaves no other."""
    out, _ = report
    before = sorted(p.relative_to(out) for p in (out / "figures").rglob("*"))
    write_paper_report(results, out=out)
    assert sorted(p.relative_to(out) for p in (out / "figures").rglob("*")) == before


def test_every_header_shows_the_versions_and_the_thread_count(results, tmp_path):
    """md, html and json name theorycheck's, torch's, numpy's, scipy's, sympy's and Python's
    versions and the thread count the run used (here 2, asked for)."""
    two = theorycheck.check("ols", budget="smoke", device="cpu", claims=["E1"], seed=0,
                            store=str(tmp_path / "runs.sqlite"), progress=False, threads=2)
    md, page, js = write_paper_report(two, out=tmp_path)
    versions = {name: version(name) for name in ("theorycheck", "torch", "numpy", "scipy",
                                                 "sympy")}
    versions["python"] = platform.python_version()
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["threads"] == 2 and data["versions"] == versions
    line = ", ".join(f"{name} {v}" for name, v in versions.items())
    for text in (md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")):
        assert "2 threads for torch and BLAS" in text and line in text


def test_markdown_table_cells_escape_pipes(report):
    """A '|' in a cell (as in ||mu||) must not split the Markdown table row."""
    from theorycheck.reporting.documents import cell

    assert cell("||mu||") == "\\|\\|mu\\|\\|"
