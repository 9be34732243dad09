"""The "Edge regimes probed" section of a paper's report: each probe's property, what it
found (the counterexample with its seeds, or how many regimes it survived) and the regimes
it judged, in Markdown and HTML."""

from __future__ import annotations

import html
from typing import Any

from tabulate import tabulate

from theorycheck.probes import ProbeResult, RegimeRecord
from theorycheck.probes.runner import fmt_regime

PROBE_EXAMPLES = {"smoke": 4, "quick": 8, "full": 50}
"""Regimes Hypothesis draws per probe in a report, by budget (``--probe-examples`` sets
another number)."""

INTRO = ("Each probe tests one claim regime by regime: Hypothesis draws regimes in the bulk "
         "of the probe's ranges, at their ends and on both sides of the conditions' "
         "boundaries; each regime is simulated and judged on its own trials. An `inconsistent` "
         "regime refutes the property: Hypothesis shrinks it to the counterexample below (its "
         "seeds rerun it exactly); a bisection towards the nearest consistent regime then "
         "brackets the edge of the refuted region between a refuting end and its passing "
         "neighbour. An `inconclusive` regime does not refute it; a probe that no regime "
         "refuted and none confirmed is `undecided`.")


def margins_text(rec: RegimeRecord) -> str:
    return "; ".join(f"{k}: {v:+.3g}" for k, v in rec.margins.items())


def found_rows(res: ProbeResult) -> list[list[str]]:
    """What a probe found, one row each: the counterexample (Hypothesis's shrunk refuting
    draw) first, then the bisection's bracket of the refuted region's edge (its refuting end,
    when the bisection moved, and its passing neighbour)."""
    moved = res.counterexample if res.counterexample is not res.shrunk else None
    rows = []
    for what, rec in (("counterexample (shrunk)", res.shrunk), ("bracket: refuting end", moved),
                      ("bracket: passing neighbour", res.neighbour)):
        if rec is not None:
            rows.append([what, fmt_regime(rec.regime), rec.status.value, rec.summary,
                         margins_text(rec), ", ".join(str(s) for s in rec.seeds[:3]) + (
                             f", ... ({len(rec.seeds)} seeds)" if len(rec.seeds) > 3 else "")])
    return rows


FOUND_HEADERS = ["", "regime", "verdict", "measured vs predicted", "log-margins", "seeds"]
REGIME_HEADERS = ["regime", "drawn", "log-margins", "verdict", "measured vs predicted"]


def regime_rows(res: ProbeResult) -> list[list[str]]:
    return [[fmt_regime(r.regime), f"{r.kind} {r.detail}".strip(), margins_text(r),
             r.status.value, r.summary] for r in res.records]


def describe(res: ProbeResult) -> str:
    p = res.probe
    where = f" Precondition: {res.where_text}." if res.where_text else ""
    return (f"{p.statement}{where} ({res.examples} examples, budget `{res.budget}`, seed "
            f"{res.seed}, {res.seconds:.0f} s on {res.device}.)")


def markdown_section(results: list[ProbeResult], figures: dict[str, list[str]]) -> list[str]:
    """Markdown lines of the section; ``figures`` maps a probe key to its PNG paths."""
    if not results:
        return []
    lines = ["## Edge regimes probed", "", INTRO, ""]
    for res in results:
        p = res.probe
        verdict = res.outcome
        lines += [f"### Probe {p.key}: {p.title}  [`{p.provenance}`] — **{verdict}**", "",
                  f"*Property.* {describe(res)}", "", f"*Source.* {p.source}", "",
                  f"*Found.* {res.headline()}", ""]
        rows = found_rows(res)
        if rows:
            lines += [tabulate(rows, headers=FOUND_HEADERS, tablefmt="github"), ""]
        lines += [f"![probe {p.key}]({path})" for path in figures.get(p.key, [])] + [""]
        lines += ["<details><summary>every regime judged</summary>", "",
                  tabulate(regime_rows(res), headers=REGIME_HEADERS, tablefmt="github"), "",
                  "</details>", ""]
    return lines


def html_section(results: list[ProbeResult], images: dict[str, list[str]]) -> str:
    """The section as HTML; ``images`` maps a probe key to base64 PNGs."""
    if not results:
        return ""

    def table(headers: list[str], rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row)
                       + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    parts = ['<section id="probes"><h2>Edge regimes probed</h2>',
             f"<p>{html.escape(INTRO.replace('`', ''))}</p>"]
    for res in results:
        p = res.probe
        verdict = res.outcome
        css = {"refuted": "inconsistent", "survived": "consistent"}.get(verdict,
                                                                         "inconclusive")
        parts += [f"<h3>Probe {html.escape(p.key)}: {html.escape(p.title)} "
                  f'<span class="tag">{p.provenance}</span> '
                  f'<span class="{css}">{verdict}</span></h3>',
                  f"<p><i>Property.</i> {html.escape(describe(res).replace('`', ''))}</p>",
                  f"<p><i>Source.</i> {html.escape(p.source)}</p>",
                  f"<p><i>Found.</i> {html.escape(res.headline())}</p>"]
        if found_rows(res):
            parts.append(table(FOUND_HEADERS, found_rows(res)))
        parts += [f'<img src="data:image/png;base64,{img}" alt="probe {html.escape(p.key)}">'
                  for img in images.get(p.key, [])]
        parts.append("<details><summary>every regime judged</summary>"
                     + table(REGIME_HEADERS, regime_rows(res)) + "</details>")
    parts.append("</section>")
    return "\n".join(parts)
