"""The one decision point of ``igraph.Graph.community_leiden``: fast path (a
:class:`CommunityLeidenPlan`) or upstream (a :class:`~.routing.Fallback` with its reason).

Every input python-igraph would reject, convert in a way we have not verified, or run
through code we have not ported (directed graphs, ``node_in_weights``) falls back, so
upstream raises its own exception or computes its own result. Deciding has no side
effects: it reads the graph's attributes and the arguments, nothing else.
"""

from __future__ import annotations

import math
import numbers
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..algorithms.graph import float_values
from ..verification import behaviour
from . import igraph_generator
from .routing import Fallback, core_problem

# the key of this target in autozyme.verification's tables
TABLE_KEY = "Graph.community_leiden"
_MAX_C_INT = 2**31 - 1
# integers a float64 holds exactly (python-igraph converts numbers to C doubles)
_EXACT_INT = 2**53
# python-igraph classes whose _community_leiden returns no quality and keeps the
# resolution out of modularity_params (0.10.0-0.10.4)
WITHOUT_QUALITY = frozenset({"A", "B"})


@dataclass(frozen=True)
class CommunityLeidenPlan:
    """Everything the fast path needs, already validated."""

    graph: Any  # the caller's igraph.Graph
    weights_argument: Any  # as passed: upstream keeps it in modularity_params
    weights: np.ndarray | None  # float64, one per edge
    resolution_argument: Any  # as passed: upstream keeps it in modularity_params
    resolution: float
    normalize_resolution: bool  # objective_function == "modularity", case-sensitive
    beta: float
    initial_membership: np.ndarray | None
    node_weights: np.ndarray | None
    n_iterations: int
    generator: random.Random
    igraph_class: str  # "A" ... "E" (autozyme.verification.releases)


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def _values(graph: Any, argument: object, kind: str, size: int) -> np.ndarray | str:
    """The numbers python-igraph reads from an attribute name or a sequence, as an array,
    or why they are not verified. ``kind``: "edge" or "vertex"."""
    if isinstance(argument, str):
        seq = graph.es if kind == "edge" else graph.vs
        if argument not in seq.attribute_names():
            return f"{kind} attribute {argument!r} does not exist (upstream raises)"
        argument = seq[argument]
    elif isinstance(argument, (bytes, bytearray)) or not hasattr(argument, "__len__"):
        return f"{type(argument).__name__} is not a sequence of numbers"
    if type(argument) is list and len(argument) == size:
        floats = float_values(argument)  # what numpy makes of it, in a tenth of the time
        if floats is not None:
            return floats
    try:
        arr = np.asarray(argument)
    except Exception:
        return "not array-like"
    if arr.shape != (size,):
        return f"shape {arr.shape} does not match {size} {kind}s"
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iu" and (size == 0 or np.abs(arr).max() < _EXACT_INT):
        return arr
    return f"dtype {arr.dtype} is not verified"


def _weights(graph: Any, argument: object, kind: str, size: int) -> np.ndarray | str | None:
    if argument is None:
        return None
    arr = _values(graph, argument, kind, size)
    if isinstance(arr, str):
        return arr
    # a caller's own array is copied (the core reads it without the GIL); an attribute
    # or a list was converted into a fresh array already
    arr = arr.astype(np.float64, copy=not isinstance(argument, (str, list, tuple)))
    if not (np.isfinite(arr).all() and (arr >= 0).all()):
        return "not finite non-negative numbers"
    return arr


def _membership(graph: Any, argument: object, size: int) -> np.ndarray | str | None:
    if argument is None:
        return None
    arr = _values(graph, argument, "vertex", size)
    if isinstance(arr, str):
        return arr
    if arr.dtype.kind not in "iu" or (size and (arr.min() < 0 or arr.max() >= size)):
        return "not integers in [0, number of vertices)"
    return arr.astype(np.int64)


def decide(arguments: dict[str, Any] | None) -> CommunityLeidenPlan | Fallback:
    """``arguments``: the call bound to upstream's ``_community_leiden`` signature (None
    where it does not bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    a = dict(arguments)
    if a.pop("kwds", None):
        return Fallback("extra keywords (resolution_parameter=, ...) are handled upstream")
    reason = core_problem()
    if reason:
        return Fallback(reason)
    proven = behaviour(TABLE_KEY)
    if proven.problem:
        return Fallback(proven.problem)
    generator = igraph_generator.current()
    if isinstance(generator, str):
        return Fallback(generator)

    import igraph

    graph = a["graph"]
    if not isinstance(graph, igraph.Graph):
        return Fallback(f"graph: {type(graph).__name__} is not an igraph.Graph")
    if graph.is_directed():
        return Fallback("graph: directed (not ported)")
    n, m = graph.vcount(), graph.ecount()
    if n >= _MAX_C_INT or m >= _MAX_C_INT:
        return Fallback("graph: 2**31 - 1 or more vertices or edges is not verified")
    if m == 0:
        return Fallback("graph: no edges is not verified")
    if a.get("node_in_weights") is not None:
        return Fallback("node_in_weights: the directed variant is not ported")

    objective = a["objective_function"]
    if not isinstance(objective, str) or objective.lower() not in ("cpm", "modularity"):
        return Fallback("objective_function: not 'CPM' or 'modularity' (upstream raises)")
    resolution_name = "resolution" if "resolution" in a else "resolution_parameter"
    resolution = a[resolution_name]
    if not (_is_real(resolution) and math.isfinite(resolution) and resolution >= 0):
        return Fallback(f"{resolution_name}: not a finite non-negative number")
    beta = a["beta"]
    if not (_is_real(beta) and math.isfinite(beta) and beta > 0):
        return Fallback("beta: not a positive finite number")
    n_iterations = a["n_iterations"]
    if not (_is_int(n_iterations) and abs(int(n_iterations)) <= _MAX_C_INT):
        return Fallback("n_iterations: not a C int")

    vectors: dict[str, np.ndarray | None] = {}
    for name, found in (
        ("weights", _weights(graph, a["weights"], "edge", m)),
        ("node_weights", _weights(graph, a["node_weights"], "vertex", n)),
        ("initial_membership", _membership(graph, a["initial_membership"], n)),
    ):
        if isinstance(found, str):
            return Fallback(f"{name}: {found}")
        vectors[name] = found

    return CommunityLeidenPlan(
        graph=graph,
        weights_argument=a["weights"],
        weights=vectors["weights"],
        resolution_argument=resolution,
        resolution=float(resolution),
        normalize_resolution=objective == "modularity",
        beta=float(beta),
        initial_membership=vectors["initial_membership"],
        node_weights=vectors["node_weights"],
        n_iterations=int(n_iterations),
        generator=generator,
        igraph_class=proven.classes["igraph"].name,
    )
