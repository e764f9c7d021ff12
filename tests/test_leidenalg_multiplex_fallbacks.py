"""Every fallback reason particular to ``Optimiser.optimise_partition_multiplex`` (the
reasons it shares with ``optimise_partition``, one decision step for both, are tested in
test_leidenalg_optimiser_fallbacks.py; a few are repeated here for the multiplex path):
the call goes upstream, is counted with its reason, and everything after is upstream's
own (the returned value or exception, every partition, the warnings, and the Optimiser's
generator as the next draws read it), run live against leidenalg alone in this process."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import igraph
import leidenalg
import pytest

import autozyme
from autozyme import verification

from ._call_counts import fallbacks, fast_calls, new_reason
from ._leidenalg_compare import generator_states, snapshot, upstream_only

TARGET = "find_partition"
FUNCTION = "leidenalg.Optimiser.optimise_partition_multiplex"
RB = leidenalg.RBConfigurationVertexPartition
MODULARITY = leidenalg.ModularityVertexPartition


@pytest.fixture(autouse=True)
def _off_between() -> Iterator[None]:
    autozyme.deactivate("leidenalg")
    yield
    autozyme.deactivate("leidenalg")


def _graph(n: int = 6, directed: bool = False) -> igraph.Graph:
    """Two triangles joined by one edge (n > 6: isolated vertices more), weighted."""
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)]
    graph = igraph.Graph(n=n, edges=edges, directed=directed)
    graph.es["weight"] = [1.0, 2.0, 1.5, 0.25, 1.0, 0.5, 1.0]
    return graph


# (graphs) -> (partitions, optimiser) as the caller sets them up
Setup = Callable[[list[igraph.Graph]], tuple[list[Any], Any]]


def _seeded(**constructor: Any) -> Setup:
    def setup(graphs: list[igraph.Graph]) -> tuple[list[Any], Any]:
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(5)
        return [RB(g, weights="weight", **constructor) for g in graphs], optimiser

    return setup


def _outcome(
    setup: Setup, graphs: list[igraph.Graph], shape: Callable[[list[Any]], Any], kwargs: dict
) -> tuple[Any, ...]:
    partitions, optimiser = setup(graphs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = optimiser.optimise_partition_multiplex(shape(partitions), **kwargs)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # leidenalg's C++ errors arrive as a bare BaseException
            result = (type(exc), str(exc))
    autozyme.deactivate("leidenalg")
    probe = MODULARITY(graphs[0])
    draw = optimiser.move_nodes(probe)  # the generator, read through its next draws
    return (
        result,
        [(w.category, str(w.message), w.filename, w.lineno) for w in caught],
        [snapshot(p, p.graph) for p in partitions],
        (draw, probe.membership),
        generator_states(),
    )


def check_fallback(
    fragment: str,
    setup: Setup | None = None,
    kwargs: dict | None = None,
    graphs: list[igraph.Graph] | None = None,
    shape: Callable[[list[Any]], Any] = lambda partitions: partitions,
) -> None:
    """leidenalg alone, then with AutoZyme: the call falls back with ``fragment`` in its
    reason, and everything it leaves is upstream's. ``shape``: what is passed as
    ``partitions``, from the partitions built."""
    graphs = [_graph(), _graph()] if graphs is None else graphs
    setup = setup or _seeded()
    kwargs = kwargs or {}
    upstream = _outcome(setup, graphs, shape, kwargs)
    autozyme.activate("leidenalg")
    before, fast = fallbacks(FUNCTION), fast_calls(FUNCTION)
    ours = _outcome(setup, graphs, shape, kwargs)
    assert fast_calls(FUNCTION) == fast, "the patched call took the fast path"
    expected = verification.unverified_reason(TARGET) or fragment
    assert expected in new_reason(FUNCTION, before)
    assert ours == upstream


def test_the_default_call_is_ported() -> None:
    """The control: the setup every test below varies takes the fast path."""
    graphs = [_graph(), _graph()]
    upstream = _outcome(_seeded(), graphs, list, {})
    autozyme.activate("leidenalg")
    fast = fast_calls(FUNCTION)
    ours = _outcome(_seeded(), graphs, list, {})
    if not verification.unverified_reason(TARGET):
        assert fast_calls(FUNCTION) == fast + 1
    assert ours == upstream


def test_unbound_arguments_fall_back() -> None:
    check_fallback("arguments do not bind", kwargs={"colour": "red"})


def test_no_partitions_fall_back() -> None:
    check_fallback("partitions: not a non-empty list", shape=lambda partitions: [])


def test_partitions_not_a_list_fall_back() -> None:
    check_fallback("partitions: not a non-empty list", shape=lambda partitions: iter(partitions))


def test_layer_weights_not_a_list_fall_back() -> None:
    check_fallback("layer_weights: not a list", kwargs={"layer_weights": (1.0, 2.0)})


def test_layer_weights_miscounted_fall_back() -> None:
    check_fallback("layer_weights: not one per partition", kwargs={"layer_weights": [1.0]})


@pytest.mark.parametrize("weights", [[1.0, float("nan")], [1.0, True], [1.0, "2"]])
def test_layer_weights_not_finite_numbers_fall_back(weights: list) -> None:
    check_fallback(
        "layer_weights: not finite Python ints or floats", kwargs={"layer_weights": weights}
    )


def test_vertex_counts_differ_fall_back() -> None:
    check_fallback("vertex count", graphs=[_graph(), _graph(7)])


def test_one_partition_twice_falls_back() -> None:
    check_fallback(
        "one partition given twice", shape=lambda partitions: [partitions[0], partitions[0]]
    )


def test_different_memberships_fall_back() -> None:
    def setup(graphs: list[igraph.Graph]) -> tuple[list[Any], Any]:
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(5)
        first = RB(graphs[0], weights="weight")
        second = RB(graphs[1], weights="weight", initial_membership=[0, 0, 0, 1, 1, 1])
        return [first, second], optimiser

    check_fallback("memberships differ", setup)


def test_aggregate_partitions_fall_back() -> None:
    def setup(graphs: list[igraph.Graph]) -> tuple[list[Any], Any]:
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(5)
        members = [0, 0, 1, 1, 2, 2]
        parts = [RB(g, weights="weight", initial_membership=members) for g in graphs]
        return [p.aggregate_partition() for p in parts], optimiser

    check_fallback("aggregate partitions (node sizes) in a multiplex call", setup)


def test_second_layer_unknown_falls_back() -> None:
    """A per-partition reason on the second layer (its partition built by upstream)."""

    def setup(graphs: list[igraph.Graph]) -> tuple[list[Any], Any]:
        with upstream_only():  # (AutoZyme steps aside: every object built before is unknown)
            second = RB(graphs[1], weights="weight")
        first = RB(graphs[0], weights="weight")
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(5)
        return [first, second], optimiser

    check_fallback("partition: built before AutoZyme was active", setup)


def test_unseeded_optimiser_falls_back() -> None:
    # seeded from the clock: the stream is unknown, so compare the reason only
    graphs = [_graph(), _graph()]
    autozyme.activate("leidenalg")
    partitions = [RB(g, weights="weight") for g in graphs]
    before = fallbacks(FUNCTION)
    leidenalg.Optimiser().optimise_partition_multiplex(partitions)
    expected = verification.unverified_reason(TARGET) or "Optimiser's generator unknown"
    assert expected in new_reason(FUNCTION, before)


def test_fixed_nodes_fall_back() -> None:
    fixed = [True] + [False] * 5
    check_fallback("is_membership_fixed: fixed nodes", kwargs={"is_membership_fixed": fixed})


def test_directed_layer_unordered_by_source_falls_back() -> None:
    # edges from 3 before edges from 0
    unordered = igraph.Graph(n=6, edges=[(3, 4), (0, 1), (1, 2)], directed=True)
    unordered.es["weight"] = [1.0, 1.0, 1.0]
    check_fallback("not ordered by source", graphs=[_graph(directed=True), unordered])
