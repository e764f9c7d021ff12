"""Every fallback reason of ``Optimiser.optimise_partition``: the call goes upstream, is
counted with its reason, and everything after is upstream's own (the returned value or
exception, the partition, the warnings, and the Optimiser's generator as the next draws
read it), run live against leidenalg alone in this process."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import igraph
import leidenalg
import pytest

import autozyme
from autozyme import verification
from autozyme.patches import leidenalg_optimiser, routing
from autozyme.patches.routing import FallbackError

from ._call_counts import fallbacks, fast_calls, new_reason
from ._leidenalg_compare import generator_states, snapshot

TARGET = "find_partition"
FUNCTION = "leidenalg.Optimiser.optimise_partition"
UNBOUND = "arguments do not bind"
MODULARITY = leidenalg.ModularityVertexPartition
CPM = leidenalg.CPMVertexPartition
RB = leidenalg.RBConfigurationVertexPartition


@pytest.fixture(autouse=True)
def _off_between() -> Iterator[None]:
    autozyme.deactivate("leidenalg")
    yield
    autozyme.deactivate("leidenalg")


def _graph(directed: bool = False) -> igraph.Graph:
    """Two triangles joined by one edge, with an edge attribute."""
    edges = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]
    graph = igraph.Graph(n=6, edges=edges, directed=directed)
    graph.es["weight"] = [1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 0.25]
    return graph


# a script: (graph) -> (partition, optimiser) set up as the caller does, then the call
Setup = Callable[[igraph.Graph], tuple[Any, Any]]


def _seeded(partition_type: type = RB, **constructor: Any) -> Setup:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(3)
        return partition_type(graph, **constructor), optimiser

    return setup


def _outcome(
    setup: Setup, graph: igraph.Graph, args: tuple, kwargs: dict, on: bool
) -> tuple[Any, ...]:
    partition, optimiser = setup(graph)
    if on:
        autozyme.activate("leidenalg")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = optimiser.optimise_partition(partition, *args, **kwargs)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # leidenalg's C++ errors arrive as a bare BaseException
            result = (type(exc), str(exc))
    autozyme.deactivate("leidenalg")
    probe = MODULARITY(graph)
    draw = optimiser.move_nodes(probe)  # the generator, read through its next draws
    return (
        result,
        [(w.category, str(w.message), w.filename, w.lineno) for w in caught],
        snapshot(partition, graph),
        (draw, probe.membership),
        generator_states(),
    )


def check_fallback(
    fragment: str,
    setup: Setup,
    args: tuple = (),
    kwargs: dict | None = None,
    graph: igraph.Graph | None = None,
    activate_first: bool = True,
) -> None:
    """leidenalg alone, then with AutoZyme: the patched call falls back with
    ``fragment`` in its reason, and everything it leaves is upstream's.
    ``activate_first``: the objects are built with AutoZyme on (else before it)."""
    graph = _graph() if graph is None else graph
    kwargs = kwargs or {}
    upstream = _outcome(setup, graph, args, kwargs, on=False)
    if activate_first:
        autozyme.activate("leidenalg")
    before, fast = fallbacks(FUNCTION), fast_calls(FUNCTION)
    ours = _outcome(setup, graph, args, kwargs, on=True)
    assert fast_calls(FUNCTION) == fast, "the patched call took the fast path"
    expected = fragment if fragment == UNBOUND else verification.unverified_reason(TARGET)
    assert (expected or fragment) in new_reason(FUNCTION, before)
    assert ours == upstream


def test_unbound_arguments_fall_back() -> None:
    check_fallback(UNBOUND, _seeded(), kwargs={"colour": "red"})


def test_unseeded_optimiser_falls_back() -> None:
    # seeded from the clock: two separate triangles give the same partition from any stream
    graph = igraph.Graph(n=6, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])

    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        return MODULARITY(graph), leidenalg.Optimiser()

    upstream_fragment = "Optimiser's generator unknown"
    partition, optimiser = setup(graph)
    autozyme.activate("leidenalg")
    before = fallbacks(FUNCTION)
    optimiser.optimise_partition(partition)
    assert upstream_fragment in new_reason(FUNCTION, before) or verification.unverified_reason(
        TARGET
    )
    # the labels of the two equal communities depend on the stream
    assert sorted(map(sorted, partition)) == [[0, 1, 2], [3, 4, 5]]


def test_generator_drawn_by_upstream_falls_back() -> None:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        partition, optimiser = _seeded()(graph)
        optimiser.merge_nodes(MODULARITY(graph))  # upstream draws: the state is unknown
        return partition, optimiser

    check_fallback("Optimiser's generator unknown", setup)


def test_seeded_before_activation_falls_back() -> None:
    check_fallback("Optimiser's generator unknown", _seeded(), activate_first=False)


SETTINGS = [
    ("consider_comms", leidenalg.ALL_COMMS),
    ("refine_consider_comms", leidenalg.RAND_COMM),
    ("optimise_routine", leidenalg.MERGE_NODES),
    ("refine_routine", leidenalg.MOVE_NODES),
    ("consider_empty_community", False),
]
if hasattr(leidenalg.Optimiser(), "min_comm_size"):
    SETTINGS += [("min_comm_size", 2), ("community_constraint_enforcement", 1.0)]


@pytest.mark.parametrize(("name", "value"), SETTINGS, ids=[s[0] for s in SETTINGS])
def test_optimiser_setting_falls_back(name: str, value: Any) -> None:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        partition, optimiser = _seeded()(graph)
        setattr(optimiser, name, value)
        return partition, optimiser

    check_fallback(f"Optimiser.{name}:", setup)


def check_reason_only(fragment: str, partition: Any, optimiser: Any) -> None:
    """The reason, read with AUTOZYME_FAIL_ON_FALLBACK=1, where upstream itself crashes."""
    expected = verification.unverified_reason(TARGET) or fragment
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
        with pytest.raises(FallbackError, match=re.escape(expected)):
            optimiser.optimise_partition(partition)


def test_refine_partition_off_falls_back() -> None:
    """leidenalg 0.12.0 crashes on refine_partition=False (a segmentation fault, or
    "cannot create std::vector larger than max_size()")."""
    autozyme.activate("leidenalg")
    partition, optimiser = _seeded()(_graph())
    optimiser.refine_partition = False
    check_reason_only("Optimiser.refine_partition:", partition, optimiser)


class _Subclass(leidenalg.ModularityVertexPartition):
    pass


def test_partition_subclass_falls_back() -> None:
    check_fallback("partition: not an", _seeded(_Subclass))


def test_partition_surprise_falls_back() -> None:
    check_fallback("partition: not an", _seeded(leidenalg.SurpriseVertexPartition))


def test_partition_built_before_activation_falls_back() -> None:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        autozyme.deactivate("leidenalg")
        partition = RB(graph, weights="weight")
        autozyme.activate("leidenalg")
        optimiser = leidenalg.Optimiser()
        optimiser.set_rng_seed(3)
        return partition, optimiser

    check_fallback("partition: built before AutoZyme was active", setup)


@pytest.mark.parametrize(
    ("fragment", "partition_type", "constructor"),
    [
        ("node_sizes are not ported", CPM, {"node_sizes": [1, 2, 1, 1, 1, 1]}),
        ("correct_self_loops", CPM, {"correct_self_loops": True}),
        ("weights:", CPM, {"weights": [1.0] * 6 + [-1.0]}),
    ],
    ids=["node-sizes", "correct-self-loops", "negative-weights"],
)
def test_constructor_argument_falls_back(
    fragment: str, partition_type: type, constructor: dict
) -> None:
    check_fallback(fragment, _seeded(partition_type, **constructor))


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.move_node(0, 3),
        lambda p: p.renumber_communities(),
        lambda p: p.from_coarse_partition(p),
        lambda p: _seeded()(p.graph)[1].move_nodes(p),
    ],
    ids=["move-node", "renumber", "from-coarse", "upstream-move-nodes"],
)
def test_partition_changed_move_by_move_falls_back(change: Callable[[Any], Any]) -> None:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        partition, optimiser = _seeded(weights="weight")(graph)
        change(partition)
        return partition, optimiser

    check_fallback("partition: changed move by move", setup)


def test_set_membership_makes_the_partition_fresh_again() -> None:
    graph = _graph()
    results = []
    for on in (False, True):
        if on:
            autozyme.activate("leidenalg")
        partition, optimiser = _seeded(weights="weight")(graph)
        partition.move_node(0, 3)
        partition.set_membership([0, 0, 0, 1, 1, 1])
        before = fast_calls(FUNCTION)
        results.append((optimiser.optimise_partition(partition), snapshot(partition, graph)))
        if on and not verification.unverified_reason(TARGET):
            assert fast_calls(FUNCTION) == before + 1
        autozyme.deactivate("leidenalg")
    assert results[1] == results[0]


def test_directed_graph_unordered_by_source_falls_back() -> None:
    # its last edge (2, 3) comes after edges from 5: not as scanpy adds a directed graph's
    check_fallback("not ordered by source", _seeded(MODULARITY), graph=_graph(True))


def test_graph_without_edges_falls_back() -> None:
    check_fallback("graph: no edges", _seeded(MODULARITY), graph=igraph.Graph(n=4))


def test_graph_grown_since_falls_back() -> None:
    """leidenalg's partition keeps reading the changed graph (upstream crashes)."""
    autozyme.activate("leidenalg")
    graph = _graph()
    partition, optimiser = _seeded(MODULARITY)(graph)
    graph.add_vertices(1)
    check_reason_only("gained or lost vertices or edges", partition, optimiser)


