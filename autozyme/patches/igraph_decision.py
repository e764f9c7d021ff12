"""The decision points of the igraph target, one per patched function: fast path (a
:class:`CommunityLeidenPlan` for ``Graph.community_leiden``, a
:class:`CommunityMultilevelPlan` for ``Graph.community_multilevel``) or upstream (a
:class:`~.routing.Fallback` with its reason).

Every input python-igraph would reject, convert in a way we have not verified, or run
through code we have not ported (directed graphs, ``node_in_weights``) falls back, so
upstream raises its own exception or computes its own result. Deciding has no side
effects: it reads the graph's attributes and the arguments, nothing else.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..verification import Behaviour, detected_versions
from ..verification.releases import multilevel_transposes
from . import igraph_generator
from .graph_arguments import MAX_C_INT, graph_problem, is_int, is_real, membership, weights
from .routing import Fallback, proven_here

# the keys of this target's functions in autozyme.verification's tables
TABLE_KEY = "Graph.community_leiden"
MULTILEVEL_TABLE_KEY = "Graph.community_multilevel"
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


def _environment(table_key: str, graph: Any) -> tuple[Behaviour, random.Random] | Fallback:
    """What both functions need before their own arguments: the table's proof for this
    environment, python-igraph's generator, and a graph the fast path reads."""
    proven = proven_here(table_key)
    if isinstance(proven, Fallback):
        return proven
    generator = igraph_generator.current()
    if isinstance(generator, str):
        return Fallback(generator)
    problem = graph_problem(graph)
    if problem:
        return Fallback(problem)
    return proven, generator


def decide(arguments: dict[str, Any] | None) -> CommunityLeidenPlan | Fallback:
    """``arguments``: the call bound to upstream's ``_community_leiden`` signature (None
    where it does not bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    a = dict(arguments)
    if a.pop("kwds", None):
        return Fallback("extra keywords (resolution_parameter=, ...) are handled upstream")
    found = _environment(TABLE_KEY, a["graph"])
    if isinstance(found, Fallback):
        return found
    proven, generator = found
    graph = a["graph"]
    n, m = graph.vcount(), graph.ecount()
    if a.get("node_in_weights") is not None:
        return Fallback("node_in_weights: the directed variant is not ported")

    objective = a["objective_function"]
    if not isinstance(objective, str) or objective.lower() not in ("cpm", "modularity"):
        return Fallback("objective_function: not 'CPM' or 'modularity' (upstream raises)")
    resolution_name = "resolution" if "resolution" in a else "resolution_parameter"
    resolution = a[resolution_name]
    if not (is_real(resolution) and math.isfinite(resolution) and resolution >= 0):
        return Fallback(f"{resolution_name}: not a finite non-negative number")
    beta = a["beta"]
    if not (is_real(beta) and math.isfinite(beta) and beta > 0):
        return Fallback("beta: not a positive finite number")
    n_iterations = a["n_iterations"]
    if not (is_int(n_iterations) and abs(int(n_iterations)) <= MAX_C_INT):
        return Fallback("n_iterations: not a C int")

    vectors: dict[str, np.ndarray | None] = {}
    for name, found in (
        ("weights", weights(graph, a["weights"], "edge", m)),
        ("node_weights", weights(graph, a["node_weights"], "vertex", n)),
        ("initial_membership", membership(graph, a["initial_membership"], n)),
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


@dataclass(frozen=True)
class CommunityMultilevelPlan:
    """Everything the fast path of ``Graph.community_multilevel`` needs, validated."""

    graph: Any  # the caller's igraph.Graph
    weights_argument: Any  # as passed: upstream keeps it in modularity_params
    weights: np.ndarray | None  # float64, one per edge
    resolution_argument: Any  # as passed: upstream keeps it in modularity_params
    resolution: float
    return_levels: bool
    generator: random.Random
    transposition: bool  # the C core's per-pass random transposition (0.10.13 and later)


def decide_multilevel(arguments: dict[str, Any] | None) -> CommunityMultilevelPlan | Fallback:
    """``arguments``: the call bound to upstream's ``_community_multilevel`` signature
    (None where it does not bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    found = _environment(MULTILEVEL_TABLE_KEY, arguments["graph"])
    if isinstance(found, Fallback):
        return found
    graph = arguments["graph"]
    generator = found[1]
    return_levels = arguments["return_levels"]
    # upstream tests its truth in Python; other objects could run code doing so
    if not (return_levels is None or isinstance(return_levels, (bool, int))):
        return Fallback("return_levels: not a bool, an int or None")
    resolution = arguments["resolution"]
    if not (is_real(resolution) and math.isfinite(resolution) and resolution >= 0):
        return Fallback("resolution: not a finite non-negative number")
    found = weights(graph, arguments["weights"], "edge", graph.ecount())
    if isinstance(found, str):
        return Fallback(f"weights: {found}")
    return CommunityMultilevelPlan(
        graph=graph,
        weights_argument=arguments["weights"],
        weights=found,
        resolution_argument=resolution,
        resolution=float(resolution),
        return_levels=bool(return_levels),
        generator=generator,
        transposition=multilevel_transposes(detected_versions()["igraph"]),
    )
