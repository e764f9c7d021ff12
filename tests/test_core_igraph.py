"""Differential tests of the compiled igraph-flavor core against python-igraph, run live.

Every case builds the graph exactly as scanpy does, runs ``Graph.community_leiden`` under
``set_igraph_random_state`` and compares membership, quality, modularity and the random
state afterwards with ``autozyme.algorithms``. Each test runs only for the behaviour class
of the installed python-igraph (``autozyme.verification.releases``), and draws igraph's
words the way the installed scanpy's RNG adapter makes python-igraph draw them (S1/S2:
``randint``, later: ``getrandbits``), so that adapter is what upstream's side runs.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

import igraph
import numpy as np
import pytest
import scanpy
import scipy.sparse as sp
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from scanpy._utils import get_igraph_from_adjacency
from sklearn.utils import check_random_state

from autozyme.algorithms import Interrupted
from autozyme.algorithms.graph import EdgeGraph, graph_from_adjacency
from autozyme.algorithms.igraph_leiden import community_leiden, modularity
from autozyme.verification.releases import release_class

from ._compare import float_bits as _bits
from ._compare import words_advanced

try:
    from scanpy._utils.random import set_igraph_random_state
except ImportError:  # scanpy before 1.11 keeps it in scanpy._utils
    from scanpy._utils import set_igraph_random_state

_INSTALLED_CLASS = release_class("igraph", igraph.__version__)
INSTALLED_CORE = _INSTALLED_CLASS.name if _INSTALLED_CLASS else None
_SCANPY_CLASS = release_class("scanpy", scanpy.__version__)
# scanpy before 1.11.4 gives igraph a generator without getrandbits
WORDS = "randint" if _SCANPY_CLASS and _SCANPY_CLASS.name in ("S1", "S2") else "getrandbits"
# python-igraph before 0.10.3 knows community_leiden's resolution only by its old name
RESOLUTION = "resolution_parameter" if INSTALLED_CORE == "A" else "resolution"
# before 0.10.5 community_leiden returns no quality and part.modularity is computed at
# resolution 1
WITHOUT_QUALITY = INSTALLED_CORE in ("A", "B")

# community_leiden's arguments as scanpy's igraph flavor passes them by default
SCANPY_CALL: dict[str, Any] = {
    "use_weights": True,
    "resolution": 1.0,
    "normalize_resolution": True,
    "beta": 0.01,
    "n_iterations": 2,
    "initial_membership": None,
    "node_weights": None,
}

CORES = [
    pytest.param(
        core,
        marks=pytest.mark.skipif(
            core != INSTALLED_CORE,
            reason=f"python-igraph {igraph.__version__} is not in class {core}",
        ),
    )
    for core in ("E", "D", "C", "B", "A")
]


def test_installed_igraph_core_is_covered() -> None:
    assert INSTALLED_CORE is not None, f"no core port for python-igraph {igraph.__version__}"
    assert _SCANPY_CLASS is not None, f"scanpy {scanpy.__version__} is in no class"


def _quality(part: igraph.VertexClustering) -> float | None:
    return getattr(part, "quality", None) if WITHOUT_QUALITY else part.quality


@dataclass
class Result:
    error: bool
    membership: list[int] | None = None
    quality: float | None = None
    modularity: float | None = None
    state: Any = None


def _rng_state(rs: np.random.RandomState) -> tuple:
    _, key, pos, has_gauss, gauss = rs.get_state(legacy=True)
    return (key.tobytes(), pos, has_gauss, _bits(gauss))


def _random_state(seed: int | None) -> np.random.RandomState:
    """What scanpy's _RNGIgraph wraps; ``None`` is numpy's global RandomState."""
    if seed is None:
        np.random.seed(12345)
    rs = check_random_state(seed)
    if seed == 7:
        rs.standard_normal()  # leaves a cached Gaussian (has_gauss=1) to be preserved
    return rs


def run_upstream(adjacency: Any, seed: int | None, kwargs: dict[str, Any]) -> Result:
    rs = _random_state(seed)
    try:
        g = get_igraph_from_adjacency(adjacency, directed=False)
        with set_igraph_random_state(rs):
            part = g.community_leiden(**kwargs)
    except Exception:
        return Result(error=True)
    return Result(
        error=False,
        membership=list(part.membership),
        quality=_quality(part),
        modularity=part.modularity,
        state=_rng_state(rs),
    )


def run_ours(adjacency: Any, seed: int | None, kwargs: dict[str, Any], core: str) -> Result:
    rs = _random_state(seed)
    objective = kwargs.get("objective_function", "CPM")
    use_weights = kwargs.get("weights") is not None
    resolution = kwargs.get(RESOLUTION, 1.0)
    try:
        graph = graph_from_adjacency(adjacency)
        membership, quality = community_leiden(
            graph,
            use_weights=use_weights,
            resolution=resolution,
            normalize_resolution=objective == "modularity",
            beta=kwargs.get("beta", 0.01),
            n_iterations=kwargs.get("n_iterations", 2),
            initial_membership=kwargs.get("initial_membership"),
            node_weights=kwargs.get("node_weights"),
            random_state=rs,
            core=core,
            words=WORDS,
        )
    except (ValueError, TypeError):
        return Result(error=True)
    try:
        mod = modularity(
            graph, membership, resolution=resolution, use_weights=use_weights, core=core
        )
    except ValueError:
        mod = None  # VertexClustering.modularity swallows the error and gives None
    return Result(
        error=False,
        membership=membership.tolist(),
        quality=quality,
        modularity=mod,
        state=_rng_state(rs),
    )


class _TimeLimit(Exception):
    pass


def ours_terminates(
    adjacency: Any, seed: int | None, kwargs: dict[str, Any], core: str, seconds: float = 2.0
) -> bool:
    """Run ours under a SIGALRM time limit (the core polls signals and aborts cleanly)."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        run_ours(adjacency, seed, kwargs, core)
    except Interrupted as stop:
        # the core hands the handler's exception over wrapped
        if isinstance(stop.args[0], _TimeLimit):
            return False
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return True


