"""What the tests of ``sc.tl.louvain`` compare: one call's whole outcome (labels, uns, the
returned object, python-igraph's generator state, C's rand() state, warnings, scanpy's log
records)."""

from __future__ import annotations

import ctypes
import logging
import pickle
import random
import warnings
from typing import Any

import anndata as ad
import igraph
import numpy as np
import pandas as pd
from scipy import sparse


def upstream_louvain() -> Any:
    import scanpy.tools._louvain as impl

    return getattr(impl.louvain, "__autozyme_original__", impl.louvain)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


def outcome(function: Any, adata: ad.AnnData, kwargs: dict[str, Any], generator: Any, seed: int):
    import scanpy as sc

    # "module", "instance" or a callable making the generator
    if callable(generator):
        source: Any = generator()
    else:
        source = random if generator == "module" else random.Random(seed)
    if generator == "module":
        random.seed(seed)
    igraph.set_random_number_generator(source)
    libc = ctypes.CDLL(None)
    libc.srand(seed)  # the louvain package's Optimiser() draws its seed from rand()
    handler = _Records()
    logger = sc.settings._root_logger  # scanpy's own logger, outside logging's tree
    logger.addHandler(handler)
    verbosity = sc.settings.verbosity
    sc.settings.verbosity = 4  # debug
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                returned = function(adata, **kwargs)
                error = None
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # louvain raises a bare BaseException
                returned, error = None, (type(exc), str(exc))
    finally:
        sc.settings.verbosity = verbosity
        logger.removeHandler(handler)
        igraph.set_random_number_generator(random)
    target = returned if returned is not None else adata
    key = kwargs.get("key_added", "louvain")
    keys = [k for k in (key, f"{key}_R") if k in target.obs]
    obs = {
        k: (
            target.obs[k].dtype,
            target.obs[k].cat.codes.dtype,
            list(target.obs[k].cat.categories),
            target.obs[k].astype(str).tolist(),
        )
        for k in keys
    }
    uns = pickle.dumps({k: target.uns[k] for k in keys if k in target.uns})
    return (
        error,
        type(returned),
        obs,
        uns,
        source.getstate(),
        libc.rand(),
        [(w.category, str(w.message)) for w in caught],
        # the "finished" record carries the elapsed time: its level and head only
        [(level, message.split("(")[0]) for level, message in handler.records],
    )


def graph_adata(adjacency: sparse.csr_matrix, groups: list[str]) -> ad.AnnData:
    n = adjacency.shape[0]
    adata = ad.AnnData(np.zeros((n, 1), dtype=np.float32))
    adata.obsp["connectivities"] = adjacency
    adata.obsp["other"] = adjacency.copy()
    adata.uns["neighbors"] = {"connectivities_key": "connectivities"}
    adata.uns["nb"] = {"connectivities_key": "other", "distances_key": "other"}
    adata.obs["group"] = pd.Categorical(groups)
    return adata


def draw_graph_choice(
    draw: Any, adjacency: sparse.csr_matrix, groups: list[str], kwargs: dict[str, Any]
) -> None:
    """Adds to ``kwargs`` how the call picks its graph (default, ``obsp``,
    ``neighbors_key`` or ``adjacency``, as :func:`graph_adata` stores them) and, one time
    in four, a ``restrict_to`` (hypothesis' ``draw``)."""
    from hypothesis import assume
    from hypothesis import strategies as st

    graph = draw(st.sampled_from(["default", "obsp", "neighbors_key", "adjacency"]))
    if graph == "obsp":
        kwargs["obsp"] = "other"
    elif graph == "neighbors_key":
        kwargs["neighbors_key"] = "nb"
    elif graph == "adjacency":
        kwargs["adjacency"] = adjacency
    if draw(st.integers(0, 3)) == 0 and graph != "adjacency":
        present = sorted(set(groups))
        chosen = draw(st.lists(st.sampled_from(present), min_size=1))
        mask = np.isin(groups, chosen)
        # upstream cannot build a graph without edges (that case falls back)
        assume(adjacency[mask][:, mask].count_nonzero() > 0)
        kwargs["restrict_to"] = ("group", chosen)
