"""The fast path of ``sc.tl.leiden``: our compiled core in place of igraph, and the
outputs written exactly as upstream writes them (same expressions, same order)."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .leiden_decision import LeidenPlan
from .leiden_warnings import warn_resolution_parameter_deprecated


def _legacy_random_state(random_state: Any) -> np.random.RandomState:
    # scanpy's igraph RNG adapter resolves random_state with sklearn's check_random_state.
    from sklearn.utils import check_random_state

    return check_random_state(random_state)


def _leave_igraph_rng_like_upstream() -> None:
    # scanpy's set_igraph_random_state() ends, even on error or interrupt, by pointing
    # igraph at Python's `random` module; an igraph imported later starts out that way too.
    igraph = sys.modules.get("igraph")
    if igraph is not None and hasattr(igraph, "set_random_number_generator"):
        igraph.set_random_number_generator(random)


def _igraph(plan: LeidenPlan, graph: Any, lap: Callable[..., None]) -> tuple[Any, Any]:
    """python-igraph's community_leiden (and VertexClustering.modularity if stored)."""
    from ..algorithms.igraph_leiden import community_leiden, modularity

    # python-igraph's defaults where scanpy leaves the argument out
    resolution = 1.0 if plan.resolution is None else float(plan.resolution)
    phases: dict[str, float] = {}
    try:
        if plan.igraph_warning is not None:
            # python-igraph warns before it draws: a filter set to "error" raises here,
            # the RandomState untouched and igraph back on `random`, as upstream leaves them
            warn_resolution_parameter_deprecated(plan.igraph_warning)
        membership, _ = community_leiden(
            graph,
            use_weights=plan.use_weights,
            resolution=resolution,
            normalize_resolution=plan.objective_function == "modularity",
            beta=plan.beta,
            n_iterations=int(plan.n_iterations),
            initial_membership=plan.initial_membership,
            node_weights=plan.node_weights,
            random_state=_legacy_random_state(plan.random_state),
            core=plan.igraph_class,
            words=plan.scanpy.igraph_words,
            with_quality=False,
            timings=phases,
        )
    finally:
        _leave_igraph_rng_like_upstream()
    lap("leiden", phases)
    if not plan.scanpy.stores_modularity:
        return membership, None
    quality = modularity(
        graph,
        membership,
        resolution=resolution,
        use_weights=plan.use_weights,
        core=plan.igraph_class,
    )
    lap("modularity")
    return membership, quality


def _leidenalg(plan: LeidenPlan, graph: Any, lap: Callable[..., None]) -> tuple[Any, Any]:
    """leidenalg.find_partition (membership and part.modularity)."""
    from ..algorithms.leidenalg_partition import find_partition

    membership, modularity, *_ = find_partition(
        graph,
        partition_type=plan.partition or "RBConfiguration",
        directed=True if plan.directed is None else bool(plan.directed),
        use_weights=plan.use_weights,
        resolution=None if plan.resolution is None else float(plan.resolution),
        n_iterations=int(plan.n_iterations),
        seed=int(plan.random_state),
        max_comm_size=plan.max_comm_size,
        initial_membership=plan.initial_membership,
        leidenalg_class=plan.leidenalg_class or "",
        igraph_class=plan.igraph_class,
    )
    lap("leiden")
    return membership, modularity


def _labels_categorical(groups: np.ndarray) -> Any:
    """Upstream's ``pd.Categorical(values=groups.astype("U"),
    categories=natsorted(map(str, np.unique(groups))))``, built from integer codes when
    the groups are integers: the same object (it pickles byte for byte), without turning
    every cell's label into a string and hashing it."""
    import pandas as pd
    from natsort import natsorted

    if groups.dtype.kind != "i" or groups.size == 0 or groups.min() < 0:
        return pd.Categorical(
            values=groups.astype("U"),
            categories=natsorted(map(str, np.unique(groups))),
        )
    present = np.bincount(groups) > 0
    if present.all():  # the cores number clusters 0..k-1
        uniques, codes = np.arange(present.size), groups
    else:
        uniques, codes = np.unique(groups, return_inverse=True)
    names = [str(u) for u in uniques.tolist()]
    categories = natsorted(names)
    position = {name: i for i, name in enumerate(categories)}
    remap = np.array([position[name] for name in names], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def write_labels(
    adata: Any,
    groups: np.ndarray,
    key_added: str,
    default_key: str,
    restrict: tuple[str, Any, np.ndarray] | None,
) -> tuple[str, Any]:
    """The labels column as scanpy's clustering functions write it (``restrict_to``:
    renamed within the restricted categories, under ``<default_key>_R`` for the default
    key); returns (the key written, the categorical)."""
    from scanpy.tools._utils_clustering import rename_groups

    if restrict is not None:
        restrict_key, restrict_categories, restrict_indices = restrict
        if key_added == default_key:
            key_added += "_R"
        groups = rename_groups(
            adata,
            key_added=key_added,
            restrict_key=restrict_key,
            restrict_categories=restrict_categories,
            restrict_indices=restrict_indices,
            groups=groups,
        )
    labels = _labels_categorical(groups)
    adata.obs[key_added] = labels
    return key_added, labels


def log_finished(start: Any, labels: Any, key_added: str) -> None:
    """scanpy's closing log record of a clustering function."""
    from scanpy import logging as logg

    logg.info(
        "    finished",
        time=start,
        deep=(
            f"found {len(labels.categories)} clusters and added\n"
            f"    {key_added!r}, the cluster labels (adata.obs, categorical)"
        ),
    )


def run_fast_path(plan: LeidenPlan) -> tuple[Any, dict[str, float]]:
    from scanpy import logging as logg

    from ..algorithms.graph import graph_from_adjacency

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, parts: dict[str, float] | None = None) -> None:
        """Time since the last lap; ``parts``: where inside it the time went."""
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        timings.update({f"{name}: {part}": s for part, s in (parts or {}).items()})
        clock = now

    start = logg.info("running Leiden clustering")
    adata = plan.adata.copy() if plan.copy else plan.adata
    graph = graph_from_adjacency(plan.adjacency)
    lap("graph")
    cluster = _leidenalg if plan.flavor == "leidenalg" else _igraph
    membership, quality = cluster(plan, graph, lap)

    groups = np.asarray(membership, dtype=np.int64)
    key_added, labels = write_labels(adata, groups, plan.key_added, "leiden", plan.restrict)
    adata.uns[key_added] = {}
    adata.uns[key_added]["params"] = dict(
        resolution=plan.resolution,
        random_state=plan.random_state,
        n_iterations=plan.n_iterations,
    )
    if plan.scanpy.stores_modularity:
        adata.uns[key_added]["modularity"] = quality
    log_finished(start, labels, key_added)
    lap("labels")
    return (adata if plan.copy else None), timings