def _edgeless(adjacency: Any) -> bool:
    """No nonzero entries: scanpy < 1.12 cannot build its graph, 1.12 builds an empty one.
    The patch sends such input upstream on every version; our builder refuses it."""
    return not adjacency.data[: adjacency.indptr[-1]].any()


def assert_same(adjacency: Any, seed: int | None, kwargs: dict[str, Any], core: str) -> None:
    if _edgeless(adjacency):
        with pytest.raises(TypeError):
            graph_from_adjacency(adjacency)
        return
    if kwargs["n_iterations"] < 0 and not ours_terminates(adjacency, seed, kwargs, core):
        # igraph's "until nothing changed" loop can run forever (1.0: a move on the last,
        # all-singleton level sets `changed` without changing the membership; 0.10: the
        # test is inverted). Upstream would hang too: compare a fixed number instead.
        kwargs = {**kwargs, "n_iterations": 25}
    up = run_upstream(adjacency, seed, kwargs)
    ours = run_ours(adjacency, seed, kwargs, core)
    assert ours.error == up.error, (up, ours)
    if up.error:
        return
    assert ours.membership == up.membership
    assert (ours.quality is None) == (up.quality is None)
    if up.quality is not None:
        assert _bits(ours.quality) == _bits(up.quality), (ours.quality, up.quality)
    assert (ours.modularity is None) == (up.modularity is None)
    if up.modularity is not None:
        assert _bits(ours.modularity) == _bits(up.modularity), (ours.modularity, up.modularity)
    assert ours.state == up.state


def leiden_kwargs(
    *,
    objective: str = "modularity",
    use_weights: bool = True,
    resolution: float | None = 1.0,
    n_iterations: int = 2,
    beta: float | None = None,
    initial_membership: list[int] | None = None,
    node_weights: list[float] | None = None,
) -> dict[str, Any]:
    """The keyword arguments scanpy's leiden(flavor="igraph") passes."""
    kwargs: dict[str, Any] = {"n_iterations": n_iterations, "objective_function": objective}
    if use_weights:
        kwargs["weights"] = "weight"
    if resolution is not None:
        kwargs[RESOLUTION] = resolution
    if beta is not None:
        kwargs["beta"] = beta
    if initial_membership is not None:
        kwargs["initial_membership"] = initial_membership
    if node_weights is not None:
        kwargs["node_weights"] = node_weights
    return kwargs


