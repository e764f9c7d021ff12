"""Differential tests of ``Optimiser.optimise_partition`` under the leidenalg target, run
live against leidenalg's own in this process.

Each case is a script of calls on the caller's own objects (a partition built with every
option, an Optimiser seeded with ``set_rng_seed``, one or two ``optimise_partition``
calls, sometimes an upstream method that draws from the same generator in between, and
always a last draw through upstream's ``move_nodes``). The script runs once with
AutoZyme off (leidenalg alone) and once with it on, and every step must give the same:
returned improvements to the bit, the caller's partition object after each step (its
membership, quality, modularity, every community's sums, its Python attributes), and
through the last draw the Optimiser's generator. The first ``optimise_partition`` must
take the fast path, so that a case cannot pass by running upstream twice (the one
exception, ``INCREMENTAL_SUMS``, is counted).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import igraph
import leidenalg
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import autozyme
from autozyme import verification
from autozyme.patches import leidenalg_objects
from autozyme.patches.leidenalg_find_partition import INCREMENTAL_SUMS

from ._call_counts import fallbacks, fast_calls
from ._compare import fast_path_here
from ._generated_graphs import edge_list_graphs, incremental_sum_cases
from ._leidenalg_compare import PARTITION_TYPES, generator_states, snapshot

TARGET = "find_partition"
FUNCTION = "leidenalg.Optimiser.optimise_partition"


@pytest.fixture(scope="module", autouse=True)
def _proven() -> Iterator[None]:
    with fast_path_here(TARGET):
        yield
    autozyme.deactivate("leidenalg")


def _bits(x: Any) -> Any:
    return struct.pack("<d", x).hex() if isinstance(x, float) else (type(x), x)


@dataclass
class Script:
    """What the caller does; ``between`` is an upstream call that draws in between."""

    graph: igraph.Graph
    partition_type: type
    constructor: dict[str, Any]
    seed: int
    calls: list[dict[str, Any]]
    max_comm_size: int = 0
    between: str | None = None
    after_between: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _between(optimiser: Any, partition: Any, what: str) -> Any:
    if what == "move_nodes":
        return optimiser.move_nodes(partition)
    if what == "merge_nodes":
        return optimiser.merge_nodes(partition)
    # an optimise_partition the port does not take: upstream from the generator's state
    optimiser.consider_empty_community = False
    try:
        return optimiser.optimise_partition(partition, n_iterations=1)
    finally:
        optimiser.consider_empty_community = True


def _first_call_ported(before: tuple[int, dict[str, int]]) -> bool:
    """The call since ``before`` took the fast path, or computed upstream's incremental
    community sums and handed over (the one case the port finds but does not return)."""
    fast = fast_calls(FUNCTION) - before[0]
    new = {r for r, c in fallbacks(FUNCTION).items() if c > before[1].get(r, 0)}
    return (fast, new) in ((1, set()), (0, {INCREMENTAL_SUMS}))


def play(script: Script, ported: bool) -> list[Any]:
    """Run the script; everything observable, step by step. ``ported``: AutoZyme is on,
    and its first optimise_partition must be the port's."""
    trace: list[Any] = []
    partition = script.partition_type(script.graph, **script.constructor)
    optimiser = leidenalg.Optimiser()
    if script.max_comm_size:
        optimiser.max_comm_size = script.max_comm_size
    optimiser.set_rng_seed(script.seed)
    for i, kwargs in enumerate(script.calls):
        before = (fast_calls(FUNCTION), fallbacks(FUNCTION))
        trace.append(_bits(optimiser.optimise_partition(partition, **kwargs)))
        if ported and i == 0:
            assert _first_call_ported(before), "the first call did not take the fast path"
        trace.append(snapshot(partition, script.graph))
    if script.between:
        trace.append(_bits(_between(optimiser, partition, script.between)))
        trace.append(snapshot(partition, script.graph))
        if script.after_between is not None:
            trace.append(_bits(optimiser.optimise_partition(partition, **script.after_between)))
            trace.append(snapshot(partition, script.graph))
    # the generator, read through the next draws: a shuffle of every vertex
    probe = leidenalg.ModularityVertexPartition(script.graph)
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


