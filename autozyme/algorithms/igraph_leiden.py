"""python-igraph's ``Graph.community_leiden`` and ``Graph.modularity``, compiled.

Results (membership, quality, modularity) and the RandomState's advance are bit-identical
to python-igraph driven through scanpy's ``set_igraph_random_state``. ``core`` selects the
behaviour class of python-igraph (``autozyme.verification.releases``):

- "E" (1.0.0, C core 1.0);
- "D" (0.11.5-0.11.9, C core 0.10.12 and later);
- "C" (0.10.5-0.11.4, C core up to 0.10.10): vertex strength summed over each vertex's
  incidences, ``Graph.modularity`` summed per cluster (0 instead of NaN at total weight 0);
- "B" (0.10.3-0.10.4) and "A" (0.10.0-0.10.2): as C, and ``community_leiden`` returns no
  quality while ``part.modularity`` is computed without the resolution (always 1).

A and B differ only in keyword names (``resolution_parameter=`` in A), which are the
caller's business. ``words`` selects how python-igraph reads igraph's 32-bit words from
scanpy's RNG adapter (:mod:`.rng`).
"""

from __future__ import annotations

import random

import numpy as np

from .. import _core
from .graph import EdgeGraph
from .rng import LONG_BITS, WORD_SOURCES, MT19937Stream

__all__ = ["community_leiden", "modularity"]

_BEFORE_0_10_12 = _core.IGRAPH_STRENGTH_BY_VERTEX | _core.IGRAPH_MODULARITY_PER_CLUSTER
# python-igraph behaviour class -> what the core does differently for it (igraph_leiden.h)
_CORES = {
    "A": _BEFORE_0_10_12,
    "B": _BEFORE_0_10_12,
    "C": _BEFORE_0_10_12,
    "D": 0,
    "E": _core.IGRAPH_CORE_1_0,
}
# classes whose community_leiden returns no quality and whose VertexClustering computes
# part.modularity without the resolution (python-igraph before 0.10.5)
_WITHOUT_QUALITY = frozenset({"A", "B"})
# the core's phases, in the order it reports them
PHASES = ("setup", "fast-move", "refinement", "aggregation")


def _core_id(core: str) -> int:
    try:
        return _CORES[core]
    except KeyError:
        raise ValueError(f"core must be one of {sorted(_CORES)}, got {core!r}") from None


def _as_membership(membership: object, n: int) -> np.ndarray:
    memb = np.array(membership, copy=True)
    if memb.ndim != 1 or (memb.size and not np.issubdtype(memb.dtype, np.integer)):
        raise TypeError("membership must be a 1-d sequence of integers")
    if memb.size != n:
        raise ValueError(
            f"membership vector length ({memb.size}) does not equal the number of vertices ({n})"
        )
    return memb.astype(np.int64, copy=False)


def _entry_reindex(memb: np.ndarray, n: int, core_id: int) -> np.ndarray:
    """igraph_reindex_membership() as applied on entry of the first iteration."""
    if memb.size == 0:
        return memb
    in_range = memb.min() >= 0 and memb.max() < n
    if not in_range:
        if not core_id & _core.IGRAPH_CORE_1_0:
            raise ValueError("membership indices must lie in [0, number of vertices)")
        # 1.0 falls back to numbering clusters in ascending label order
        return np.unique(memb, return_inverse=True)[1].astype(np.int64)
    # clusters numbered by first occurrence
    _, first, inverse = np.unique(memb, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse]


