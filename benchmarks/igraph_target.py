"""Side-by-side benchmark of the igraph target: python-igraph's own
``Graph.community_leiden`` against the patched one (``autozyme.activate("igraph")``), each
in fresh processes, alternating, on the same scanpy-built kNN graphs.

The workload is scib-metrics' call: ``community_leiden(objective_function="modularity",
weights="weight", resolution=r, n_iterations=2)`` over ten resolutions, from one seeding
of Python's ``random`` (python-igraph's default generator). Timed per call, end to end:
for AutoZyme that includes reading the edges and weights out of the ``Graph``. Building
the ``Graph`` itself (scanpy's ``get_igraph_from_adjacency``) is the caller's and the same
for both, so it is not timed. Peak memory is the rise of the peak RSS during the sweep.
Identity: every call's membership, ``quality`` and modularity, and the generator's state
at the end, hashed; all runs of both contenders must agree.

    python benchmarks/igraph_target.py                 # 68k and 200k, 3 runs each
    python benchmarks/igraph_target.py --sizes 10k --repeats 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESOLUTIONS = tuple(round(0.2 * k, 1) for k in range(1, 11))  # 0.2 .. 2.0
CONTENDERS = ("upstream", "autozyme")
OUT = Path(__file__).resolve().parent / "results" / "igraph_target.md"


def child(size: str, contender: str) -> dict[str, Any]:
    """One fresh process: the sweep, timed per call."""
    if contender == "autozyme":
        import autozyme

        autozyme.activate("igraph")  # before igraph's import: its generator is then known
    import random

    from scanpy._utils import get_igraph_from_adjacency

    from autozyme.bench import datasets, measure

    adata = datasets.load(size)
    graph = get_igraph_from_adjacency(adata.obsp["connectivities"], directed=False)
    random.seed(0)
    digest = hashlib.sha256()
    seconds, parts = [], []
    measured = measure.reset_peak_rss()
    before = measure.status_kib("VmRSS")
    for resolution in RESOLUTIONS:
        started = time.perf_counter()
        part = graph.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=2,
        )
        seconds.append(time.perf_counter() - started)
        parts.append(part)
    peak = measure.status_kib("VmHWM")
    state = random.getstate()
    for part in parts:  # outside the timing: the caller reads these later, if at all
        digest.update(json.dumps(part.membership).encode())
        digest.update(struct.pack("<dd", part.quality, part.q))
    digest.update(repr(state).encode())
    row: dict[str, Any] = {
        "size": size,
        "contender": contender,
        "n_vertices": graph.vcount(),
        "n_edges": graph.ecount(),
        "seconds": seconds,
        "peak_rss_mib": (peak - before) / 1024 if measured and peak and before else None,
        "identity": digest.hexdigest()[:16],
        "clusters": [len(set(p.membership)) for p in parts],
    }
    if contender == "autozyme":
        calls = autozyme.report()["calls"].get("igraph.Graph.community_leiden", {})
        row["fast_calls"] = calls.get("fast_calls", 0)
        row["fallbacks"] = calls.get("fallbacks", {})
    return row


def run(sizes: list[str], repeats: int) -> list[dict[str, Any]]:
    from autozyme.bench import datasets

    rows = []
    for size in sizes:
        datasets.ensure(size)
        for _ in range(repeats):
            for contender in CONTENDERS:  # alternating A B A B
                out = subprocess.run(
                    [sys.executable, __file__, "--child", size, contender],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                row = json.loads(out.strip().splitlines()[-1])
                print(json.dumps({k: v for k, v in row.items() if k != "seconds"}), flush=True)
                rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| cells | vertices / edges | upstream s per call | AutoZyme s per call | speedup "
        "| upstream peak MiB | AutoZyme peak MiB | identical (all runs) | AutoZyme fast calls |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in dict.fromkeys(r["size"] for r in rows):
        mine = [r for r in rows if r["size"] == size]
        by = {c: [r for r in mine if r["contender"] == c] for c in CONTENDERS}
        # median over fresh processes of each process's mean call
        per_call = {
            c: statistics.median(statistics.fmean(r["seconds"]) for r in by[c]) for c in CONTENDERS
        }
        peak = {c: statistics.median(r["peak_rss_mib"] or 0.0 for r in by[c]) for c in CONTENDERS}
        identical = len({r["identity"] for r in mine}) == 1
        fast = sum(r.get("fast_calls", 0) for r in by["autozyme"])
        calls = len(by["autozyme"]) * len(RESOLUTIONS)
        lines.append(
            f"| {size} | {mine[0]['n_vertices']:,} / {mine[0]['n_edges']:,} "
            f"| {per_call['upstream']:.3f} | {per_call['autozyme']:.4f} "
            f"| {per_call['upstream'] / per_call['autozyme']:.1f}x "
            f"| {peak['upstream']:.0f} | {peak['autozyme']:.0f} "
            f"| {'yes' if identical else 'NO'} | {fast} / {calls} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["68k", "200k"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "CONTENDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    rows = run(args.sizes, args.repeats)
    text = table(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
