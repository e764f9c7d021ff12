"""Differential tests of the igraph target: ``Graph.community_leiden`` patched by
``autozyme.activate("igraph")`` against python-igraph's own, run live in this process.

Each case runs upstream's function and the patched one on the same graph, from the same
generator state (python-igraph's default, the ``random`` module, or a ``random.Random``
set through ``igraph.set_random_number_generator``), and compares everything the returned
``VertexClustering`` holds (membership as Python ints, ``quality`` and the modularity to
the bit, ``modularity_params`` including the caller's own weights object, the graph
itself) and the generator's state afterwards. Every call must take the fast path
(``AUTOZYME_FAIL_ON_FALLBACK=1``), so a case cannot pass by running upstream twice.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from typing import Any

import igraph
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import autozyme
from autozyme import reporting

from ._compare import fast_path_here
from ._generated_graphs import edge_list_graphs
from ._igraph_compare import RESOLUTION, snapshot, upstream_leiden

TARGET = "Graph.community_leiden"
FUNCTION = "igraph.Graph.community_leiden"


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("igraph")
    # igraph may have been imported by an earlier test module: declare its generator
    igraph.set_random_number_generator(random)
    with fast_path_here(TARGET):
        yield
    autozyme.deactivate("igraph")


@pytest.fixture(autouse=True)
def _fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")


class _Stuck(Exception):
    """Raised by the alarm that bounds one call (see run_both)."""


# Upstream's cores before 1.0 loop with n_iterations < 0 until an iteration *changes*
# the membership (leiden.c tests ``!changed``): where nothing ever changes they never
# return. Each call is bounded; both must then still be running, and the patched call
# must give the alarm's exception to the caller, as upstream's does.
CALL_SECONDS = 1.0


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Stuck


def _bounded(call: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """(True, call(*args, **kwargs)) or (False, None) where the call was still running
    after CALL_SECONDS."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        return True, call(*args, **kwargs)
    except _Stuck:
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_both(graph: igraph.Graph, kwargs: dict[str, Any], generator: str, seed: int) -> None:
    """Upstream, then ours, from the same generator state; everything must be equal."""
    results = []
    before = reporting.report()["calls"].get(FUNCTION, {}).get("fast_calls", 0)
    for leiden in (upstream_leiden(), igraph.Graph.community_leiden):
        if generator == "module":
            random.seed(seed)
            source: Any = random
        else:
            source = random.Random(seed)
            igraph.set_random_number_generator(source)
        try:
            returned, clustering = _bounded(leiden, graph, **kwargs)
        finally:
            igraph.set_random_number_generator(random)
        # a fallback would have raised FallbackError: a stuck patched call ran ours
        results.append((snapshot(clustering, graph), source.getstate()) if returned else None)
    (up, ours) = results
    assert (ours is None) == (up is None), "one of the two runs did not return"
    if up is None:
        return
    after = reporting.report()["calls"][FUNCTION]["fast_calls"]
    assert after == before + 1, "the patched call did not take the fast path"
    assert ours[0] == up[0]
    assert ours[1] == up[1]


# ---------------------------------------------------------------------------------------
# generated graphs (tests/_generated_graphs.py), every option
# ---------------------------------------------------------------------------------------


@st.composite
def graphs(draw: st.DrawFn) -> igraph.Graph:
    graph = draw(edge_list_graphs())
    n = graph.vcount()
    graph.vs["size"] = draw(st.lists(st.floats(0.0, 5.0, width=32), min_size=n, max_size=n))
    return graph


@st.composite
def cases(draw: st.DrawFn) -> tuple[igraph.Graph, dict[str, Any], str, int]:
    graph = draw(graphs())
    n, m = graph.vcount(), graph.ecount()
    kwargs: dict[str, Any] = {
        "objective_function": draw(st.sampled_from(["modularity", "CPM", "Modularity", "cpm"])),
        "n_iterations": draw(st.sampled_from([2, 2, 1, 3, -1, 0])),
    }
    weights = draw(st.sampled_from(["none", "name", "list", "array", "array32", "ints"]))
    values = graph.es["weight"]
    kwargs["weights"] = {
        "none": None,
        "name": "weight",
        "list": list(values),
        "array": np.array(values),
        "array32": np.array(values, dtype=np.float32),
        "ints": [int(v) for v in values],
    }[weights]
    if weights == "ints" and not any(kwargs["weights"]):
        kwargs["weights"] = None
    resolution = draw(st.sampled_from([None, 0.0, 0.05, 0.5, 1, 2.0, 30.0]))
    if resolution is not None:
        kwargs[RESOLUTION] = resolution
    beta = draw(st.sampled_from([None, 0.01, 0.1, 1.0]))
    if beta is not None:
        kwargs["beta"] = beta
    if draw(st.booleans()):
        kwargs["initial_membership"] = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    node_weights = draw(st.sampled_from(["none", "none", "name", "list"]))
    if node_weights != "none":
        kwargs["node_weights"] = "size" if node_weights == "name" else graph.vs["size"]
    del m
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


