"""The fast path of ``sc.tl.louvain``: the compiled Louvain (python-igraph's for flavor
"igraph", the louvain package's for "vtraag") in place of upstream's, and the outputs and
log messages written exactly as upstream writes them (same expressions, same order)."""

from __future__ import annotations

import ctypes
import time
from typing import Any

import numpy as np

from .leiden_fast import log_finished, write_labels
from .louvain_decision import LouvainPlan


def _igraph_groups(plan: LouvainPlan, graph: Any) -> np.ndarray:
    from ..algorithms.igraph_multilevel import community_multilevel

    levels, _ = community_multilevel(
        graph,
        use_weights=plan.use_weights,
        resolution=1.0,
        random_state=plan.generator,
        transposition=plan.transposition,
    )
    # python-igraph's result: the last level, or every vertex alone where none merged
    if len(levels):
        return levels[-1].astype(np.int64)
    return np.arange(graph.n_vertices, dtype=np.int64)


def _vtraag_groups(plan: LouvainPlan, graph: Any) -> np.ndarray:
    from scanpy import logging as logg

    from ..algorithms.louvain_partition import find_partition

    # upstream imports louvain here: a no-op, scanpy imported it (the decision checks)
    logg.info('    using the "louvain" package of Traag (2017)')
    # louvain's Optimiser() seeds its generator from C's rand() before set_rng_seed()
    # replaces it: the process's rand() state moves on by one draw
    ctypes.CDLL(None).rand()
    membership, _ = find_partition(
        graph,
        seed=int(plan.random_state),
        directed=plan.directed,
        use_weights=plan.use_weights,
        resolution=1.0 if plan.resolution is None else float(plan.resolution),
    )
    return membership


def run_fast_path(plan: LouvainPlan) -> tuple[Any, dict[str, float]]:
    from scanpy import logging as logg

    from ..algorithms.graph import graph_from_adjacency

    clock = time.perf_counter()
    start = logg.info("running Louvain clustering")
    adata = plan.adata.copy() if plan.copy else plan.adata
    if plan.flavor == "igraph" and plan.resolution is not None:
        logg.warning('`resolution` parameter has no effect for flavor "igraph"')
    # the igraph flavor always clusters the undirected graph
    if not plan.directed:
        logg.debug("    using the undirected graph")
    graph = graph_from_adjacency(plan.adjacency)
    graph_seconds = time.perf_counter() - clock
    groups = (_vtraag_groups if plan.flavor == "vtraag" else _igraph_groups)(plan, graph)
    timings = {"graph": graph_seconds, "louvain": time.perf_counter() - clock - graph_seconds}

    key_added, labels = write_labels(adata, groups, plan.key_added, "louvain", plan.restrict)
    adata.uns[key_added] = {}
    adata.uns[key_added]["params"] = dict(
        resolution=plan.resolution,
        random_state=plan.random_state,
    )
    log_finished(start, labels, key_added)
    return (adata if plan.copy else None), timings
