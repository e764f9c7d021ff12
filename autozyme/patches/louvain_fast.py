"""The fast path of ``sc.tl.louvain(flavor="igraph")``: the compiled Louvain in place of
python-igraph's, and the outputs and log messages written exactly as upstream writes them
(same expressions, same order)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .leiden_fast import log_finished, write_labels
from .louvain_decision import LouvainPlan


def run_fast_path(plan: LouvainPlan) -> tuple[Any, dict[str, float]]:
    from scanpy import logging as logg

    from ..algorithms.graph import graph_from_adjacency
    from ..algorithms.igraph_multilevel import community_multilevel

    clock = time.perf_counter()
    start = logg.info("running Louvain clustering")
    adata = plan.adata.copy() if plan.copy else plan.adata
    if plan.resolution is not None:
        logg.warning('`resolution` parameter has no effect for flavor "igraph"')
    # the igraph flavor always clusters the undirected graph
    logg.debug("    using the undirected graph")
    graph = graph_from_adjacency(plan.adjacency)
    graph_seconds = time.perf_counter() - clock
    levels, _ = community_multilevel(
        graph, use_weights=plan.use_weights, resolution=1.0, random_state=plan.generator
    )
    # python-igraph's result: the last level, or every vertex alone where none merged
    groups = (
        levels[-1].astype(np.int64) if len(levels) else np.arange(graph.n_vertices, dtype=np.int64)
    )
    timings = {"graph": graph_seconds, "louvain": time.perf_counter() - clock - graph_seconds}

    key_added, labels = write_labels(adata, groups, plan.key_added, "louvain", plan.restrict)
    adata.uns[key_added] = {}
    adata.uns[key_added]["params"] = dict(
        resolution=plan.resolution,
        random_state=plan.random_state,
    )
    log_finished(start, labels, key_added)
    return (adata if plan.copy else None), timings
