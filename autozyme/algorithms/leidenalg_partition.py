"""leidenalg's Optimiser as find_partition, Optimiser.optimise_partition and
optimise_partition_multiplex drive it, compiled.

Membership, ``part.quality()`` and ``part.modularity`` are bit-identical to
``leidenalg.find_partition(g, partition_type, ...)`` on the igraph graph that scanpy's
``get_igraph_from_adjacency`` builds. ``leidenalg_class`` (the behaviour class of
``autozyme.verification.releases``) selects the optimiser generation: L1 and L2
(leidenalg 0.10.x / 0.11.0, libleidenalg 0.11 / 0.12) refine over all neighbouring
communities and skip candidates that would exceed ``max_comm_size``; L3 (leidenalg 0.12.0,
libleidenalg 0.13) refines towards one random neighbouring community and only applies
``max_comm_size`` to the community a node leaves.

``part.modularity`` comes from python-igraph (``Graph.modularity(membership)``: no
weights, resolution 1, directed if the graph is); python-igraph before 0.11.5 (classes A-C,
C core up to 0.10.10) sums it in another order, hence ``igraph_class``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import _core
from .graph import EdgeGraph

__all__ = [
    "OPTIMISERS",
    "PARTITION_TYPES",
    "FoundPartition",
    "Layer",
    "MultiplexResult",
    "find_partition",
    "igraph_seeded_state",
    "optimise",
    "optimise_multiplex",
    "seeded_generator",
]

PARTITION_TYPES = {"RBConfiguration": 0, "Modularity": 1, "CPM": 2}
# leidenalg behaviour class -> optimiser generation (see module docstring)
OPTIMISERS = {"L1": 0, "L2": 0, "L3": 1}
# python-igraph behaviour classes whose Graph.modularity sums in the older order
_LEGACY_MODULARITY = frozenset({"A", "B", "C"})
_SIZE_T = 1 << 64


def _initial_membership(initial_membership: np.ndarray | None, n: int) -> np.ndarray:
    """A writable int64 copy: singletons, or the given labels (which must lie in [0, n))."""
    if initial_membership is None:
        return np.arange(n, dtype=np.int64)
    memb = np.array(initial_membership, copy=True)
    integral = memb.size == 0 or np.issubdtype(memb.dtype, np.integer)
    if memb.ndim != 1 or memb.size != n or not integral:
        raise ValueError("initial_membership must hold one integer per vertex")
    if memb.size and (memb.min() < 0 or memb.max() >= n):
        # leidenalg: "Value cannot exceed length of list."
        raise ValueError("initial_membership labels must lie in [0, number of vertices)")
    return memb.astype(np.int64, copy=False)


class FoundPartition(NamedTuple):
    membership: np.ndarray  # part.membership
    modularity: float  # part.modularity
    quality: float  # part.quality()
    # whether a partition built on the membership holds upstream's community sums to the
    # bit: where upstream's last level moved nodes without aggregating, its partition keeps
    # sums updated move by move, which non-integral weights can round differently
    sums_fresh: bool
    improvement: float  # what Optimiser.optimise_partition returns
    words: int  # MT19937 words the run drew from the Optimiser's generator


def seeded_generator(seed: int, leidenalg_class: str) -> np.ndarray:
    """The state of a fresh Optimiser's generator after ``set_rng_seed(seed)``."""
    try:
        version = OPTIMISERS[leidenalg_class]
    except KeyError:
        raise ValueError(f"leidenalg_class must be one of {sorted(OPTIMISERS)}") from None
    # leidenalg 0.12.0 (L3) parses the seed as a C ssize_t, earlier releases as a C int
    seed_bits = 63 if version else 31
    if not -(1 << seed_bits) <= seed < (1 << seed_bits):
        raise OverflowError(f"seed does not fit a signed {seed_bits + 1}-bit integer")
    return igraph_seeded_state(seed)


def igraph_seeded_state(seed: int) -> np.ndarray:
    """igraph's MT19937 (uint32[625]) after ``igraph_rng_seed(rng, size_t(seed))``, as
    leidenalg's and the louvain package's ``Optimiser.set_rng_seed`` seed it."""
    state = np.empty(625, dtype=np.uint32)
    _core.igraph_mt_seed(state, seed % _SIZE_T)
    return state


def find_partition(
    graph: EdgeGraph, *, seed: int, leidenalg_class: str, **options: Any
) -> FoundPartition:
    """``leidenalg.find_partition(g, partition_type, ...)`` on the graph: :func:`optimise`
    on a fresh Optimiser seeded with ``seed``."""
    generator = seeded_generator(seed, leidenalg_class)
    return optimise(graph, generator=generator, leidenalg_class=leidenalg_class, **options)


