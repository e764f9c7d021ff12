"""What the leidenalg target's tests compare: upstream's ``leidenalg.find_partition`` and
everything a returned partition holds, floats to the bit."""

from __future__ import annotations

import functools
import random
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import igraph
import leidenalg
import numpy as np

from autozyme.patches import leidenalg_optimiser

PARTITION_TYPES = (
    leidenalg.RBConfigurationVertexPartition,
    leidenalg.ModularityVertexPartition,
    leidenalg.CPMVertexPartition,
)


@contextmanager
def upstream_only() -> Iterator[None]:
    """leidenalg's own Optimiser and partition methods for the block, AutoZyme's put back
    after (leidenalg's find_partition calls Optimiser.optimise_partition, a target too)."""
    installed = bool(leidenalg_optimiser.patched_names())
    leidenalg_optimiser.uninstall()
    try:
        yield
    finally:
        if installed:
            leidenalg_optimiser.install(leidenalg)


def upstream_find_partition() -> Callable[..., Any]:
    """leidenalg's own ``find_partition``, with leidenalg's own methods inside."""
    find = leidenalg.find_partition
    find = getattr(find, "__autozyme_original__", find)

    @functools.wraps(find)
    def upstream(*args: Any, **kwargs: Any) -> Any:
        with upstream_only():
            return find(*args, **kwargs)

    return upstream


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
