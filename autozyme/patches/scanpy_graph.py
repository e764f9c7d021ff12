"""The AnnData and graph every scanpy clustering function's fast path reads, checked the
way their decisions need it (``sc.tl.leiden``, ``sc.tl.louvain``): upstream's own graph
choice and restriction, then what the compiled cores verifiably take."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .routing import Fallback

__all__ = ["adata_problem", "selected_graph"]

_MAX_C_INT = 2**31 - 1
# Verified sizes: fewer than 2**31 stored entries (the cores index vertices with C int).
_MAX_VERIFIED_ENTRIES = 2**31 - 1
# A floor on what upstream's get_igraph_from_adjacency holds per stored entry at its peak
# (nonzero() index arrays, then a list of (source, target) tuples of numpy scalars).
_UPSTREAM_BYTES_PER_ENTRY = 64


def adata_problem(adata: object) -> str | None:
    from anndata import AnnData

    if type(adata) is not AnnData:
        return f"adata: {type(adata).__name__} is not an AnnData"
    if adata.is_view or adata.isbacked:
        return "adata: views and backed AnnData are not verified"
    return None


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # e.g. Windows
        return None


def _size_problem(n_entries: int, function: str) -> str | None:
    """Beyond the verified size: upstream's problem, unless it certainly cannot fit here.

    Then a clear MemoryError now beats letting upstream allocate until the OS kills it.
    """
    if n_entries <= _MAX_VERIFIED_ENTRIES:
        return None
    needed = n_entries * _UPSTREAM_BYTES_PER_ENTRY
    available = _physical_memory()
    if available is not None and needed > available:
        raise MemoryError(
            f"{function}: the adjacency has {n_entries:,} stored entries; building "
            f"upstream's igraph graph from it needs more than {needed / 2**30:,.0f} GiB "
            f"and this machine has {available / 2**30:,.0f} GiB (AutoZyme's fast path "
            f"covers fewer than 2**31 entries)"
        )
    return f"adjacency: {n_entries:,} stored entries (2**31 or more) is not verified"


def _adjacency_problem(adjacency: object, n_obs: int, function: str) -> str | None:
    from scipy import sparse

    if not sparse.issparse(adjacency) or adjacency.format != "csr":
        return f"adjacency: {type(adjacency).__name__} is not a CSR matrix"
    if adjacency.shape != (n_obs, n_obs):
        return f"adjacency: shape {adjacency.shape} does not match {n_obs} cells"
    if n_obs >= _MAX_C_INT:
        return "adjacency: 2**31 - 1 or more cells is not verified"
    problem = _size_problem(int(adjacency.indptr[-1]), function)
    if problem:
        return problem
    if adjacency.dtype not in (np.float32, np.float64):
        return f"adjacency: dtype {adjacency.dtype} is not float32/float64"
    if adjacency.indices.dtype not in (np.int32, np.int64):
        return f"adjacency: index dtype {adjacency.indices.dtype} is not int32/int64"
    data = adjacency.data[: adjacency.indptr[-1]]
    if not data.any():
        return "adjacency: no nonzero entries (upstream cannot build its graph)"
    if not (np.all(np.isfinite(data)) and data.min() >= 0):
        return "adjacency: weights not finite and non-negative"
    return None


def selected_graph(
    a: dict[str, Any], function: str
) -> tuple[Any, tuple[str, Any, np.ndarray] | None, int] | Fallback:
    """The CSR adjacency upstream clusters (``adjacency``, else ``_choose_graph``, then
    ``restrict_to``), the restriction (key, categories, indices) and the vertex count, or
    why not. ``a``: the bound arguments; ``function``: for a MemoryError's message."""
    from scanpy import _utils
    from scanpy.tools._utils_clustering import restrict_adjacency

    adata = a["adata"]
    adjacency = a["adjacency"]
    try:
        if adjacency is None:
            adjacency = _utils._choose_graph(adata, a["obsp"], a["neighbors_key"])
        restrict = None
        if a["restrict_to"] is not None:
            key, categories = a["restrict_to"]
            adjacency, indices = restrict_adjacency(
                adata, key, restrict_categories=categories, adjacency=adjacency
            )
            restrict = (key, categories, indices)
    except Exception as exc:
        return Fallback(f"graph selection raised {type(exc).__name__} (upstream reports it)")
    n = int(restrict[2].sum()) if restrict is not None else adata.n_obs
    problem = _adjacency_problem(adjacency, n, function)
    if problem:
        return Fallback(problem)
    return adjacency, restrict, n
