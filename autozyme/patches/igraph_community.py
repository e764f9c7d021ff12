"""The patch of python-igraph: ``Graph.community_leiden``, ``Graph.community_multilevel``
and the generator tracking.

Both are python-igraph's Python functions on the ``Graph`` class (``_community_leiden``,
``_community_multilevel`` in igraph/community.py); each replacement keeps its name,
docstring, signature and ``__wrapped__``, and routes each call through its decision
(:func:`.igraph_decision.decide`, :func:`.igraph_decision.decide_multilevel`).
``igraph.set_random_number_generator`` is wrapped so that the generator python-igraph
draws from is known (:mod:`.igraph_generator`).
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

from ..algorithms.graph import graph_from_igraph
from ..algorithms.igraph_leiden import community_leiden
from ..algorithms.igraph_multilevel import community_multilevel
from . import igraph_generator
from .igraph_decision import (
    WITHOUT_QUALITY,
    CommunityLeidenPlan,
    CommunityMultilevelPlan,
    decide,
    decide_multilevel,
)
from .routing import bind_arguments, route

__all__ = ["install", "patched_names", "uninstall"]

FUNCTION = "igraph.Graph.community_leiden"
MULTILEVEL = "igraph.Graph.community_multilevel"

_lock = threading.Lock()
_original_leiden: Callable[..., Any] | None = None
_original_multilevel: Callable[..., Any] | None = None


def run_fast_path(plan: CommunityLeidenPlan, upstream: Callable[..., Any]) -> tuple[Any, dict]:
    """The ``VertexClustering`` upstream's ``_community_leiden`` returns, built the same way
    (its module's ``VertexClustering``, membership as a list of ints, the caller's own
    ``weights`` and ``resolution`` objects in ``modularity_params``)."""
    timings: dict[str, float] = {}
    graph = graph_from_igraph(plan.graph, plan.weights)
    membership, quality = community_leiden(
        graph,
        use_weights=plan.weights is not None,
        resolution=plan.resolution,
        normalize_resolution=plan.normalize_resolution,
        beta=plan.beta,
        n_iterations=plan.n_iterations,
        initial_membership=plan.initial_membership,
        node_weights=plan.node_weights,
        random_state=plan.generator,
        core=plan.igraph_class,
        words="whole",
        timings=timings,
    )
    vertex_clustering = sys.modules[upstream.__module__].VertexClustering
    modularity_params: dict[str, Any] = {}
    if plan.igraph_class in WITHOUT_QUALITY:
        if plan.weights_argument is not None:
            modularity_params["weights"] = plan.weights_argument
        result = vertex_clustering(
            plan.graph, membership.tolist(), modularity_params=modularity_params
        )
    else:
        modularity_params["resolution"] = plan.resolution_argument
        if plan.weights_argument is not None:
            modularity_params["weights"] = plan.weights_argument
        result = vertex_clustering(
            plan.graph,
            membership.tolist(),
            params={"quality": float(quality)},
            modularity_params=modularity_params,
        )
    return result, timings


def run_multilevel(plan: CommunityMultilevelPlan, upstream: Callable[..., Any]) -> tuple[Any, dict]:
    """What upstream's ``_community_multilevel`` returns: one ``VertexClustering`` per
    level with its modularity (``return_levels``), else the last level's without one
    (every vertex alone where no level merged), ``modularity_params`` holding the
    caller's own ``weights`` and ``resolution`` objects."""
    graph = graph_from_igraph(plan.graph, plan.weights)
    levels, modularity = community_multilevel(
        graph,
        use_weights=plan.weights is not None,
        resolution=plan.resolution,
        random_state=plan.generator,
        transposition=plan.transposition,
    )
    vertex_clustering = sys.modules[upstream.__module__].VertexClustering
    params = {"weights": plan.weights_argument, "resolution": plan.resolution_argument}
    if plan.return_levels:
        result: Any = [
            vertex_clustering(plan.graph, level.tolist(), q, modularity_params=params)
            for level, q in zip(levels, modularity, strict=True)
        ]
    else:
        membership = levels[-1].tolist() if len(levels) else list(range(graph.n_vertices))
        result = vertex_clustering(plan.graph, membership, modularity_params=params)
    return result, {}


# python-igraph >= 0.10.3 takes resolution_parameter= through **kwds and warns
_ALIAS_WARNING = "resolution_parameter keyword argument is deprecated, use resolution=... instead"


def _resolve_alias(signature: inspect.Signature, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The call with a deprecated ``resolution_parameter=`` turned into ``resolution=``,
    warned here as upstream warns (its ``deprecated`` has stacklevel 3: the caller's line).
    Upstream would warn from inside the routing, attributing the warning to AutoZyme's
    frame (and hiding a DeprecationWarning from ``__main__``). Left alone where upstream
    raises before warning (an objective it rejects, arguments that do not bind)."""
    if "resolution_parameter" not in kwargs or "resolution_parameter" in signature.parameters:
        return args, kwargs
    arguments = bind_arguments(signature, args, kwargs)
    if arguments is None:
        return args, kwargs
    objective = arguments["objective_function"]
    if type(objective) is not str or objective.lower() not in ("cpm", "modularity"):
        return args, kwargs
    warnings.warn(_ALIAS_WARNING, DeprecationWarning, stacklevel=3)
    bound = signature.bind(*args, **kwargs)
    extra = dict(bound.arguments.pop("kwds", {}))
    bound.arguments["resolution"] = extra.pop("resolution_parameter")
    return bound.args, {**bound.kwargs, **extra}


def _make_leiden(upstream: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(upstream)

    @functools.wraps(upstream)
    def community_leiden(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = _resolve_alias(signature, args, kwargs)
        return route(
            FUNCTION,
            upstream,
            args,
            kwargs,
            decide=lambda: decide(bind_arguments(signature, args, kwargs)),
            run=lambda plan: run_fast_path(plan, upstream),
        )

    community_leiden.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return community_leiden


def _make_multilevel(upstream: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(upstream)

    @functools.wraps(upstream)
    def community_multilevel(*args: Any, **kwargs: Any) -> Any:
        return route(
            MULTILEVEL,
            upstream,
            args,
            kwargs,
            decide=lambda: decide_multilevel(bind_arguments(signature, args, kwargs)),
            run=lambda plan: run_multilevel(plan, upstream),
        )

    community_multilevel.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return community_multilevel


def install(igraph: Any, *, at_import: bool = False) -> None:
    """Replace ``Graph.community_leiden`` and ``Graph.community_multilevel`` and wrap
    ``set_random_number_generator`` (idempotent). ``at_import``: igraph has just finished
    importing."""
    global _original_leiden, _original_multilevel
    with _lock:
        if _original_leiden is not None:
            return
        igraph_generator.claim("igraph", at_import=at_import)
        _original_leiden = igraph.Graph.community_leiden
        igraph.Graph.community_leiden = _make_leiden(_original_leiden)
        _original_multilevel = igraph.Graph.community_multilevel
        igraph.Graph.community_multilevel = _make_multilevel(_original_multilevel)


def uninstall() -> None:
    """Put the original functions back (idempotent)."""
    global _original_leiden, _original_multilevel
    with _lock:
        if _original_leiden is None:
            return
        graph_class = sys.modules["igraph"].Graph
        graph_class.community_leiden = _original_leiden
        graph_class.community_multilevel = _original_multilevel
        _original_leiden = _original_multilevel = None
        igraph_generator.release("igraph")


def patched_names() -> list[str]:
    with _lock:
        if _original_leiden is None:
            return []
        return [FUNCTION, MULTILEVEL]
