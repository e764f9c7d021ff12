"""The one decision point of ``sc.tl.louvain``: fast path (a :class:`LouvainPlan`) or
upstream (a :class:`~.routing.Fallback` with its reason).

Two flavors are ported. ``"igraph"``: scanpy builds the undirected graph of the adjacency
and calls python-igraph's ``community_multilevel`` (weights only with ``use_weights``, no
resolution), which draws from python-igraph's own generator (not from ``random_state``).
``"vtraag"`` (the default): scanpy builds the graph (directed unless ``directed`` is false)
and calls ``louvain.find_partition`` with ``RBConfigurationVertexPartition``, the
resolution, the weights (with ``use_weights``) and ``seed=random_state``. Everything else,
and every input upstream would reject or treat in a way not verified, falls back.
Deciding has no side effects beyond importing python-igraph where upstream would (it never
imports louvain: upstream's import warns).
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..verification import detected_versions
from ..verification.releases import multilevel_transposes
from . import igraph_generator
from .routing import Fallback, proven_here
from .scanpy_graph import adata_problem, selected_graph

# flavor -> its key in autozyme.verification's tables
TABLE_KEYS = {"igraph": "louvain-igraph", "vtraag": "louvain-vtraag"}
# louvain's Optimiser.set_rng_seed parses the seed as a C int
_SEED_RANGE = range(-(2**31), 2**31)


@dataclass(frozen=True)
class LouvainPlan:
    """Everything the fast path needs, already validated."""

    flavor: str  # "igraph" or "vtraag"
    adata: Any
    adjacency: Any  # CSR after graph choice and restriction
    restrict: tuple[str, Any, np.ndarray] | None  # (key, categories, indices)
    resolution: Any  # as passed, stored in uns; igraph: only logged about
    random_state: Any  # as passed, stored in uns; vtraag: louvain's seed
    key_added: str
    use_weights: bool
    copy: bool
    # igraph: python-igraph's generator, which community_multilevel draws from
    generator: random.Random | None
    transposition: bool  # igraph: the C core's per-pass random transposition
    directed: bool  # vtraag: the graph scanpy builds (igraph: always undirected)


def decide(arguments: dict | None) -> LouvainPlan | Fallback:
    """``arguments``: the call bound to upstream's signature (None where it does not
    bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    a = dict(arguments)
    flavor = a["flavor"]
    if not (isinstance(flavor, str) and flavor in TABLE_KEYS):
        return Fallback(f"flavor={flavor!r} is not accelerated (only 'vtraag' and 'igraph')")
    problem = _flavor_problem(flavor, a)
    if problem:
        return Fallback(problem)
    proven = proven_here(TABLE_KEYS[flavor])
    if isinstance(proven, Fallback):
        return proven
    generator = None
    if flavor == "igraph":
        if "igraph" not in sys.modules:
            # upstream imports it in the call (scanpy 1.12 imports nothing before): our
            # import hook then sees python-igraph's generator start as the random module's
            try:
                import igraph  # noqa: F401
            except ImportError:
                return Fallback("python-igraph is not importable (upstream raises)")
        generator = igraph_generator.current()
        if isinstance(generator, str):
            return Fallback(generator)
    problem = adata_problem(a["adata"])
    if problem:
        return Fallback(problem)
    for problem in (
        None if isinstance(a["use_weights"], bool) else "use_weights: not a bool",
        None if isinstance(a["copy"], bool) else "copy: not a bool",
        None if isinstance(a["key_added"], str) else "key_added: not a str",
        # upstream tests its truth; other objects could run code doing so
        None
        if a["directed"] is None or isinstance(a["directed"], (bool, int))
        else "directed: not a bool, an int or None",
    ):
        if problem:
            return Fallback(problem)
    graph = selected_graph(a, "sc.tl.louvain")
    if isinstance(graph, Fallback):
        return graph
    adjacency, restrict, _ = graph
    return LouvainPlan(
        flavor=flavor,
        adata=a["adata"],
        adjacency=adjacency,
        restrict=restrict,
        resolution=a["resolution"],
        random_state=a["random_state"],
        key_added=a["key_added"],
        use_weights=a["use_weights"],
        copy=a["copy"],
        generator=generator,
        transposition=multilevel_transposes(detected_versions()["igraph"]),
        directed=flavor == "vtraag" and bool(a["directed"]),
    )


def _flavor_problem(flavor: str, a: dict[str, Any]) -> str | None:
    """What of the flavor's own arguments is not ported (or upstream rejects)."""
    if not isinstance(a["partition_kwargs"], Mapping):
        return "partition_kwargs: not a mapping"
    if flavor == "igraph":
        if a["partition_type"] is not None:
            return "partition_type with flavor='igraph' (upstream raises)"
        return None
    louvain = sys.modules.get("louvain")
    if louvain is None:
        # scanpy imports it when imported itself; where that failed, upstream's import
        # in sc.tl.louvain raises
        return "the louvain package was not imported by scanpy"
    partition_type = a["partition_type"]
    if partition_type is not None and partition_type is not louvain.RBConfigurationVertexPartition:
        return "partition_type: only louvain's default RBConfigurationVertexPartition is ported"
    if a["partition_kwargs"]:
        return "partition_kwargs: not ported"
    seed = a["random_state"]
    if not isinstance(seed, (int, np.integer)) or int(seed) not in _SEED_RANGE:
        # None: louvain seeds from C's rand() (not reproducible); others it rejects
        return "random_state: not an integer within a C int (louvain's seed)"
    resolution = a["resolution"]
    if resolution is not None and not (
        isinstance(resolution, (int, float, np.integer, np.floating)) and math.isfinite(resolution)
    ):
        return "resolution: not a finite number"
    return None
