"""igraph's edge list, as scanpy's ``get_igraph_from_adjacency`` builds it, in CSR form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "EdgeGraph",
    "float_values",
    "graph_from_adjacency",
    "graph_from_igraph",
    "stored_attribute",
]


@dataclass(frozen=True)
class EdgeGraph:
    """igraph's edge list, edge ids 0..m-1, in one of two forms: CSR (``indptr`` set), where
    the edges of row v are the stored positions ``indptr[v]:indptr[v + 1]`` and v is their
    source, as scanpy builds its graphs from a matrix; or an edge list (``sources`` set), as
    an igraph ``Graph`` holds it."""

    n_vertices: int
    indptr: np.ndarray | None  # CSR: int64, len n + 1
    indices: np.ndarray  # int32 or int64 targets (int32 in an edge list), in edge id order
    # one per edge, in the adjacency's float32 or float64: upstream's g.es["weight"] holds
    # these values as Python floats (float32 promotes exactly, so no copy is made)
    weights: np.ndarray | None
    sources: np.ndarray | None = None  # edge list: int32, one per edge
    # edge list: int32, every vertex's incident edge ids in igraph's incidence-list order
    incidence: np.ndarray | None = None

    @property
    def n_edges(self) -> int:
        return int(self.indices.size)

    def core_weights(self) -> np.ndarray:
        """The weights as the compiled core reads them: float32 in place (promoted exactly
        there), anything else as float64."""
        w = self.weights
        if w is None:
            raise ValueError("the graph has no weights")
        dtype = np.float32 if w.dtype == np.float32 else np.float64
        return np.ascontiguousarray(w, dtype=dtype)

    def core_graph(self, weights: np.ndarray | None) -> tuple:
        """The graph as the compiled core takes it, weighted by ``weights`` (or not)."""
        return (self.n_vertices, self.indptr, self.sources, self.indices, self.incidence, weights)


def graph_from_igraph(graph: Any, weights: np.ndarray | None) -> EdgeGraph:
    """The edge list of a python-igraph ``Graph``, copied out of its igraph_t in C: in CSR
    form where its edges are a matrix's nonzeros in stored order (a graph scanpy's
    ``get_igraph_from_adjacency`` built, which then is the same graph), else as an edge
    list with igraph's incidence order. A directed graph needs the CSR form (its edges
    ordered by source).

    Raises ``ValueError`` where the igraph_t is not laid out as this build expects (the
    copy is checked against the graph's own counts), or a directed graph's sources
    decrease somewhere, so the caller runs upstream.
    """
    from .. import _core

    n = graph.vcount()
    indptr, targets, sources, incidence = _core.igraph_edges(
        # a pointer to the Graph's igraph_t (no name mangling: this is no class body)
        graph.__graph_as_capsule(),
        n,
        graph.ecount(),
        graph.is_directed(),
    )
    to = np.frombuffer(targets, dtype=np.int32)
    if indptr is not None:
        return EdgeGraph(
            n_vertices=n, indptr=np.frombuffer(indptr, dtype=np.int64), indices=to, weights=weights
        )
    if incidence is None:
        raise ValueError("a directed graph whose edges are not ordered by source")
    return EdgeGraph(
        n_vertices=n,
        indptr=None,
        indices=to,
        weights=weights,
        sources=np.frombuffer(sources, dtype=np.int32),
        incidence=np.frombuffer(incidence, dtype=np.int32),
    )


def stored_attribute(graph: Any, name: str, kind: str) -> list | None:
    """The list python-igraph keeps a vertex or edge attribute in (``graph.es[name]``
    copies it: 8 bytes an edge and a pass over them), read in C; None where it is not
    found so (the caller then copies it as upstream does). Read only, never change it.

    Confirmed against python-igraph's own reading: the first and the last item are the
    objects ``graph.es[i][name]`` returns.
    """
    from .. import _core

    seq = graph.es if kind == "edge" else graph.vs
    try:
        values = _core.igraph_attribute(
            graph.__graph_as_capsule(),
            graph.vcount(),
            graph.ecount(),
            graph.is_directed(),
            2 if kind == "edge" else 1,
            name,
        )
    except ValueError:
        return None
    if values is None or not values:
        return values
    if values[0] is not seq[0][name] or values[-1] is not seq[len(values) - 1][name]:
        return None
    return values


def float_values(values: list) -> np.ndarray | None:
    """A list of Python floats (as python-igraph stores an attribute; numpy float32 or
    float64 scalars where scanpy built the graph), read in C: float32 where every value
    is a float32's (promoted exactly wherever it is read), else float64; None where an
    item is anything else (then convert it with numpy)."""
    from .. import _core

    read = _core.float_list(values, np.float32, (np.float64,))
    if read is None:
        return None
    floats, itemsize = read
    return np.frombuffer(floats, dtype=np.float32 if itemsize == 4 else np.float64)


def _is_canonical(indptr: np.ndarray, indices: np.ndarray) -> bool:
    """Strictly increasing column indices within every row (no duplicates)."""
    if indices.size < 2:
        return True
    increasing = indices[1:] > indices[:-1]
    # positions where a new row starts need no comparison with the previous entry
    starts = indptr[1:-1]
    starts = starts[(starts > 0) & (starts < indices.size)]
    increasing[starts - 1] = True
    return bool(increasing.all())


def _summed_duplicates(rows: np.ndarray, cols: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Each entry's value summed over all stored entries at its (row, col).

    Mirrors scipy's ``csr_sample_values`` on a non-canonical matrix: a sequential sum in
    stored order, in the data's own dtype.
    """
    n_cols = int(cols.max()) + 1 if cols.size else 1
    keys = rows.astype(np.int64) * n_cols + cols
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_group = np.empty(keys.size, dtype=bool)
    new_group[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new_group[1:])
    group_start = np.flatnonzero(new_group)
    if group_start.size == keys.size:
        return data
    group_of = np.cumsum(new_group) - 1
    rank = np.arange(keys.size) - group_start[group_of]
    sums = data[order[group_start]].copy()
    # add the r-th duplicate of every group at once: keeps the stored order per group
    for r in range(1, int(rank.max()) + 1):
        at = rank == r
        sums[group_of[at]] += data[order[at]]
    summed = np.empty_like(data)
    summed[order] = sums[group_of]
    return summed


def graph_from_adjacency(adjacency: object) -> EdgeGraph:
    """Reproduce ``scanpy._utils.get_igraph_from_adjacency`` (edges and weights).

    Edges are ``adjacency.nonzero()`` in stored order (explicit zeros dropped, duplicates
    kept as parallel edges), each weighted with ``adjacency[i, j]``, which sums duplicates.
    Raises ``TypeError`` for anything but a square float32/float64 CSR matrix or array, and
    for one without nonzero entries (where upstream itself fails).
    """
    if not (sp.issparse(adjacency) and adjacency.format == "csr" and adjacency.ndim == 2):
        raise TypeError("adjacency must be a scipy.sparse CSR matrix or array")
    n_rows, n_cols = adjacency.shape
    if n_rows != n_cols:
        raise TypeError("adjacency must be square")
    data = adjacency.data
    indices = adjacency.indices
    indptr = adjacency.indptr
    if data.dtype not in (np.float32, np.float64):
        raise TypeError(f"unsupported adjacency dtype {data.dtype}")
    if indices.dtype not in (np.int32, np.int64) or indptr.dtype not in (np.int32, np.int64):
        raise TypeError("unsupported adjacency index dtype")
    nnz = int(indptr[-1])
    data = data[:nnz]
    indices = indices[:nnz]

    # nonzero() drops stored zeros; the kept entries' weights sum all duplicates
    keep = data != 0
    if not _is_canonical(indptr, indices):
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(indptr))
        data = _summed_duplicates(rows, indices, data)
    if not keep.any():
        # upstream's adjacency[[], []] is a sparse matrix there and .ravel() fails
        raise TypeError("adjacency has no nonzero entries: upstream cannot build the graph")
    if keep.all():
        weights = data
        new_indptr = indptr
    else:
        weights = data[keep]
        indices = indices[keep]
        kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        new_indptr = kept_before[indptr]
    return EdgeGraph(
        n_vertices=n_rows,
        indptr=np.ascontiguousarray(new_indptr, dtype=np.int64),
        indices=np.ascontiguousarray(indices),
        weights=np.ascontiguousarray(weights),
    )
