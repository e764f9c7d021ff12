"""The patch of leidenalg's ``Optimiser`` and partitions: ``optimise_partition`` and
``optimise_partition_multiplex`` on the caller's own objects.

``Optimiser.optimise_partition`` and ``optimise_partition_multiplex`` route each call
through :func:`.leidenalg_decision.decide_optimise` / ``decide_multiplex`` (one partition
is one layer of weight 1). On the fast path the compiled port optimises from the
partitions' membership and the Optimiser's generator as :mod:`.leidenalg_objects` knows
them; each caller's partition then receives the membership through leidenalg's own
``set_membership`` (bookkeeping recomputed from the membership, as upstream's last
aggregation and its multiplex renumbering leave it), and the call returns upstream's
improvement.

Around it, the methods that create, change or draw for these objects are wrapped to keep
:mod:`.leidenalg_objects` true: the three partition constructors, ``aggregate_partition``
and ``set_membership`` (fresh bookkeeping), ``move_node``, ``renumber_communities`` and
``from_coarse_partition`` (changed), ``set_rng_seed`` (known generator), and every other
Optimiser method that draws (upstream runs them after the lagging words are drawn;
their generator is unknown afterwards). Each wrapper runs leidenalg's own method
unchanged; its bookkeeping never raises into the caller.
"""

from __future__ import annotations

import functools
import inspect
import logging
import operator
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..algorithms.graph import graph_from_igraph
from ..algorithms.leidenalg_partition import Layer, optimise_multiplex, seeded_generator
from . import leidenalg_objects
from .leidenalg_decision import (
    LayerPlan,
    OptimisePlan,
    decide_multiplex,
    decide_optimise,
    proven_here,
)
from .leidenalg_find_partition import INCREMENTAL_SUMS
from .routing import Fallback, bind_arguments, route

__all__ = ["install", "patched_names", "uninstall"]

FUNCTION = "leidenalg.Optimiser.optimise_partition"
MULTIPLEX = "leidenalg.Optimiser.optimise_partition_multiplex"
logger = logging.getLogger("autozyme")

_PARTITION_TYPES = (
    "RBConfigurationVertexPartition",
    "ModularityVertexPartition",
    "CPMVertexPartition",
)
# Optimiser methods besides optimise_partition that draw from its generator
_DRAWING = (
    "move_nodes",
    "move_nodes_constrained",
    "merge_nodes",
    "merge_nodes_constrained",
)
_CHANGING = ("move_node", "renumber_communities", "from_coarse_partition")

_lock = threading.Lock()
# (class, attribute) -> leidenalg's own function, while installed
_originals: dict[tuple[type, str], Callable[..., Any]] = {}


def _quietly(what: str, step: Callable[[], None]) -> None:
    """Bookkeeping next to leidenalg's own call: a failure only makes objects unknown."""
    try:
        step()
    except Exception as exc:
        logger.warning("autozyme: %s failed (%s: %s)", what, type(exc).__name__, exc)


def _upstream_method(cls: type, name: str) -> Callable[..., Any]:
    return _originals.get((cls, name), getattr(cls, name))


def _catch_up(optimiser: Any) -> None:
    import leidenalg

    leidenalg_objects.catch_up(optimiser, _upstream_method(leidenalg.Optimiser, "move_nodes"))


def _partitions_in(args: tuple, kwargs: dict) -> list[Any]:
    import leidenalg

    found = []
    for value in (*args, *kwargs.values()):
        items = value if isinstance(value, (list, tuple)) else (value,)
        found.extend(
            x for x in items if isinstance(x, leidenalg.VertexPartition.MutableVertexPartition)
        )
    return found


def _drawing_upstream(original: Callable[..., Any]) -> Callable[..., Any]:
    """An Optimiser method run upstream: our lead drawn first, the generator unknown after
    (and the partitions it was given possibly changed move by move)."""

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        _quietly("aligning leidenalg's generator", lambda: _catch_up(self))
        try:
            return original(self, *args, **kwargs)
        finally:
            _quietly("forgetting the generator", lambda: leidenalg_objects.forget_generator(self))
            _quietly(
                "marking partitions changed",
                lambda: leidenalg_objects.mark_changed(*_partitions_in(args, kwargs)),
            )

    return method


