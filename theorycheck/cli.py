"""Command line: ``theorycheck list | describe | query | plan | check | probe | report``.

Every error is one line on stderr with a non-zero exit (2 for bad input); ``--debug`` shows
the traceback instead; echoed values longer than 200 characters are clipped. Warnings (e.g.
a stored row failing its checksum) are one line each. Values on the command line are parsed
as numbers or names, never evaluated. With ``--json`` stdout holds nothing but the JSON:
whatever a plugin prints meanwhile (Python's ``print``, writes to fd 1, C's ``printf``) goes
to stderr, and so does the verdict summary that ends ``check`` and ``report``.
"""

from __future__ import annotations

import argparse
import ctypes
import io
import json
import os
import sys
import textwrap
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TextIO

from tabulate import tabulate

import theorycheck
from theorycheck.params import Param, clipped, parse_value, shown
from theorycheck.probes import ProbeResult
from theorycheck.reporting.probes import FOUND_HEADERS, REGIME_HEADERS, found_rows, regime_rows
from theorycheck.verdicts import Status

ECHO_WIDTH = 200
"""Characters of one echoed word (or of a whole error line, times 5) shown before it is
clipped."""


def one_line(text: str) -> str:
    """``text`` as one printable line: whitespace runs become one space and other
    non-printable characters (control characters, line separators such as U+2028 or
    \\x1d) are escaped, so that echoed user input can neither break the line nor drive
    the terminal."""
    out = "".join(c if c.isprintable() or c.isspace() else c.encode("unicode_escape").decode()
                  for c in text)
    words = " ".join(clipped(word, ECHO_WIDTH) for word in out.split())
    return clipped(words, 5 * ECHO_WIDTH)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) and help whose examples keep their lines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def parse_pairs(pairs: Sequence[str]) -> dict[str, int | float | str]:
    """``name=value`` pairs as a dict of parsed values."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"parameters are written name=value, got {shown(pair, 200)}")
        params[name.strip()] = parse_value(value)
    return params


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", default="quick", help="smoke, quick (default) or full")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--seed", type=int, default=0, help="root seed of the run")
    p.add_argument("--store", default=None, help="SQLite results file "
                   "(default $THEORYCHECK_STORE or .theorycheck/results.sqlite)")
    p.add_argument("--quiet", action="store_true", help="no progress bars (with --json, no "
                   "verdict summary on stderr either)")
    p.add_argument("--threads", default=None, help="threads for torch and BLAS (default "
                   "$THEORYCHECK_THREADS, else half the CPUs)")
    p.add_argument("--backend", default="local",
                   help="local (this process, the default) or ray (a Ray cluster)")
    p.add_argument("--address", default=None, help="with --backend ray: the cluster to join, "
                   "HOST:PORT (default: start a local Ray)")


EXAMPLES = {
    "theorycheck": ["theorycheck list", "theorycheck describe chang2021",
                    "theorycheck query chang2021 n=200 p=400 s=150",
                    "theorycheck check ols --budget smoke",
                    "theorycheck report --papers ols --budget smoke --out reports",
                    "theorycheck --version"],
    "list": ["theorycheck list"],
    "describe": ["theorycheck describe yang2023", "theorycheck describe ols --json"],
    "query": ["theorycheck query chang2021 n=200 p=400 s=150 design=L1",
              "theorycheck query yang2023 K=3 m=20 n=60 d=1000 p=0.5 mu=10 --json"],
    "plan": ["theorycheck plan yang2023 regime=over-pruned",
             "theorycheck plan yang2023 regime=mild --estimate --json"],
    "check": ["theorycheck check ols --budget smoke",
              "theorycheck check chang2021 --claims C1,C9 --json --threads 1"],
    "probe": ["theorycheck probe chang2021 --examples 30",
              "theorycheck probe ols --claims E1 --examples 100 --json"],
    "report": ["theorycheck report --budget quick --out reports",
               "theorycheck report --papers ols --budget smoke --probe-examples 0 "
               "--suffix -smoke"],
}
"""Example command lines, shown at the end of each command's ``--help``."""


