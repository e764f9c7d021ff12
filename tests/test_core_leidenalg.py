"""Differential tests of the compiled leidenalg port against ``leidenalg.find_partition``.

Every case builds the igraph graph exactly as scanpy does (``get_igraph_from_adjacency``),
runs the installed leidenalg live in this process, and compares ``part.membership``,
``part.quality()`` and ``part.modularity`` (float equality, bit for bit) with
``autozyme.algorithms.leidenalg_partition``. Tests for a leidenalg release run only when
that release is installed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import metadata

import leidenalg
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from scanpy._utils import get_igraph_from_adjacency

from autozyme.algorithms.graph import graph_from_adjacency
from autozyme.algorithms.leidenalg_partition import OPTIMISERS, find_partition
from autozyme.verification.releases import release_class

from ._compare import assert_interrupted, large_random_graph
from ._compare import float_bits as _bits

INSTALLED_VERSION = metadata.version("leidenalg")
_INSTALLED_CLASS = release_class("leidenalg", INSTALLED_VERSION)
INSTALLED = _INSTALLED_CLASS.name if _INSTALLED_CLASS else None
_IGRAPH_CLASS = release_class("igraph", metadata.version("igraph"))
IGRAPH_CLASS = _IGRAPH_CLASS.name if _IGRAPH_CLASS else None

VERSIONS = [
    pytest.param(
        version,
        marks=pytest.mark.skipif(
            version != INSTALLED,
            reason=f"leidenalg {INSTALLED_VERSION} (class {INSTALLED}) is installed, not {version}",
        ),
    )
    for version in sorted(OPTIMISERS)
]

PARTITIONS = {
    "RBConfiguration": leidenalg.RBConfigurationVertexPartition,
    "Modularity": leidenalg.ModularityVertexPartition,
    "CPM": leidenalg.CPMVertexPartition,
}


def test_installed_leidenalg_is_covered() -> None:
    assert INSTALLED in OPTIMISERS, f"no port for leidenalg {INSTALLED_VERSION}"
    assert IGRAPH_CLASS is not None, "python-igraph release not listed"


@dataclass(frozen=True)
class Case:
    partition_type: str = "RBConfiguration"
    directed: bool = True
    use_weights: bool = True
    resolution: float | None = None
    n_iterations: int = -1
    seed: int = 0
    max_comm_size: int = 0
    initial_membership: tuple[int, ...] | None = None


@dataclass
class Result:
    error: bool
    membership: list[int] | None = None
    quality: float | None = None
    modularity: float | None = None


def _upstream(adj: sp.csr_matrix, case: Case) -> Result:
    """scanpy's leidenalg flavor: graph, weights, find_partition; then part.modularity."""
    try:
        g = get_igraph_from_adjacency(adj, directed=case.directed)
        kwargs = {}
        if case.use_weights:
            kwargs["weights"] = np.array(g.es["weight"]).astype(np.float64)
        if case.resolution is not None:
            kwargs["resolution_parameter"] = case.resolution
        if case.initial_membership is not None:
            kwargs["initial_membership"] = list(case.initial_membership)
        part = leidenalg.find_partition(
            g,
            PARTITIONS[case.partition_type],
            n_iterations=case.n_iterations,
            max_comm_size=case.max_comm_size,
            seed=case.seed,
            **kwargs,
        )
        return Result(False, list(part.membership), part.quality(), part.modularity)
    except BaseException as exc:  # leidenalg raises C++ errors as BaseException
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Result(True)


def _ours(adj: sp.csr_matrix, case: Case) -> Result:
    try:
        graph = graph_from_adjacency(adj)
        initial = None if case.initial_membership is None else np.array(case.initial_membership)
        memb, modularity, quality, *_ = find_partition(
            graph,
            partition_type=case.partition_type,
            directed=case.directed,
            use_weights=case.use_weights,
            resolution=case.resolution,
            n_iterations=case.n_iterations,
            seed=case.seed,
            max_comm_size=case.max_comm_size,
            initial_membership=initial,
            leidenalg_class=INSTALLED,
            igraph_class=IGRAPH_CLASS,
        )
    except (TypeError, ValueError, OverflowError):
        return Result(True)
    return Result(False, memb.tolist(), quality, modularity)


def _check(adj: sp.csr_matrix, case: Case) -> None:
    ref = _upstream(adj, case)
    got = _ours(adj, case)
    assert got.error == ref.error, (case, ref, got)
    if ref.error:
        return
    assert got.membership == ref.membership, case
    assert _bits(got.quality) == _bits(ref.quality), (case, ref.quality, got.quality)
    assert _bits(got.modularity) == _bits(ref.modularity), (case, ref.modularity, got.modularity)


