"""Command line: ``theorycheck list | query PAPER k=v ... [--json] | check PAPER | report``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from tabulate import tabulate

import theorycheck
from theorycheck.claims import BUDGETS
from theorycheck.regime import parse_value


def _parse_pairs(pairs: Sequence[str]) -> dict[str, int | float | str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"parameters are written name=value, got {pair!r}")
        params[name.strip()] = parse_value(value)
    return params


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", choices=BUDGETS, default="quick")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--seed", type=int, default=0, help="root seed of the run")
    p.add_argument("--store", default=None, help="SQLite results file "
                   "(default $THEORYCHECK_STORE or .theorycheck/results.sqlite)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="theorycheck", description=theorycheck.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the papers theorycheck knows")
    q = sub.add_parser("query", help="conditions, regime and predictions at a parameter point")
    q.add_argument("paper")
    q.add_argument("params", nargs="*", help="name=value pairs (numbers or names)")
    q.add_argument("--json", action="store_true")
    c = sub.add_parser("check", help="check a paper's claims against simulation")
    c.add_argument("paper")
    c.add_argument("--claims", default=None, help="comma-separated claim keys (default all)")
    c.add_argument("--json", action="store_true")
    _common(c)
    r = sub.add_parser("report", help="write Markdown + HTML reports with figures")
    r.add_argument("--papers", default=None, help="comma-separated paper keys (default all)")
    r.add_argument("--out", default="reports")
    r.add_argument("--suffix", default="", help="file-name suffix, e.g. -full")
    _common(r)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            for key in theorycheck.papers():
                print(f"{key}\t{theorycheck.get_paper(key).title}")
        elif args.command == "query":
            rep = theorycheck.query(args.paper, **_parse_pairs(args.params))
            print(json.dumps(rep.to_dict(), indent=1) if args.json else rep)
        elif args.command == "check":
            res = theorycheck.check(
                args.paper, budget=args.budget, device=args.device, seed=args.seed,
                claims=args.claims.split(",") if args.claims else None, store=args.store,
                progress=not args.quiet)
            if args.json:
                print(json.dumps(res.to_dict(), indent=1, default=str))
            else:
                print(tabulate([[v.claim, v.provenance, v.status.value, v.reason[:110]]
                                for v in res.verdicts],
                               headers=["claim", "tag", "verdict", "reason"]))
        else:
            paths = theorycheck.report(
                args.papers.split(",") if args.papers else None, budget=args.budget,
                out=args.out, suffix=args.suffix, device=args.device, seed=args.seed,
                store=args.store, progress=not args.quiet)
            print("\n".join(str(p) for p in paths))
    except ValueError as err:
        print(f"theorycheck: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