def examples(command: str) -> str:
    """The ``--help`` epilog of ``command``: its example command lines, one a line."""
    return "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])


def version_text() -> str:
    """theorycheck's version, then each installed paper's distribution, one a line."""
    return (f"theorycheck {theorycheck.__version__}\n"
            + "".join(f"  {p.key}: {p.distribution}\n" for p in theorycheck.installed()))


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_text` and exit (the papers are looked up only
    when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 help: str | None = None) -> None:  # noqa: A002 - argparse's keyword
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> NoReturn:
        sys.stdout.write(version_text())
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="theorycheck", description=theorycheck.__doc__,
                    epilog=examples("theorycheck"))
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action=VersionAction,
                        help="theorycheck's version and the installed papers' distributions")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="the installed papers and the packages they come from")
    d = sub.add_parser("describe", help="a paper's parameters (ranges, defaults), claims "
                       "(tag, title, sweep size per budget) and probes")
    d.add_argument("paper")
    d.add_argument("--json", action="store_true")
    q = sub.add_parser("query", help="conditions, regime and predictions at a parameter point")
    q.add_argument("paper")
    q.add_argument("params", nargs="*", help="name=value pairs (numbers or names)")
    q.add_argument("--json", action="store_true")
    pl = sub.add_parser("plan", help="the cheapest regime inside the theorem's conditions")
    pl.add_argument("paper")
    pl.add_argument("params", nargs="*", help="regime=NAME, fixed parameters and named "
                    "constants as name=value pairs")
    pl.add_argument("--estimate", action="store_true",
                    help="also measure an estimate of one network's run time")
    pl.add_argument("--device", default="cpu", help="device of the run-time estimate")
    pl.add_argument("--json", action="store_true")
    c = sub.add_parser("check", help="check a paper's claims against simulation")
    c.add_argument("paper")
    c.add_argument("--claims", default=None, help="comma-separated claim keys (default all)")
    c.add_argument("--json", action="store_true")
    _run_options(c)
    pr = sub.add_parser("probe", help="probe a paper's claims regime by regime (Hypothesis): "
                        "edges of the ranges, both sides of the conditions' boundaries")
    pr.add_argument("paper")
    pr.add_argument("--claims", default=None, help="comma-separated probe keys, or keys of the "
                    "claims they probe (default all)")
    pr.add_argument("--examples", type=int, default=20, help="regimes drawn per probe "
                    "(default 20)")
    pr.add_argument("--json", action="store_true")
    _run_options(pr)
    r = sub.add_parser("report", help="write Markdown + HTML reports with figures")
    r.add_argument("--probe-examples", type=int, default=None,
                   help="regimes drawn per probe (default by budget: smoke 4, quick 8, "
                        "full 50; 0: no probes)")
    r.add_argument("--papers", default=None, help="comma-separated paper keys (default all)")
    r.add_argument("--out", default="reports")
    r.add_argument("--suffix", default="", help="file-name suffix, e.g. -full")
    _run_options(r)
    for name, command in sub.choices.items():
        command.epilog = examples(name)
    return parser


def param_dict(spec: Param) -> dict[str, Any]:
    """A parameter as ``describe`` shows it: name, kind, allowed values, default, meaning."""
    return {"name": spec.name, "kind": spec.kind, "allowed": spec.allowed(),
            "default": spec.default, "description": spec.description}


def description(key: str) -> dict[str, Any]:
    """What ``describe`` shows of an installed paper: its parameters (one list per model),
    its claims (key, provenance tag, title, measurement, points and runs per budget) and its
    probes (key, the claim probed, title)."""
    paper = theorycheck.get_paper(key)
    dist = {p.key: p.distribution for p in theorycheck.installed()}.get(paper.key, "?")

    def size(points: Sequence[Any]) -> dict[str, int]:
        return {"points": len(points), "runs": sum(pt.trials for pt in points)}

    return {
        "paper": paper.key, "title": paper.title, "citation": paper.citation,
        "distribution": dist,
        "parameters": [[param_dict(s) for s in model] for model in paper.query_parameters],
        "claims": [{"key": c.key, "provenance": c.provenance, "title": c.title,
                    "measurement": c.measurement,
                    "budgets": {b: size(c.sweep(b)) for b in paper.budgets}}
                   for c in paper.claims()],
        "probes": [{"key": p.key, "claim": p.claim, "title": p.title}
                   for p in paper.probes()],
    }


def print_description(d: dict[str, Any], out: TextIO) -> None:
    """:func:`description` as text: a table of parameters per model, of claims, of probes."""
    print(f"paper: {d['paper']}\ntitle: {d['title']}\ncitation: {d['citation']}\n"
          f"distribution: {d['distribution']}", file=out)
    for i, model in enumerate(d["parameters"], 1):
        print(f"\nparameters (model {i} of {len(d['parameters'])}):", file=out)
        print(tabulate([[p["name"], p["kind"], p["allowed"],
                         "-" if p["default"] is None else p["default"], p["description"]]
                        for p in model],
                       headers=["name", "kind", "allowed", "default", "description"]),
              file=out)
    budgets = list(d["claims"][0]["budgets"]) if d["claims"] else []
    print("\nclaims (points / runs per budget):", file=out)
    print(tabulate([[c["key"], c["provenance"], c["title"], c["measurement"] or "-",
                     *(f"{c['budgets'][b]['points']} / {c['budgets'][b]['runs']}"
                       for b in budgets)] for c in d["claims"]],
                   headers=["claim", "tag", "title", "measurement", *budgets]), file=out)
    print("\nprobes:", file=out)
    print(tabulate([[p["key"], p["claim"] or "-", p["title"]] for p in d["probes"]],
                   headers=["probe", "claim", "title"]), file=out)


def summary_lines(results: Sequence[dict[str, Any]]) -> list[str]:
    """The verdict summary that ends ``check`` and ``report``: the counts per status of
    each paper, then one line per claim not judged consistent (from each paper's
    ``CheckResults.to_dict()``)."""
    lines = ["summary:"]
    for res in results:
        counts = Counter(v["status"] for v in res["verdicts"])
        names = [s.value for s in Status] + sorted(set(counts) - {s.value for s in Status})
        lines.append(f"  {res['paper']}: " + ", ".join(f"{counts[n]} {n}" for n in names))
    lines += [f"  {res['paper']} {v['claim']} {v['status']}: "
              f"{textwrap.shorten(one_line(v['reason']), 110, placeholder=' ...')}"
              for res in results for v in res["verdicts"]
              if v["status"] != Status.CONSISTENT.value]
    return lines


def print_summary(args: argparse.Namespace, results: Sequence[dict[str, Any]],
                  out: TextIO) -> None:
    """The verdict summary after the command's output; with ``--json`` on stderr instead
    (stdout holds the JSON alone), where ``--quiet`` leaves it out."""
    if not getattr(args, "json", False):
        print("\n".join(summary_lines(results)), file=out)
    elif not args.quiet:
        print("\n".join(summary_lines(results)), file=sys.stderr)


def print_probe(res: ProbeResult, budget: str, seed: int, out: TextIO) -> None:
    """A probe's headline, what it found (the shrunk counterexample, then the bracket of the
    refuted region's edge), every regime judged, and how to rerun the counterexample."""
    p = res.probe
    print(f"{p.paper} probe {p.key} ({p.claim or '-'}): {res.headline()}", file=out)
    rows = found_rows(res)
    if rows:
        print(tabulate(rows, headers=FOUND_HEADERS), file=out)
    print(tabulate(regime_rows(res), headers=REGIME_HEADERS), file=out)
    if res.shrunk is not None:
        print(f"counterexample rerun: seeds {res.shrunk.seeds} (budget {budget}, seed {seed})",
              file=out)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run the parsed command; what it prints for the user goes to ``out``."""
    if args.command == "list":
        for info in theorycheck.installed():
            try:
                title = theorycheck.get_paper(info.key).title
            except ValueError as err:  # a broken plugin is listed with its error
                title = f"error: {one_line(str(err))}"
            print(f"{info.key}\t{info.distribution}\t{info.target}\t{title}", file=out)
    elif args.command == "describe":
        d = description(args.paper)
        if args.json:
            print(json.dumps(d, indent=1, allow_nan=False), file=out)
        else:
            print_description(d, out)
    elif args.command == "query":
        rep = theorycheck.query(args.paper, **parse_pairs(args.params))
        print(json.dumps(rep.to_dict(), indent=1, allow_nan=False) if args.json else rep,
              file=out)
    elif args.command == "plan":
        rep = theorycheck.plan(args.paper, **parse_pairs(args.params),
                               **({"estimate": True, "device": args.device}
                                  if args.estimate else {}))
        print(json.dumps(rep.to_dict(), indent=1, allow_nan=False) if args.json else rep,
              file=out)
    elif args.command == "check":
        res = theorycheck.check(
            args.paper, budget=args.budget, device=args.device, seed=args.seed,
            claims=args.claims.split(",") if args.claims else None, store=args.store,
            progress=not args.quiet, backend=args.backend, address=args.address,
            threads=args.threads)
        if args.json:
            print(json.dumps(res.to_dict(), indent=1, allow_nan=False), file=out)
        else:
            print(tabulate([[v.claim, v.provenance, v.status.value, v.reason[:110]]
                            for v in res.verdicts],
                           headers=["claim", "tag", "verdict", "reason"]), file=out)
        print_summary(args, [res.to_dict()], out)
    elif args.command == "probe":
        results = theorycheck.probe(
            args.paper, args.claims.split(",") if args.claims else None,
            examples=args.examples, budget=args.budget, device=args.device, seed=args.seed,
            store=args.store, progress=not args.quiet, backend=args.backend,
            address=args.address, threads=args.threads)
        if args.json:
            print(json.dumps([r.to_dict() for r in results], indent=1, allow_nan=False),
                  file=out)
        for r in results if not args.json else []:
            print_probe(r, args.budget, args.seed, out)
    else:
        paths = theorycheck.report(
            args.papers.split(",") if args.papers else None, budget=args.budget,
            out=args.out, suffix=args.suffix, probe_examples=args.probe_examples,
            device=args.device, seed=args.seed,
            store=args.store, progress=not args.quiet, backend=args.backend,
            address=args.address, threads=args.threads)
        print("\n".join(str(p) for p in paths), file=out)
        reports = [json.loads(p.read_text(encoding="utf-8")) for p in paths if p.suffix == ".json"]
        print_summary(args, reports, out)
    return 0


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line on stderr (``warnings.showwarning``'s signature)."""
    print(f"theorycheck: warning: {one_line(str(message))}", file=file or sys.stderr)


def flush_c_stdio() -> None:
    """Flush C's stdio buffers (a plugin's ``printf``) where the C library is reachable."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, TypeError, AttributeError):  # no C library by that name (e.g. Windows)
        pass


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Meanwhile, whatever is printed to stdout goes to stderr: Python's ``sys.stdout``,
    writes to file descriptor 1 and C's buffered stdio (flushed before fd 1 is restored)."""
    sys.stdout.flush()
    flush_c_stdio()
    saved, saved_fd = sys.stdout, os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stderr.flush()
        flush_c_stdio()
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
        sys.stdout = saved


def run_command(args: argparse.Namespace) -> int:
    """:func:`run`; with ``--json``, stdout receives the JSON alone, once the command ran with
    stdout sent to stderr."""
    if not getattr(args, "json", False):
        return run(args, sys.stdout)
    buffer = io.StringIO()
    with stdout_to_stderr():
        code = run(args, buffer)
    sys.stdout.write(buffer.getvalue())
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return run_command(args)
    except KeyboardInterrupt:
        print("theorycheck: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # every error is one line; --debug shows the traceback
        if args.debug:
            raise
        bad_input = isinstance(err, ValueError)
        text = one_line(str(err)) or type(err).__name__
        kind = "error" if bad_input else f"error ({type(err).__name__})"
        print(f"theorycheck: {kind}: {text}", file=sys.stderr)
        return 2 if bad_input else 1


if __name__ == "__main__":
    sys.exit(main())
