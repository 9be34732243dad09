"""Markdown and self-contained HTML renderings of one paper's check results."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections import Counter
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from tabulate import tabulate

from theorycheck.checker import CheckResults
from theorycheck.evidence import PartsEvidence
from theorycheck.probes import ProbeResult
from theorycheck.reporting.probes import html_section, markdown_section
from theorycheck.reporting.tables import cells
from theorycheck.verdicts import Verdict

PROVENANCE = (
    "Provenance tags: `paper` = stated in the paper; `derived` = our own derivation in the "
    "paper's setting (docs/derivations/), never the paper's theorem."
)
VERDICTS = (
    "Verdicts: `consistent` = agrees within the stated tolerance and the interval was narrow "
    "enough to detect a disagreement; `inconsistent` = disagrees beyond the tolerance with "
    "confidence; `inconclusive` = the evidence cannot decide (the reason says why). Only the "
    "regimes inside a claim's conditions are judged; regimes outside are shown apart."
)


def header(res: CheckResults) -> dict[str, Any]:
    """The opening of a report: title, citation, verdict counts, date and the run (budget,
    device, seed, cost, thread count and package versions)."""
    return {
        "title": res.title, "citation": res.citation, "counts": res.counts(),
        "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "run": (f"budget `{res.budget}`, device `{res.device}` on {res.machine}, "
                f"root seed {res.seed}, {res.seconds:.0f} s, "
                f"{res.runs_computed} simulation runs computed in this run and "
                f"{res.runs_reused} served from the results store (runs shared by several "
                f"claims of this run, or finished by an earlier run of the same code); "
                f"{res.threads} thread{'s' if res.threads != 1 else ''} for torch and BLAS; "
                f"versions {versions_line(res.versions)}"),
    }


def versions_line(versions: dict[str, str]) -> str:
    """``theorycheck 0.2.0, torch 2.13.0, ..., python 3.11.7``."""
    return ", ".join(f"{name} {version}" for name, version in versions.items())


def cell(text: str) -> str:
    """Table-safe Markdown: a '|' inside a cell (as in ||mu||) would split the cell."""
    return text.replace("|", "\\|")


def conditions_line(v: Verdict) -> str:
    """How many regimes lay inside the claim's conditions, and why the others did not."""
    run = v.run
    if not run.outside:
        return f"all {run.regimes} regimes inside the claim's conditions" if run.regimes else ""
    notes = "; ".join(o["note"] for o in run.outside[:3])
    return (f"{run.inside_conditions} of {run.regimes} regimes inside the claim's conditions "
            f"(up to the named constants); outside: {notes}")


def footer(v: Verdict) -> str:
    return (f"{v.run.regimes} regimes, {v.run.trials} trials, {v.run.seconds} s on "
            f"{v.run.device}; measurement `{v.run.measurement}`")


QUOTED = r"'[^'\[\]]*'|\"[^\"\[\]]*\""
NAME_LIST = re.compile(rf"\[((?:{QUOTED})(?:, (?:{QUOTED}))*)\]")
CODE = re.compile(r"`([^`]+)`")


def readable(text: str) -> str:
    """``text`` with Python lists of names (``['d_large', 'eta_small']``) as comma lists."""
    return NAME_LIST.sub(
        lambda m: ", ".join(q[1:-1] for q in re.findall(QUOTED, m.group(1))), text)


