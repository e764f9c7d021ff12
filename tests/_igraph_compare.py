"""What the igraph target's tests compare: upstream's ``Graph.community_leiden`` and
everything a returned ``VertexClustering`` holds, floats to the bit."""

from __future__ import annotations

import inspect
import struct
from typing import Any

import igraph


def upstream_leiden() -> Any:
    """python-igraph's own ``Graph.community_leiden``, patched or not."""
    leiden = igraph.Graph.community_leiden
    return getattr(leiden, "__autozyme_original__", leiden)


# python-igraph 0.10.0-0.10.2 name the keyword resolution_parameter
PARAMETERS = inspect.signature(upstream_leiden()).parameters
RESOLUTION = "resolution" if "resolution" in PARAMETERS else "resolution_parameter"


def _bits(x: Any) -> Any:
    return struct.pack("<d", x).hex() if isinstance(x, float) else x


def snapshot(clustering: igraph.VertexClustering, graph: igraph.Graph) -> dict[str, Any]:
    """The clustering's whole state; the weights/resolution objects by identity."""
    state = dict(vars(clustering))
    assert state.pop("_graph") is graph
    assert type(clustering) is igraph.VertexClustering
    membership = state.pop("_membership")
    assert all(type(x) is int for x in membership)
    params = state.pop("_modularity_params")
    return {
        "membership": membership,
        "quality": _bits(state.pop("quality", None)),
        "modularity": _bits(clustering.q),
        # the same objects as passed (weights may be a list, an array or a name)
        "modularity_params": {k: (type(v), id(v)) for k, v in params.items()},
        "rest": {k: _bits(v) for k, v in state.items() if k not in ("_modularity",)},
    }
