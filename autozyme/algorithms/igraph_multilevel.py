"""python-igraph's ``Graph.community_multilevel`` (Louvain), compiled.

Memberships and modularities of every level, and the advance of the generator
python-igraph draws from, are bit-identical to python-igraph's on an undirected graph:
C cores 0.10.13 and later (python-igraph 0.11.8 and later) with ``transposition``, earlier
ones without (their passes make no random transposition of the visiting order).
"""

from __future__ import annotations

import random

import numpy as np

from .. import _core
from .graph import EdgeGraph
from .rng import LONG_BITS, WORD_SOURCES, MT19937Stream

__all__ = ["community_multilevel"]


def community_multilevel(
    graph: EdgeGraph,
    *,
    use_weights: bool,
    resolution: float,
    random_state: random.Random | np.random.RandomState,
    transposition: bool,
    words: str = "whole",
) -> tuple[np.ndarray, list[float]]:
    """``GraphBase.community_multilevel(weights, return_levels=True, resolution)`` on the
    undirected graph: (one row of labels per level that merged something, the last
    being the result; the modularity of each level). No row: every vertex stays alone.

    ``random_state`` advances exactly as upstream's draws advance it, words drawn as
    ``words`` says (:data:`.rng.WORD_SOURCES`; python-igraph's default generator, a
    ``random.Random``, gives one word per draw: "whole").
    """
    if words not in WORD_SOURCES:
        raise ValueError(f"words must be one of {sorted(WORD_SOURCES)}, got {words!r}")
    weights = graph.core_weights() if use_weights else None
    stream = MT19937Stream(random_state)
    try:
        memberships, modularity = _core.multilevel(
            graph.core_graph(weights),
            float(resolution),
            stream.state,
            WORD_SOURCES[words],
            LONG_BITS,
            transposition,
        )
    finally:
        # also after an interrupt: upstream's generator has made the same draws by then
        stream.write_back()
    levels = np.frombuffer(memberships, dtype=np.int32).reshape(len(modularity), graph.n_vertices)
    return levels, modularity