def _set_rng_seed(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def set_rng_seed(self: Any, value: Any) -> Any:
        result = original(self, value)

        def remember() -> None:
            proven = proven_here("find_partition")
            if isinstance(proven, Fallback):
                return
            state = seeded_generator(operator.index(value), proven.classes["leidenalg"].name)
            leidenalg_objects.record_seed(self, state)

        leidenalg_objects.forget_generator(self)
        _quietly("recording the seed", remember)
        return result

    return set_rng_seed


def _constructor(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)

        def remember() -> None:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            a = bound.arguments
            problem = None
            if a.get("node_sizes") is not None:
                problem = "node_sizes are not ported"
            elif a.get("correct_self_loops") is not None:
                problem = "an explicit correct_self_loops is not ported"
            leidenalg_objects.record_partition(self, a["graph"], a["weights"], problem)

        _quietly("recording the partition", remember)

    return __init__


def _aggregate_partition(original: Callable[..., Any]) -> Callable[..., Any]:
    """The aggregate partition is built on a new graph carrying the collapsed weights and,
    as node sizes, the community sizes (pegasus optimises it)."""

    @functools.wraps(original)
    def aggregate_partition(self: Any, *args: Any, **kwargs: Any) -> Any:
        aggregate = original(self, *args, **kwargs)

        def remember() -> None:
            import leidenalg

            graph = aggregate.graph
            problem = None
            if isinstance(aggregate, leidenalg.CPMVertexPartition):
                problem = "an aggregate CPM partition (node sizes, self-loop correction)"
            sizes = np.array(graph.vs["node_size"], dtype=np.float64)
            leidenalg_objects.record_partition(aggregate, graph, "weight", problem, sizes)

        _quietly("recording the aggregate partition", remember)
        return aggregate

    return aggregate_partition


def _changing(original: Callable[..., Any], fresh: bool) -> Callable[..., Any]:
    mark = leidenalg_objects.mark_fresh if fresh else leidenalg_objects.mark_changed

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        _quietly("tracking the partition", lambda: mark(self))
        return result

    return method


def _core_layer(layer: LayerPlan) -> Layer | Fallback:
    graph = layer.partition.graph
    try:
        edges = graph_from_igraph(graph, layer.record.weights)
    except ValueError as exc:
        return Fallback(f"graph: {exc}")
    return Layer(
        edges,
        layer.type_name,
        directed=graph.is_directed(),
        use_weights=layer.record.weights is not None,
        resolution=layer.resolution,
        node_sizes=layer.record.node_sizes,
        weight=layer.weight,
    )


def run_fast_path(plan: OptimisePlan) -> tuple[Any, dict] | Fallback:
    from leidenalg import _c_leiden

    if plan.n_iterations == 0:
        for layer in plan.layers:
            layer.partition._update_internal_membership()
        return 0, {}  # upstream's diff stays the integer 0
    layers = []
    for layer in plan.layers:
        found = _core_layer(layer)
        if isinstance(found, Fallback):
            return found
        layers.append(found)
    state = plan.generator.state.copy()
    result = optimise_multiplex(
        layers,
        generator=state,
        n_iterations=plan.n_iterations,
        max_comm_size=plan.max_comm_size,
        initial_membership=plan.membership,
        leidenalg_class=plan.leidenalg_class,
        igraph_class=plan.igraph_class,
    )
    if not result.sums_fresh:
        return Fallback(INCREMENTAL_SUMS)
    membership = result.membership.tolist()
    for layer in plan.layers:
        _c_leiden._MutableVertexPartition_set_membership(layer.partition._partition, membership)
        layer.partition._update_internal_membership()
        layer.record.fresh = True
    plan.generator.state = state
    plan.generator.lag += result.words
    return result.improvement, {}


def _routed(
    function: str, decide: Callable[..., Any]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An Optimiser method routed through ``decide`` to :func:`run_fast_path`."""

    def wrap(upstream: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(upstream)
        fallback = _drawing_upstream(upstream)

        @functools.wraps(upstream)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return route(
                function,
                functools.partial(fallback, self),
                args,
                kwargs,
                decide=lambda: decide(self, bind_arguments(signature, (self, *args), kwargs)),
                run=run_fast_path,
            )

        method.__autozyme_original__ = upstream  # type: ignore[attr-defined]
        return method

    return wrap


def _replacements(leidenalg: Any) -> dict[tuple[type, str], Callable[[Callable[..., Any]], Any]]:
    optimiser = leidenalg.Optimiser
    base = leidenalg.VertexPartition.MutableVertexPartition
    wanted: dict[tuple[type, str], Callable[[Callable[..., Any]], Any]] = {
        (optimiser, "optimise_partition"): _routed(FUNCTION, decide_optimise),
        (optimiser, "optimise_partition_multiplex"): _routed(MULTIPLEX, decide_multiplex),
        (optimiser, "set_rng_seed"): _set_rng_seed,
        (base, "set_membership"): lambda f: _changing(f, fresh=True),
        (base, "aggregate_partition"): _aggregate_partition,
    }
    wanted.update({(optimiser, name): _drawing_upstream for name in _DRAWING})
    wanted.update({(base, name): lambda f: _changing(f, fresh=False) for name in _CHANGING})
    wanted.update(
        {(getattr(leidenalg, name), "__init__"): _constructor for name in _PARTITION_TYPES}
    )
    return wanted


def install(leidenalg: Any, *, at_import: bool = False) -> None:
    """Wrap the methods (idempotent)."""
    del at_import  # objects made before are unknown, which the decision handles
    with _lock:
        if _originals:
            return
        for (cls, name), wrap in _replacements(leidenalg).items():
            original = cls.__dict__[name]
            _originals[(cls, name)] = original
            setattr(cls, name, wrap(original))


def uninstall() -> None:
    """Put leidenalg's own methods back (idempotent), each known generator caught up
    first (leidenalg's own methods draw from where the fast calls left it); nothing is
    followed from then on, so every object becomes unknown."""
    import leidenalg

    _quietly(
        "aligning leidenalg's generators",
        lambda: leidenalg_objects.catch_up_all(_upstream_method(leidenalg.Optimiser, "move_nodes")),
    )
    leidenalg_objects.forget_all()
    with _lock:
        for (cls, name), original in _originals.items():
            setattr(cls, name, original)
        _originals.clear()


def patched_names() -> list[str]:
    with _lock:
        return [FUNCTION, MULTIPLEX] if _originals else []