# -- scanpy's bundled pbmc68k_reduced --------------------------------------------------


PBMC_CASES = (
    [
        Case(ptype, directed, use_weights, res, n_it, seed)
        for ptype, res in (("RBConfiguration", None), ("Modularity", None), ("CPM", 0.05))
        for directed in (True, False)
        for use_weights in (True, False)
        for n_it in (-1, 1, 2)
        for seed in (0, 7)
    ]
    + [
        Case("RBConfiguration", directed, True, res, -1, seed)
        for directed in (True, False)
        for res in (0.1, 0.5, 2.0, 5.0)
        for seed in (0, 123456789, 2**32, 2**40 + 5)
    ]
    + [
        Case(ptype, directed, True, None, n_it, seed)
        for ptype in ("RBConfiguration", "Modularity")
        for directed in (True, False)
        for n_it, seed in ((0, 0), (3, -1), (-1, -12345), (-1, -(2**31)), (-1, 2**31))
    ]
    + [
        Case(ptype, directed, True, res, n_it, 3, max_comm_size=mcs)
        for ptype, res in (("RBConfiguration", 1.0), ("Modularity", None), ("CPM", 0.01))
        for directed in (True, False)
        for n_it in (-1, 2)
        for mcs in (20, 150)
    ]
)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", PBMC_CASES, ids=repr)
def test_pbmc68k_reduced(pbmc, version: str, case: Case) -> None:
    _check(pbmc.obsp["connectivities"], case)


@pytest.mark.parametrize("version", VERSIONS)
def test_pbmc68k_reduced_initial_membership(pbmc, version: str) -> None:
    adj = pbmc.obsp["connectivities"]
    n = adj.shape[0]
    rng = np.random.default_rng(5)
    for directed in (True, False):
        for labels in (rng.integers(0, 10, n), rng.integers(0, n, n), np.zeros(n, dtype=int)):
            _check(adj, Case(directed=directed, initial_membership=tuple(labels.tolist())))


# -- kNN graphs of random blobs, built by sc.pp.neighbors ------------------------------


@pytest.fixture(scope="module")
def blob_graphs() -> list[sp.csr_matrix]:
    import anndata
    import scanpy as sc
    from sklearn.datasets import make_blobs

    graphs = []
    for n_obs, n_neighbors, seed in ((1500, 10, 0), (3000, 15, 1)):
        x, _ = make_blobs(n_samples=n_obs, centers=8, n_features=10, random_state=seed)
        adata = anndata.AnnData(x.astype(np.float32))
        sc.pp.neighbors(adata, n_neighbors=n_neighbors, use_rep="X", random_state=seed)
        graphs.append(adata.obsp["connectivities"])
    return graphs


BLOB_CASES = [
    Case(ptype, directed, True, res, n_it, seed)
    for ptype, res in (("RBConfiguration", 1.0), ("Modularity", None), ("CPM", 0.02))
    for directed in (True, False)
    for n_it in (-1, 2)
    for seed in (0, 11)
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", BLOB_CASES, ids=repr)
@pytest.mark.parametrize("graph_index", [0, 1])
def test_knn_blobs(blob_graphs, version: str, case: Case, graph_index: int) -> None:
    _check(blob_graphs[graph_index], case)


# -- small hypothesis-generated graphs -------------------------------------------------


@st.composite
def adjacency(draw) -> sp.csr_matrix:
    """Non-canonical CSR matrices: unsorted and duplicate entries, explicit zeros,
    self-loops, isolated vertices, several components, asymmetric or symmetric."""
    n = draw(st.integers(1, 24))
    n_entries = draw(st.integers(1, 4 * n))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=n_entries, max_size=n_entries))
    cols = draw(st.lists(st.integers(0, n - 1), min_size=n_entries, max_size=n_entries))
    value = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.01, 10.0))
    vals = draw(st.lists(value, min_size=n_entries, max_size=n_entries))
    if draw(st.booleans()):  # symmetric, as kNN connectivities are
        rows, cols, vals = rows + cols, cols + rows, vals + vals
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    data = np.asarray(vals, dtype=dtype)
    if not data.any():
        data[0] = 1.0
    order = draw(st.permutations(range(len(rows))))
    rows_a, cols_a, data = np.asarray(rows)[order], np.asarray(cols)[order], data[order]
    # CSR without summing duplicates or sorting indices: stored order = drawn order per row
    by_row = np.argsort(rows_a, kind="stable")
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows_a, minlength=n))))
    adj = sp.csr_matrix((data[by_row], cols_a[by_row], indptr), shape=(n, n))
    if adj.nnz == 0 or not np.any(adj.data):
        adj = sp.csr_matrix(([1.0], [0], [0] + [1] * n), shape=(n, n), dtype=dtype)
    return adj


