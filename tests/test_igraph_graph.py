"""Reading a python-igraph ``Graph``'s edges out of its igraph_t
(``autozyme.algorithms.graph.graph_from_igraph``), checked against python-igraph's own
view of the same graph: its edge list and its incidence lists."""

from __future__ import annotations

import igraph
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from autozyme.algorithms.graph import EdgeGraph, float_values, graph_from_igraph, stored_attribute

from ._generated_graphs import EDGE_ORDERS, ordered_edges


def _edges_of(graph: EdgeGraph) -> list[tuple[int, int]]:
    """The edges ``graph`` describes, in edge id order, each as (smaller, larger) end."""
    if graph.indptr is not None:
        sources = np.repeat(np.arange(graph.n_vertices), np.diff(graph.indptr))
    else:
        sources = graph.sources
    return [
        (min(a, b), max(a, b))
        for a, b in zip(sources.tolist(), graph.indices.tolist(), strict=True)
    ]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 12),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=40),
    order=st.sampled_from(EDGE_ORDERS),
)
def test_edges_as_igraph_holds_them(n: int, edges: list, order: str) -> None:
    """Either form names igraph's edges in id order; the edge-list form carries igraph's
    incidence lists."""
    edges = ordered_edges([(a % n, b % n) for a, b in edges], order)
    graph = igraph.Graph(n=n, edges=edges)
    read = graph_from_igraph(graph, None)
    assert read.n_vertices == n
    assert _edges_of(read) == [(min(e), max(e)) for e in graph.get_edgelist()]
    if read.indptr is None:
        incidence = [e for v in range(n) for e in graph.incident(v, mode="all")]
        assert read.incidence.tolist() == incidence
    else:
        assert (np.diff(read.indptr) >= 0).all() and read.indptr[-1] == graph.ecount()
    if order != "drawn" and len(set(edges)) == len(edges):
        # a canonical matrix's nonzeros: the rows that fit are found whenever any do
        assert read.indptr is not None, "a matrix's nonzeros are read as rows"


def test_symmetric_matrix_read_as_its_rows() -> None:
    """A symmetric matrix's graph as scanpy builds it comes back as that matrix's CSR."""
    from scanpy._utils import get_igraph_from_adjacency

    rng = np.random.default_rng(0)
    upper = sp.random(300, 300, density=0.03, random_state=rng, format="csr", dtype=np.float32)
    matrix = (upper + upper.T).tocsr()
    matrix.sort_indices()
    read = graph_from_igraph(get_igraph_from_adjacency(matrix, directed=False), None)
    assert read.indptr is not None
    np.testing.assert_array_equal(read.indptr, matrix.indptr)
    np.testing.assert_array_equal(read.indices, matrix.indices)


def test_edge_list_form_where_no_rows_fit() -> None:
    """Edges {1, 2} then {0, 1} are no matrix's nonzeros in stored order."""
    read = graph_from_igraph(igraph.Graph(n=3, edges=[(1, 2), (0, 1)]), None)
    assert read.indptr is None
    assert read.sources.tolist() == [2, 1]
    assert read.indices.tolist() == [1, 0]


def test_directed_graph_out_of_source_order_refused() -> None:
    with pytest.raises(ValueError, match="not ordered by source"):
        graph_from_igraph(igraph.Graph(n=3, edges=[(2, 0), (1, 0)], directed=True), None)


@pytest.mark.parametrize("kind", ["edge", "vertex"])
def test_stored_attribute_is_python_igraphs_own_list(kind: str) -> None:
    """The list read in C is the one python-igraph keeps: item for item the objects its
    own reading returns; a missing attribute gives None."""
    graph = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2)])
    seq = graph.es if kind == "edge" else graph.vs
    seq["w"] = np.linspace(0.1, 1.0, len(seq), dtype=np.float32)
    stored = stored_attribute(graph, "w", kind)
    copied = seq["w"]
    assert stored is not None and stored is not copied
    assert len(stored) == len(copied)
    assert all(a is b for a, b in zip(stored, copied, strict=True))
    assert stored_attribute(graph, "missing", kind) is None


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, width=32).map(np.float32),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.floats(allow_nan=False, allow_infinity=False),
            st.floats(allow_nan=False, allow_infinity=False).map(np.float64),
        ),
        max_size=30,
    )
)
def test_float_values_as_numpy_reads_them(values: list) -> None:
    """The values numpy's float64 array of the list holds; float32 exactly where every
    one is a float32's."""
    read = float_values(values)
    assert read is not None
    expected = np.array(values, dtype=np.float64)
    assert np.array_equal(read.astype(np.float64), expected)
    fits = np.abs(expected) <= np.finfo(np.float32).max  # beyond: no float32's value
    narrow = bool(fits.all()) and bool(
        (expected.astype(np.float32).astype(np.float64) == expected).all()
    )
    assert read.dtype == (np.float32 if narrow else np.float64)


def test_float_values_refuses_other_items() -> None:
    assert float_values([1.0, 2]) is None
    assert float_values([1.0, "2"]) is None
