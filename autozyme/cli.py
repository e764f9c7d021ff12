"""``python -m autozyme``: ``status``, ``run SCRIPT [ARGS...]`` with the patches active, and
``bench`` (the benchmark suite)."""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys


def _status(args: argparse.Namespace) -> int:
    from .reporting import format_report, report

    print(json.dumps(report(), indent=2, default=str) if args.json else format_report())
    return 0


def _run(args: argparse.Namespace) -> int:
    from .activation import activate

    script = args.script
    sys.argv = [script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    activate("scanpy")
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    finally:
        if args.report:
            from .reporting import format_report

            sys.stdout.flush()
            print(format_report(), file=sys.stderr)
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _bench(args: argparse.Namespace) -> int:
    from .bench.cli import main as bench_main

    return bench_main(args.args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autozyme", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    status = sub.add_parser("status", help="patched functions, versions, verification, calls")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_status)
    run = sub.add_parser("run", help="run a Python script with the patches active")
    run.add_argument("--report", action="store_true", help="print the per-call summary at exit")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    run.set_defaults(func=_run)
    # Its options are parsed by autozyme.bench.cli (imported only when used): "+" as the
    # prefix makes this parser hand every "--option" through untouched.
    bench = sub.add_parser(
        "bench",
        help="benchmark against upstream scanpy (see: bench --help)",
        add_help=False,
        prefix_chars="+",
    )
    bench.add_argument("args", nargs="*")
    bench.set_defaults(func=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