def _seeds() -> list[int]:
    seeds = [0, 1, 42, 2**31 - 1, -5]
    if verification.behaviour(TARGET).classes["leidenalg"].name == "L3":
        seeds.append(2**40 + 3)
    return seeds


# ---------------------------------------------------------------------------------------
# generated graphs (tests/_generated_graphs.py), every option
# ---------------------------------------------------------------------------------------


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    graph = draw(edge_list_graphs())
    n = graph.vcount()
    partition_type = draw(st.sampled_from(PARTITION_TYPES))
    constructor: dict[str, Any] = {}
    weights = draw(st.sampled_from(["none", "name", "list", "array", "ints"]))
    values = graph.es["weight"]
    chosen = {
        "none": None,
        "name": "weight",
        "list": list(values),
        "array": np.array(values),
        "ints": [int(v) for v in values],
    }[weights]
    if chosen is not None:
        constructor["weights"] = chosen
    if partition_type is not leidenalg.ModularityVertexPartition and draw(st.booleans()):
        constructor["resolution_parameter"] = draw(st.sampled_from([0.0, 0.05, 0.5, 1, 2.0]))
    if draw(st.booleans()):
        labels = st.integers(0, n - 1)
        constructor["initial_membership"] = draw(st.lists(labels, min_size=n, max_size=n))
    iterations = st.sampled_from([2, 1, 3, -1, 0])
    calls = [{"n_iterations": draw(iterations)}]
    if draw(st.booleans()):
        calls[0]["is_membership_fixed"] = [False] * n
    if draw(st.booleans()):
        calls.append({"n_iterations": draw(iterations)})
    between = draw(st.sampled_from([None, None, "move_nodes", "merge_nodes", "optimise"]))
    after = {"n_iterations": draw(iterations)} if between and draw(st.booleans()) else None
    return Script(
        graph=graph,
        partition_type=partition_type,
        constructor=constructor,
        seed=draw(st.sampled_from(_seeds())),
        calls=calls,
        max_comm_size=draw(st.sampled_from([0, 0, 1, 2, 5])),
        between=between,
        after_between=after,
    )


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(script=scripts())
def test_generated_scripts(script: Script) -> None:
    note(f"edges={script.graph.get_edgelist()} weights={script.graph.es['weight']}")
    note(f"{script.partition_type.__name__} {script}")
    run_both(script)


# ---------------------------------------------------------------------------------------
# kNN graphs as scanpy builds them, called the way pegasus calls it
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_graph(pbmc: Any) -> igraph.Graph:
    from scanpy._utils import get_igraph_from_adjacency

    return get_igraph_from_adjacency(pbmc.obsp["connectivities"], directed=False)


