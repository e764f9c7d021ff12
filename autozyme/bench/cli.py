"""``python -m autozyme bench``: the side-by-side benchmark, on the built-in datasets or on
the user's own AnnData files with precomputed neighbours.

    python -m autozyme bench --quick                  # 10k + 68k, 2 repetitions
    python -m autozyme bench                          # the full suite (README table)
    python -m autozyme bench my_data.h5ad --configs igraph-n2 default
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from . import contenders as cont

FULL_DATASETS = ["pbmc68k_reduced", "10k", "68k", "200k", "500k", "1m"]
QUICK_DATASETS = ["10k", "68k"]
# sweep before the leidenalg flavor: that one can run into its time limit at 1M cells
FULL_CONFIGS = ["igraph-n2", "igraph-converge", "sweep", "default"]
QUICK_CONFIGS = ["igraph-n2", "igraph-converge", "default"]
USER_CONFIGS = ["igraph-n2", "igraph-converge", "default"]


def build_parser(prog: str = "python -m autozyme bench") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("inputs", nargs="*", help="AnnData files (.h5ad) with obsp['connectivities']")
    p.add_argument("--quick", action="store_true", help="10k + 68k, 2 repetitions (minutes)")
    p.add_argument("--datasets", nargs="+", help=f"default: {' '.join(FULL_DATASETS)}")
    p.add_argument(
        "--configs",
        nargs="+",
        choices=[*cont.CONFIGS, "sweep"],
        help=f"default: {' '.join(FULL_CONFIGS)}",
    )
    p.add_argument(
        "--contenders", nargs="+", choices=list(cont.CONTENDERS), default=list(cont.CONTENDERS)
    )
    p.add_argument("--reps", type=int, help="repetitions per contender (default 3, quick 2)")
    p.add_argument("--reps-large", type=int, default=1, help="repetitions at >= 500k cells")
    p.add_argument("--sweep-dataset", help="graph of the resolution sweep (default 68k)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=1200.0,
        help="seconds per run (whole process) before it counts as not finished",
    )
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


def _choices(args: argparse.Namespace) -> tuple[list[str], list[str], int, str]:
    """Datasets, configurations, repetitions and sweep graph: the mode's defaults, each
    overridden by its option."""
    if args.inputs:
        datasets, configs, reps, sweep = args.inputs, USER_CONFIGS, 3, args.inputs[0]
    elif args.quick:
        datasets, configs, reps, sweep = QUICK_DATASETS, QUICK_CONFIGS, 2, "10k"
    else:
        datasets, configs, reps, sweep = FULL_DATASETS, FULL_CONFIGS, 3, "68k"
    return (
        args.datasets or datasets,
        args.configs or configs,
        reps if args.reps is None else args.reps,
        args.sweep_dataset or sweep,
    )


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
    if results.get("datasets"):
        parts.append(summary.markdown_datasets(results["datasets"], table))
    text = "\n\n".join(parts)
    from .machine import one_line

    full = (
        f"# AutoZyme benchmark\n\nCommand: `{results['command']}`  \n"
        f"Machine: {one_line(results['machine'])}  \n"
        f"Duration: {results.get('duration_s', 0):.0f} s; time limit per run: "
        f"{results['time_limit_s']:.0f} s\n\n{text}\n\n## Every contender\n\n"
        f"{summary.markdown_full(table)}\n"
    )
    (out / "results.md").write_text(full)
    if charts:
        from .charts import write_all

        write_all(table, out)
    return text


def main(argv: list[str] | None = None, *, default_out: Path | None = None) -> int:
    from . import datasets as ds
    from .machine import describe
    from .runner import execute, make_plan, read_log

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if default_out is not None:
        parser.set_defaults(out=default_out)
    args = parser.parse_args(argv)
    datasets, configs, reps, sweep_dataset = _choices(args)
    plan = make_plan(
        datasets,
        configs,
        args.contenders,
        reps=reps,
        reps_large=args.reps_large,
        sweep_dataset=sweep_dataset,
    )
    if args.dry_run:
        for block in plan:
            print(
                f"{block.dataset:>16} {block.config:<18} x{block.reps} "
                + " ".join(block.contenders)
            )
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
        "command": "python -m autozyme bench " + shlex.join(argv),
        "machine": describe(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "time_limit_s": args.time_limit,
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
        progress=progress,
        previous=read_log(log) if args.resume else None,
    )
    shutil.rmtree(labels, ignore_errors=True)
    meta["duration_s"] = time.time() - started
    meta_path.write_text(json.dumps(meta, indent=1, default=str))
    meta["rows"] = rows
    print(write_outputs(meta, out, charts=not args.no_charts))
    print(f"\n{len(rows)} runs in {meta['duration_s']:.0f} s; results in {out}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
