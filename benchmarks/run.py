"""Side-by-side benchmark: upstream scanpy and AutoZyme on the same graphs, in fresh
processes, alternating A B A B, several repetitions; prints a markdown table and writes
every measurement to JSON.

    python -m benchmarks.run --datasets 68k 200k --configs igraph-n2 --reps 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from benchmarks.measure import CONFIGS

CONTENDERS = ("upstream", "autozyme")


def _one(dataset: str, config: str, contender: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.measure",
            "--dataset",
            dataset,
            "--config",
            config,
            "--contender",
            contender,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1", "AUTOZYME": "0"},
    )
    if out.returncode != 0:
        raise RuntimeError(f"{contender} on {dataset}/{config} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    versions = {}
    for dist in ("scanpy", "igraph", "leidenalg", "numpy", "autozyme"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "versions": versions,
    }


def summarize(rows: list[dict]) -> list[dict]:
    table = []
    keys = sorted({(r["dataset"], r["config"]) for r in rows})
    for dataset, config in keys:
        sel = {
            c: [
                r
                for r in rows
                if (r["dataset"], r["config"], r["contender"]) == (dataset, config, c)
            ]
            for c in CONTENDERS
        }
        up, az = sel["upstream"], sel["autozyme"]
        up_t = statistics.median(r["wall_s"] for r in up)
        az_t = statistics.median(r["wall_s"] for r in az)
        up_m = statistics.median(r["peak_rss_mib"] for r in up)
        az_m = statistics.median(r["peak_rss_mib"] for r in az)
        table.append(
            {
                "dataset": dataset,
                "config": config,
                "reps": len(az),
                "upstream_s": up_t,
                "autozyme_s": az_t,
                "speedup": up_t / az_t,
                "autozyme_min_s": min(r["wall_s"] for r in az),
                "autozyme_max_s": max(r["wall_s"] for r in az),
                "upstream_mib": up_m,
                "autozyme_mib": az_m,
                "memory_ratio": az_m / max(up_m, 1e-9),
                "identical": len({r["fingerprint"] for r in up + az}) == 1,
                "fast_path": all(r.get("fast_path") for r in az),
                "clusters": az[0]["n_clusters"],
                "breakdown_s": {
                    k: statistics.median(r["breakdown_s"].get(k, 0.0) for r in az)
                    for k in az[0].get("breakdown_s", {})
                },
            }
        )
    return table


def markdown(table: list[dict]) -> str:
    lines = [
        "| dataset | call | upstream (s) | AutoZyme (s) | speedup | peak MiB upstream | "
        "peak MiB AutoZyme | identical | clusters | AutoZyme breakdown (s) |",
        "|---|---|---:|---:|---:|---:|---:|:---:|---:|---|",
    ]
    for t in table:
        breakdown = ", ".join(f"{k} {v:.3f}" for k, v in t["breakdown_s"].items())
        lines.append(
            f"| {t['dataset']} | {t['config']} | {t['upstream_s']:.3f} | {t['autozyme_s']:.3f} "
            f"| {t['speedup']:.1f}x | {t['upstream_mib']:.0f} | {t['autozyme_mib']:.0f} "
            f"| {'yes' if t['identical'] else 'NO'} | {t['clusters']} | {breakdown} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", nargs="+", default=["68k", "200k"])
    parser.add_argument("--configs", nargs="+", default=["igraph-n2"], choices=sorted(CONFIGS))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latest.json"))
    args = parser.parse_args(argv)
    rows = []
    for dataset in args.datasets:
        for config in args.configs:
            for rep in range(args.reps):
                for contender in CONTENDERS:  # alternate A B A B
                    row = _one(dataset, config, contender)
                    row["rep"] = rep
                    rows.append(row)
                    print(
                        f"{dataset} {config} rep {rep} {contender}: {row['wall_s']:.3f} s, "
                        f"{row['peak_rss_mib']:.0f} MiB",
                        file=sys.stderr,
                    )
    table = summarize(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "rows": rows, "table": table}, indent=2))
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
