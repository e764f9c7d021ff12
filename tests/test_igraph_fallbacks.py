"""Every fallback reason of the igraph target: the call goes upstream, is counted with its
reason, and the outcome is upstream's own (the same ``VertexClustering`` or the same
exception type and message, the same warnings at the same file and line, the same
generator state), run live against python-igraph's function in this process."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import igraph
import numpy as np
import pytest

import autozyme
from autozyme import verification
from autozyme.patches import igraph_community, routing
from autozyme.patches.routing import FallbackError

from ._call_counts import fallbacks, fast_calls, new_reason
from ._igraph_compare import (
    KEYWORDS,
    PARAMETERS,
    RESOLUTION,
    UNBOUND,
    GeneratorAdapter,
    RandomSubclass,
    expected_reason,
    outcome,
    snapshot,
    two_triangles,
    upstream_leiden,
)
from ._igraph_compare import check_fallback as check_target_fallback

TARGET = "Graph.community_leiden"
FUNCTION = "igraph.Graph.community_leiden"


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("igraph")
    igraph.set_random_number_generator(random)
    yield
    autozyme.deactivate("igraph")


@pytest.fixture(autouse=True)
def _module_generator() -> Iterator[None]:
    igraph.set_random_number_generator(random)
    yield
    igraph.set_random_number_generator(random)


def _expected(fragment: str) -> str:
    return expected_reason(TARGET, fragment)


def check_fallback(fragment: str, *args: Any, **kwargs: Any) -> None:
    check_target_fallback("community_leiden", TARGET, fragment, *args, **kwargs)


def _beyond_signature(name: str) -> str:
    """The reason for a keyword this python-igraph may not have."""
    if name in PARAMETERS:
        return ""
    return KEYWORDS if "kwds" in PARAMETERS else UNBOUND


# (id, reason fragment, positional arguments after the graph, keyword arguments)
CASES: list[tuple[str, str, tuple, dict]] = [
    ("too-many-positional", UNBOUND, tuple(range(12)), {}),
    ("unknown-keyword", _beyond_signature("colour"), (), {"colour": "red"}),
    ("objective-surprise", "objective_function", (), {"objective_function": "surprise"}),
    ("objective-not-str", "objective_function", (), {"objective_function": 1}),
    ("resolution-negative", RESOLUTION, (), {RESOLUTION: -1.0}),
    ("resolution-nan", RESOLUTION, (), {RESOLUTION: float("nan")}),
    ("resolution-str", RESOLUTION, (), {RESOLUTION: "1"}),
    ("resolution-bool", RESOLUTION, (), {RESOLUTION: True}),
    ("beta-zero", "beta", (), {"beta": 0.0}),
    ("beta-inf", "beta", (), {"beta": float("inf")}),
    ("n-iterations-float", "n_iterations", (), {"n_iterations": 2.0}),
    ("n-iterations-bool", "n_iterations", (), {"n_iterations": True}),
    ("weights-missing-attribute", "weights", (), {"weights": "nope"}),
    ("weights-short", "weights", (), {"weights": [1.0] * 6}),
    ("weights-nan", "weights", (), {"weights": [1.0] * 6 + [float("nan")]}),
    ("weights-negative", "weights", (), {"weights": [1.0] * 6 + [-1.0]}),
    ("weights-strings", "weights", (), {"weights": ["1"] * 7}),
    ("weights-bytes", "weights", (), {"weights": b"1234567"}),
    ("weights-iterator", "weights", (), {"weights": iter([1.0] * 7)}),
    ("weights-huge-ints", "weights", (), {"weights": [2**60] * 7}),
    ("node-weights-missing", "node_weights", (), {"node_weights": "nope"}),
    ("node-weights-negative", "node_weights", (), {"node_weights": [-1.0] * 6}),
    ("membership-floats", "initial_membership", (), {"initial_membership": [0.0] * 6}),
    ("membership-out-of-range", "initial_membership", (), {"initial_membership": [6] * 6}),
    ("membership-negative", "initial_membership", (), {"initial_membership": [-1] * 6}),
    ("membership-short", "initial_membership", (), {"initial_membership": [0] * 5}),
    (
        "node-in-weights",
        _beyond_signature("node_in_weights") or "node_in_weights",
        (),
        {"node_in_weights": [1.0] * 6},
    ),
]


@pytest.mark.parametrize(
    ("fragment", "args", "kwargs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_argument_falls_back(fragment: str, args: tuple, kwargs: dict) -> None:
    check_fallback(fragment, args, kwargs)


def test_directed_graph_falls_back() -> None:
    check_fallback(
        "directed", kwargs={"objective_function": "modularity"}, graph=two_triangles(True)
    )


def test_graph_without_edges_falls_back() -> None:
    check_fallback("no edges", graph=igraph.Graph(n=4))


def test_not_a_graph_falls_back() -> None:
    check_fallback("not an igraph.Graph", graph=object())


@pytest.mark.parametrize(
    ("fragment", "generator"),
    [
        ("not a random.Random", lambda: RandomSubclass(5)),
        ("not a random.Random", GeneratorAdapter),
    ],
    ids=["subclass", "adapter"],
)
def test_other_generator_falls_back(fragment: str, generator: Callable[[], Any]) -> None:
    check_fallback(fragment, kwargs={"objective_function": "modularity"}, generator=generator)


def test_igraph_own_generator_falls_back() -> None:
    # igraph's own generator cannot be reset from Python: two separate triangles give the
    # same clustering from any stream
    graph = igraph.Graph(n=6, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])
    check_fallback(
        "set_random_number_generator(None)",
        kwargs={"objective_function": "modularity"},
        graph=graph,
        generator=lambda: igraph.set_random_number_generator(None),
    )


def test_compiled_core_problem_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "core_problem", lambda: "compiled core unavailable (test)")
    check_fallback("compiled core unavailable (test)")


def test_internal_error_runs_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    if verification.unverified_reason(TARGET):
        pytest.skip("the fast path is off here; nothing to break")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("test")

    monkeypatch.setattr(igraph_community, "community_leiden", broken)
    graph = two_triangles()
    random.seed(3)
    expected = snapshot(upstream_leiden()(graph), graph), random.getstate()
    random.seed(3)
    before = fallbacks(FUNCTION)
    with pytest.warns(RuntimeWarning, match="internal error in the fast path"):
        clustering = igraph.Graph.community_leiden(graph)
    assert (snapshot(clustering, graph), random.getstate()) == expected
    assert "ZeroDivisionError: test" in new_reason(FUNCTION, before)


def test_fail_on_fallback_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    with pytest.raises(FallbackError, match="objective_function"):
        igraph.Graph.community_leiden(two_triangles(), objective_function="surprise")


def test_huge_iteration_count_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """An iteration count beyond C's int goes upstream; not run there, as python-igraph
    0.10/0.11 then iterate (almost) forever."""
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    before = fallbacks(FUNCTION)
    with pytest.raises(FallbackError, match=re.escape(_expected("n_iterations"))):
        igraph.Graph.community_leiden(two_triangles(), n_iterations=-(2**40))
    assert _expected("n_iterations") in new_reason(FUNCTION, before)


@pytest.mark.skipif("resolution" not in PARAMETERS, reason="resolution_parameter is the name")
def test_deprecated_resolution_keyword_is_upstream_exactly() -> None:
    """``resolution_parameter=`` is upstream's deprecated alias: its warning points at the
    caller's line, the result and ``modularity_params`` are upstream's."""
    graph = two_triangles()
    calls = [
        ((), {"objective_function": "modularity", "resolution_parameter": 0.5}),
        (("CPM", "weight", 0.2), {"resolution_parameter": 0.05}),
        ((), {"objective_function": "surprise", "resolution_parameter": 0.5}),
        ((), {"resolution_parameter": 0.5, "colour": "red"}),
    ]
    for args, kwargs in calls:
        outcomes = []
        for leiden in (upstream_leiden(), igraph.Graph.community_leiden):
            random.seed(4)
            outcomes.append((*outcome(leiden, graph, args, kwargs), random.getstate()))
        assert outcomes[1] == outcomes[0], (args, kwargs)


def test_late_activation_needs_the_generator_declared() -> None:
    """Activated after igraph's import, the generator is unknown until it is set again."""
    autozyme.deactivate("igraph")
    autozyme.activate("igraph")
    check_fallback("imported before AutoZyme was activated", kwargs={"n_iterations": 2})
    igraph.set_random_number_generator(random)
    if verification.unverified_reason(TARGET):
        return
    before = fast_calls(FUNCTION)
    graph = two_triangles()
    random.seed(3)
    expected = snapshot(upstream_leiden()(graph), graph)
    random.seed(3)
    assert snapshot(igraph.Graph.community_leiden(graph), graph) == expected
    assert fast_calls(FUNCTION) == before + 1


def test_numpy_membership_of_the_wrong_kind_falls_back() -> None:
    check_fallback("initial_membership", kwargs={"initial_membership": np.zeros(6, dtype=bool)})
