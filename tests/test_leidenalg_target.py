"""Differential tests of the leidenalg target: ``leidenalg.find_partition`` patched by
``autozyme.activate("leidenalg")`` against leidenalg's own, run live in this process.

Each case runs upstream's function and the patched one on the same graph with the same
arguments and compares everything the returned partition holds (its type, membership as
Python ints, quality, modularity and every community's sums to the bit, the caller's own
weights object in ``_modularity_params``, the graph itself) and the generators a call
could touch besides leidenalg's own (Python's ``random``, numpy's global one). Every call
must take the fast path, so a case cannot pass by running upstream twice; the one
exception is the case the port computes and then hands to upstream (its partition's
community sums, ``INCREMENTAL_SUMS``), tested in test_leidenalg_fallbacks.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import igraph
import leidenalg
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import autozyme
from autozyme import reporting, verification
from autozyme.patches.leidenalg_find_partition import INCREMENTAL_SUMS

from ._compare import fast_path_here
from ._generated_graphs import edge_list_graphs, layer_graphs
from ._leidenalg_compare import PARTITION_TYPES, generator_states, snapshot, upstream_find_partition

TARGET = "find_partition"
FUNCTION = "leidenalg.find_partition"


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("leidenalg")
    with fast_path_here(TARGET):
        yield
    autozyme.deactivate("leidenalg")


def _seeds() -> list[int]:
    """Seeds every release takes; 0.12.0 (L3) parses a C ssize_t, earlier ones a C int."""
    seeds = [0, 1, 42, 2**31 - 1, -5]
    if verification.behaviour(TARGET).classes["leidenalg"].name == "L3":
        seeds.append(2**40 + 3)
    return seeds


def calls() -> tuple[int, int]:
    """(fast calls, fallbacks) of the patched function so far."""
    counts = reporting.report()["calls"].get(FUNCTION, {})
    return counts.get("fast_calls", 0), sum(counts.get("fallbacks", {}).values())


def run_both(graph: igraph.Graph, partition_type: type, kwargs: dict[str, Any]) -> None:
    """Upstream, then ours, with the same arguments; everything must be equal."""
    results = []
    before = calls()
    for find_partition in (upstream_find_partition(), leidenalg.find_partition):
        partition = find_partition(graph, partition_type, **kwargs)
        results.append((snapshot(partition, graph), generator_states()))
    (up, ours) = results
    fast, fallbacks = (after - earlier for after, earlier in zip(calls(), before, strict=True))
    # the port ran; only the one case it finds but does not hand over may go upstream
    assert (fast, fallbacks) in ((1, 0), (0, 1)), "the patched call did not take the fast path"
    if fallbacks:
        assert reporting.report()["calls"][FUNCTION]["fallbacks"].get(INCREMENTAL_SUMS)
    assert ours[0] == up[0]
    assert ours[1] == up[1]


# ---------------------------------------------------------------------------------------
# generated graphs (tests/_generated_graphs.py), every option
# ---------------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[igraph.Graph, type, dict[str, Any]]:
    graph = draw(edge_list_graphs())
    n = graph.vcount()
    partition_type = draw(st.sampled_from(PARTITION_TYPES))
    kwargs: dict[str, Any] = {
        "n_iterations": draw(st.sampled_from([2, 2, 1, 3, -1, 0, 5])),
        "seed": draw(st.sampled_from(_seeds())),
    }
    max_comm_size = draw(st.sampled_from([None, 0, 1, 2, 5]))
    if max_comm_size is not None:
        kwargs["max_comm_size"] = max_comm_size
    weights = draw(st.sampled_from(["none", "name", "list", "array", "array32", "ints"]))
    values = graph.es["weight"]
    chosen = {
        "none": None,
        "name": "weight",
        "list": list(values),
        "array": np.array(values),
        "array32": np.array(values, dtype=np.float32),
        "ints": [int(v) for v in values],
    }[weights]
    if chosen is not None:
        kwargs["weights"] = chosen
    if partition_type is not leidenalg.ModularityVertexPartition:
        resolution = draw(st.sampled_from([None, 0.0, 0.05, 0.5, 1, 2.0]))
        if resolution is not None:
            kwargs["resolution_parameter"] = resolution
    if draw(st.booleans()):
        kwargs["initial_membership"] = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    return graph, partition_type, kwargs


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_generated_graphs(case: tuple[igraph.Graph, type, dict[str, Any]]) -> None:
    graph, partition_type, kwargs = case
    note(f"edges={graph.get_edgelist()} weights={graph.es['weight']}")
    note(f"{partition_type.__name__} kwargs={kwargs}")
    run_both(graph, partition_type, kwargs)


@st.composite
def directed_cases(draw: st.DrawFn) -> tuple[igraph.Graph, type, dict[str, Any]]:
    """Directed graphs (ordered by source but for one in ten, which go upstream)."""
    n = draw(st.integers(2, 25))
    graph = draw(layer_graphs(n, directed=True))
    partition_type = draw(st.sampled_from(PARTITION_TYPES))
    kwargs: dict[str, Any] = {
        "n_iterations": draw(st.sampled_from([2, 1, -1, 0])),
        "seed": draw(st.sampled_from(_seeds())),
        "max_comm_size": draw(st.sampled_from([0, 0, 2, 5])),
    }
    weights = draw(st.sampled_from(["none", "name", "list", "array"]))
    values = graph.es["weight"]
    chosen = {"none": None, "name": "weight", "list": list(values), "array": np.array(values)}
    if chosen[weights] is not None:
        kwargs["weights"] = chosen[weights]
    if partition_type is not leidenalg.ModularityVertexPartition:
        kwargs["resolution_parameter"] = draw(st.sampled_from([0.05, 0.5, 1, 2.0]))
    if draw(st.booleans()):
        kwargs["initial_membership"] = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    return graph, partition_type, kwargs


@settings(
    max_examples=160,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=directed_cases())
def test_generated_directed_graphs(case: tuple[igraph.Graph, type, dict[str, Any]]) -> None:
    graph, partition_type, kwargs = case
    note(f"edges={graph.get_edgelist()} weights={graph.es['weight']}")
    note(f"{partition_type.__name__} kwargs={kwargs}")
    sources = [e.source for e in graph.es]
    if sources == sorted(sources):
        run_both(graph, partition_type, kwargs)
        return
    before = reporting.report()["calls"].get(FUNCTION, {}).get("fallbacks", {})
    ours = leidenalg.find_partition(graph, partition_type, **kwargs)
    after = reporting.report()["calls"][FUNCTION]["fallbacks"]
    assert any("not ordered by source" in r and c > before.get(r, 0) for r, c in after.items())
    upstream = upstream_find_partition()(graph, partition_type, **kwargs)
    assert snapshot(ours, graph) == snapshot(upstream, graph)


def test_positional_arguments() -> None:
    graph = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (2, 3)])
    graph.es["weight"] = [1.0, 2.5, 0.5, 3.0, 0.25]
    membership = [0, 0, 1, 1, 2]
    run_both(graph, leidenalg.CPMVertexPartition, {"seed": 3, "resolution_parameter": 0.4})
    args = (membership, "weight", -1, 3, 7)
    for partition_type in PARTITION_TYPES:
        results = []
        for find_partition in (upstream_find_partition(), leidenalg.find_partition):
            results.append(snapshot(find_partition(graph, partition_type, *args), graph))
        assert results[1] == results[0]


# ---------------------------------------------------------------------------------------
# kNN graphs as scanpy builds them, called the way pegasus, PhenoGraph-like tools and
# users call it
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_graph(pbmc: Any) -> igraph.Graph:
    from scanpy._utils import get_igraph_from_adjacency

    return get_igraph_from_adjacency(pbmc.obsp["connectivities"], directed=False)


@pytest.mark.parametrize("partition_type", PARTITION_TYPES, ids=lambda t: t.__name__)
def test_directed_knn_graph(pbmc: Any, partition_type: type) -> None:
    """scanpy's directed graph (``get_igraph_from_adjacency(directed=True)``), as scanpy's
    own leidenalg flavor and muon build it."""
    from scanpy._utils import get_igraph_from_adjacency

    graph = get_igraph_from_adjacency(pbmc.obsp["connectivities"], directed=True)
    kwargs: dict[str, Any] = {"weights": "weight", "n_iterations": -1, "seed": 4}
    if partition_type is leidenalg.CPMVertexPartition:
        kwargs["resolution_parameter"] = 0.05
    run_both(graph, partition_type, kwargs)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 - 1])
def test_pegasus_call(knn_graph: igraph.Graph, seed: int) -> None:
    kwargs = {
        "weights": "weight",
        "resolution_parameter": 1.3,
        "n_iterations": -1,
        "seed": seed,
    }
    run_both(knn_graph, leidenalg.RBConfigurationVertexPartition, kwargs)


@pytest.mark.parametrize("n_iterations", [-1, 1, 2, 5])
@pytest.mark.parametrize("partition_type", PARTITION_TYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("weights", ["attribute", "array"])
def test_knn_graph_options(
    knn_graph: igraph.Graph, n_iterations: int, partition_type: type, weights: str
) -> None:
    kwargs: dict[str, Any] = {
        "weights": "weight" if weights == "attribute" else np.array(knn_graph.es["weight"]),
        "n_iterations": n_iterations,
        "seed": 11,
    }
    if partition_type is leidenalg.CPMVertexPartition:
        kwargs["resolution_parameter"] = 0.05
    elif partition_type is leidenalg.RBConfigurationVertexPartition:
        kwargs["resolution_parameter"] = 0.8
    run_both(knn_graph, partition_type, kwargs)


@pytest.mark.parametrize("max_comm_size", [10, 50])
def test_knn_graph_max_comm_size(knn_graph: igraph.Graph, max_comm_size: int) -> None:
    kwargs = {"weights": "weight", "max_comm_size": max_comm_size, "seed": 2}
    run_both(knn_graph, leidenalg.ModularityVertexPartition, kwargs)


def test_knn_graph_from_initial_membership(knn_graph: igraph.Graph) -> None:
    start = upstream_find_partition()(knn_graph, leidenalg.ModularityVertexPartition, seed=5)
    kwargs = {
        "weights": "weight",
        "initial_membership": start.membership,
        "n_iterations": -1,
        "seed": 3,
        "resolution_parameter": 1.5,
    }
    run_both(knn_graph, leidenalg.RBConfigurationVertexPartition, kwargs)
