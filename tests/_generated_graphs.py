"""The hypothesis strategies the direct-caller targets draw their graphs from."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import igraph
import leidenalg
from hypothesis import strategies as st

# arbitrary edge lists (loops, parallel edges, isolated vertices, edge ids renumbered by
# deletions), weighted with round numbers and arbitrary 32-bit floats
WEIGHT = st.sampled_from([1.0, 0.5, 2.0, 0.1, 7.0]) | st.floats(0.0, 10.0, width=32)


# how an edge list is ordered: as drawn; as a matrix's nonzeros in stored order (sorted
# by row, duplicates kept); as a symmetric matrix's (both directions of every edge,
# each once, sorted), which is how scanpy's get_igraph_from_adjacency adds a kNN graph
EDGE_ORDERS = ("drawn", "rows", "symmetric")


def ordered_edges(edges: list[tuple[int, int]], order: str) -> list[tuple[int, int]]:
    """``edges`` in one of the :data:`EDGE_ORDERS`."""
    if order == "rows":
        return sorted(edges)
    if order == "symmetric":
        return sorted({e for a, b in edges for e in ((a, b), (b, a))})
    return edges


@st.composite
def edge_list_graphs(draw: st.DrawFn) -> igraph.Graph:
    n = draw(st.integers(1, 30))
    node = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(node, node), min_size=1, max_size=5 * n))
    order = draw(st.sampled_from(EDGE_ORDERS))
    graph = igraph.Graph(n=n, edges=ordered_edges(edges, order))
    if graph.ecount() > 2 and draw(st.booleans()):
        graph.delete_edges(draw(st.lists(st.integers(0, graph.ecount() - 1), max_size=3)))
    if graph.ecount() == 0:
        graph.add_edges([(0, n - 1)])
    weights = draw(st.lists(WEIGHT, min_size=graph.ecount(), max_size=graph.ecount()))
    if order == "symmetric" and draw(st.booleans()):
        # both directions weigh the same, as in a kNN graph's connectivities
        by_pair = dict(zip(graph.get_edgelist(), weights, strict=True))
        weights = [by_pair[edge] for edge in graph.get_edgelist()]
    graph.es["weight"] = weights
    return graph


@st.composite
def layer_graphs(draw: st.DrawFn, n: int, directed: bool | None = None) -> igraph.Graph:
    """An edge list on n vertices (parallel edges, at most one loop per vertex: with more,
    libleidenalg may move nodes back and forth forever), undirected or directed (None:
    either); a directed one ordered by source, as scanpy adds a matrix's entries, but for
    one in ten drawn freely."""
    node = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(node, node), min_size=1, max_size=4 * n))
    looped: set[int] = set()
    kept = []
    for a, b in edges:
        if a == b and a in looped:
            continue
        looped.update([a] if a == b else [])
        kept.append((a, b))
    directed = draw(st.booleans()) if directed is None else directed
    if directed and draw(st.integers(0, 9)) > 0:
        kept.sort(key=lambda e: e[0])  # stable: parallel edges keep their order
    elif not directed:
        kept = ordered_edges(kept, draw(st.sampled_from(EDGE_ORDERS)))
    graph = igraph.Graph(n=n, edges=kept, directed=directed)
    graph.es["weight"] = draw(st.lists(WEIGHT, min_size=len(kept), max_size=len(kept)))
    return graph


def incremental_sum_cases(count: int) -> Iterator[tuple[igraph.Graph, type, dict[str, Any]]]:
    """Small graphs with non-integral weights where upstream's last level often moves
    nodes without aggregating: (graph, partition type, find_partition's keywords)."""
    generator = random.Random(1)
    types = [
        leidenalg.CPMVertexPartition,
        leidenalg.RBConfigurationVertexPartition,
        leidenalg.ModularityVertexPartition,
    ]
    for _ in range(count):
        n = generator.randint(2, 25)
        edges = [(generator.randrange(n), generator.randrange(n)) for _ in range(4 * n)]
        graph = igraph.Graph(n=n, edges=edges[: generator.randint(1, 4 * n)])
        weights = [generator.choice([0.1, 0.3, 0.7, 2.5]) for _ in range(graph.ecount())]
        partition_type = generator.choice(types)
        kwargs: dict[str, Any] = {
            "weights": weights,
            "n_iterations": generator.choice([1, 2, -1]),
            "seed": generator.randrange(1000),
        }
        if partition_type is not leidenalg.ModularityVertexPartition:
            kwargs["resolution_parameter"] = generator.choice([0.05, 0.3, 1.0, 2.0])
        yield graph, partition_type, kwargs
