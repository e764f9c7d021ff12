"""The patch of leidenalg: ``find_partition``.

``leidenalg.find_partition`` (leidenalg/functions.py) builds a partition of the caller's
type, optimises it with a fresh ``Optimiser`` and returns it. The replacement keeps its
name, docstring, signature and ``__wrapped__`` and routes each call through
:func:`.leidenalg_decision.decide`. On the fast path the compiled port finds the
membership, and the partition returned is the caller's type built on that membership with
the keywords upstream passes (leidenalg's own object: its quality, modularity and
community sums are computed by leidenalg, as upstream's final partition recomputes them
from its membership).
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..algorithms.graph import graph_from_igraph
from ..algorithms.leidenalg_partition import find_partition
from . import leidenalg_objects
from .leidenalg_decision import FindPartitionPlan, decide
from .routing import Fallback, bind_arguments, route

__all__ = ["install", "patched_names", "uninstall"]

FUNCTION = "leidenalg.find_partition"
# modules holding find_partition as an attribute
_MODULES = ("leidenalg.functions", "leidenalg")

_lock = threading.Lock()
_original: Callable[..., Any] | None = None


# the one case the port finds but does not hand over (FoundPartition.sums_fresh)
INCREMENTAL_SUMS = (
    "upstream's partition keeps community sums updated move by move here (its last level "
    "moved nodes without aggregating, on non-integral weights): not reproduced"
)


def run_fast_path(plan: FindPartitionPlan) -> tuple[Any, dict] | Fallback:
    try:
        graph = graph_from_igraph(plan.graph, plan.weights)
    except ValueError as exc:
        return Fallback(f"graph: {exc}")
    found = find_partition(
        graph,
        partition_type=plan.type_name,
        directed=plan.graph.is_directed(),
        use_weights=plan.weights is not None,
        resolution=plan.resolution,
        n_iterations=plan.n_iterations,
        seed=plan.seed,
        max_comm_size=plan.max_comm_size,
        initial_membership=plan.initial_membership,
        leidenalg_class=plan.leidenalg_class,
        igraph_class=plan.igraph_class,
    )
    if not found.sums_fresh:
        return Fallback(INCREMENTAL_SUMS)
    with leidenalg_objects.constructing_with(plan.weights):
        partition = plan.partition_type(
            plan.graph, initial_membership=found.membership.tolist(), **plan.constructor_kwargs
        )
    return partition, {}


def _make_find_partition(upstream: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(upstream)

    @functools.wraps(upstream)
    def find_partition(*args: Any, **kwargs: Any) -> Any:
        return route(
            FUNCTION,
            upstream,
            args,
            kwargs,
            decide=lambda: decide(bind_arguments(signature, args, kwargs)),
            run=run_fast_path,
        )

    find_partition.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return find_partition


def install(leidenalg: Any, *, at_import: bool = False) -> None:
    """Replace ``find_partition`` in leidenalg and leidenalg.functions (idempotent)."""
    global _original
    del at_import  # no state of leidenalg's to track from its import on
    with _lock:
        if _original is not None:
            return
        _original = sys.modules["leidenalg.functions"].find_partition
        patched = _make_find_partition(_original)
        for name in _MODULES:
            sys.modules[name].find_partition = patched


def uninstall() -> None:
    """Put the original function back (idempotent)."""
    global _original
    with _lock:
        if _original is None:
            return
        for name in _MODULES:
            module = sys.modules.get(name)
            if module is not None:
                module.find_partition = _original
        _original = None


def patched_names() -> list[str]:
    with _lock:
        return [] if _original is None else [FUNCTION]
