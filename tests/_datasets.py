"""AnnData inputs for the scanpy-level differential tests (built, never stored)."""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import sparse


@cache
def blobs(n_cells: int = 3000, n_centers: int = 12, seed: int = 0):
    """A kNN graph the way users build one: sc.pp.neighbors (15 neighbours, umap) on blobs
    of very different sizes and spreads, so clusters are uneven and some overlap."""
    import anndata as ad
    import scanpy as sc

    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(n_centers, 0.7)) * n_cells
    sizes = np.maximum(sizes.astype(int), 5)
    sizes[-1] += n_cells - sizes.sum()
    centers = rng.normal(scale=4.0, size=(n_centers, 20))
    spreads = rng.uniform(0.5, 2.5, size=n_centers)
    points = np.concatenate(
        [c + s * rng.normal(size=(k, 20)) for c, s, k in zip(centers, spreads, sizes, strict=True)]
    )
    adata = ad.AnnData(points.astype(np.float32))
    sc.pp.neighbors(adata, n_neighbors=15, use_rep="X", random_state=0)
    return adata


def noisy(base) -> sparse.csr_matrix:
    """base's connectivities made awkward: asymmetric values, self-loops, explicit zeros,
    duplicate entries and unsorted indices (a non-canonical CSR), float32 data."""
    rng = np.random.default_rng(1)
    coo = base.obsp["connectivities"].tocoo()
    n = base.n_obs
    keep = rng.random(coo.nnz) > 0.1
    rows = np.concatenate([coo.row[keep], np.arange(0, n, 7), rng.integers(0, n, 200)])
    cols = np.concatenate([coo.col[keep], np.arange(0, n, 7), rng.integers(0, n, 200)])
    vals = np.concatenate(
        [
            coo.data[keep] * rng.uniform(0.5, 1.5, keep.sum()),
            np.full(len(range(0, n, 7)), 0.3),
            np.where(rng.random(200) < 0.3, 0.0, rng.random(200)),
        ]
    ).astype(np.float32)
    order = rng.permutation(len(rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    # build the CSR by hand so duplicates and unsorted indices survive
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    by_row = np.argsort(rows, kind="stable")
    matrix = sparse.csr_matrix((vals[by_row], cols[by_row], indptr), shape=(n, n))
    assert not matrix.has_canonical_format
    return matrix
