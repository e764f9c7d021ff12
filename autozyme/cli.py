"""``python -m autozyme``: ``status``, ``verify`` (prove this environment against the
installed upstream), ``run SCRIPT [ARGS...]`` with the patches active, and ``bench`` (the
benchmark suite)."""

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


def _verify(args: argparse.Namespace) -> int:
    """Exit 0: every flavor passed; 1: a mismatch (or a side failed); 2: a flavor cannot
    be verified here (no verdict could switch its fast path on)."""
    from datetime import datetime, timezone

    from .reporting import format_verdict
    from .verification import detected_versions, local, probe, unverified_reason

    flavors = ["igraph", "leidenalg"] if args.flavor == "all" else [args.flavor]
    versions = detected_versions()
    results: dict[str, dict] = {}
    for flavor in flavors:
        problem = local.hard_problem(flavor)
        if problem:
            results[flavor] = {"passed": False, "verifiable": False, "problem": problem}
    for flavor, verdict in probe.verify([f for f in flavors if f not in results]).items():
        verdict["recorded_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        verdict["path"] = str(local.record(flavor, versions, verdict))
        results[flavor] = {"verifiable": True, **verdict}
    for flavor, result in results.items():
        result["fast_path_problem"] = unverified_reason(flavor)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("\n".join(format_verdict(flavor, results[flavor]) for flavor in flavors))
    if any(r["verifiable"] and not r["passed"] for r in results.values()):
        return 1
    return 0 if all(r["passed"] for r in results.values()) else 2


def _run(args: argparse.Namespace) -> int:
    from ._bootstrap import requested_targets
    from .activation import activate

    script = args.script
    sys.argv = [script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    activate(*requested_targets(args.targets))
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
    verify = sub.add_parser(
        "verify",
        help="prove this environment: compare the fast path with the installed upstream",
    )
    verify.add_argument("--flavor", choices=("igraph", "leidenalg", "all"), default="all")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(func=_verify)
    run = sub.add_parser("run", help="run a Python script with the patches active")
    run.add_argument("--report", action="store_true", help="print the per-call summary at exit")
    run.add_argument(
        "--targets",
        default="scanpy",
        help="comma-separated libraries to patch, as AUTOZYME takes them (scanpy, igraph)",
    )
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
