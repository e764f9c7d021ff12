"""The hypothesis strategy both direct-caller targets draw their graphs from."""

from __future__ import annotations

import igraph
from hypothesis import strategies as st

# arbitrary edge lists (loops, parallel edges, isolated vertices, edge ids renumbered by
# deletions), weighted with round numbers and arbitrary 32-bit floats
WEIGHT = st.sampled_from([1.0, 0.5, 2.0, 0.1, 7.0]) | st.floats(0.0, 10.0, width=32)


@st.composite
def edge_list_graphs(draw: st.DrawFn) -> igraph.Graph:
    n = draw(st.integers(1, 30))
    node = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(node, node), min_size=1, max_size=5 * n))
    graph = igraph.Graph(n=n, edges=edges)
    if graph.ecount() > 2 and draw(st.booleans()):
        graph.delete_edges(draw(st.lists(st.integers(0, graph.ecount() - 1), max_size=3)))
    if graph.ecount() == 0:
        graph.add_edges([(0, n - 1)])
    graph.es["weight"] = draw(st.lists(WEIGHT, min_size=graph.ecount(), max_size=graph.ecount()))
    return graph