@st.composite
def cases(draw) -> Case:
    ptype = draw(st.sampled_from(sorted(PARTITIONS)))
    if ptype == "Modularity":
        resolution = None
    elif ptype == "CPM":
        resolution = draw(st.sampled_from([None, 0.0, 0.05, 0.3, 1.0]))
    else:
        resolution = draw(st.sampled_from([None, 0.2, 1.0, 2.5]))
    return Case(
        ptype,
        directed=draw(st.booleans()),
        use_weights=draw(st.booleans()),
        resolution=resolution,
        n_iterations=draw(st.sampled_from([-1, 1, 2])),
        seed=draw(st.one_of(st.sampled_from([0, 1, 2**32]), st.integers(0, 2**31))),
        max_comm_size=draw(st.sampled_from([0, 0, 1, 2, 3, 5])),
    )


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(adj=adjacency(), case=cases())
def test_small_graphs(version: str, adj: sp.csr_matrix, case: Case) -> None:
    note(f"indptr={adj.indptr.tolist()} indices={adj.indices.tolist()} data={adj.data.tolist()}")
    _check(adj, case)


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=40, deadline=None, derandomize=True)
@given(adj=adjacency(), seed=st.integers(0, 1000), data=st.data())
def test_small_graphs_initial_membership(version: str, adj, seed: int, data) -> None:
    n = adj.shape[0]
    labels = data.draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    _check(adj, Case(seed=seed, initial_membership=tuple(labels)))


@pytest.mark.parametrize("version", VERSIONS)
def test_negative_weights(version: str) -> None:
    """CPM accepts negative weights; RBConfiguration and Modularity refuse them."""
    rng = np.random.default_rng(3)
    dense = rng.normal(size=(30, 30)) * (rng.random((30, 30)) < 0.3)
    adj = sp.csr_matrix(dense)
    for ptype in PARTITIONS:
        for directed in (True, False):
            res = 0.1 if ptype == "CPM" else None
            _check(adj, Case(ptype, directed, True, res, -1, 1))


# -- engineering -----------------------------------------------------------------------


def test_threads_agree(pbmc) -> None:
    """No shared mutable state: concurrent runs give the serial results."""
    graph = graph_from_adjacency(pbmc.obsp["connectivities"])
    kwargs = dict(
        partition_type="RBConfiguration",
        directed=True,
        use_weights=True,
        resolution=1.0,
        n_iterations=-1,
        leidenalg_class=INSTALLED,
        igraph_class=IGRAPH_CLASS,
    )
    serial = [find_partition(graph, seed=s, **kwargs)[0] for s in range(4)]
    results: list = [None] * 4

    def run(i: int) -> None:
        results[i] = find_partition(graph, seed=i, **kwargs)[0]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(serial, results, strict=True):
        assert np.array_equal(a, b)


def test_keyboard_interrupt() -> None:
    """A pending SIGINT aborts the run (GIL released): Interrupted holds the
    KeyboardInterrupt (the routing hands it to the caller)."""
    graph = large_random_graph()
    assert_interrupted(
        lambda: find_partition(
            graph,
            partition_type="RBConfiguration",
            directed=True,
            use_weights=True,
            resolution=None,
            n_iterations=-1,
            seed=0,
            leidenalg_class=INSTALLED,
            igraph_class=IGRAPH_CLASS,
        )
    )


def test_invalid_arguments(pbmc) -> None:
    graph = graph_from_adjacency(pbmc.obsp["connectivities"])
    base = dict(
        partition_type="RBConfiguration",
        directed=True,
        use_weights=True,
        resolution=None,
        n_iterations=2,
        seed=0,
        leidenalg_class=INSTALLED,
        igraph_class=IGRAPH_CLASS,
    )
    with pytest.raises(ValueError):
        find_partition(graph, **{**base, "partition_type": "Surprise"})
    with pytest.raises(ValueError):
        find_partition(graph, **{**base, "leidenalg_class": "L0"})
    with pytest.raises(TypeError):
        find_partition(graph, **{**base, "partition_type": "Modularity", "resolution": 1.0})
    with pytest.raises(ValueError):
        find_partition(graph, **{**base, "max_comm_size": -1})
    with pytest.raises(ValueError):
        find_partition(graph, **{**base, "initial_membership": np.full(graph.n_vertices, -1)})
