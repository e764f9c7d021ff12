"""The louvain package's ``find_partition`` (louvain-igraph 0.8), compiled.

The membership is bit-identical to ``louvain.find_partition(g, partition_type,
weights=..., resolution_parameter=..., seed=seed)`` on the igraph graph that scanpy's
``get_igraph_from_adjacency`` builds, for the partition types of :data:`PARTITION_TYPES`.
"""

from __future__ import annotations

import numpy as np

from .. import _core
from .graph import EdgeGraph
from .leidenalg_partition import Layer, _core_layer, igraph_seeded_state

__all__ = ["PARTITION_TYPES", "find_partition"]

# the partition types ported (louvain's own classes, named as in leidenalg_partition)
PARTITION_TYPES = ("RBConfiguration",)
# louvain's set_rng_seed parses the seed as a C int
_SEED_BITS = 31


def find_partition(
    graph: EdgeGraph,
    *,
    seed: int,
    directed: bool,
    use_weights: bool,
    resolution: float,
    partition_type: str = "RBConfiguration",
) -> tuple[np.ndarray, float]:
    """``louvain.find_partition`` on the graph with a seeded Optimiser: the membership
    (int64) and what ``Optimiser.optimise_partition`` returns."""
    if partition_type not in PARTITION_TYPES:
        raise ValueError(f"partition_type must be one of {PARTITION_TYPES}")
    if not -(1 << _SEED_BITS) <= seed < (1 << _SEED_BITS):
        raise OverflowError("seed does not fit a C int")
    n = graph.n_vertices
    if n == 0:
        # upstream's shuffle of no nodes runs off the start of its vector
        raise ValueError("an empty graph")
    # louvain checks the weights as leidenalg does (finite, non-negative)
    layer = _core_layer(Layer(graph, partition_type, directed, use_weights, resolution))
    membership = np.arange(n, dtype=np.int64)
    improvement, _ = _core.louvain_optimise(layer, membership, igraph_seeded_state(seed))
    return membership, improvement
