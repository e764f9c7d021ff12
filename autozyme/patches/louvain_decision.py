"""The one decision point of ``sc.tl.louvain``: fast path (a :class:`LouvainPlan`) or
upstream (a :class:`~.routing.Fallback` with its reason).

Only ``flavor="igraph"`` is ported: scanpy builds the undirected graph of the adjacency
and calls python-igraph's ``community_multilevel`` (weights only with ``use_weights``, no
resolution), which draws from python-igraph's own generator (not from ``random_state``).
Everything else, and every input upstream would reject or treat in a way not verified,
falls back. Deciding has no side effects.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import igraph_generator
from .routing import Fallback, proven_here
from .scanpy_graph import adata_problem, selected_graph

# the key of this flavor in autozyme.verification's tables
TABLE_KEY = "louvain-igraph"


@dataclass(frozen=True)
class LouvainPlan:
    """Everything the fast path needs, already validated."""

    adata: Any
    adjacency: Any  # CSR after graph choice and restriction
    restrict: tuple[str, Any, np.ndarray] | None  # (key, categories, indices)
    resolution: Any  # as passed: only logged about, and stored in uns
    random_state: Any  # as passed: stored in uns, not used by this flavor
    key_added: str
    use_weights: bool
    copy: bool
    generator: random.Random  # python-igraph's, which community_multilevel draws from


def decide(arguments: dict | None) -> LouvainPlan | Fallback:
    """``arguments``: the call bound to upstream's signature (None where it does not
    bind), defaults applied."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    a = dict(arguments)
    flavor = a["flavor"]
    if not (isinstance(flavor, str) and flavor == "igraph"):
        return Fallback(f"flavor={flavor!r} is not accelerated (only 'igraph' is ported)")
    if a["partition_type"] is not None:
        return Fallback("partition_type with flavor='igraph' (upstream raises)")
    if not isinstance(a["partition_kwargs"], Mapping):
        return Fallback("partition_kwargs: not a mapping")
    proven = proven_here(TABLE_KEY)
    if isinstance(proven, Fallback):
        return proven
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
        adata=a["adata"],
        adjacency=adjacency,
        restrict=restrict,
        resolution=a["resolution"],
        random_state=a["random_state"],
        key_added=a["key_added"],
        use_weights=a["use_weights"],
        copy=a["copy"],
        generator=generator,
    )
