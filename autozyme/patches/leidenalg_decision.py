"""The decision points of the leidenalg target: ``leidenalg.find_partition`` (:func:`decide`),
``Optimiser.optimise_partition`` (:func:`decide_optimise`) and
``Optimiser.optimise_partition_multiplex`` (:func:`decide_multiplex`), each giving a plan
for the fast path or a :class:`~.routing.Fallback` with its reason.

The fast path covers the three partition types scanpy's users pass (exactly those
classes, no subclass), on an undirected ``Graph``, with a seed: ``seed=None`` makes
leidenalg seed its generator from the clock, so its result cannot be reproduced.
Everything else (other keywords such as ``node_sizes``, directed graphs, values upstream
rejects or converts in ways we have not verified) falls back. The Optimiser's
methods further need what :mod:`.leidenalg_objects` knows: an Optimiser seeded through
``set_rng_seed`` with leidenalg's default settings (``max_comm_size`` aside), and
partitions built while AutoZyme was active whose bookkeeping is still fresh (there,
directed graphs are read too, where their edges are ordered by source as scanpy's
``get_igraph_from_adjacency(directed=True)`` adds them; a multiplex call's partitions
share one membership). Deciding has
no side effects: it reads the objects and the arguments, nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from . import leidenalg_objects
from .graph_arguments import graph_problem, is_int, is_real, membership, weights
from .routing import Fallback, proven_here

# the key of this target in autozyme.verification's tables
TABLE_KEY = "find_partition"
# leidenalg's classes -> the port's names (autozyme.algorithms.leidenalg_partition)
PARTITION_TYPES = {
    "RBConfigurationVertexPartition": "RBConfiguration",
    "ModularityVertexPartition": "Modularity",
    "CPMVertexPartition": "CPM",
}
# the keyword each type's constructor takes besides graph, membership and weights
_RESOLUTION = "resolution_parameter"
_SIZE_T = 2**63  # max_comm_size: a C size_t, kept below what every platform holds


@dataclass(frozen=True)
class FindPartitionPlan:
    """Everything the fast path needs, already validated."""

    graph: Any  # the caller's igraph.Graph
    partition_type: type  # the caller's class, exactly one of PARTITION_TYPES
    constructor_kwargs: dict[str, Any]  # as upstream passes them (weights, resolution)
    type_name: str  # the port's name of the partition type
    weights: np.ndarray | None  # float64, one per edge
    resolution: float | None
    initial_membership: np.ndarray | None
    n_iterations: int
    seed: int
    max_comm_size: int
    leidenalg_class: str
    igraph_class: str


def _partition_type(partition_type: object) -> str | None:
    import leidenalg

    for name, port_name in PARTITION_TYPES.items():
        if partition_type is getattr(leidenalg, name):
            return port_name
    return None


def _seed_problem(seed: object, leidenalg_class: str) -> str | None:
    if seed is None:
        return "seed=None: leidenalg seeds from the clock, its result is not reproducible"
    # leidenalg 0.12.0 (L3) parses the seed as a C ssize_t, earlier releases as a C int
    bits = 63 if leidenalg_class == "L3" else 31
    if not (is_int(seed) and -(2**bits) <= seed < 2**bits):
        return f"seed: not an integer that fits a signed {bits + 1}-bit C integer"
    return None


def decide(arguments: dict[str, Any] | None) -> FindPartitionPlan | Fallback:
    """``arguments``: the call bound to upstream's ``find_partition`` signature (None where
    it does not bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    a = dict(arguments)
    proven = proven_here(TABLE_KEY)
    if isinstance(proven, Fallback):
        return proven
    leidenalg_class = proven.classes["leidenalg"].name

    graph = a["graph"]
    problem = graph_problem(graph, directed_ok=True)
    if problem:
        return Fallback(problem)
    n, m = graph.vcount(), graph.ecount()
    type_name = _partition_type(a["partition_type"])
    if type_name is None:
        return Fallback(
            "partition_type: not RBConfigurationVertexPartition, ModularityVertexPartition "
            "or CPMVertexPartition (subclasses and other types are not ported)"
        )
    extra = dict(a["kwargs"])
    resolution = extra.pop(_RESOLUTION, None)
    if extra:
        return Fallback(f"keywords: {sorted(extra)} not ported")
    if _RESOLUTION in a["kwargs"]:
        if type_name == "Modularity":
            return Fallback("resolution_parameter: ModularityVertexPartition takes none")
        if not (is_real(resolution) and math.isfinite(resolution) and resolution >= 0):
            return Fallback("resolution_parameter: not a finite non-negative number")
    problem = _seed_problem(a["seed"], leidenalg_class)
    if problem:
        return Fallback(problem)
    n_iterations = a["n_iterations"]
    if not (is_int(n_iterations) and abs(n_iterations) < 2**62):
        return Fallback("n_iterations: not an integer")
    max_comm_size = a["max_comm_size"]
    if not (is_int(max_comm_size) and 0 <= max_comm_size < _SIZE_T):
        return Fallback("max_comm_size: not a non-negative integer")
    vectors: dict[str, np.ndarray | None] = {}
    for name, found in (
        ("weights", weights(graph, a["weights"], "edge", m)),
        ("initial_membership", membership(graph, a["initial_membership"], n)),
    ):
        if isinstance(found, str):
            return Fallback(f"{name}: {found}")
        vectors[name] = found

    constructor_kwargs = dict(a["kwargs"])
    if a["weights"] is not None:
        constructor_kwargs["weights"] = a["weights"]
    return FindPartitionPlan(
        graph=graph,
        partition_type=a["partition_type"],
        constructor_kwargs=constructor_kwargs,
        type_name=type_name,
        weights=vectors["weights"],
        resolution=None if resolution is None else float(resolution),
        initial_membership=vectors["initial_membership"],
        n_iterations=int(n_iterations),
        seed=int(a["seed"]),
        max_comm_size=int(max_comm_size),
        leidenalg_class=leidenalg_class,
        igraph_class=proven.classes["igraph"].name,
    )


