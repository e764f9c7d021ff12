"""What the leidenalg target's tests compare: upstream's ``leidenalg.find_partition`` and
everything a returned partition holds, floats to the bit."""

from __future__ import annotations

import random
import struct
from typing import Any

import igraph
import leidenalg
import numpy as np

PARTITION_TYPES = (
    leidenalg.RBConfigurationVertexPartition,
    leidenalg.ModularityVertexPartition,
    leidenalg.CPMVertexPartition,
)


def upstream_find_partition() -> Any:
    """leidenalg's own ``find_partition``, patched or not."""
    find = leidenalg.find_partition
    return getattr(find, "__autozyme_original__", find)


def _bits(x: Any) -> Any:
    return struct.pack("<d", x).hex() if isinstance(x, float) else x


def generator_states() -> tuple:
    """The generators a call could draw from besides leidenalg's own: Python's ``random``,
    numpy's global one, and whatever python-igraph has been given."""
    return random.getstate(), str(np.random.get_state())


def snapshot(partition: Any, graph: igraph.Graph) -> dict[str, Any]:
    """The partition's whole state; objects the caller passed by identity."""
    state = dict(vars(partition))
    assert state.pop("_graph") is graph
    state.pop("_partition")  # the C++ object: read through the methods below
    membership = state.pop("_membership")
    assert all(type(x) is int for x in membership)
    params = state.pop("_modularity_params")
    communities = range(len(partition))
    return {
        "type": type(partition),
        "membership": membership,
        "quality": _bits(partition.quality()),
        "modularity": _bits(partition.modularity),
        "resolution": _bits(getattr(partition, "resolution_parameter", None)),
        "all": _bits(partition.total_weight_in_all_comms()),
        "communities": [
            (
                _bits(partition.total_weight_in_comm(c)),
                _bits(partition.total_weight_from_comm(c)),
                _bits(partition.total_weight_to_comm(c)),
                partition.size(c),
            )
            for c in communities
        ],
        # the same objects as passed (weights may be a list, an array or a name)
        "modularity_params": {k: (type(v), id(v)) for k, v in params.items()},
        "rest": {k: _bits(v) for k, v in state.items()},
    }
