"""Command line: ``theorycheck list | query | plan | check | probe | report``.

Every error is one line on stderr with a non-zero exit (2 for bad input); ``--debug`` shows
the traceback instead. Warnings (e.g. a stored row failing its checksum) are one line each.
Values on the command line are parsed as numbers or names, never evaluated.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn, TextIO

from tabulate import tabulate

import theorycheck
from theorycheck.params import parse_value
from theorycheck.reporting.probes import REGIME_HEADERS, regime_rows


def one_line(text: str) -> str:
    """``text`` as one printable line: whitespace runs become one space and other
    non-printable characters (control characters, line separators such as U+2028 or
    \\x1d) are escaped, so that echoed user input can neither break the line nor drive
    the terminal."""
    out = "".join(c if c.isprintable() or c.isspace() else c.encode("unicode_escape").decode()
                  for c in text)
    return " ".join(out.split())


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def parse_pairs(pairs: Sequence[str]) -> dict[str, int | float | str]:
    """``name=value`` pairs as a dict of parsed values."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"parameters are written name=value, got {pair!r}")
        params[name.strip()] = parse_value(value)
    return params


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", default="quick", help="smoke, quick (default) or full")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--seed", type=int, default=0, help="root seed of the run")
    p.add_argument("--store", default=None, help="SQLite results file "
                   "(default $THEORYCHECK_STORE or .theorycheck/results.sqlite)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--threads", default=None, help="threads for torch and BLAS (default "
                   "$THEORYCHECK_THREADS, else half the CPUs)")
    p.add_argument("--backend", default="local",
                   help="local (this process, the default) or ray (a Ray cluster)")
    p.add_argument("--address", default=None, help="with --backend ray: the cluster to join, "
                   "HOST:PORT (default: start a local Ray)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="theorycheck", description=theorycheck.__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="the installed papers and the packages they come from")
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
    return parser


def run(args: argparse.Namespace) -> int:
    if args.command == "list":
        for info in theorycheck.installed():
            print(f"{info.key}\t{info.distribution}\t{info.target}\t"
                  f"{theorycheck.get_paper(info.key).title}")
    elif args.command == "query":
        rep = theorycheck.query(args.paper, **parse_pairs(args.params))
        print(json.dumps(rep.to_dict(), indent=1, allow_nan=False) if args.json else rep)
    elif args.command == "plan":
        rep = theorycheck.plan(args.paper, **parse_pairs(args.params),
                               **({"estimate": True, "device": args.device}
                                  if args.estimate else {}))
        print(json.dumps(rep.to_dict(), indent=1, allow_nan=False) if args.json else rep)
    elif args.command == "check":
        res = theorycheck.check(
            args.paper, budget=args.budget, device=args.device, seed=args.seed,
            claims=args.claims.split(",") if args.claims else None, store=args.store,
            progress=not args.quiet, backend=args.backend, address=args.address,
            threads=args.threads)
        if args.json:
            print(json.dumps(res.to_dict(), indent=1, allow_nan=False))
        else:
            print(tabulate([[v.claim, v.provenance, v.status.value, v.reason[:110]]
                            for v in res.verdicts],
                           headers=["claim", "tag", "verdict", "reason"]))
    elif args.command == "probe":
        results = theorycheck.probe(
            args.paper, args.claims.split(",") if args.claims else None,
            examples=args.examples, budget=args.budget, device=args.device, seed=args.seed,
            store=args.store, progress=not args.quiet, backend=args.backend,
            address=args.address, threads=args.threads)
        if args.json:
            print(json.dumps([r.to_dict() for r in results], indent=1, allow_nan=False))
        for r in results if not args.json else []:
            print(f"{r.probe.paper} probe {r.probe.key} ({r.probe.claim or '-'}): "
                  f"{r.headline()}")
            print(tabulate(regime_rows(r), headers=REGIME_HEADERS))
            if r.counterexample is not None:
                print(f"counterexample rerun: seeds {r.counterexample.seeds} (budget "
                      f"{args.budget}, seed {args.seed})")
    else:
        paths = theorycheck.report(
            args.papers.split(",") if args.papers else None, budget=args.budget,
            out=args.out, suffix=args.suffix, probe_examples=args.probe_examples,
            device=args.device, seed=args.seed,
            store=args.store, progress=not args.quiet, backend=args.backend,
            address=args.address, threads=args.threads)
        print("\n".join(str(p) for p in paths))
    return 0


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line on stderr (``warnings.showwarning``'s signature)."""
    print(f"theorycheck: warning: {' '.join(str(message).split())}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return run(args)
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
