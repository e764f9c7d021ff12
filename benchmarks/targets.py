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
- ``community_multilevel`` / ``community_multilevel_weighted`` (target igraph): Louvain as
  pertpy's milo and users call it, ``community_multilevel()`` and
  ``community_multilevel(weights="weight")``, from one seeding of Python's ``random``;
- ``louvain_igraph`` (target scanpy): ``sc.tl.louvain(adata, flavor="igraph")`` as scvelo
  and the tutorials call it (upstream builds the igraph graph of the neighbour matrix inside
  the call, AutoZyme reads the matrix; both timed);
- ``louvain_vtraag`` (target scanpy): ``sc.tl.louvain(adata)``, the default flavor (the
  louvain package on the directed, unweighted graph, seed 0); needs the louvain package,
  which installs beside python-igraph < 0.12 only (run it in such an environment);
- ``find_partition`` (target leidenalg): pegasus' call, ``find_partition(g,
  RBConfigurationVertexPartition, weights="weight", resolution_parameter=1.3,
  n_iterations=-1, seed=0)``;
- ``multiplex`` (target leidenalg): muon's call on two modalities of the same cells,
  each a directed graph (``get_igraph_from_adjacency(directed=True)``): the dataset's,
  and a second one built from a noisy 30-dimensional projection of the same embedding
  (like an ATAC next to an RNA embedding; cached beside the dataset); per modality an
  ``RBConfigurationVertexPartition(g, weights=np.array(g.es["weight"]),
  resolution_parameter=1)``, then ``Optimiser()``, ``set_rng_seed(0)`` and
  ``optimise_partition_multiplex(partitions, layer_weights=None, n_iterations=-1)``, all
  timed (the partitions' construction is upstream's for both contenders).

    python benchmarks/targets.py                       # all, 68k and 200k, 3 runs each
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


def _undirected(size: str) -> list[Any]:
    from scanpy._utils import get_igraph_from_adjacency

    from autozyme.bench import datasets

    adata = datasets.load(size)
    return [get_igraph_from_adjacency(adata.obsp["connectivities"], directed=False)]


def _second_modality_path(size: str) -> Path:
    from autozyme.bench import datasets

    return datasets.cache_path(size).with_name(f"knn-{size}-modality2-v1.npz")


def _ensure_second_modality(size: str) -> None:
    """The second modality's connectivities: the dataset's embedding projected to 30
    dimensions with noise, neighbours as the dataset's (built once, cached)."""
    path = _second_modality_path(size)
    if path.exists():
        return
    import anndata as ad
    import numpy as np
    import scanpy as sc
    import scipy.sparse as sp

    from autozyme.bench import datasets

    points = datasets.embedding(datasets.SIZES[size])
    rng = np.random.default_rng(1)
    projection = rng.normal(size=(points.shape[1], 30)) / np.sqrt(points.shape[1])
    other = points @ projection + rng.normal(scale=0.5, size=(points.shape[0], 30))
    adata = ad.AnnData(obsm={"X_emb": other.astype(np.float32)}, shape=(points.shape[0], 0))
    sc.pp.neighbors(adata, n_neighbors=datasets.N_NEIGHBORS, use_rep="X_emb", random_state=0)
    partial = path.with_suffix(".partial.npz")
    sp.save_npz(partial, adata.obsp["connectivities"].tocsr())
    partial.replace(path)


def _modalities(size: str) -> list[Any]:
    import scipy.sparse as sp
    from scanpy._utils import get_igraph_from_adjacency

    from autozyme.bench import datasets

    first = datasets.load(size).obsp["connectivities"]
    second = sp.load_npz(_second_modality_path(size)).tocsr()
    return [get_igraph_from_adjacency(a, directed=True) for a in (first, second)]


def _community_leiden_calls(graphs: list[Any]) -> list[Callable[[], Any]]:
    [graph] = graphs
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


def _community_multilevel_calls(graphs: list[Any], weights: str | None) -> list[Callable[[], Any]]:
    [graph] = graphs
    # looked up at call time: the patched method once AutoZyme is active
    return [lambda: graph.community_multilevel(weights=weights)]


def _adata(size: str) -> list[Any]:
    from autozyme.bench import datasets

    return [datasets.load(size)]


def _louvain_calls(adatas: list[Any], **kwargs: Any) -> list[Callable[[], Any]]:
    import scanpy as sc

    [adata] = adatas
    # looked up at call time: the patched function once AutoZyme is active
    # returns None and writes into adata: the result is (None, adata)
    return [lambda: (sc.tl.louvain(adata, **kwargs), adata)]


def _louvain_identity(result: Any) -> bytes:
    import pickle

    adata = result[1]
    labels = adata.obs["louvain"]
    return json.dumps([list(labels.cat.categories), labels.tolist()]).encode() + pickle.dumps(
        adata.uns["louvain"]
    )