@dataclass(frozen=True)
class LayerPlan:
    """One partition the Optimiser is to optimise, as the port takes it."""

    partition: Any  # the caller's, changed in place on the fast path
    record: leidenalg_objects.PartitionRecord
    type_name: str
    resolution: float | None
    weight: float  # its layer weight (1 for optimise_partition)


@dataclass(frozen=True)
class OptimisePlan:
    """Everything the fast path of ``optimise_partition`` (one layer) and
    ``optimise_partition_multiplex`` needs, already validated."""

    optimiser: Any
    generator: leidenalg_objects.Generator
    layers: tuple[LayerPlan, ...]
    membership: np.ndarray  # every partition's (they are equal)
    n_iterations: int
    max_comm_size: int
    leidenalg_class: str
    igraph_class: str


# Optimiser settings the port reproduces only at leidenalg's defaults (max_comm_size is
# handled); those a release lacks are absent
_SETTINGS = (
    "consider_comms",
    "refine_consider_comms",
    "optimise_routine",
    "refine_routine",
    "refine_partition",
    "consider_empty_community",
    "min_comm_size",
    "community_constraint_enforcement",
)


@cache
def _default_settings() -> dict[str, Any]:
    """A fresh Optimiser's settings (its constructor only seeds from the clock)."""
    import leidenalg

    fresh = leidenalg.Optimiser()
    return {name: getattr(fresh, name) for name in _SETTINGS if hasattr(fresh, name)}


def _settings_problem(optimiser: Any) -> str | None:
    for name, default in _default_settings().items():
        value = getattr(optimiser, name)
        if type(value) is not type(default) or value != default:
            return f"Optimiser.{name}: {value!r} instead of leidenalg's default {default!r}"
    return None


def _layer(partition: Any, weight: float) -> LayerPlan | Fallback:
    type_name = _partition_type(type(partition))
    if type_name is None:
        return Fallback(
            "partition: not an RBConfigurationVertexPartition, ModularityVertexPartition "
            "or CPMVertexPartition (subclasses and other types are not ported)"
        )
    record = leidenalg_objects.partition_record(partition)
    if record is None:
        return Fallback(
            "partition: built before AutoZyme was active or by leidenalg itself (its "
            "construction is not known)"
        )
    if record.problem:
        return Fallback(f"partition: {record.problem}")
    if not record.fresh:
        return Fallback(
            "partition: changed move by move since its bookkeeping was computed from its "
            "membership (move_node, renumbering, an upstream optimiser call): not reproduced"
        )
    graph = partition.graph
    problem = graph_problem(graph, directed_ok=True)
    if problem:
        return Fallback(problem)
    if (graph.vcount(), graph.ecount()) != (record.n_vertices, record.n_edges):
        return Fallback("partition: its graph gained or lost vertices or edges since")
    resolution = None
    if type_name != "Modularity":
        resolution = partition.resolution_parameter
        if not (is_real(resolution) and math.isfinite(resolution) and resolution >= 0):
            return Fallback("resolution_parameter: not a finite non-negative number")
    return LayerPlan(
        partition, record, type_name, None if resolution is None else float(resolution), weight
    )


