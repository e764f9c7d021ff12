"""Every fallback reason of ``Graph.community_multilevel`` in the igraph target: the call
goes upstream, is counted with its reason, and the outcome is upstream's own (the same
clusterings or the same exception, the same warnings, the same generator state), run live
against python-igraph's function in this process."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import igraph
import pytest

import autozyme
from autozyme import verification
from autozyme.patches import igraph_community, routing
from autozyme.patches.routing import FallbackError

from ._call_counts import fallbacks, new_reason
from ._igraph_compare import (
    UNBOUND,
    GeneratorAdapter,
    RandomSubclass,
    check_fallback,
    expected_reason,
    snapshot_result,
    two_triangles,
    upstream,
)

TARGET = "Graph.community_multilevel"
NAME = "community_multilevel"
FUNCTION = f"igraph.Graph.{NAME}"


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


def _check(fragment: str, *args: Any, **kwargs: Any) -> None:
    check_fallback(NAME, TARGET, fragment, *args, **kwargs)


# (id, reason fragment, positional arguments after the graph, keyword arguments)
CASES: list[tuple[str, str, tuple, dict]] = [
    ("too-many-positional", UNBOUND, (None, False, 1.0, 4), {}),
    ("unknown-keyword", UNBOUND, (), {"colour": "red"}),
    ("return-levels-str", "return_levels", (), {"return_levels": "yes"}),
    ("return-levels-list", "return_levels", (), {"return_levels": []}),
    ("resolution-negative", "resolution", (), {"resolution": -1.0}),
    ("resolution-nan", "resolution", (), {"resolution": float("nan")}),
    ("resolution-inf", "resolution", (), {"resolution": float("inf")}),
    ("resolution-str", "resolution", (), {"resolution": "1"}),
    ("resolution-bool", "resolution", (), {"resolution": True}),
    ("weights-missing-attribute", "weights", (), {"weights": "nope"}),
    ("weights-short", "weights", (), {"weights": [1.0] * 6}),
    ("weights-nan", "weights", (), {"weights": [1.0] * 6 + [float("nan")]}),
    ("weights-inf", "weights", (), {"weights": [1.0] * 6 + [float("inf")]}),
    ("weights-negative", "weights", (), {"weights": [1.0] * 6 + [-1.0]}),
    ("weights-strings", "weights", (), {"weights": ["1"] * 7}),
    ("weights-iterator", "weights", (), {"weights": iter([1.0] * 7)}),
    ("weights-huge-ints", "weights", (), {"weights": [2**60] * 7}),
]


@pytest.mark.parametrize(
    ("fragment", "args", "kwargs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_argument_falls_back(fragment: str, args: tuple, kwargs: dict) -> None:
    _check(fragment, args, kwargs)


def test_directed_graph_falls_back() -> None:
    # upstream raises ValueError("input graph must be undirected")
    _check("directed", graph=two_triangles(True))


def test_graph_without_edges_falls_back() -> None:
    _check("no edges", kwargs={"return_levels": True}, graph=igraph.Graph(n=4))


def test_not_a_graph_falls_back() -> None:
    _check("not an igraph.Graph", graph=object())


@pytest.mark.parametrize(
    "generator",
    [lambda: RandomSubclass(5), GeneratorAdapter],
    ids=["subclass", "adapter"],
)
def test_other_generator_falls_back(generator: Callable[[], Any]) -> None:
    _check("not a random.Random", generator=generator)


def test_igraph_own_generator_falls_back() -> None:
    # two separate triangles give the same clustering from any stream of igraph's own
    graph = igraph.Graph(n=6, edges=[(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])
    _check(
        "set_random_number_generator(None)",
        graph=graph,
        generator=lambda: igraph.set_random_number_generator(None),
    )


def test_unverified_release_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-igraph 0.10.2 (class A: its 0.10.0-0.10.1 order the links otherwise)."""
    versions = {**verification.detected_versions(), "igraph": "0.10.2"}
    monkeypatch.setattr(verification, "detected_versions", lambda: versions)
    _check("igraph==0.10.2 (class A) is not verified")


def test_compiled_core_problem_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "core_problem", lambda: "compiled core unavailable (test)")
    _check("compiled core unavailable (test)")


def test_internal_error_runs_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    if verification.unverified_reason(TARGET):
        pytest.skip("the fast path is off here; nothing to break")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("test")

    monkeypatch.setattr(igraph_community, "community_multilevel", broken)
    graph = two_triangles()
    random.seed(3)
    expected = snapshot_result(upstream(NAME)(graph, return_levels=True), graph)
    expected_state = random.getstate()
    random.seed(3)
    before = fallbacks(FUNCTION)
    with pytest.warns(RuntimeWarning, match="internal error in the fast path"):
        result = igraph.Graph.community_multilevel(graph, return_levels=True)
    assert (snapshot_result(result, graph), random.getstate()) == (expected, expected_state)
    assert "ZeroDivisionError: test" in new_reason(FUNCTION, before)


def test_fail_on_fallback_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    with pytest.raises(FallbackError, match=re.escape(expected_reason(TARGET, "resolution"))):
        igraph.Graph.community_multilevel(two_triangles(), resolution=-1)


def test_late_activation_needs_the_generator_declared() -> None:
    """Activated after igraph's import, the generator is unknown until it is set again."""
    autozyme.deactivate("igraph")
    autozyme.activate("igraph")
    _check("imported before AutoZyme was activated")
    igraph.set_random_number_generator(random)