def _find_partition_calls(graphs: list[Any]) -> list[Callable[[], Any]]:
    import leidenalg

    [graph] = graphs
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


def _multiplex_calls(graphs: list[Any]) -> list[Callable[[], Any]]:
    import leidenalg
    import numpy as np

    def call() -> list[Any]:
        partitions = [
            leidenalg.RBConfigurationVertexPartition(
                g, weights=np.array(g.es["weight"]).astype(np.float64), resolution_parameter=1
            )
            for g in graphs
        ]
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(0)
        diff = optimiser.optimise_partition_multiplex(partitions, n_iterations=-1)
        return [diff, partitions]

    return [call]


def _multiplex_identity(result: list[Any]) -> bytes:
    diff, partitions = result
    qualities = [p.quality() for p in partitions]
    return json.dumps(partitions[0].membership).encode() + struct.pack(
        f"<{1 + len(qualities)}d", diff, *qualities
    )


def _community_leiden_identity(part: Any) -> bytes:
    return json.dumps(part.membership).encode() + struct.pack("<dd", part.quality, part.q)


def _clustering_identity(part: Any) -> bytes:
    return json.dumps(part.membership).encode() + struct.pack("<d", part.q)


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
    graphs: Callable[[str], list[Any]] = _undirected  # the caller's graphs, untimed
    membership: Callable[[Any], list[int]] = lambda part: part.membership
    prepare: Callable[[str], None] = lambda size: None  # extra data, built once
    # (vertices, edges) of the caller's graphs
    counts: Callable[[list[Any]], tuple[int, int]] = lambda graphs: (
        graphs[0].vcount(),
        sum(g.ecount() for g in graphs),
    )


WORKLOADS = {
    "community_leiden": Workload(
        "igraph",
        "igraph.Graph.community_leiden",
        _community_leiden_calls,
        _community_leiden_identity,
        "community_leiden(n_iterations=2), ten resolutions",
    ),
    "community_multilevel": Workload(
        "igraph",
        "igraph.Graph.community_multilevel",
        functools.partial(_community_multilevel_calls, weights=None),
        _clustering_identity,
        "community_multilevel()",
    ),
    "community_multilevel_weighted": Workload(
        "igraph",
        "igraph.Graph.community_multilevel",
        functools.partial(_community_multilevel_calls, weights="weight"),
        _clustering_identity,
        'community_multilevel(weights="weight")',
    ),
    "louvain_igraph": Workload(
        "scanpy",
        "scanpy.tl.louvain",
        functools.partial(_louvain_calls, flavor="igraph"),
        _louvain_identity,
        'sc.tl.louvain(adata, flavor="igraph")',
        graphs=_adata,
        membership=lambda result: result[1].obs["louvain"].tolist(),
        counts=lambda adatas: (adatas[0].n_obs, int(adatas[0].obsp["connectivities"].nnz)),
    ),
    "louvain_vtraag": Workload(
        "scanpy",
        "scanpy.tl.louvain",
        _louvain_calls,
        _louvain_identity,
        "sc.tl.louvain(adata)",
        graphs=_adata,
        membership=lambda result: result[1].obs["louvain"].tolist(),
        counts=lambda adatas: (adatas[0].n_obs, int(adatas[0].obsp["connectivities"].nnz)),
    ),
    "find_partition": Workload(
        "leidenalg",
        "leidenalg.find_partition",
        _find_partition_calls,
        _find_partition_identity,
        "find_partition(RBConfiguration, resolution 1.3, n_iterations=-1)",
    ),
    "multiplex": Workload(
        "leidenalg",
        "leidenalg.Optimiser.optimise_partition_multiplex",
        _multiplex_calls,
        _multiplex_identity,
        "two directed RBConfiguration layers, optimise_partition_multiplex(n_iterations=-1)",
        graphs=_modalities,
        membership=lambda result: result[1][0].membership,
        prepare=_ensure_second_modality,
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

    from autozyme.bench import measure

    graphs = workload.graphs(size)
    calls = workload.calls(graphs)
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
        "n_vertices": workload.counts(graphs)[0],
        "n_edges": workload.counts(graphs)[1],
        "seconds": seconds,
        "peak_rss_mib": (peak - before) / 1024 if measured and peak and before else None,
        "identity": digest.hexdigest()[:16],
        "clusters": [len(set(workload.membership(p))) for p in parts],
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
        WORKLOADS[workload].prepare(size)
        for _ in range(repeats):
            for contender in CONTENDERS:  # alternating A B A B
                out = subprocess.run(
                    [sys.executable, __file__, "--child", workload, size, contender],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                row = json.loads(out.strip().splitlines()[-1])
                # the whole row: a run cut short still leaves every measurement in the log
                print(json.dumps(row), flush=True)
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