def inline(text: Any) -> Markup:
    """``text`` as HTML: escaped, `x` as <code>x</code>, lists of names as comma lists."""
    escaped = html.escape(readable(str(text)), quote=False)
    return Markup(CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


def verdict_parts(v: Verdict) -> tuple[str, list[tuple[str, str]]]:
    """The verdict's reason as one summary line, and for a claim of several parts each
    part's (status, reason); the reason itself and no parts otherwise."""
    if not isinstance(v.evidence, PartsEvidence) or len(v.evidence.parts) < 2:
        return v.reason, []
    parts = [(p.status, p.reason) for p in v.evidence.parts]
    joined = "; ".join(f"[{status}] {reason}" for status, reason in parts)
    at = v.reason.find(joined)
    if at < 0:
        return v.reason, []
    counts = Counter(status for status, _ in parts)
    tally = ", ".join(f"{counts[s]} {s}" for s in ("consistent", "inconsistent", "inconclusive")
                      if counts[s])
    before = v.reason[:at].strip().rstrip(":")
    after = v.reason[at + len(joined):].strip()
    summary = f"{before or f'{len(parts)} parts'}: {tally}"
    return (f"{summary} {after}" if after else summary), parts


def repeated_figures(res: CheckResults) -> dict[tuple[str, int], str]:
    """Figures equal to one shown earlier in the report: (claim, index among the claim's
    figures) -> the claim under which it was first shown."""
    shown: list[tuple[Any, str]] = []
    repeats: dict[tuple[str, int], str] = {}
    for v in res.verdicts:
        for i, fig in enumerate(v.figures()):
            first = next((claim for other, claim in shown if same_figure(other, fig)), None)
            if first is None:
                shown.append((fig, v.claim))
            else:
                repeats[(v.claim, i)] = first
    return repeats


def same_figure(a: Any, b: Any) -> bool:
    """Whether two figure specifications hold the same data (a field whose ``==`` is not a
    plain bool, such as an array, counts as different)."""
    try:
        return bool(a == b)
    except (ValueError, TypeError):
        return False


def markdown(res: CheckResults, figures: dict[str, list[str]],
             probes: list[ProbeResult] | None = None,
             probe_figures: dict[str, list[str]] | None = None) -> str:
    """The report as Markdown; ``figures`` (``probe_figures``) maps a claim (probe) key to
    its PNG paths (relative); ``probes``: the section "Edge regimes probed"."""
    h = header(res)
    c = h["counts"]
    lines = [f"# {res.title}", "", res.citation, "",
             f"Generated by `theorycheck report` on {h['when']}: {h['run']}.", "",
             PROVENANCE, "", VERDICTS, "",
             f"**{c['consistent']} consistent, {c['inconsistent']} inconsistent, "
             f"{c['inconclusive']} inconclusive.**", "",
             tabulate([[v.claim, cell(v.title), v.provenance, f"**{v.status.value}**"]
                       for v in res.verdicts],
                      headers=["claim", "title", "tag", "verdict"], tablefmt="github"), ""]
    repeats = repeated_figures(res)
    for v in res.verdicts:
        summary, parts = verdict_parts(v)
        lines += [f"## {v.claim}: {v.title}  [`{v.provenance}`] — **{v.status.value}**",
                  "", f"*Claim.* {v.statement}", "", f"*Source.* {v.source}", "",
                  f"*Verdict.* {readable(summary)}", ""]
        if parts:
            lines += [f"- **{status}** {readable(reason)}" for status, reason in parts] + [""]
        if conditions_line(v):
            lines += [f"*Conditions.* {readable(conditions_line(v))}", ""]
        for table in v.tables():
            lines += [f"<details><summary>{html.escape(table.caption)}</summary>", "",
                      tabulate([[cell(x) for x in row] for row in cells(table)],
                               headers=list(table.columns), tablefmt="github"),
                      "", "</details>", ""]
        lines += [f"*The same figure as under {repeats[(v.claim, i)]} above.*"
                  if (v.claim, i) in repeats else f"![{v.claim}]({path})"
                  for i, path in enumerate(figures.get(v.claim, []))] + [""]
        lines += [f"<sub>{footer(v)}</sub>", ""]
    lines += markdown_section(probes or [], probe_figures or {})
    return "\n".join(lines)


_ENV = Environment(autoescape=True)
_ENV.filters["inline"] = inline
_HTML = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ h.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;
overflow-wrap:break-word}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0;display:block;max-width:100%;
overflow-x:auto}
code{background:#f3f3f3;padding:0 3px}
.same{color:#555;font-style:italic}
ul.parts{margin:.2em 0 .6em;padding-left:1.4em}ul.parts li{margin:.25em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
.consistent{color:#17622e;font-weight:bold}.inconsistent{color:#a31515;font-weight:bold}
.inconclusive{color:#8a6d00;font-weight:bold}
.tag{font-family:monospace;background:#eee;padding:0 4px}
img{max-width:100%;border:1px solid #ddd;margin:.3em 0}
section{border-top:1px solid #ddd;margin-top:1.5em}
</style></head><body>
<h1>{{ h.title }}</h1><p>{{ h.citation|inline }}</p>
<p>Generated by <code>theorycheck report</code> on {{ h.when }}: {{ h.run|inline }}.</p>
<p>{{ provenance|inline }}</p><p>{{ verdicts_text|inline }}</p>
<p><b>{{ h.counts.consistent }} consistent, {{ h.counts.inconsistent }} inconsistent,
{{ h.counts.inconclusive }} inconclusive.</b></p>
<table><tr><th>claim</th><th>title</th><th>tag</th><th>verdict</th></tr>
{% for v in verdicts %}<tr><td><a href="#{{ v.claim }}">{{ v.claim }}</a></td>
<td style="text-align:left">{{ v.title|inline }}</td>
<td><span class="tag">{{ v.provenance }}</span></td>
<td class="{{ v.status.value }}">{{ v.status.value }}</td></tr>{% endfor %}</table>
{% for v in verdicts %}<section id="{{ v.claim }}">
<h2>{{ v.claim }}: {{ v.title|inline }} <span class="tag">{{ v.provenance }}</span>
<span class="{{ v.status.value }}">{{ v.status.value }}</span></h2>
<p><i>Claim.</i> {{ v.statement|inline }}</p><p><i>Source.</i> {{ v.source|inline }}</p>
{% set summary, parts = verdict[v.claim] %}<p><i>Verdict.</i> {{ summary|inline }}</p>
{% if parts %}<details><summary>the {{ parts|length }} parts of the verdict</summary>
<ul class="parts">{% for status, reason in parts %}
<li><span class="{{ status }}">{{ status }}</span> {{ reason|inline }}</li>{% endfor %}
</ul></details>{% endif %}
{% if conditions[v.claim] %}<p><i>Conditions.</i> {{ conditions[v.claim]|inline }}</p>{% endif %}
{% for img in images.get(v.claim, []) %}{% set first = repeats.get((v.claim, loop.index0)) %}
{% if first %}<p class="same">The same figure as under <a href="#{{ first }}">{{ first }}</a>
above.</p>{% else %}<img src="data:image/png;base64,{{ img }}" alt="{{ v.claim }}">{% endif %}
{% endfor %}
{% for t in tables[v.claim] %}<details><summary>{{ t.caption|inline }}</summary>
<table><tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in t.cells %}<tr>{% for c in row %}<td>{{ c|inline }}</td>{% endfor %}</tr>{% endfor %}
</table></details>{% endfor %}
<p><small>{{ footers[v.claim]|inline }}</small></p>
</section>{% endfor %}
{{ probes_html }}
</body></html>
""")


def html_page(res: CheckResults, images: dict[str, list[bytes]],
              probes: list[ProbeResult] | None = None,
              probe_images: dict[str, list[bytes]] | None = None) -> str:
    """The report as one self-contained HTML page (figures inlined as base64 PNG)."""
    encoded = {k: [base64.b64encode(b).decode() for b in v]
               for k, v in (probe_images or {}).items()}
    return _HTML.render(
        probes_html=Markup(html_section(probes or [], encoded)),
        h=header(res), provenance=PROVENANCE, verdicts_text=VERDICTS, verdicts=res.verdicts,
        verdict={v.claim: verdict_parts(v) for v in res.verdicts},
        repeats=repeated_figures(res),
        images={k: [base64.b64encode(b).decode() for b in v] for k, v in images.items()},
        tables={v.claim: [{"caption": t.caption, "columns": t.columns, "cells": cells(t)}
                          for t in v.tables()] for v in res.verdicts},
        conditions={v.claim: conditions_line(v) for v in res.verdicts},
        footers={v.claim: footer(v) for v in res.verdicts},
    )