# ---------------------------------------------------------------------------------------
# real kNN graphs
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blobs_knn() -> sp.csr_matrix:
    import anndata as ad
    import scanpy as sc

    rng = np.random.default_rng(0)
    centers = rng.normal(size=(15, 20)) * 3
    x = centers[rng.integers(0, 15, 2500)] + rng.normal(size=(2500, 20))
    adata = ad.AnnData(x.astype(np.float32))
    sc.pp.neighbors(adata, n_neighbors=15, use_rep="X", random_state=0)
    return adata.obsp["connectivities"]


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("seed", [0, 1, 7, None])
@pytest.mark.parametrize("n_iterations", [1, 2, 5, -1])
@pytest.mark.parametrize("resolution", [None, 0.3, 2.0])
@pytest.mark.parametrize("use_weights", [True, False])
def test_pbmc68k_reduced(
    pbmc: Any,
    core: str,
    seed: int | None,
    n_iterations: int,
    resolution: float | None,
    use_weights: bool,
) -> None:
    kwargs = leiden_kwargs(
        use_weights=use_weights, resolution=resolution, n_iterations=n_iterations
    )
    assert_same(pbmc.obsp["connectivities"], seed, kwargs, core)


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize(
    ("objective", "resolution", "beta"),
    [
        ("modularity", 1.0, 0.01),
        ("modularity", 0.0, 0.01),
        ("modularity", 50.0, 1.0),
        ("CPM", 0.05, 0.01),
        ("CPM", 0.5, 0.1),
        ("Modularity", 0.05, 0.01),
        ("modularity", 1.0, 0.1),
        ("modularity", 1.0, 1.0),
    ],
)
@pytest.mark.parametrize("n_iterations", [2, -1])
def test_pbmc68k_reduced_objectives(
    pbmc: Any,
    core: str,
    seed: int,
    objective: str,
    resolution: float,
    beta: float,
    n_iterations: int,
) -> None:
    kwargs = leiden_kwargs(
        objective=objective, resolution=resolution, beta=beta, n_iterations=n_iterations
    )
    assert_same(pbmc.obsp["connectivities"], seed, kwargs, core)


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize("variant", ["plain", "float32", "int64", "start", "node_weights"])
@pytest.mark.parametrize("n_iterations", [2, -1])
def test_blobs_knn(
    blobs_knn: sp.csr_matrix, core: str, seed: int, variant: str, n_iterations: int
) -> None:
    adjacency = blobs_knn
    kwargs = leiden_kwargs(n_iterations=n_iterations, resolution=0.8)
    n = adjacency.shape[0]
    rng = np.random.default_rng(seed)
    if variant == "float32":
        adjacency = adjacency.astype(np.float32)
    elif variant == "int64":
        adjacency = sp.csr_array(adjacency)
        adjacency.indices = adjacency.indices.astype(np.int64)
        adjacency.indptr = adjacency.indptr.astype(np.int64)
    elif variant == "start":
        kwargs["initial_membership"] = rng.integers(0, 20, n).tolist()
    elif variant == "node_weights":
        kwargs["node_weights"] = rng.uniform(0.5, 2.0, n).tolist()
    assert_same(adjacency, seed, kwargs, core)


# ---------------------------------------------------------------------------------------
# generated small graphs
# ---------------------------------------------------------------------------------------


@st.composite
def adjacencies(draw: st.DrawFn) -> Any:
    """Square CSR matrices/arrays, possibly non-canonical, asymmetric, with loops."""
    n = draw(st.integers(0, 24))
    allow_negative = draw(st.booleans()) and draw(st.booleans())
    value = st.sampled_from([0.0, 1.0, 0.5, 2.0, 0.1, 7.0]) | st.floats(
        -2.0 if allow_negative else 0.0, 10.0, allow_nan=False, width=32
    )
    if n == 0:
        entries = []
    else:
        node = st.integers(0, n - 1)
        entries = draw(st.lists(st.tuples(node, node, value), min_size=1, max_size=4 * n))
    if entries and draw(st.booleans()):
        entries += [(j, i, v) for i, j, v in entries]  # symmetric, like kNN graphs
    rows = np.array([e[0] for e in entries], dtype=np.int64)
    cols = np.array([e[1] for e in entries], dtype=np.int64)
    vals = np.array([e[2] for e in entries], dtype=np.float64)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    index_dtype = draw(st.sampled_from([np.int32, np.int64]))
    container = draw(st.sampled_from([sp.csr_matrix, sp.csr_array]))
    if draw(st.booleans()):
        # canonical: sorted, duplicates summed (explicit zeros may remain)
        m = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
        m.sum_duplicates()
        data, indices, indptr = m.data, m.indices, m.indptr
    else:
        # stored as generated: unsorted columns, duplicates, explicit zeros
        order = np.argsort(rows, kind="stable")
        data, indices = vals[order], cols[order]
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    return container(
        (data.astype(dtype), indices.astype(index_dtype), indptr.astype(index_dtype)),
        shape=(n, n),
    )