def community_leiden(
    graph: EdgeGraph,
    *,
    use_weights: bool,
    resolution: float,
    normalize_resolution: bool,
    beta: float,
    n_iterations: int,
    initial_membership: np.ndarray | None,
    node_weights: np.ndarray | None,
    random_state: np.random.RandomState | random.Random,
    core: str,
    words: str = "getrandbits",
    with_quality: bool = True,
    timings: dict[str, float] | None = None,
) -> tuple[np.ndarray, float | None]:
    """``GraphBase.community_leiden`` on the undirected graph; returns (membership, quality).

    The quality is None with ``with_quality=False`` (scanpy never reads it) and for
    classes A and B, whose ``community_leiden`` returns none. ``timings``, if given,
    receives the seconds of the core's phases (:data:`PHASES`).

    ``normalize_resolution`` is python-igraph's ``objective_function == "modularity"``
    (case-sensitive). ``random_state`` (scanpy's RandomState, or the ``random.Random``
    python-igraph draws from by default) advances exactly as upstream's draws advance it,
    the words being drawn as ``words`` says (:data:`.rng.WORD_SOURCES`).
    """
    core_id = _core_id(core)
    if words not in WORD_SOURCES:
        raise ValueError(f"words must be one of {sorted(WORD_SOURCES)}, got {words!r}")
    with_quality = with_quality and core not in _WITHOUT_QUALITY
    n = graph.n_vertices
    if initial_membership is None:
        membership = np.arange(n, dtype=np.int64)
    else:
        membership = _as_membership(initial_membership, n)
    weights = graph.core_weights() if use_weights else None
    if node_weights is not None:
        node_weights = np.ascontiguousarray(node_weights, dtype=np.float64)
        if node_weights.ndim != 1 or node_weights.size != n:
            raise ValueError(
                f"vertex weight vector length ({node_weights.size}) does not match "
                f"number of vertices ({n})"
            )
    n_iterations = int(n_iterations)
    if n_iterations == 0:
        # no iteration: igraph neither reindexes nor computes a quality
        return membership, 0.0 if with_quality else None
    if initial_membership is not None:
        membership = _entry_reindex(membership, n, core_id)
    stream = MT19937Stream(random_state)
    try:
        quality, phases = _core.leiden(
            graph.core_graph(weights),
            node_weights,
            bool(normalize_resolution),
            float(resolution),
            float(beta),
            max(n_iterations, -1),
            core_id,
            membership,
            stream.state,
            WORD_SOURCES[words],
            LONG_BITS,
            with_quality,
        )
    finally:
        # also after an interrupt: upstream's RandomState has made the same draws by then
        stream.write_back()
    if timings is not None:
        timings.update(zip(PHASES, phases, strict=True))
    return membership, quality


def modularity(
    graph: EdgeGraph,
    membership: object,
    *,
    resolution: float,
    use_weights: bool,
    core: str,
) -> float:
    """``Graph.modularity(membership, weights=..., resolution=...)`` on the undirected graph,
    as ``VertexClustering.modularity`` of ``community_leiden``'s result asks for it: classes
    A and B compute it at resolution 1 whatever ``resolution`` says (their
    ``_community_leiden`` leaves the resolution out of ``modularity_params``, and
    ``Graph.modularity`` drops it before 0.10.5)."""
    core_id = _core_id(core)
    if core in _WITHOUT_QUALITY:
        resolution = 1.0
    n = graph.n_vertices
    memb = _as_membership(membership, n)
    if resolution < 0:
        raise ValueError("the resolution parameter must not be negative")
    if graph.n_edges == 0:
        return float("nan")
    if not core_id & _core.IGRAPH_CORE_1_0 and memb.min() < 0:
        raise ValueError("invalid membership vector: negative entry")
    weights = graph.core_weights() if use_weights else None
    if weights is not None and (weights < 0).any():
        raise ValueError("negative weight in weight vector")
    if memb.min() >= 0 and memb.max() < n:
        n_partitions = int(memb.max()) + 1
    else:
        # igraph 1.0 reindexes in ascending label order; 0.10 indexes by label, which
        # sums the same nonempty partitions in the same order (an empty one adds and
        # subtracts zeros)
        uniques, memb = np.unique(memb, return_inverse=True)
        n_partitions = uniques.size
    return _core.modularity(
        graph.core_graph(weights),
        np.ascontiguousarray(memb, dtype=np.int64),
        n_partitions,
        float(resolution),
        core_id,
    )