def test_negative_resolution_falls_back() -> None:
    def setup(graph: igraph.Graph) -> tuple[Any, Any]:
        partition, optimiser = _seeded(CPM)(graph)
        partition.resolution_parameter = -0.5
        return partition, optimiser

    check_fallback("resolution_parameter:", setup)


@pytest.mark.parametrize(
    ("fragment", "kwargs"),
    [
        ("n_iterations", {"n_iterations": 2.0}),
        ("n_iterations", {"n_iterations": True}),
        ("is_membership_fixed: fixed nodes", {"is_membership_fixed": [True] + [False] * 5}),
        ("is_membership_fixed: fixed nodes", {"is_membership_fixed": [0] * 6}),
        ("is_membership_fixed: fixed nodes", {"is_membership_fixed": [False] * 5}),
        ("is_membership_fixed: not a sequence", {"is_membership_fixed": 5}),
    ],
    ids=["iterations-float", "iterations-bool", "fixed", "fixed-ints", "fixed-short", "fixed-int"],
)
def test_call_argument_falls_back(fragment: str, kwargs: dict) -> None:
    check_fallback(fragment, _seeded(weights="weight"), kwargs=kwargs)


def test_compiled_core_problem_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "core_problem", lambda: "compiled core unavailable (test)")
    check_fallback("compiled core unavailable (test)", _seeded())


def test_internal_error_runs_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    if verification.unverified_reason(TARGET):
        pytest.skip("the fast path is off here; nothing to break")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("test")

    monkeypatch.setattr(leidenalg_optimiser, "optimise_multiplex", broken)
    graph = _graph()
    upstream = _outcome(_seeded(weights="weight"), graph, (), {}, on=False)
    autozyme.activate("leidenalg")
    before = fallbacks(FUNCTION)
    ours = _outcome(_seeded(weights="weight"), graph, (), {}, on=True)
    assert "ZeroDivisionError: test" in new_reason(FUNCTION, before)
    [(category, message, *_)] = ours[1]
    assert category is RuntimeWarning and "internal error in the fast path" in message
    assert ours[0] == upstream[0]
    assert ours[2:] == upstream[2:]


def test_fail_on_fallback_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    graph = _graph()
    autozyme.activate("leidenalg")
    partition = MODULARITY(graph)
    expected = verification.unverified_reason(TARGET) or "Optimiser's generator unknown"
    with pytest.raises(FallbackError, match=re.escape(expected)):
        leidenalg.Optimiser().optimise_partition(partition)
