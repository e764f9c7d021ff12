"""``python -m autozyme bench``: the side-by-side benchmark, on the built-in datasets or on
the user's own AnnData files with precomputed neighbours.

    python -m autozyme bench --quick                  # 10k + 68k, 2 repetitions
    python -m autozyme bench                          # the full suite (README table)
    python -m autozyme bench my_data.h5ad --configs igraph-n2 default
"""

from __future__ import annotations

import argparse
import calendar
import json
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from . import contenders as cont

SMALL = ["pbmc68k_reduced", "10k", "68k", "200k"]
# The full suite, in order, so that a run stopped early (--deadline) has whole
# configurations: igraph-n2 first (the prior art's benchmark, the scaling curve to 1M and
# networkit's thread sweep), scanpy's default call, run-to-convergence, the resolution
# sweep; last the leidenalg flavor at 1M, where upstream may need hours: AutoZyme first
# there, so a deadline cuts upstream's run (reported as not finished), not AutoZyme's.
# (At 500k upstream runs igraph-n2 only: its leidenalg flavor takes too long to fit;
# AutoZyme's default call runs there for the scaling curve.)
FULL_PLAN: list[tuple] = [
    ("igraph-n2", [*SMALL, "500k", "1m"]),
    ("default", SMALL),
    ("igraph-converge", SMALL),
    ("sweep", ["68k"]),
    ("default", ["500k"], ("autozyme",)),
    ("default", ["1m"], ("autozyme", "upstream")),
]
QUICK_PLAN = [(c, ["10k", "68k"]) for c in ("igraph-n2", "igraph-converge", "default")]
USER_CONFIGS = ["igraph-n2", "igraph-converge", "default"]


