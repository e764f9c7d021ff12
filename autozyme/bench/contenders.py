"""Configurations (the leiden calls being compared) and the contenders that run them.

Every contender is timed from the same input, the AnnData's ``obsp["connectivities"]``,
to cluster labels for every cell: the graph conversion each one needs is part of its cost,
as it is for scanpy's own call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from anndata import AnnData

CONFIGS: dict[str, dict[str, Any]] = {
    # the prior art's benchmark (and scanpy's announced future default)
    "igraph-n2": {"flavor": "igraph", "n_iterations": 2},
    "igraph-converge": {"flavor": "igraph", "n_iterations": -1},
    # scanpy's default call, sc.tl.leiden(adata): the leidenalg flavor
    "default": {},
}
SWEEP_BASE = "igraph-n2"
SWEEP_RESOLUTIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
THREADS = (1, 2)  # networkit's thread sweep; this machine has 2 cores


def sweep_configs() -> list[str]:
    return [f"{SWEEP_BASE}@r{r:g}" for r in SWEEP_RESOLUTIONS]


def config_kwargs(config: str) -> dict[str, Any]:
    """``sc.tl.leiden`` keyword arguments for a configuration name (``base@rRES`` sweeps)."""
    base, _, res = config.partition("@r")
    kwargs = dict(CONFIGS[base])
    if res:
        kwargs["resolution"] = float(res)
    return kwargs


def resolution(kwargs: dict[str, Any]) -> float:
    return float(kwargs.get("resolution", 1.0))


def _scanpy_leiden(adata: AnnData, kwargs: dict[str, Any]) -> np.ndarray:
    import scanpy as sc

    sc.tl.leiden(adata, **kwargs)
    return adata.obs["leiden"].cat.codes.to_numpy()


def _upper_triangle(adata: AnnData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy import sparse

    upper = sparse.triu(adata.obsp["connectivities"], k=0, format="coo")
    return upper.row, upper.col, upper.data


def _prior_art(adata: AnnData, kwargs: dict[str, Any]) -> np.ndarray:
    """The prior art's technique: scanpy's igraph flavor builds an undirected multigraph
    with every edge twice (both triangles of the matrix); one copy with doubled weight
    gives the same objective on half the edges. Same RNG as scanpy: its result differs
    from upstream's only by the changed edge order ("bounded difference")."""
    import random

    import igraph as ig

    rows, cols, weights = _upper_triangle(adata)
    graph = ig.Graph(n=adata.n_obs, edges=np.column_stack([rows, cols]), directed=False)
    ig.set_random_number_generator(random.Random(0))
    try:
        part = graph.community_leiden(
            objective_function="modularity",
            weights=(2.0 * weights).tolist(),  # igraph converts a list faster
            resolution=resolution(kwargs),
            n_iterations=kwargs["n_iterations"],
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(part.membership)


def _networkit(threads: int) -> Callable[[AnnData, dict[str, Any]], np.ndarray]:
    def run(adata: AnnData, kwargs: dict[str, Any]) -> np.ndarray:
        """networkit's ParallelLeiden, an independent fast Leiden (modularity, same gamma,
        the configuration's iteration count)."""
        import networkit as nk

        nk.setNumberOfThreads(threads)
        nk.setSeed(0, False)
        rows, cols, weights = _upper_triangle(adata)
        graph = nk.GraphFromCoo(
            (weights.astype(np.float64), (rows.astype(np.uint64), cols.astype(np.uint64))),
            n=adata.n_obs,
            weighted=True,
            directed=False,
        )
        algo = nk.community.ParallelLeiden(
            graph, randomize=True, iterations=kwargs["n_iterations"], gamma=resolution(kwargs)
        )
        algo.run()
        return np.asarray(algo.getPartition().getVector())

    return run


def _igraph_flavor(kwargs: dict[str, Any]) -> bool:
    return kwargs.get("flavor") == "igraph"


# name -> (runs this configuration?, run). upstream is the reference for every ratio.
CONTENDERS: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[..., np.ndarray]]] = {
    "upstream": (lambda kw: True, _scanpy_leiden),
    "autozyme": (lambda kw: True, _scanpy_leiden),  # the same call, patched (measure.py)
    "prior-art": (_igraph_flavor, _prior_art),
    **{
        f"networkit-{t}t": (
            # no run-to-convergence mode: only fixed iteration counts are comparable
            lambda kw: _igraph_flavor(kw) and kw["n_iterations"] > 0,
            _networkit(t),
        )
        for t in THREADS
    },
}
SCANPY_CONTENDERS = ("upstream", "autozyme")


def environment(contender: str) -> dict[str, str]:
    """Extra environment of a contender's process. networkit: libgomp's default spin-waiting
    makes 2 threads ~10x slower than 1 when the cores are shared with other work (measured
    here: 1.5 s against 0.12 s at 10k cells); passive waiting is what such a machine needs."""
    return {"OMP_WAIT_POLICY": "PASSIVE"} if contender.startswith("networkit-") else {}


def modules(contender: str) -> tuple[str, ...]:
    """What a contender imports: loaded before the clock starts, as in a running pipeline
    (networkit's import alone takes seconds). scanpy imports igraph and leidenalg inside
    ``leiden``, AutoZyme its compiled core and the modules around it: the same for both."""
    scanpy = ("scanpy", "igraph", "leidenalg")
    if contender == "upstream":
        return scanpy
    if contender == "autozyme":
        return (
            *scanpy,
            "autozyme.algorithms.igraph_leiden",
            "autozyme.algorithms.leidenalg_partition",
        )
    if contender == "prior-art":
        return ("igraph",)
    return ("networkit",)


def applies(contender: str, config: str) -> bool:
    # the thread sweep runs on the base configurations, the resolution sweep on 1 thread
    if "@r" in config and contender.startswith("networkit-") and contender != "networkit-1t":
        return False
    return CONTENDERS[contender][0](config_kwargs(config))


def run(contender: str, adata: AnnData, config: str) -> np.ndarray:
    return CONTENDERS[contender][1](adata, config_kwargs(config))