@st.composite
def leiden_cases(draw: st.DrawFn) -> tuple[Any, int | None, dict[str, Any]]:
    adjacency = draw(adjacencies())
    n = adjacency.shape[0]
    negative = bool((adjacency.data < 0).any())
    n_iterations = draw(st.sampled_from([1, 2, 5] if negative else [1, 2, 5, -1]))
    objective = draw(st.sampled_from(["modularity", "modularity", "CPM", "Modularity"]))
    resolution = draw(st.sampled_from([None, 0.0, 0.05, 0.5, 1.0, 2.0, 30.0]))
    initial = None
    if n and draw(st.booleans()):
        low, high = draw(st.sampled_from([(0, n - 1), (0, 2), (-3, n + 4)]))
        initial = draw(st.lists(st.integers(low, high), min_size=n, max_size=n))
    node_weights = None
    if n and draw(st.integers(0, 3)) == 0:
        node_weights = draw(st.lists(st.floats(0.0, 5.0, width=32), min_size=n, max_size=n))
    kwargs = leiden_kwargs(
        objective=objective,
        use_weights=draw(st.booleans()),
        resolution=resolution,
        n_iterations=n_iterations,
        beta=draw(st.sampled_from([None, 0.01, 0.1, 1.0, 0.0, -0.5])),
        initial_membership=initial,
        node_weights=node_weights,
    )
    seed = draw(st.sampled_from([0, 1, 2, 42, 2**31 - 1, None]))
    return adjacency, seed, kwargs


@pytest.mark.parametrize("core", CORES)
@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=leiden_cases())
def test_generated_graphs(core: str, case: tuple[Any, int | None, dict[str, Any]]) -> None:
    adjacency, seed, kwargs = case
    note(f"data={adjacency.data!r} indices={adjacency.indices!r} indptr={adjacency.indptr!r}")
    assert_same(adjacency, seed, kwargs, core)


def build_both(adjacency: Any) -> tuple[igraph.Graph | None, EdgeGraph | None]:
    """Upstream's and our graph; (None, None) after checking that we refuse it."""
    if _edgeless(adjacency):
        with pytest.raises(TypeError):
            graph_from_adjacency(adjacency)
        return None, None
    try:
        g = get_igraph_from_adjacency(adjacency, directed=False)
    except Exception:
        with pytest.raises(TypeError):
            graph_from_adjacency(adjacency)
        return None, None
    return g, graph_from_adjacency(adjacency)


