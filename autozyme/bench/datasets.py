"""Deterministic scanpy-style neighbour graphs for the benchmark, cached on disk.

Each synthetic graph is ``sc.pp.neighbors(n_neighbors=15)`` (umap connectivities) on a
single-cell-like 50-dimensional embedding: many clusters of very different sizes
(log-normal), spreads and shapes (random anisotropic linear maps) grouped into
overlapping lineages, continuous
differentiation trajectories (curved paths between cluster centres), a batch shift on half
the cells, 2 % doublets and 1 % diffuse noise cells. That gives what real kNN graphs have
and uniform blobs lack: a skewed cluster-size distribution, bridges between communities,
hub cells, and a tail of weakly attached vertices, so Leiden does real work (many moves,
several aggregation levels) instead of finding isolated blobs at once. :func:`describe`
gives the numbers that support this (see the README's Benchmarks section).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from anndata import AnnData

SIZES = {"10k": 10_000, "68k": 68_000, "200k": 200_000, "500k": 500_000, "1m": 1_000_000}
REAL = "pbmc68k_reduced"  # scanpy's bundled real data (700 cells), the sanity case
N_DIMS = 50
N_NEIGHBORS = 15
# Bump when the generator changes so stale caches are never reused.
GENERATOR_VERSION = 2


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(os.environ.get("AUTOZYME_BENCH_CACHE", Path(base) / "autozyme-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(name: str) -> Path:
    return cache_dir() / f"knn-{name}-v{GENERATOR_VERSION}.h5ad"


def is_file(name: str) -> bool:
    """A user's AnnData file rather than a built-in dataset name."""
    return name.endswith((".h5ad", ".zarr")) or os.sep in name


def n_cells(name: str) -> int | None:
    """Cells of a built-in dataset (None for a user's file: unknown until loaded)."""
    return 700 if name == REAL else SIZES.get(name)


