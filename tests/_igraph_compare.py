"""What the igraph target's tests compare: upstream's functions and everything a returned
``VertexClustering`` holds, floats to the bit; and how a fallback is checked."""

from __future__ import annotations

import inspect
import random
import struct
import warnings
from collections.abc import Callable
from typing import Any

import igraph

from autozyme import verification

from ._call_counts import fallbacks, fast_calls, new_reason

# reasons the decisions give before they look at the environment
UNBOUND = "arguments do not bind"
KEYWORDS = "extra keywords"


def upstream(name: str) -> Any:
    """python-igraph's own ``Graph.<name>``, patched or not."""
    function = getattr(igraph.Graph, name)
    return getattr(function, "__autozyme_original__", function)


def upstream_leiden() -> Any:
    return upstream("community_leiden")


# python-igraph 0.10.0-0.10.2 name the keyword resolution_parameter
PARAMETERS = inspect.signature(upstream_leiden()).parameters
RESOLUTION = "resolution" if "resolution" in PARAMETERS else "resolution_parameter"


def _bits(x: Any) -> Any:
    return struct.pack("<d", x).hex() if isinstance(x, float) else x


def snapshot(clustering: igraph.VertexClustering, graph: igraph.Graph) -> dict[str, Any]:
    """The clustering's whole state; the weights/resolution objects by identity."""
    state = dict(vars(clustering))
    assert state.pop("_graph") is graph
    assert type(clustering) is igraph.VertexClustering
    membership = state.pop("_membership")
    assert all(type(x) is int for x in membership)
    params = state.pop("_modularity_params")
    return {
        "membership": membership,
        "quality": _bits(state.pop("quality", None)),
        "modularity": _bits(clustering.q),
        # the same objects as passed (weights may be a list, an array or a name)
        "modularity_params": {k: (type(v), id(v)) for k, v in params.items()},
        "rest": {k: _bits(v) for k, v in state.items() if k not in ("_modularity",)},
    }


def snapshot_result(result: Any, graph: igraph.Graph) -> Any:
    """:func:`snapshot` of a clustering, or of each in a list (``return_levels``)."""
    if isinstance(result, list):
        return [snapshot(level, graph) for level in result]
    return snapshot(result, graph)


def two_triangles(directed: bool = False) -> igraph.Graph:
    """Two triangles joined by one edge, with edge and vertex attributes."""
    edges = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]
    graph = igraph.Graph(n=6, edges=edges, directed=directed)
    graph.es["weight"] = [1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 0.25]
    graph.vs["size"] = [1.0, 2.0, 1.0, 1.0, 3.0, 1.0]
    return graph


def outcome(function: Callable[..., Any], graph: Any, args: tuple, kwargs: dict) -> Any:
    """What one call gives, every warning recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = snapshot_result(function(graph, *args, **kwargs), graph)
        except Exception as exc:
            result = (type(exc), str(exc))
    return result, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def expected_reason(target: str, fragment: str) -> str:
    """The reason a decision gives first: its own argument checks, then a compiled core
    it cannot use, then an environment the target is not verified in, then the case's
    reason."""
    if fragment in (UNBOUND, KEYWORDS) or fragment.startswith("compiled core"):
        return fragment
    return verification.unverified_reason(target) or fragment


def check_fallback(
    name: str,
    target: str,
    fragment: str,
    args: tuple = (),
    kwargs: dict | None = None,
    graph: Any = None,
    generator: Callable[[], Any] = lambda: random,
) -> None:
    """Upstream's ``Graph.<name>``, then the patched one, from the same generator state:
    the patched call falls back with ``fragment`` in its reason (``target``: the
    verification table's key) and its outcome is upstream's."""
    kwargs = kwargs or {}
    graph = two_triangles() if graph is None else graph
    function = f"igraph.Graph.{name}"
    outcomes = []
    for call in (upstream(name), getattr(igraph.Graph, name)):
        random.seed(3)
        source = generator()
        if source is not random:
            igraph.set_random_number_generator(source)
        before, fast = fallbacks(function), fast_calls(function)
        result, caught = outcome(call, graph, args, kwargs)
        state = getattr(source, "getstate", lambda: None)()
        outcomes.append((result, caught, state))
    assert fast_calls(function) == fast, "the patched call took the fast path"
    assert expected_reason(target, fragment) in new_reason(function, before)
    assert outcomes[1] == outcomes[0]


class RandomSubclass(random.Random):
    pass


class GeneratorAdapter:
    """A generator python-igraph accepts that is not a ``random.Random``."""

    def __init__(self) -> None:
        self._inner = random.Random(9)

    def getrandbits(self, k: int) -> int:
        return self._inner.getrandbits(k)

    def randint(self, a: int, b: int) -> int:
        return self._inner.randint(a, b)

    def random(self) -> float:
        return self._inner.random()

    def gauss(self, mu: float, sigma: float) -> float:
        return self._inner.gauss(mu, sigma)

    def getstate(self) -> Any:
        return self._inner.getstate()