def _plan(
    optimiser: Any,
    partitions: list[Any],
    weights: list[float],
    arguments: dict[str, Any],
) -> OptimisePlan | Fallback:
    """The plan of an optimisation of these partitions (one per layer) with these layer
    weights, after the checks every such call needs."""
    proven = proven_here(TABLE_KEY)
    if isinstance(proven, Fallback):
        return proven
    generator = leidenalg_objects.generator(optimiser)
    if generator is None:
        return Fallback(
            "Optimiser's generator unknown: not seeded with set_rng_seed while AutoZyme was "
            "active (it starts from the clock), or drawn from by upstream code since"
        )
    problem = _settings_problem(optimiser)
    if problem:
        return Fallback(problem)
    layers = []
    for partition, weight in zip(partitions, weights, strict=True):
        layer = _layer(partition, weight)
        if isinstance(layer, Fallback):
            return layer
        layers.append(layer)
    n = layers[0].record.n_vertices
    if any(layer.record.n_vertices != n for layer in layers):
        return Fallback("partitions: their graphs differ in vertex count (upstream raises)")
    if len({id(layer.record.capsule) for layer in layers}) < len(layers):
        return Fallback("partitions: one partition given twice is not ported")
    if len(layers) > 1 and any(layer.record.node_sizes is not None for layer in layers):
        return Fallback("partitions: aggregate partitions (node sizes) in a multiplex call")
    n_iterations = arguments["n_iterations"]
    if not (is_int(n_iterations) and abs(n_iterations) < 2**62):
        return Fallback("n_iterations: not an integer")
    fixed = arguments["is_membership_fixed"]
    if fixed is not None:
        try:
            fixed = list(fixed)
        except TypeError:
            return Fallback("is_membership_fixed: not a sequence")
        if len(fixed) != n or any(type(x) is not bool or x for x in fixed):
            return Fallback("is_membership_fixed: fixed nodes are not ported")
    # leidenalg keeps labels in [0, n): its constructor and set_membership refuse others
    labels = np.asarray(layers[0].partition.membership, dtype=np.int64)
    for layer in layers[1:]:
        if not np.array_equal(labels, layer.partition.membership):
            return Fallback(
                "partitions: memberships differ (upstream moves every layer by the first's)"
            )
    return OptimisePlan(
        optimiser=optimiser,
        generator=generator,
        layers=tuple(layers),
        membership=labels,
        n_iterations=int(n_iterations),
        max_comm_size=int(optimiser.max_comm_size),  # a C size_t, read back as an int
        leidenalg_class=proven.classes["leidenalg"].name,
        igraph_class=proven.classes["igraph"].name,
    )


def decide_optimise(optimiser: Any, arguments: dict[str, Any] | None) -> OptimisePlan | Fallback:
    """``arguments``: the call bound to upstream's ``optimise_partition`` signature (None
    where it does not bind), defaults applied; ``optimiser``: its ``self``."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    return _plan(optimiser, [arguments["partition"]], [1.0], arguments)


def decide_multiplex(optimiser: Any, arguments: dict[str, Any] | None) -> OptimisePlan | Fallback:
    """``arguments``: the call bound to upstream's ``optimise_partition_multiplex``
    signature (None where it does not bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    partitions = arguments["partitions"]
    if not isinstance(partitions, (list, tuple)) or not partitions:
        return Fallback("partitions: not a non-empty list or tuple")
    weights = arguments["layer_weights"]
    if weights is None or (isinstance(weights, list) and not weights):
        weights = [1] * len(partitions)  # upstream's default (also for an empty list)
    if not isinstance(weights, list):
        return Fallback("layer_weights: not a list (upstream reads a Python list)")
    if len(weights) != len(partitions):
        return Fallback("layer_weights: not one per partition (upstream raises)")
    if not all(type(w) in (int, float) and math.isfinite(w) for w in weights):
        return Fallback("layer_weights: not finite Python ints or floats")
    return _plan(optimiser, list(partitions), [float(w) for w in weights], arguments)