def embedding(n_cells: int, seed: int = 0) -> np.ndarray:
    """Points of a single-cell-like 50-dimensional embedding (PCA-like scale)."""
    rng = np.random.default_rng(seed)
    n_clusters = max(8, round(8 * np.log10(n_cells)))  # more cell types in larger atlases
    n_lineages = max(3, n_clusters // 5)
    n_traj = int(0.10 * n_cells)
    n_doublets = int(0.02 * n_cells)
    n_noise = int(0.01 * n_cells)
    n_clustered = n_cells - n_traj - n_doublets - n_noise
    weights = rng.lognormal(sigma=1.2, size=n_clusters)  # rare and abundant types
    sizes = rng.multinomial(n_clustered, weights / weights.sum())
    # cell types group into lineages: subtypes sit close together and overlap, as in real
    # data, instead of far-apart blobs that every algorithm splits the same way
    lineages = rng.normal(scale=2.5, size=(n_lineages, N_DIMS))
    centers = lineages[rng.integers(n_lineages, size=n_clusters)]
    centers = centers + rng.normal(scale=1.0, size=(n_clusters, N_DIMS))
    parts = []
    for center, size in zip(centers, sizes, strict=True):
        # anisotropic clusters of different densities: a random linear map, spread 0.5 .. 2
        shape = rng.normal(size=(N_DIMS, N_DIMS)) * rng.uniform(0.5, 2.0) / np.sqrt(N_DIMS)
        parts.append(center + rng.normal(size=(size, N_DIMS)) @ shape)
    # differentiation trajectories: curved paths between random pairs of cluster centres
    pairs = rng.choice(n_clusters, size=(max(3, n_clusters // 4), 2))
    per_path = np.full(len(pairs), n_traj // len(pairs))
    per_path[: n_traj - per_path.sum()] += 1
    for (a, b), k in zip(pairs, per_path, strict=True):
        t = rng.random(k)[:, None]
        bend = rng.normal(scale=3.0, size=N_DIMS)
        path = (1 - t) * centers[a] + t * centers[b] + np.sin(np.pi * t) * bend
        parts.append(path + rng.normal(scale=0.4, size=(k, N_DIMS)))
    # doublets: between two random types; then diffuse noise cells
    pair = rng.integers(n_clusters, size=(n_doublets, 2))
    doublets = (centers[pair[:, 0]] + centers[pair[:, 1]]) / 2
    parts.append(doublets + rng.normal(scale=0.5, size=(n_doublets, N_DIMS)))
    parts.append(rng.normal(scale=2.5, size=(n_noise, N_DIMS)))
    points = np.concatenate(parts)
    points = points[rng.permutation(n_cells)]
    # batch effect: a fixed shift of a random half of the cells
    batch = rng.random(n_cells) < 0.5
    points[batch] += rng.normal(scale=0.8, size=N_DIMS)
    return points.astype(np.float32)


def build(name: str, *, progress: bool = True) -> Path:
    """Generate a synthetic dataset into the cache (minutes at 1M cells)."""
    import anndata as ad
    import scanpy as sc
    from tqdm.auto import tqdm

    path = cache_path(name)
    size = SIZES[name]
    started = time.perf_counter()
    steps = ["embedding", "neighbours (pynndescent + umap)", "writing"]
    with tqdm(total=len(steps), desc=f"building {name}", disable=not progress) as bar:
        bar.set_postfix_str(steps[0])
        adata = ad.AnnData(obsm={"X_emb": embedding(size)}, shape=(size, 0))
        bar.update()
        bar.set_postfix_str(steps[1])
        sc.pp.neighbors(adata, n_neighbors=N_NEIGHBORS, use_rep="X_emb", random_state=0)
        del adata.obsm["X_emb"]
        bar.update()
        bar.set_postfix_str(steps[2])
        partial = path.with_suffix(".partial.h5ad")  # never leave a truncated cache file
        adata.write_h5ad(partial)
        partial.replace(path)
        bar.update()
    if progress:
        print(f"built {name} in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr)
    return path


def ensure(name: str, *, progress: bool = True) -> None:
    """Build a synthetic dataset if it is not cached yet (other names need nothing)."""
    if name in SIZES and not cache_path(name).exists():
        build(name, progress=progress)


def load(name: str) -> AnnData:
    """The AnnData with its neighbour graph for a dataset name, or a user's file."""
    import anndata as ad

    if name == REAL:
        import scanpy as sc

        return sc.datasets.pbmc68k_reduced()
    if name in SIZES:
        ensure(name, progress=False)
        return ad.read_h5ad(cache_path(name))
    if not is_file(name):
        raise ValueError(f"unknown dataset {name!r}: one of {[*SIZES, REAL]} or an .h5ad path")
    adata = ad.read_zarr(name) if name.endswith(".zarr") else ad.read_h5ad(name)
    if "connectivities" not in adata.obsp:
        raise ValueError(f"{name} has no obsp['connectivities']: run sc.pp.neighbors first")
    return adata


def describe(adata: AnnData) -> dict[str, Any]:
    """Shape of the graph that real kNN graphs share: neighbour counts and weighted degree."""
    adjacency = adata.obsp["connectivities"]
    per_row = np.diff(adjacency.indptr)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    params = adata.uns.get("neighbors", {}).get("params", {})
    k = params.get("n_neighbors")
    return {
        "cells": int(adata.n_obs),
        "edges": int(adjacency.nnz // 2),  # symmetric: each undirected edge stored twice
        "n_neighbors": None if k is None else int(np.asarray(k).ravel()[0]),
        "neighbours_per_cell": {
            q: float(np.percentile(per_row, p))
            for q, p in (("p5", 5), ("median", 50), ("p95", 95), ("max", 100))
        },
        "weighted_degree_median": float(np.median(degree)),
        "weighted_degree_cv": float(degree.std() / degree.mean()),
    }
