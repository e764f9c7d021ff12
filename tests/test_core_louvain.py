"""Differential tests of the compiled port of the louvain package's Optimiser against
``louvain`` itself, run live in this process.

Every case builds the igraph graph exactly as scanpy does (``get_igraph_from_adjacency``),
runs ``Optimiser().optimise_partition(RBConfigurationVertexPartition(...))`` with a seeded
Optimiser (what ``louvain.find_partition`` does) and compares the membership and the
returned improvement bit for bit. The improvement sums every move's ``diff_move()``, so it
also checks the strengths, community sums and aggregate graphs those values are computed
from. Runs only where louvain (which requires python-igraph < 0.12) is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from autozyme.algorithms.graph import graph_from_adjacency
from autozyme.algorithms.louvain_partition import find_partition

from ._compare import assert_interrupted, float_bits, large_random_graph

louvain = pytest.importorskip("louvain", reason="the louvain package is not installed")


def upstream(adjacency: Any, directed: bool, use_weights: bool, resolution: float, seed: int):
    from scanpy._utils import get_igraph_from_adjacency

    g = get_igraph_from_adjacency(adjacency, directed=directed)
    weights = np.array(g.es["weight"]).astype(np.float64) if use_weights else None
    part = louvain.RBConfigurationVertexPartition(
        g, weights=weights, resolution_parameter=resolution
    )
    optimiser = louvain.Optimiser()
    optimiser.set_rng_seed(seed)
    improvement = optimiser.optimise_partition(part)
    return list(part.membership), float_bits(improvement)


def ours(adjacency: Any, directed: bool, use_weights: bool, resolution: float, seed: int):
    membership, improvement = find_partition(
        graph_from_adjacency(adjacency),
        seed=seed,
        directed=directed,
        use_weights=use_weights,
        resolution=resolution,
    )
    return membership.tolist(), float_bits(improvement)


@st.composite
def matrices(draw: st.DrawFn) -> sp.csr_matrix:
    """Loops, parallel pairs (both directions), isolated vertices, weights spanning many
    binades, symmetric or not."""
    n = draw(st.integers(1, 120))
    node = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(node, node), min_size=1, max_size=5 * n))
    weight = st.sampled_from([1.0, 0.5, 3.0]) | st.floats(2.0**-30, 2.0**10)
    weights = draw(st.lists(weight, min_size=len(pairs), max_size=len(pairs)))
    rows, cols = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    m = sp.coo_matrix((np.array(weights, dtype=dtype), (rows, cols)), shape=(n, n))
    if draw(st.booleans()):
        m = m + m.T
    return sp.csr_matrix(m)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    adjacency=matrices(),
    directed=st.booleans(),
    use_weights=st.booleans(),
    resolution=st.sampled_from([1.0, 0.05, 0.5, 2.0, 7.5]),
    seed=st.sampled_from([0, 1, 5, -1, 2**31 - 1, -(2**31)]),
)
def test_generated_graphs(adjacency, directed, use_weights, resolution, seed) -> None:
    note(f"n={adjacency.shape[0]} nnz={adjacency.nnz}")
    args = (adjacency, directed, use_weights, resolution, seed)
    assert ours(*args) == upstream(*args)


@pytest.mark.parametrize("case", range(24))
def test_larger_random_graphs(case: int) -> None:
    """Hundreds to thousands of vertices with float64 weights of full mantissas: the
    aggregate levels' sums run over many terms, where their order shows in the bits."""
    rng = np.random.default_rng(case)
    n = int(rng.integers(200, 2000))
    m = int(n * rng.uniform(2, 12))
    rows, cols = rng.integers(0, n, m), rng.integers(0, n, m)
    adjacency = sp.csr_matrix((rng.lognormal(0, 2, m), (rows, cols)), shape=(n, n))
    if case % 2:
        adjacency = (adjacency + adjacency.T).tocsr()
    args = (adjacency, bool(case % 3), case % 4 != 0, [1.0, 0.4, 2.5][case % 3], case)
    assert ours(*args) == upstream(*args)


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("resolution", [1.0, 0.7])
@pytest.mark.parametrize("seed", [0, 2])
def test_pbmc_weighted(pbmc, directed: bool, resolution: float, seed: int) -> None:
    """Real float32 weights: the strengths' and sums' order shows in the improvement."""
    args = (pbmc.obsp["connectivities"], directed, True, resolution, seed)
    assert ours(*args) == upstream(*args)


def test_seed_beyond_a_c_int() -> None:
    graph = graph_from_adjacency(sp.csr_matrix(np.ones((3, 3))))
    options = {"directed": True, "use_weights": False, "resolution": 1.0}
    with pytest.raises(OverflowError):
        find_partition(graph, seed=2**31, **options)
    with pytest.raises(OverflowError):  # louvain itself: PyArg "i"
        louvain.Optimiser().set_rng_seed(2**31)


def test_interruptible() -> None:
    """A pending SIGINT aborts the run (GIL released): Interrupted holds the
    KeyboardInterrupt (the routing hands it to the caller)."""
    graph = large_random_graph()
    assert_interrupted(
        lambda: find_partition(graph, seed=0, directed=True, use_weights=True, resolution=1.0)
    )