def _kmeans_like(graph: igraph.Graph, k: int) -> list[int]:
    """Labels of contiguous blocks of the vertex order (pegasus starts from k-means)."""
    n = graph.vcount()
    return [v * k // n for v in range(n)]


@pytest.mark.parametrize("seed", [0, 7, 2**31 - 1])
def test_pegasus_call(knn_graph: igraph.Graph, seed: int) -> None:
    """pegasus' spectral Leiden: RBConfiguration from k-means labels, resolution 1.3,
    every iteration until none improves."""
    run_both(
        Script(
            graph=knn_graph,
            partition_type=leidenalg.RBConfigurationVertexPartition,
            constructor={
                "weights": "weight",
                "resolution_parameter": 1.3,
                "initial_membership": _kmeans_like(knn_graph, 20),
            },
            seed=seed,
            calls=[{"n_iterations": -1}],
        )
    )


@pytest.mark.parametrize("seed", [0, 5])
def test_pegasus_spectral_leiden(knn_graph: igraph.Graph, seed: int) -> None:
    """pegasus' spectral_leiden: the partition from k-means labels is aggregated, the
    aggregate optimised, and the result carried back with from_coarse_partition."""

    def spectral(before_optimise: Any = None) -> list[Any]:
        partition = leidenalg.RBConfigurationVertexPartition(
            knn_graph,
            resolution_parameter=1.3,
            weights="weight",
            initial_membership=_kmeans_like(knn_graph, 30),
        )
        aggregate = partition.aggregate_partition()
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(seed)
        fast = fast_calls(FUNCTION)
        diff = optimiser.optimise_partition(aggregate, n_iterations=-1)
        if before_optimise is not None:
            assert fast_calls(FUNCTION) == fast + 1, "the aggregate did not take the fast path"
        partition.from_coarse_partition(aggregate)
        return [_bits(diff), snapshot(aggregate, aggregate.graph), snapshot(partition, knn_graph)]

    upstream = spectral()
    autozyme.activate("leidenalg")
    try:
        ours = spectral(before_optimise=True)
    finally:
        autozyme.deactivate("leidenalg")
    assert ours == upstream


@pytest.mark.parametrize("partition_type", PARTITION_TYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("between", [None, "move_nodes", "optimise"])
def test_knn_graph_sequences(
    knn_graph: igraph.Graph, partition_type: type, between: str | None
) -> None:
    """Two calls on the same objects, then upstream drawing from the same generator: the
    port's lead (hundreds of thousands of words) is drawn through leidenalg's first."""
    constructor: dict[str, Any] = {"weights": np.array(knn_graph.es["weight"])}
    if partition_type is leidenalg.CPMVertexPartition:
        constructor["resolution_parameter"] = 0.05
    run_both(
        Script(
            graph=knn_graph,
            partition_type=partition_type,
            constructor=constructor,
            seed=3,
            calls=[{"n_iterations": 2}, {"n_iterations": -1}],
            between=between,
            after_between={"n_iterations": 1},
        )
    )


def test_catch_up_in_many_shuffles(
    knn_graph: igraph.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lag larger than the largest shuffle catch_up() builds is drawn in several (here
    nine shuffles of at most 1000 vertices), ending where the port left the stream."""
    monkeypatch.setattr(leidenalg_objects, "SHUFFLE_MAX", 1000)
    run_both(
        Script(
            graph=knn_graph,
            partition_type=leidenalg.ModularityVertexPartition,
            constructor={"weights": "weight"},
            seed=8,
            calls=[{"n_iterations": 2}],
            between="move_nodes",
        )
    )


def test_resolution_profile(knn_graph: igraph.Graph) -> None:
    """Optimiser.resolution_profile builds partitions and optimises them one after the other
    through the patched methods, all from the one generator."""

    def profile() -> list[Any]:
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(9)
        found = optimiser.resolution_profile(
            knn_graph,
            leidenalg.CPMVertexPartition,
            resolution_range=(0.01, 0.2),
            weights="weight",
            number_iterations=1,
        )
        return [snapshot(part, knn_graph) for part in found]

    upstream = profile()
    autozyme.activate("leidenalg")
    try:
        before = fast_calls(FUNCTION)
        ours = profile()
        assert fast_calls(FUNCTION) > before + 1
    finally:
        autozyme.deactivate("leidenalg")
    assert ours == upstream


def test_incremental_community_sums_go_upstream() -> None:
    """Where upstream's last level moves nodes without aggregating, the caller's partition
    keeps sums updated move by move (on leidenalg 0.12, class L3, a few of these graphs
    do; on 0.10 and 0.11 none): the port computes the call, sees it and hands it to
    upstream, which then continues from the same generator state."""
    handed = 0
    for graph, partition_type, kwargs in incremental_sum_cases(600):
        constructor = {k: kwargs[k] for k in ("weights", "resolution_parameter") if k in kwargs}
        before = fallbacks(FUNCTION).get(INCREMENTAL_SUMS, 0)
        run_both(
            Script(
                graph=graph,
                partition_type=partition_type,
                constructor=constructor,
                seed=kwargs["seed"],
                calls=[{"n_iterations": kwargs["n_iterations"]}, {"n_iterations": 1}],
            )
        )
        handed += fallbacks(FUNCTION).get(INCREMENTAL_SUMS, 0) - before
    if verification.behaviour(TARGET).classes["leidenalg"].name == "L3":
        assert handed > 0, "these graphs no longer show the case"
    else:
        assert handed == 0
