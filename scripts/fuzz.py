"""Differential fuzzing: random graphs and random sc.tl.leiden configurations, ours
against upstream in the same process; prints the counts and exits non-zero on any mismatch.

    .venv/bin/python scripts/fuzz.py --cases 10000 --seed 1

Graphs are small random CSR matrices with everything scanpy users can feed in: asymmetric
values, self-loops, explicit zeros, duplicate and unsorted entries (non-canonical CSR),
isolated vertices, several components, float32/float64 data, int32/int64 indices.
n_iterations stays positive for the igraph flavor: on some inputs igraph's
``n_iterations=-1`` loop never ends, upstream included.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests._compare import compare


def random_graph(rng: np.random.Generator) -> sparse.csr_matrix:
    n = int(rng.integers(1, 60))
    m = int(rng.integers(0, 4 * n + 1))
    rows, cols = rng.integers(0, n, m), rng.integers(0, n, m)
    vals = rng.random(m) * rng.choice([1.0, 10.0, 1e-3])
    vals[rng.random(m) < 0.05] = 0.0  # explicit zeros
    if rng.random() < 0.5:  # symmetric, like a kNN connectivities matrix
        rows, cols, vals = np.r_[rows, cols], np.r_[cols, rows], np.r_[vals, vals]
    dtype = rng.choice([np.float32, np.float64])
    if rng.random() < 0.3:  # non-canonical: duplicates and unsorted indices kept as stored
        order = np.argsort(rows, kind="stable")
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
        matrix = sparse.csr_matrix((vals[order].astype(dtype), cols[order], indptr), (n, n))
    else:
        matrix = sparse.csr_matrix((vals.astype(dtype), (rows, cols)), shape=(n, n))
    if rng.random() < 0.3:
        matrix.indices = matrix.indices.astype(np.int64)
        matrix.indptr = matrix.indptr.astype(np.int64)
    return matrix


def random_config(rng: np.random.Generator) -> dict:
    seed = int(rng.integers(0, 2**31 - 1))
    if rng.random() < 0.5:
        config = {
            "flavor": "igraph",
            "n_iterations": int(rng.choice([1, 2, 3, 5])),
            "random_state": seed,
            "resolution": float(rng.choice([0.1, 0.5, 1.0, 2.0, 5.0])),
            "objective_function": str(rng.choice(["modularity", "CPM", "Modularity"])),
            "beta": float(rng.choice([0.01, 0.1, 1.0])),
        }
    else:
        import leidenalg

        partition = rng.choice(["rb", "modularity", "cpm"])
        config = {
            "n_iterations": int(rng.choice([-1, 1, 2])),
            "random_state": seed,
            "directed": bool(rng.random() < 0.5),
            "resolution": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
        }
        if partition == "modularity":
            config["partition_type"] = leidenalg.ModularityVertexPartition
            config["resolution"] = None
        elif partition == "cpm":
            config["partition_type"] = leidenalg.CPMVertexPartition
    config["use_weights"] = bool(rng.random() < 0.8)
    return config


def run(cases: int, seed: int, *, verbose: bool = False) -> dict[str, int]:
    """Returns counts: compared (fast path taken), skipped (input went upstream), mismatches."""
    import os
    import warnings

    import anndata as ad
    import scanpy as sc

    import autozyme
    from autozyme import reporting

    os.environ.pop("AUTOZYME_FAIL_ON_FALLBACK", None)
    autozyme.activate("scanpy")
    rng = np.random.default_rng(seed)
    counts = {"compared": 0, "went_upstream": 0, "mismatches": 0}
    try:
        for i in range(cases):
            matrix = random_graph(rng)
            config = random_config(rng)
            adata = ad.AnnData(np.zeros((matrix.shape[0], 1), dtype=np.float32))
            adata.obsp["connectivities"] = matrix
            adata.uns["neighbors"] = {"connectivities_key": "connectivities"}
            before = reporting.report()["calls"].get("scanpy.tl.leiden", {}).get("fast_calls", 0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    compare(sc.tl.leiden, adata, config)
            except AssertionError:
                counts["mismatches"] += 1
                print(f"MISMATCH case {i}: n={matrix.shape[0]} config={config}", file=sys.stderr)
            after = reporting.report()["calls"]["scanpy.tl.leiden"]["fast_calls"]
            counts["compared" if after > before else "went_upstream"] += 1
            if verbose and (i + 1) % 500 == 0:
                print(f"{i + 1} cases: {counts}", file=sys.stderr)
    finally:
        autozyme.deactivate()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = run(args.cases, args.seed, verbose=True)
    print(f"{counts} in {time.perf_counter() - started:.0f} s")
    return 1 if counts["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
