"""Report writing: Markdown, self-contained HTML and JSON with PNG figures.

One smoke-budget check of C1 (derived, value, plotted), C5 (paper, shape, plotted) and C9
(derived, symbolic, no figure) on the CPU feeds every test (~10 s); the reports are written
under ``tmp_path``.
"""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

import theorycheck
from theorycheck.reporting import write_paper_report

PNG = b"\x89PNG\r\n\x1a\n"
CLAIMS = ["C1", "C5", "C9"]
STATUSES = {"consistent", "inconsistent", "inconclusive"}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    return theorycheck.check("chang2021", budget="smoke", device="cpu", store=str(store),
                             progress=False, claims=CLAIMS, seed=0)


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
    assert [p.name for p in paths] == ["chang2021.md", "chang2021.html", "chang2021.json"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    pngs = sorted((out / "figures" / "chang2021").glob("*.png"))
    # C1 and C5 carry plot data; C9 (symbolic) has no figure
    assert {p.stem for p in pngs} >= {"C1", "C5"}
    for p in pngs:
        assert p.read_bytes().startswith(PNG), p


def test_html_is_self_contained_with_a_section_per_claim(report, results):
    out, _ = report
    text = (out / "chang2021.html").read_text()
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
    assert parser.sections["C1"]["images"] and parser.sections["C5"]["images"]
    assert parser.sections["C9"]["images"] == []


def test_markdown_has_legend_and_every_verdict(report, results):
    out, _ = report
    md = (out / "chang2021.md").read_text()
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
    data = json.loads((out / "chang2021.json").read_text())
    assert data == json.loads(json.dumps(results.to_dict(), default=str))
    assert [(v["claim"], v["provenance"], v["status"]) for v in data["verdicts"]] == [
        (v.claim, v.provenance, v.status.value) for v in results.verdicts]


def test_suffix_names_the_files(results, tmp_path):
    paths = write_paper_report(results, out=tmp_path, suffix="-smoke")
    assert [p.name for p in paths] == ["chang2021-smoke.md", "chang2021-smoke.html",
                                       "chang2021-smoke.json"]
    assert (tmp_path / "figures" / "chang2021-smoke" / "C1.png").read_bytes().startswith(PNG)
    md = Path(paths[0]).read_text()
    assert "figures/chang2021-smoke/C1.png" in md