def build_parser(prog: str = "python -m autozyme bench") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("inputs", nargs="*", help="AnnData files (.h5ad) with obsp['connectivities']")
    p.add_argument("--quick", action="store_true", help="10k + 68k, 2 repetitions (minutes)")
    p.add_argument("--datasets", nargs="+", help="default: the full plan (see README)")
    p.add_argument("--configs", nargs="+", choices=[*cont.CONFIGS, "sweep"])
    p.add_argument(
        "--contenders", nargs="+", choices=list(cont.CONTENDERS), default=list(cont.CONTENDERS)
    )
    p.add_argument("--reps", type=int, help="repetitions per contender (default 3, quick 2)")
    p.add_argument("--reps-small", type=int, help="repetitions below 50k cells (default 2)")
    p.add_argument("--reps-large", type=int, default=1, help="repetitions at >= 500k cells")
    p.add_argument("--reps-sweep", type=int, default=1, help="repetitions per resolution")
    p.add_argument("--sweep-dataset", help="graph of the resolution sweep (default 68k)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=1200.0,
        help="seconds per run (whole process) before it counts as not finished",
    )
    p.add_argument("--deadline", help="HH:MM UTC: no run starts or runs past it")
    p.add_argument("--out", type=Path, default=Path("autozyme-bench-results"))
    p.add_argument("--resume", action="store_true", help="keep the log's finished runs")
    p.add_argument(
        "--summarize-only",
        action="store_true",
        help="only rebuild JSON, tables and charts from the log",
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument("--no-charts", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    return p


def _plan_steps(args: argparse.Namespace) -> list[tuple]:
    """(configuration, datasets) in order: the mode's plan, or the cross product of
    --configs and --datasets where given."""
    if args.inputs:
        base = [(c, list(args.inputs)) for c in USER_CONFIGS]
    else:
        base = QUICK_PLAN if args.quick else FULL_PLAN
    if not args.configs and not args.datasets:
        steps = base
    else:
        configs = args.configs or list(dict.fromkeys(step[0] for step in base))
        datasets = args.datasets or list(dict.fromkeys(d for step in base for d in step[1]))
        steps = [(c, datasets) for c in configs if c != "sweep"]
    if args.sweep_dataset or (args.configs and "sweep" in args.configs):
        steps = [s for s in steps if s[0] != "sweep"]
        steps.append(("sweep", [args.sweep_dataset or (args.inputs or ["68k"])[0]]))
    return steps


def _deadline(text: str | None) -> float | None:
    """HH:MM (UTC, today) as epoch seconds."""
    if text is None:
        return None
    hours, minutes = (int(x) for x in text.split(":"))
    today = time.gmtime()[:3]
    return float(calendar.timegm((*today, hours, minutes, 0, 0, 0, 0)))


def write_outputs(results: dict[str, Any], out: Path, charts: bool) -> str:
    """results.json, results.md (returned) and the charts from one results dict."""
    from . import summary

    table = summary.summarize(results["rows"])
    results["table"] = table
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    parts = [summary.markdown_main(table)]
    if sweep := summary.markdown_sweep(table):
        parts.append(sweep)
    if scaling := summary.markdown_scaling(table):
        parts.append(scaling)
    if breakdown := summary.markdown_breakdown(table):
        parts.append(breakdown)
    if results.get("datasets"):
        parts.append(summary.markdown_datasets(results["datasets"], table))
    if missing := summary.not_run(results.get("plan", []), results["rows"]):
        parts.append("Not run (the deadline came first): " + ", ".join(missing))
    text = "\n\n".join(parts)
    from .machine import one_line

    full = (
        f"# AutoZyme benchmark\n\nCommand: `{results['command']}`  \n"
        f"Machine: {one_line(results['machine'])}  \n"
        f"Started {results['started']}, duration {results.get('duration_s', 0):.0f} s; "
        f"time limit per run: {results['time_limit_s']:.0f} s"
        + (f"; deadline {results['deadline']} UTC" if results.get("deadline") else "")
        + f"\n\n{text}\n\n## Every contender\n\n"
        f"{summary.markdown_full(table)}\n"
    )
    (out / "results.md").write_text(full)
    if charts:
        from .charts import write_all

        write_all(table, out)
    return text


def main(
    argv: list[str] | None = None,
    *,
    default_out: Path | None = None,
    prog: str = "python -m autozyme bench",
) -> int:
    from . import datasets as ds
    from .machine import describe
    from .runner import Reps, execute, make_plan, read_log

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(prog)
    if default_out is not None:
        parser.set_defaults(out=default_out)
    args = parser.parse_args(argv)
    medium = args.reps if args.reps is not None else 2 if args.quick else 3
    reps = Reps(
        small=args.reps_small if args.reps_small is not None else min(2, medium),
        medium=medium,
        large=args.reps_large,
        sweep=args.reps_sweep,
    )
    plan = make_plan(_plan_steps(args), args.contenders, reps)
    if args.dry_run:
        for b in plan:
            print(f"{b.dataset:>16} {b.config:<18} x{b.reps} " + " ".join(b.contenders))
        print(f"{sum(b.runs for b in plan)} runs")
        return 0
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    log = out / "runs.jsonl"
    meta_path = out / "run-meta.json"
    if args.summarize_only:
        meta = json.loads(meta_path.read_text())
        meta["rows"] = read_log(log)
        print(write_outputs(meta, out, charts=not args.no_charts))
        return 0
    if not args.resume:
        log.unlink(missing_ok=True)
    started = time.time()
    meta: dict[str, Any] = {
        "command": f"{prog} {shlex.join(argv)}".strip(),
        "machine": describe(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "time_limit_s": args.time_limit,
        "deadline": args.deadline,
        "plan": [vars(b) | {"contenders": list(b.contenders)} for b in plan],
        "datasets": {},
    }
    progress = not args.no_progress
    for name in dict.fromkeys(b.dataset for b in plan):  # build what is missing, describe
        ds.ensure(name, progress=progress)
        meta["datasets"][name] = ds.describe(ds.load(name))
    meta_path.write_text(json.dumps(meta, indent=1, default=str))
    labels = out / "labels"  # scratch, kept until the run completes (for --resume)
    rows = execute(
        plan,
        log=log,
        labels_dir=labels,
        time_limit=args.time_limit,
        deadline=_deadline(args.deadline),
        progress=progress,
        previous=read_log(log) if args.resume else None,
    )
    shutil.rmtree(labels, ignore_errors=True)
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    meta["duration_s"] = time.time() - started
    meta_path.write_text(json.dumps(meta, indent=1, default=str))
    meta["rows"] = rows
    print(write_outputs(meta, out, charts=not args.no_charts))
    print(f"\n{len(rows)} runs in {meta['duration_s']:.0f} s; results in {out}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
