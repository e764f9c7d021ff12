"""Side-by-side benchmark of the direct callers' targets: the upstream function against the
patched one, each in fresh processes, alternating, on the same scanpy-built kNN graphs
(``get_igraph_from_adjacency(directed=False)``; building it is the caller's and the same for
both, so it is not timed). Timed per call, end to end: for AutoZyme that includes reading
the edges and weights out of the ``Graph`` and, for leidenalg, building the partition
object returned. Peak memory is the rise of the peak RSS during the calls. Identity: every
call's result (membership, quality, modularity) and the state of Python's ``random`` at the
end, hashed; all runs of both contenders must agree.

Workloads:

- ``community_leiden`` (target igraph): scib-metrics' sweep,
  ``community_leiden(objective_function="modularity", weights="weight", resolution=r,
  n_iterations=2)`` over ten resolutions, from one seeding of Python's ``random``
  (python-igraph's default generator);
- ``find_partition`` (target leidenalg): pegasus' call, ``find_partition(g,
  RBConfigurationVertexPartition, weights="weight", resolution_parameter=1.3,
  n_iterations=-1, seed=0)``.

    python benchmarks/targets.py                       # both, 68k and 200k, 3 runs each
    python benchmarks/targets.py --workloads find_partition --sizes 10k --repeats 1
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESOLUTIONS = tuple(round(0.2 * k, 1) for k in range(1, 11))  # 0.2 .. 2.0
CONTENDERS = ("upstream", "autozyme")
RESULTS = Path(__file__).resolve().parent / "results"


def _community_leiden_calls(graph: Any) -> list[Callable[[], Any]]:
    return [
        functools.partial(
            graph.community_leiden,
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=2,
        )
        for resolution in RESOLUTIONS
    ]


def _find_partition_calls(graph: Any) -> list[Callable[[], Any]]:
    import leidenalg

    # looked up at call time: the patched function once AutoZyme is active
    return [
        lambda: leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights="weight",
            resolution_parameter=1.3,
            n_iterations=-1,
            seed=0,
        )
    ]


def _community_leiden_identity(part: Any) -> bytes:
    return json.dumps(part.membership).encode() + struct.pack("<dd", part.quality, part.q)


def _find_partition_identity(part: Any) -> bytes:
    return json.dumps(part.membership).encode() + struct.pack(
        "<dd", part.quality(), part.modularity
    )


@dataclass(frozen=True)
class Workload:
    target: str  # autozyme.activate()'s name
    function: str  # the report's key
    calls: Callable[[Any], list[Callable[[], Any]]]
    identity: Callable[[Any], bytes]
    header: str  # what one call is, for the table


WORKLOADS = {
    "community_leiden": Workload(
        "igraph",
        "igraph.Graph.community_leiden",
        _community_leiden_calls,
        _community_leiden_identity,
        "community_leiden(n_iterations=2), ten resolutions",
    ),
    "find_partition": Workload(
        "leidenalg",
        "leidenalg.find_partition",
        _find_partition_calls,
        _find_partition_identity,
        "find_partition(RBConfiguration, resolution 1.3, n_iterations=-1)",
    ),
}


def child(workload_name: str, size: str, contender: str) -> dict[str, Any]:
    """One fresh process: the workload's calls, each timed."""
    workload = WORKLOADS[workload_name]
    if contender == "autozyme":
        import autozyme

        # before igraph's import: python-igraph's generator is then known
        autozyme.activate(workload.target)
    import random

    from scanpy._utils import get_igraph_from_adjacency

    from autozyme.bench import datasets, measure

    adata = datasets.load(size)
    graph = get_igraph_from_adjacency(adata.obsp["connectivities"], directed=False)
    calls = workload.calls(graph)
    random.seed(0)
    digest = hashlib.sha256()
    seconds, parts = [], []
    measured = measure.reset_peak_rss()
    before = measure.status_kib("VmRSS")
    for call in calls:
        started = time.perf_counter()
        parts.append(call())
        seconds.append(time.perf_counter() - started)
    peak = measure.status_kib("VmHWM")
    state = random.getstate()
    for part in parts:  # outside the timing: the caller reads these later, if at all
        digest.update(workload.identity(part))
    digest.update(repr(state).encode())
    row: dict[str, Any] = {
        "workload": workload_name,
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
        stats = autozyme.report()["calls"].get(workload.function, {})
        row["fast_calls"] = stats.get("fast_calls", 0)
        row["fallbacks"] = stats.get("fallbacks", {})
    return row


def run(workload: str, sizes: list[str], repeats: int) -> list[dict[str, Any]]:
    from autozyme.bench import datasets

    rows = []
    for size in sizes:
        datasets.ensure(size)
        for _ in range(repeats):
            for contender in CONTENDERS:  # alternating A B A B
                out = subprocess.run(
                    [sys.executable, __file__, "--child", workload, size, contender],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                row = json.loads(out.strip().splitlines()[-1])
                print(json.dumps({k: v for k, v in row.items() if k != "seconds"}), flush=True)
                rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    workload = WORKLOADS[rows[0]["workload"]]
    lines = [
        f"`{workload.header}`",
        "",
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
        calls = sum(len(r["seconds"]) for r in by["autozyme"])
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
    parser.add_argument("--workloads", nargs="+", choices=sorted(WORKLOADS), default=WORKLOADS)
    parser.add_argument("--sizes", nargs="+", default=["68k", "200k"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory of the results")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for workload in args.workloads:
        rows = run(workload, args.sizes, args.repeats)
        text = table(rows)
        out = args.out / f"targets_{workload}.md"
        out.write_text(text + "\n")
        out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
