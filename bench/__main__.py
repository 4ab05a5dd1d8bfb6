"""``python -m bench run --scale 0.01`` | ``python -m bench plot RESULTS.json... -o latency.png``.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.db import PROJECT_ROOT
from bench.suite import STEPS

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/policy_tracker_bench"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="generate, load and benchmark; prints the results table")
    run.add_argument(
        "--scale", type=float, default=1.0, help="1.0: 3,000 regions, ~6M observations"
    )
    run.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="a database whose name contains 'bench'; dropped and recreated",
    )
    run.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds per repetition of a load test (default: 1 at scale <= 0.01, else 10)",
    )
    run.add_argument("--reps", type=int, default=3)
    run.add_argument("--concurrency", type=int, default=4, help="connections of the load tools")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn workers per server (1, as python -m app serve and the Dockerfile run it; "
        "with more, uvicorn's supervisor kills a worker that misses its 5 s health check)",
    )
    run.add_argument(
        "--tool",
        choices=["auto", "python", "wrk"],
        default="auto",
        help="HTTP load tool (auto: wrk when installed)",
    )
    run.add_argument("--sql-tool", choices=["auto", "pgbench", "psycopg"], default="auto")
    run.add_argument(
        "--growth",
        type=int,
        default=10,
        help="factor for the growth runs (history, regions); 1 skips them",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds before one request (or SQL statement) counts as timed out",
    )
    run.add_argument(
        "--ingest-budget",
        type=float,
        default=1800.0,
        help="seconds per API ingest repetition before it stops",
    )
    run.add_argument("--ingest-rows", type=int, default=None, help="post only the first N rows")
    run.add_argument(
        "--regions", type=int, default=20, help="regions (and target ids) rotated over"
    )
    run.add_argument("--mem-limit-gb", type=float, default=8.0, help="address-space cap per server")
    run.add_argument("--skip", default="", help=f"comma-separated steps to skip: {','.join(STEPS)}")
    run.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    run.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database an earlier run kept (--keep) at the same scale: migrated, "
        "not reloaded, and kept (the growth step, which reloads, is skipped)",
    )
    run.add_argument(
        "--refresh",
        action="store_true",
        help="with --reuse: run python -m app progress refresh before measuring",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results JSON (default bench/results/run-scale-SCALE.json)",
    )
    run.add_argument("--log-dir", type=Path, default=None, help="server logs (default: a temp dir)")
    plot = sub.add_parser("plot", help="latency against data size from results JSON files")
    plot.add_argument("results", nargs="+", type=Path)
    plot.add_argument("-o", "--output", type=Path, default=PROJECT_ROOT / "bench" / "latency.png")
    table = sub.add_parser("table", help="print the table of a results JSON file")
    table.add_argument("results", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "plot":
        from bench.plot import plot

        plot(args.results, args.output)
        print(f"wrote {args.output}")
        return 0
    from bench.suite import Options, Run, table

    if args.command == "table":
        print(table(json.loads(args.results.read_text())))
        return 0
    import tempfile

    skip = tuple(s.strip() for s in args.skip.split(",") if s.strip())
    unknown = set(skip) - set(STEPS)
    if unknown:
        print(
            f"--skip: unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}", file=sys.stderr
        )
        return 2
    duration = args.duration if args.duration is not None else (1.0 if args.scale <= 0.01 else 10.0)
    out = args.out or PROJECT_ROOT / "bench" / "results" / f"run-scale-{args.scale:g}.json"
    opts = Options(
        scale=args.scale,
        database_url=args.database_url,
        duration=duration,
        reps=args.reps,
        concurrency=args.concurrency,
        workers=args.workers,
        tool=args.tool,
        sql_tool=args.sql_tool,
        growth=args.growth,
        timeout=args.timeout,
        ingest_budget=args.ingest_budget,
        ingest_rows=args.ingest_rows,
        regions=args.regions,
        mem_limit_gb=args.mem_limit_gb,
        skip=skip,
        keep=args.keep,
        reuse=args.reuse,
        refresh=args.refresh,
        out=out,
        log_dir=args.log_dir or Path(tempfile.mkdtemp(prefix="bench-logs-")),
    )
    result = Run(opts).run()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print()
    print(table(result))
    print(f"\nwall time {result['wall_s']:.1f} s; results in {out}; server logs in {opts.log_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