@pytest.mark.parametrize("core", CORES)
@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    adjacency=adjacencies(),
    labels=st.lists(st.integers(-2, 30), min_size=0, max_size=24),
    resolution=st.sampled_from([0.0, 0.5, 1.0, 3.0, -1.0]),
    use_weights=st.booleans(),
)
def test_modularity(
    core: str, adjacency: Any, labels: list[int], resolution: float, use_weights: bool
) -> None:
    n = adjacency.shape[0]
    membership = (labels * (n // max(len(labels), 1) + 1))[:n] if labels else [0] * n
    g, graph = build_both(adjacency)
    if g is None:
        return
    # what VertexClustering.modularity passes (0.10.0 and 0.10.1 take no resolution)
    upstream_kwargs: dict[str, Any] = {"weights": "weight" if use_weights else None}
    if not WITHOUT_QUALITY:
        upstream_kwargs["resolution"] = resolution
    try:
        expected = g.modularity(membership, **upstream_kwargs)
    except Exception:
        with pytest.raises(ValueError):
            modularity(graph, membership, resolution=resolution, use_weights=use_weights, core=core)
        return
    got = modularity(graph, membership, resolution=resolution, use_weights=use_weights, core=core)
    assert _bits(got) == _bits(expected), (got, expected)


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("weights", [[0.0], [0.0, 0.0], [0.0, 1e-300]])
def test_modularity_at_total_weight_zero(core: str, weights: list[float]) -> None:
    """Edges of zero total weight (no scanpy graph has them): igraph before 0.11.5 gives
    0.0, later NaN. Reachable only through EdgeGraph directly."""
    m = len(weights)
    edges = [(0, 1), (1, 2)][:m]
    g = igraph.Graph(n=3, edges=edges)
    g.es["weight"] = weights
    # edge (v, v + 1) stored in row v
    indptr = np.array([0, 1, m, m], dtype=np.int64)
    graph = EdgeGraph(3, indptr, np.array([1, 2][:m], dtype=np.int32), np.array(weights))
    for membership in ([0, 0, 1], [0, 1, 2]):
        expected = g.modularity(membership, weights="weight")
        got = modularity(graph, membership, resolution=1.0, use_weights=True, core=core)
        assert _bits(got) == _bits(expected), (got, expected)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(adjacency=adjacencies())
def test_graph_from_adjacency(adjacency: Any) -> None:
    g, graph = build_both(adjacency)
    if g is None:
        return
    assert isinstance(graph, EdgeGraph)
    assert graph.n_vertices == g.vcount()
    assert graph.indptr.dtype == np.int64
    # the adjacency's own float dtype, read in place by the core
    assert graph.weights.dtype == adjacency.dtype
    rows = np.repeat(np.arange(graph.n_vertices), np.diff(graph.indptr))
    ours = [tuple(sorted(e)) for e in zip(rows.tolist(), graph.indices.tolist(), strict=True)]
    theirs = [tuple(sorted(e)) for e in g.get_edgelist()]
    assert ours == theirs
    expected = np.array(g.es["weight"], dtype=np.float64) if g.ecount() else np.zeros(0)
    assert graph.weights.astype(np.float64).tobytes() == expected.tobytes()


@pytest.mark.parametrize(
    "adjacency",
    [
        np.eye(3),
        sp.coo_matrix(np.eye(3)),
        sp.csc_matrix(np.eye(3)),
        sp.csr_matrix(np.eye(3, dtype=np.int64)),
        sp.csr_matrix(np.ones((2, 3))),
    ],
)
def test_graph_from_adjacency_rejects(adjacency: Any) -> None:
    with pytest.raises(TypeError):
        graph_from_adjacency(adjacency)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_canonical_adjacency_is_not_copied(pbmc: Any, dtype: type) -> None:
    adjacency = pbmc.obsp["connectivities"].astype(dtype)
    graph = graph_from_adjacency(adjacency)
    assert np.shares_memory(graph.weights, adjacency.data)
    assert np.shares_memory(graph.indices, adjacency.indices)


# ---------------------------------------------------------------------------------------
# validation, interruption, threads
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize(
    "bad",
    [
        {"initial_membership": [0, 1]},
        {"node_weights": [1.0, 2.0]},
        {"initial_membership": [[0]] * 700},
    ],
)
def test_invalid_arguments_fail_like_upstream(pbmc: Any, core: str, bad: dict[str, Any]) -> None:
    if core != "E" and "node_weights" in bad:
        pytest.skip("core 0.10 does not check the length: upstream reads past the vector")
    kwargs = {**leiden_kwargs(), **bad}
    adjacency = pbmc.obsp["connectivities"]
    assert run_upstream(adjacency, 0, kwargs).error
    assert run_ours(adjacency, 0, kwargs, core).error


@pytest.mark.parametrize("core", CORES)
def test_graph_without_edges(core: str) -> None:
    """Reachable only through EdgeGraph directly (scanpy cannot build it)."""
    for n in (0, 3):
        graph = EdgeGraph(n, np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0))
        rs = np.random.RandomState(0)
        membership, quality = community_leiden(
            graph,
            **SCANPY_CALL,
            random_state=rs,
            core=core,
            words=WORDS,
        )
        g = igraph.Graph(n=n)
        rs_up = np.random.RandomState(0)
        with set_igraph_random_state(rs_up):
            part = g.community_leiden(objective_function="modularity", n_iterations=2)
        assert membership.tolist() == part.membership
        assert quality == _quality(part) or _bits(quality) == _bits(_quality(part))
        assert _rng_state(rs) == _rng_state(rs_up)


def _untemper(y: int) -> int:
    """The MT19937 key word that tempers to the output word y."""
    y ^= y >> 18
    y ^= (y << 15) & 0xEFC60000
    x = y
    for _ in range(5):
        x = y ^ ((x << 7) & 0x9D2C5680)
    y = x & 0xFFFFFFFF
    x = y
    for _ in range(3):
        x = y ^ (x >> 11)
    return x & 0xFFFFFFFF


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("every", [1, 2, 5])
def test_all_ones_words_are_drawn_like_upstream(pbmc: Any, core: str, every: int) -> None:
    """randint(0, 2**32 - 1) redraws the word 0xffffffff, which a seeded stream almost
    never yields: here every `every`-th of the next words is one (the key is set so that
    they temper to it, up to the block's regeneration)."""
    key = np.random.RandomState(3).get_state(legacy=True)[1].copy()
    key[5::every] = _untemper(0xFFFFFFFF)

    def crafted() -> np.random.RandomState:
        rs = np.random.RandomState()
        rs.set_state(("MT19937", key.copy(), 5, 0, 0.0))
        return rs

    adjacency = pbmc.obsp["connectivities"]
    kwargs = leiden_kwargs(n_iterations=1)
    rs_up, rs_ours = crafted(), crafted()
    g = get_igraph_from_adjacency(adjacency, directed=False)
    with set_igraph_random_state(rs_up):
        part = g.community_leiden(**kwargs)
    membership, _ = community_leiden(
        graph_from_adjacency(adjacency),
        **{**SCANPY_CALL, "n_iterations": 1},
        random_state=rs_ours,
        core=core,
        words=WORDS,
    )
    assert membership.tolist() == part.membership
    assert _rng_state(rs_ours) == _rng_state(rs_up)


def test_unknown_word_source_is_refused(pbmc: Any) -> None:
    with pytest.raises(ValueError, match="words"):
        community_leiden(
            graph_from_adjacency(pbmc.obsp["connectivities"]),
            **SCANPY_CALL,
            random_state=np.random.RandomState(0),
            core="D",
            words="tomaxint",
        )


# Runs that never terminate upstream either (checked in a subprocess): 1.0 keeps
# `changed` set by a move on the all-singleton top level; 0.10 iterates while nothing
# changed, forever when the first iteration moves nothing.
NON_TERMINATING = {
    "E": (
        sp.csr_matrix(
            (
                np.array([8.0, 8.0, 1e-16, 1.0, 8.0, 0.1, 5.1]),
                np.array([2, 5, 6, 4, 2, 6, 3]),
                np.array([0, 1, 3, 4, 4, 4, 4, 6, 7]),
            ),
            shape=(8, 8),
        ),
        [0, 1, 0, 0, 0, 0, 1, 0],
    ),
    "D": (sp.csr_matrix(([1.0], [0], [0, 1, 1]), shape=(2, 2)), None),
}


@pytest.mark.parametrize("core", CORES)
def test_keyboard_interrupt_leaves_random_state_at_the_draws_made(core: str) -> None:
    # classes A-D share core 0.10's loop
    adjacency, initial = NON_TERMINATING["E" if core == "E" else "D"]
    graph = graph_from_adjacency(adjacency)
    rs = np.random.RandomState(0)
    before = rs.get_state(legacy=False)

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(Interrupted) as stop:
            community_leiden(
                graph,
                use_weights=True,
                resolution=0.5,
                normalize_resolution=False,
                beta=0.01,
                n_iterations=-1,
                initial_membership=None if initial is None else np.array(initial),
                node_weights=None,
                random_state=rs,
                core=core,
            )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert type(stop.value.args[0]) is KeyboardInterrupt
    # upstream's RandomState would have made the same draws up to that point
    advanced = words_advanced(before, rs.get_state(legacy=False))
    assert advanced is not None and advanced > 0


@pytest.mark.parametrize("core", CORES)
def test_concurrent_runs_release_the_gil(blobs_knn: sp.csr_matrix, core: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    graph = graph_from_adjacency(blobs_knn)

    def run(seed: int) -> tuple[list[int], float]:
        membership, quality = community_leiden(
            graph,
            **SCANPY_CALL,
            random_state=np.random.RandomState(seed),
            core=core,
        )
        return membership.tolist(), quality

    serial = [run(seed) for seed in range(4)]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(run, range(4))) == serial


@pytest.mark.parametrize("core", CORES)
def test_phase_timings(blobs_knn: sp.csr_matrix, core: str) -> None:
    import time

    from autozyme.algorithms.igraph_leiden import PHASES

    graph = graph_from_adjacency(blobs_knn)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    community_leiden(
        graph,
        **SCANPY_CALL,
        random_state=np.random.RandomState(0),
        core=core,
        timings=timings,
    )
    elapsed = time.perf_counter() - started
    assert tuple(timings) == PHASES
    assert all(seconds > 0 for seconds in timings.values())
    assert sum(timings.values()) <= elapsed