class Layer(NamedTuple):
    """One partition of ``optimise_partition_multiplex``: its type built on the graph (with
    ``node_sizes``, None: all 1), and the weight of its quality."""

    graph: EdgeGraph
    partition_type: str
    directed: bool
    use_weights: bool
    resolution: float | None
    node_sizes: np.ndarray | None = None
    weight: float = 1.0


def _core_layer(layer: Layer) -> tuple:
    try:
        type_id = PARTITION_TYPES[layer.partition_type]
    except KeyError:
        raise ValueError(f"partition_type must be one of {sorted(PARTITION_TYPES)}") from None
    if layer.resolution is not None and layer.partition_type == "Modularity":
        raise TypeError("ModularityVertexPartition takes no resolution_parameter")
    weights = None
    if layer.use_weights:
        # float32 stays so (the core promotes it exactly, as upstream's Python floats)
        weights = np.ascontiguousarray(layer.graph.weights)
        if weights.dtype != np.float32:
            weights = weights.astype(np.float64, copy=False)
        if not np.isfinite(weights).all():
            raise ValueError("Cannot accept NaN or infinite weights.")
        if layer.partition_type != "CPM" and (weights < 0).any():
            raise ValueError("Cannot accept negative weights.")
    sizes = layer.node_sizes
    return (
        layer.graph.core_graph(weights),
        None if sizes is None else np.ascontiguousarray(sizes, dtype=np.float64),
        type_id,
        1.0 if layer.resolution is None else float(layer.resolution),
        layer.directed,
        layer.use_weights,
        float(layer.weight),
    )


class MultiplexResult(NamedTuple):
    membership: np.ndarray  # every partition's membership
    qualities: tuple[float, ...]  # each partition's quality()
    sums_fresh: bool  # as FoundPartition.sums_fresh, of the first partition
    improvement: float  # what optimise_partition_multiplex returns
    words: int  # MT19937 words the run drew from the Optimiser's generator


def _run(
    layers: list[Layer],
    generator: np.ndarray,
    n_iterations: int,
    max_comm_size: int,
    initial_membership: np.ndarray | None,
    leidenalg_class: str,
    igraph_class: str,
) -> tuple[np.ndarray, tuple[float, ...], float, bool, float, int]:
    try:
        version = OPTIMISERS[leidenalg_class]
    except KeyError:
        raise ValueError(f"leidenalg_class must be one of {sorted(OPTIMISERS)}") from None
    if max_comm_size < 0:
        raise ValueError(f"negative max_comm_size: {max_comm_size}")
    membership = _initial_membership(initial_membership, layers[0].graph.n_vertices)
    qualities, modularity, sums_fresh, improvement, words = _core.leidenalg_optimise(
        [_core_layer(layer) for layer in layers],
        membership,
        generator,
        int(n_iterations),
        int(max_comm_size),
        version,
        igraph_class in _LEGACY_MODULARITY,
    )
    return membership, qualities, modularity, sums_fresh, improvement, words


def optimise(
    graph: EdgeGraph,
    *,
    generator: np.ndarray,
    partition_type: str,
    directed: bool,
    use_weights: bool,
    resolution: float | None,
    n_iterations: int,
    max_comm_size: int = 0,
    initial_membership: np.ndarray | None = None,
    node_sizes: np.ndarray | None = None,
    leidenalg_class: str,
    igraph_class: str,
) -> FoundPartition:
    """``Optimiser.optimise_partition(partition, n_iterations)`` with default settings but
    ``max_comm_size``, on a partition of the type built on the graph with
    ``initial_membership`` (and ``node_sizes``, None: all 1); ``generator`` (uint32[625],
    the Optimiser's MT19937 state) is advanced in place."""
    layer = Layer(graph, partition_type, directed, use_weights, resolution, node_sizes)
    membership, qualities, modularity, sums_fresh, improvement, words = _run(
        [layer],
        generator,
        n_iterations,
        max_comm_size,
        initial_membership,
        leidenalg_class,
        igraph_class,
    )
    return FoundPartition(membership, modularity, qualities[0], sums_fresh, improvement, words)


def optimise_multiplex(
    layers: list[Layer],
    *,
    generator: np.ndarray,
    n_iterations: int,
    max_comm_size: int = 0,
    initial_membership: np.ndarray | None = None,
    leidenalg_class: str,
    igraph_class: str,
) -> MultiplexResult:
    """``Optimiser.optimise_partition_multiplex(partitions, layer_weights, n_iterations)``
    with default settings but ``max_comm_size``, on partitions (one per layer, graphs of
    one vertex count) all built with ``initial_membership``; ``generator`` as for
    :func:`optimise`."""
    if not layers:
        raise ValueError("at least one layer")
    membership, qualities, _, sums_fresh, improvement, words = _run(
        layers,
        generator,
        n_iterations,
        max_comm_size,
        initial_membership,
        leidenalg_class,
        igraph_class,
    )
    return MultiplexResult(membership, qualities, sums_fresh, improvement, words)
