"""Deterministic scanpy-style neighbour graphs for benchmarks, cached on disk.

Each graph is ``sc.pp.neighbors(n_neighbors=15)`` (umap connectivities) on a synthetic
single-cell-like 50-dimensional embedding: many clusters of very different sizes, spreads
and shapes, continuous differentiation trajectories between some of them, a batch shift
on half the cells, and a few percent of diffuse noise cells. That gives what real kNN
graphs have and uniform blobs lack: a skewed cluster-size distribution, bridges between
communities, and a tail of weakly attached vertices, so Leiden does real work (many
moves, several aggregation levels) instead of finding isolated blobs at once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

SIZES = {"10k": 10_000, "68k": 68_000, "200k": 200_000, "500k": 500_000, "1m": 1_000_000}
N_DIMS = 50


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(os.environ.get("AUTOZYME_BENCH_CACHE", Path(base) / "autozyme-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedding(n_cells: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n_clusters = max(8, round(8 * np.log10(n_cells)))
    n_traj = int(0.1 * n_cells)
    n_noise = int(0.03 * n_cells)
    n_clustered = n_cells - n_traj - n_noise
    weights = rng.lognormal(sigma=1.2, size=n_clusters)
    sizes = rng.multinomial(n_clustered, weights / weights.sum())
    centers = rng.normal(scale=6.0, size=(n_clusters, N_DIMS))
    parts = []
    for center, size in zip(centers, sizes, strict=True):
        # anisotropic clusters: a random linear map of spread 0.3 .. 2.5
        shape = rng.normal(size=(N_DIMS, N_DIMS)) * rng.uniform(0.3, 2.5) / np.sqrt(N_DIMS)
        parts.append(center + rng.normal(size=(size, N_DIMS)) @ shape)
    # trajectories: curved paths between random pairs of cluster centres
    pairs = rng.choice(n_clusters, size=(max(3, n_clusters // 4), 2))
    per_path = np.full(len(pairs), n_traj // len(pairs))
    per_path[: n_traj - per_path.sum()] += 1
    for (a, b), k in zip(pairs, per_path, strict=True):
        t = rng.random(k)[:, None]
        bend = rng.normal(scale=3.0, size=N_DIMS)
        path = (1 - t) * centers[a] + t * centers[b] + np.sin(np.pi * t) * bend
        parts.append(path + rng.normal(scale=0.4, size=(k, N_DIMS)))
    parts.append(rng.normal(scale=8.0, size=(n_noise, N_DIMS)))
    points = np.concatenate(parts)
    points = points[rng.permutation(n_cells)]
    batch = rng.random(n_cells) < 0.5
    points[batch] += rng.normal(scale=0.8, size=N_DIMS)
    return points.astype(np.float32)


def load(name: str, *, verbose: bool = True):
    """The AnnData with obsp["connectivities"] for a dataset name (built on first use)."""
    import anndata as ad

    if name == "pbmc68k_reduced":
        import scanpy as sc

        return sc.datasets.pbmc68k_reduced()
    path = cache_dir() / f"knn-{name}.h5ad"
    if path.exists():
        return ad.read_h5ad(path)
    import scanpy as sc

    started = time.perf_counter()
    if verbose:
        print(f"building {name} ({SIZES[name]:,} cells) into {path} ...", file=sys.stderr)
    adata = ad.AnnData(obsm={"X_emb": embedding(SIZES[name])}, shape=(SIZES[name], 0))
    sc.pp.neighbors(adata, n_neighbors=15, use_rep="X_emb", random_state=0)
    del adata.obsm["X_emb"]
    adata.write_h5ad(path)
    if verbose:
        print(f"built {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return adata


if __name__ == "__main__":
    for dataset in sys.argv[1:] or ["68k", "200k"]:
        load(dataset)
