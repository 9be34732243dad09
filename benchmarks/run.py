"""Run every benchmark, print a Markdown table, write ``benchmarks/results.json``.

From the repository root: ``python -m benchmarks.run`` or ``python benchmarks/run.py``.
Options: ``--device cuda`` (skipped with a message when CUDA is absent), ``--repeats N``
(interleaved repetitions per comparison; medians are reported), ``--steps T`` (two-layer GD
steps), ``--numpy-threads K`` (OpenBLAS threads of the numpy baseline; 0 = library default),
``--only two_layer|least_squares|queries|busy``, ``--busy-budget B`` (the budget of the
check run beside busy neighbours; default quick), ``--out PATH``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # ``python benchmarks/run.py``: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (  # noqa: E402
    bench_busy,
    bench_least_squares,
    bench_queries,
    bench_two_layer,
)
from benchmarks.common import machine, resolve_device, set_numpy_blas_threads, table  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="theorycheck speed benchmarks")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--numpy-threads", type=int, default=1)
    parser.add_argument("--only", choices=("two_layer", "least_squares", "queries", "busy"),
                        default=None)
    parser.add_argument("--busy-budget", default="quick")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    if device is None:
        return 0
    blas_threads = set_numpy_blas_threads(args.numpy_threads)
    info = machine(device)
    info["numpy_blas_threads"] = blas_threads
    start = time.perf_counter()
    rows = []
    if args.only in (None, "least_squares"):
        rows += bench_least_squares.run(device, repeats=max(args.repeats, 5))
        print(f"[benchmarks] least_squares done ({len(rows)} rows)", flush=True)
    single: list[dict] = []
    if args.only in (None, "two_layer"):
        rows += bench_two_layer.run(device, repeats=args.repeats, steps=args.steps)
        single = [bench_two_layer.one_network(d, args.steps, device)
                  for d in (10_000, 1_000_000, 10_000_000)]
        single.append(bench_two_layer.one_network(0, args.steps, device, "wishart"))
    if args.only in (None, "queries"):
        rows += bench_queries.run(repeats=args.repeats)
    busy = bench_busy.run(budget=args.busy_budget) if args.only in (None, "busy") else []
    info["load_average_end"] = machine(device)["load_average"]
    info["total_seconds"] = round(time.perf_counter() - start, 1)
    print()
    print(table(rows))
    for row in single:
        print(f"one network d={row['d']:.0e} ({row['draws']}): {row['seconds']:.1f} s, peak memory "
              f"{row['peak_bytes'] / 2**20:.0f} MiB, {row['steps_run']} steps")
    print(f"\n{info['cpu_model']}, {info['cores']} cores, torch {info['torch']} "
          f"({info['torch_threads']} threads), numpy BLAS threads {blas_threads}, "
          f"device {device}; load average {info['load_average']} -> "
          f"{info['load_average_end']}; {info['total_seconds']} s; {info['date']}")
    for row in busy:
        print(f"{row['name']}, {row['threads']} threads: slowdown {row['slowdown']}x against "
              f"a fair share of {row['expected_slowdown']}x")
    args.out.write_text(json.dumps({"machine": info, "results": rows, "one_network": single,
                                    "busy": busy}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
