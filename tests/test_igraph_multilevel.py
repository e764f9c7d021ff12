"""Differential tests of the igraph target's Louvain: ``Graph.community_multilevel``
patched by ``autozyme.activate("igraph")`` against python-igraph's own, run live in this
process.

Each case runs upstream's function and the patched one on the same graph from the same
generator state (the ``random`` module, or a ``random.Random`` set through
``igraph.set_random_number_generator``) and compares everything the result holds: every
level's ``VertexClustering`` (membership as Python ints, the modularity to the bit,
``modularity_params`` with the caller's own objects, the graph itself) and the generator's
state afterwards. Every call must take the fast path (``AUTOZYME_FAIL_ON_FALLBACK=1``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import igraph
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import autozyme

from ._call_counts import fast_calls
from ._compare import fast_path_here
from ._generated_graphs import edge_list_graphs
from ._igraph_compare import snapshot_result, upstream

TARGET = "Graph.community_multilevel"
FUNCTION = "igraph.Graph.community_multilevel"


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("igraph")
    igraph.set_random_number_generator(random)
    with fast_path_here(TARGET):
        yield
    autozyme.deactivate("igraph")


@pytest.fixture(autouse=True)
def _fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")


def run_both(graph: igraph.Graph, kwargs: dict[str, Any], generator: str, seed: int) -> None:
    """Upstream, then ours, from the same generator state; everything must be equal."""
    results = []
    before = fast_calls(FUNCTION)
    for multilevel in (upstream("community_multilevel"), igraph.Graph.community_multilevel):
        if generator == "module":
            random.seed(seed)
            source: Any = random
        else:
            source = random.Random(seed)
            igraph.set_random_number_generator(source)
        try:
            result = multilevel(graph, **kwargs)
        finally:
            igraph.set_random_number_generator(random)
        results.append((snapshot_result(result, graph), source.getstate()))
    assert fast_calls(FUNCTION) == before + 1, "the patched call did not take the fast path"
    assert results[1][0] == results[0][0]
    assert results[1][1] == results[0][1]


@st.composite
def cases(draw: st.DrawFn) -> tuple[igraph.Graph, dict[str, Any], str, int]:
    graph = draw(edge_list_graphs())
    kwargs: dict[str, Any] = {}
    weights = draw(st.sampled_from(["none", "name", "list", "array", "array32", "ints"]))
    values = graph.es["weight"]
    if weights != "none":
        kwargs["weights"] = {
            "name": "weight",
            "list": list(values),
            "array": np.array(values),
            "array32": np.array(values, dtype=np.float32),
            "ints": [int(v) for v in values],
        }[weights]
    resolution = draw(st.sampled_from([None, 0.0, 0.05, 0.5, 1, 1.0, 2.0, 30.0]))
    if resolution is not None:
        kwargs["resolution"] = resolution
    return_levels = draw(st.sampled_from([None, False, True, 1, 0]))
    if return_levels is not None:
        kwargs["return_levels"] = return_levels
    generator = draw(st.sampled_from(["module", "instance"]))
    seed = draw(st.sampled_from([0, 1, 42, 2**31 - 1, 2**40 + 3]))
    return graph, kwargs, generator, seed


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_generated_graphs(case: tuple[igraph.Graph, dict[str, Any], str, int]) -> None:
    graph, kwargs, generator, seed = case
    note(f"edges={graph.get_edgelist()} weights={graph.es['weight']} kwargs={kwargs}")
    run_both(graph, kwargs, generator, seed)


@pytest.mark.parametrize("seed", range(12))
def test_weights_of_every_magnitude(seed: int) -> None:
    """Weights spanning 2**-40 to 2**10 make most link sums inexact, so both ways of
    summing a vertex's links (any order where that is exact, igraph's sorted order where
    it is not) meet in one graph, on every level."""
    rng = np.random.default_rng(seed)
    n = 60
    edges = rng.integers(0, n, size=(6 * n, 2)).tolist()
    graph = igraph.Graph(n=n, edges=edges)
    exponents = rng.integers(-40, 10, size=graph.ecount())
    graph.es["weight"] = (rng.uniform(1, 2, graph.ecount()) * 2.0**exponents).tolist()
    run_both(graph, {"weights": "weight", "return_levels": True}, "module", seed)


def test_zero_weights_and_signed_zero() -> None:
    graph = igraph.Graph(n=6, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)])
    for weights in ([0.0] * 7, [-0.0] * 7, [1.0, -0.0, 2.0, 0.0, 1.0, 1.0, -0.0]):
        run_both(graph, {"weights": weights, "return_levels": True}, "module", 1)


def test_successive_calls_continue_the_stream() -> None:
    graph = igraph.Graph.Famous("Zachary")
    memberships = []
    for multilevel in (upstream("community_multilevel"), igraph.Graph.community_multilevel):
        random.seed(11)
        memberships.append([multilevel(graph).membership for _ in range(3)] + [random.random()])
    assert memberships[0] == memberships[1]


# ---------------------------------------------------------------------------------------
# kNN graphs as scanpy builds them, called as pertpy's milo and users call it
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_graph(pbmc: Any) -> igraph.Graph:
    from scanpy._utils import get_igraph_from_adjacency

    return get_igraph_from_adjacency(pbmc.obsp["connectivities"], directed=False)


@pytest.mark.parametrize("weights", [None, "weight", "list"])
@pytest.mark.parametrize("resolution", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("generator", ["module", "instance"])
def test_knn_graph(
    knn_graph: igraph.Graph, weights: Any, resolution: float, generator: str
) -> None:
    kwargs = {
        "weights": knn_graph.es["weight"] if weights == "list" else weights,
        "resolution": resolution,
        "return_levels": True,
    }
    run_both(knn_graph, kwargs, generator, 5)
