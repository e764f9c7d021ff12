"""Differential tests of ``Optimiser.optimise_partition_multiplex`` under the leidenalg
target, run live against leidenalg's own in this process.

Each case is a script on the caller's own objects: one partition per layer (1-3 layers,
undirected or directed graphs of one vertex count, every partition type, weights,
resolutions, a shared initial membership), an Optimiser seeded with ``set_rng_seed``, one
or two multiplex calls with layer weights, sometimes an upstream call drawing from the
same generator in between, and always a last draw through upstream's ``move_nodes``. It
runs with AutoZyme off, then on, and every step must give the same: improvements to the
bit, every partition after each step (membership, quality, modularity, community sums,
attributes) and, through the last draw, the Optimiser's generator. The first multiplex
call must take the fast path (or hand over with ``INCREMENTAL_SUMS``, counted).

Graphs have at most one self-loop per vertex: with several, libleidenalg's diff_move
counts one loop's weight while the partition counts all, and upstream can move nodes
back and forth forever. Negative layer weights only come with a bounded n_iterations
(upstream's ``n_iterations=-1`` may never stop improving).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import igraph
import leidenalg
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import autozyme
from autozyme.patches.leidenalg_find_partition import INCREMENTAL_SUMS

from ._call_counts import fallbacks, fast_calls
from ._compare import fast_path_here
from ._generated_graphs import layer_graphs
from ._leidenalg_compare import PARTITION_TYPES, generator_states, snapshot

TARGET = "find_partition"
FUNCTION = "leidenalg.Optimiser.optimise_partition_multiplex"


@pytest.fixture(scope="module", autouse=True)
def _proven() -> Iterator[None]:
    with fast_path_here(TARGET):
        yield
    autozyme.deactivate("leidenalg")


def _bits(x: Any) -> Any:
    return struct.pack("<d", x).hex() if isinstance(x, float) else (type(x), x)


@dataclass
class Layer:
    graph: igraph.Graph
    partition_type: type
    constructor: dict[str, Any]


@dataclass
class Script:
    layers: list[Layer]
    layer_weights: list[float] | None
    seed: int
    calls: list[dict[str, Any]]
    max_comm_size: int = 0
    between: str | None = None


def _first_call_ported(before: tuple[int, dict[str, int]]) -> bool:
    fast = fast_calls(FUNCTION) - before[0]
    new = {r for r, c in fallbacks(FUNCTION).items() if c > before[1].get(r, 0)}
    return (fast, new) in ((1, set()), (0, {INCREMENTAL_SUMS}))


def play(script: Script, ported: bool) -> list[Any]:
    trace: list[Any] = []
    partitions = [layer.partition_type(layer.graph, **layer.constructor) for layer in script.layers]
    optimiser = leidenalg.Optimiser()
    if script.max_comm_size:
        optimiser.max_comm_size = script.max_comm_size
    optimiser.set_rng_seed(script.seed)

    def observe() -> None:
        trace.extend(
            snapshot(p, layer.graph) for p, layer in zip(partitions, script.layers, strict=True)
        )

    for i, kwargs in enumerate(script.calls):
        before = (fast_calls(FUNCTION), fallbacks(FUNCTION))
        diff = optimiser.optimise_partition_multiplex(
            partitions, layer_weights=script.layer_weights, **kwargs
        )
        trace.append(_bits(diff))
        if ported and i == 0:
            assert _first_call_ported(before), "the first call did not take the fast path"
        observe()
    if script.between == "move_nodes":
        trace.append(_bits(optimiser.move_nodes(partitions[0])))
        observe()
    elif script.between == "optimise":
        trace.append(_bits(optimiser.optimise_partition(partitions[0], n_iterations=1)))
        observe()
    probe = leidenalg.ModularityVertexPartition(script.layers[0].graph)
    trace.append(_bits(optimiser.move_nodes(probe)))
    trace.append(probe.membership)
    trace.append(generator_states())
    return trace


def run_both(script: Script) -> None:
    autozyme.deactivate("leidenalg")
    upstream = play(script, ported=False)
    autozyme.activate("leidenalg")
    try:
        ours = play(script, ported=True)
    finally:
        autozyme.deactivate("leidenalg")
    assert len(ours) == len(upstream)
    for step, (got, want) in enumerate(zip(ours, upstream, strict=True)):
        assert got == want, f"step {step} differs"


# ---------------------------------------------------------------------------------------
# generated layers
# ---------------------------------------------------------------------------------------


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    n = draw(st.integers(2, 25))
    n_layers = draw(st.sampled_from([2, 3, 1, 2]))
    calls_iterations = st.sampled_from([2, 1, -1, 3, 0])
    calls = [{"n_iterations": draw(calls_iterations)}]
    if draw(st.booleans()):
        calls.append({"n_iterations": draw(calls_iterations)})
    bounded = all(c["n_iterations"] >= 0 for c in calls)
    membership = None
    if draw(st.booleans()):
        membership = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    layers = []
    for _ in range(n_layers):
        graph = draw(layer_graphs(n))
        partition_type = draw(st.sampled_from(PARTITION_TYPES))
        constructor: dict[str, Any] = {}
        weights = draw(st.sampled_from(["name", "list", "array", "none"]))
        if weights != "none":
            values = graph.es["weight"]
            constructor["weights"] = {
                "name": "weight",
                "list": list(values),
                "array": np.array(values),
            }[weights]
        if partition_type is not leidenalg.ModularityVertexPartition:
            constructor["resolution_parameter"] = draw(st.sampled_from([0.05, 0.5, 1, 1.5]))
        if membership is not None:
            constructor["initial_membership"] = membership
        layers.append(Layer(graph, partition_type, constructor))
    weight = st.sampled_from([1, 1.0, 0.5, 2.0] + ([-0.5] if bounded else []))
    layer_weights = None
    if draw(st.integers(0, 3)) > 0:
        layer_weights = [draw(weight) for _ in layers]
    return Script(
        layers=layers,
        layer_weights=layer_weights,
        seed=draw(st.sampled_from([0, 1, 42, 2**31 - 1])),
        calls=calls,
        max_comm_size=draw(st.sampled_from([0, 0, 0, 2, 5])),
        between=draw(st.sampled_from([None, None, "move_nodes", "optimise"])),
    )


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(script=scripts())
def test_generated_scripts(script: Script) -> None:
    for layer in script.layers:
        note(f"directed={layer.graph.is_directed()} edges={layer.graph.get_edgelist()}")
        note(f"weights={layer.graph.es['weight']} {layer.partition_type.__name__}")
    note(f"{script}")
    ordered = all(_ordered_by_source(layer.graph) for layer in script.layers)
    if ordered:
        run_both(script)
    else:
        _run_unordered(script)


def _ordered_by_source(graph: igraph.Graph) -> bool:
    sources = [e.source for e in graph.es]
    return not graph.is_directed() or sources == sorted(sources)


def _run_unordered(script: Script) -> None:
    """A directed graph not ordered by source: upstream runs, with the same result."""
    autozyme.deactivate("leidenalg")
    upstream = play(script, ported=False)
    autozyme.activate("leidenalg")
    try:
        before = fallbacks(FUNCTION)
        ours = play(script, ported=False)
        new = {r for r, c in fallbacks(FUNCTION).items() if c > before.get(r, 0)}
        # n_iterations=0 reads no graph: leidenalg only updates the memberships
        reads_graphs = any(call["n_iterations"] != 0 for call in script.calls)
        assert any("not ordered by source" in r for r in new) or not reads_graphs
    finally:
        autozyme.deactivate("leidenalg")
    assert ours == upstream


# ---------------------------------------------------------------------------------------
# muon's call: one kNN graph per modality, directed, RBConfiguration, layer weights
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modalities(pbmc: Any) -> list[igraph.Graph]:
    """Two modalities' graphs of the same cells as muon builds them (directed): the pbmc
    connectivities, and an affinity of its kNN distances, whose pattern is not symmetric
    (each cell's own neighbours)."""
    from scanpy._utils import get_igraph_from_adjacency

    affinity = pbmc.obsp["distances"].copy()
    affinity.data = 1.0 / (1.0 + affinity.data)
    return [
        get_igraph_from_adjacency(a, directed=True) for a in (pbmc.obsp["connectivities"], affinity)
    ]


@pytest.mark.parametrize(
    ("seed", "resolutions", "layer_weights"),
    [(0, (1.0, 1.0), None), (1, (0.8, 1.3), [0.7, 1.3]), (7, (1.5, 0.5), [1, 2])],
)
def test_muon_call(
    modalities: list[igraph.Graph], seed: int, resolutions: tuple, layer_weights: Any
) -> None:
    layers = [
        Layer(
            g,
            leidenalg.RBConfigurationVertexPartition,
            {"weights": np.array(g.es["weight"]).astype(np.float64), "resolution_parameter": r},
        )
        for g, r in zip(modalities, resolutions, strict=True)
    ]
    run_both(Script(layers, layer_weights, seed, [{"n_iterations": -1}]))


@pytest.mark.parametrize("partition_type", PARTITION_TYPES, ids=lambda t: t.__name__)
def test_knn_layers_every_type(modalities: list[igraph.Graph], partition_type: type) -> None:
    """Two calls of two iterations each, then upstream drawing from the same generator."""
    constructor: dict[str, Any] = {"weights": "weight"}
    if partition_type is leidenalg.CPMVertexPartition:
        constructor["resolution_parameter"] = 0.05
    layers = [Layer(g, partition_type, constructor) for g in modalities]
    calls = [{"n_iterations": 2}, {"n_iterations": 2}]
    run_both(Script(layers, [1.0, 0.5], 3, calls, between="move_nodes"))