def test_a_run_upstream_never_ends_gives_the_alarm_to_the_caller() -> None:
    """Nothing ever changes here (CPM at resolution 30): cores before 1.0 never return
    with n_iterations=-1, 1.0 returns after one iteration. Where upstream is still running
    after the alarm, ours must be too and raise the handler's exception (not rerun upstream,
    which would never return)."""
    graph = igraph.Graph(n=4, edges=[(0, 2), (3, 3)])
    graph.es["weight"] = [2.0, 0.1]
    kwargs = {"objective_function": "cpm", "n_iterations": -1, "weights": "weight", "beta": 1.0}
    run_both(graph, {**kwargs, RESOLUTION: 30}, "module", 2**31 - 1)


class _Float(float):
    pass


@pytest.mark.parametrize(
    "weights",
    [
        [1.0, 2.5, 0.5, 3.0, 0.25],  # read in C (exact floats)
        [1.0, 2, 0.5, 3.0, 1],  # ints among floats: converted by numpy
        [1.0, 2.5, _Float(0.5), 3.0, np.float64(0.25)],  # float subclasses
        [1.0, 2.5, 0.5, 3.0, np.float32(0.1)],
    ],
    ids=["floats", "with-ints", "with-subclasses", "with-float32"],
)
def test_weight_lists_of_mixed_numbers(weights: list) -> None:
    graph = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (2, 3)])
    graph.es["w"] = weights
    for argument in ("w", list(weights)):
        run_both(graph, {"objective_function": "modularity", "weights": argument}, "module", 5)


# ---------------------------------------------------------------------------------------
# kNN graphs as scanpy builds them, called the way scib-metrics and users call it
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_graph(pbmc: Any) -> igraph.Graph:
    from scanpy._utils import get_igraph_from_adjacency

    return get_igraph_from_adjacency(pbmc.obsp["connectivities"], directed=False)


@pytest.mark.parametrize("resolution", [0.1 * k for k in range(1, 11)])
def test_scib_metrics_resolution_sweep(knn_graph: igraph.Graph, resolution: float) -> None:
    # scib-metrics: objective_function="modularity", weights, resolution, default iterations
    kwargs = {"objective_function": "modularity", "weights": "weight", RESOLUTION: resolution}
    run_both(knn_graph, kwargs, "module", 0)


@pytest.mark.parametrize("n_iterations", [-1, 1, 2, 5])
@pytest.mark.parametrize("objective_function", ["modularity", "CPM"])
@pytest.mark.parametrize("generator", ["module", "instance"])
def test_knn_graph_options(
    knn_graph: igraph.Graph, n_iterations: int, objective_function: str, generator: str
) -> None:
    kwargs = {
        "objective_function": objective_function,
        "weights": knn_graph.es["weight"],
        "n_iterations": n_iterations,
        RESOLUTION: 1.0 if objective_function == "modularity" else 0.05,
    }
    run_both(knn_graph, kwargs, generator, 7)


def test_knn_graph_from_initial_membership(knn_graph: igraph.Graph) -> None:
    start = upstream_leiden()(knn_graph, objective_function="modularity")
    kwargs = {
        "objective_function": "modularity",
        "weights": "weight",
        "initial_membership": start.membership,
        "n_iterations": -1,
    }
    run_both(knn_graph, kwargs, "module", 3)


def test_successive_calls_continue_the_stream(knn_graph: igraph.Graph) -> None:
    """Three calls in a row from one seeding: each starts where the previous one left."""
    memberships = []
    for leiden in (upstream_leiden(), igraph.Graph.community_leiden):
        random.seed(11)
        memberships.append(
            [leiden(knn_graph, objective_function="modularity").membership for _ in range(3)]
            + [random.random()]
        )
    assert memberships[0] == memberships[1]
