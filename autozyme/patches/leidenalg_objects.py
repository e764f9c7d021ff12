"""What the leidenalg target knows about the caller's own leidenalg objects.

``Optimiser.optimise_partition`` works on objects the caller built, whose state lives in
C++ where Python cannot read it back cheaply or at all. The patch therefore follows them
from their creation on, through the (patched) methods that change them:

- an Optimiser's generator: known from ``set_rng_seed(seed)`` on (before that it is
  seeded from the clock); each fast call advances our copy (:class:`Generator`), so
  leidenalg's own lags behind until :func:`catch_up` draws the lagging words through it,
  which every upstream method that draws from it needs first. After such an upstream
  call the state is unknown again.
- a partition (:class:`PartitionRecord`): its constructor's weights and node sizes
  (leidenalg keeps them in C++ only; an aggregate partition's come with its graph), and
  whether its community bookkeeping is still as
  computed from its membership (fresh from the constructor or ``set_membership``): a
  partition changed move by move holds sums and empty-community lists the port does
  not rebuild.

Records are keyed by the C++ object (the capsule) and dropped with the Python object, so
a copy sharing the capsule cannot leave a stale record behind. Any failure while
recording leaves the object unknown, and unknown objects go upstream.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .graph_arguments import weights as weight_values

__all__ = [
    "Generator",
    "PartitionRecord",
    "catch_up",
    "catch_up_all",
    "constructing_with",
    "forget_all",
    "forget_generator",
    "generator",
    "mark_changed",
    "mark_fresh",
    "partition_record",
    "record_partition",
    "record_seed",
]

# the largest isolated-vertex partition catch_up() has leidenalg build (a partition costs
# leidenalg some hundred bytes a vertex): larger lags take several shuffles
SHUFFLE_MAX = 1 << 20

_lock = threading.RLock()
_local = threading.local()  # weights already read for the partition being constructed


@dataclass
class Generator:
    """An Optimiser's generator: ``state`` where our fast calls left it (uint32[625]);
    leidenalg's own is at ``behind`` and lags ``lag`` words."""

    capsule: Any  # the Optimiser's C++ object, kept so its id stays unique
    state: np.ndarray
    behind: np.ndarray
    lag: int = 0
    owner: Any = None  # weakref.ref to the Optimiser, for catch_up_all()


@dataclass
class PartitionRecord:
    capsule: Any  # the partition's C++ object, kept so its id stays unique
    n_vertices: int
    n_edges: int
    weights: np.ndarray | None  # as the constructor read them (float64, one per edge)
    problem: str | None  # why the constructor's arguments are not ported, if they are not
    fresh: bool = True  # bookkeeping as computed from the membership
    # None: every node size is 1; an aggregate's nodes weigh their members (float64)
    node_sizes: np.ndarray | None = None


_generators: dict[int, Generator] = {}
_partitions: dict[int, PartitionRecord] = {}


def _remember(table: dict[int, Any], owner: Any, capsule: Any, record: Any) -> None:
    key = id(capsule)
    with _lock:
        fresh_key = key not in table
        table[key] = record
    if fresh_key:
        weakref.finalize(owner, _forget, table, key, capsule)


def _forget(table: dict[int, Any], key: int, capsule: Any) -> None:
    with _lock:
        record = table.get(key)
        if record is not None and record.capsule is capsule:
            del table[key]


def _lookup(table: dict[int, Any], capsule: Any) -> Any:
    with _lock:
        record = table.get(id(capsule))
    return record if record is not None and record.capsule is capsule else None


# --- Optimisers ---------------------------------------------------------------------


def record_seed(optimiser: Any, state: np.ndarray) -> None:
    """``optimiser.set_rng_seed`` just set leidenalg's generator to ``state``."""
    capsule = optimiser._optimiser
    record = Generator(capsule, state, state.copy(), owner=weakref.ref(optimiser))
    _remember(_generators, optimiser, capsule, record)


def generator(optimiser: Any) -> Generator | None:
    """The optimiser's known generator, or None (never seeded through the patched
    ``set_rng_seed``, or drawn from by upstream code since)."""
    return _lookup(_generators, getattr(optimiser, "_optimiser", None))


def forget_generator(optimiser: Any) -> None:
    with _lock:
        record = generator(optimiser)
        if record is not None:
            del _generators[id(record.capsule)]


def catch_up(optimiser: Any, move_nodes: Any) -> None:
    """Draw the words leidenalg's generator lags behind ours through it, so that upstream
    continues exactly where our fast calls left the stream.

    ``move_nodes``: leidenalg's own ``Optimiser.move_nodes``. On a partition of isolated
    vertices it shuffles them (n - 1 bounded draws, as our core draws) and moves none;
    :func:`autozyme._core.shuffle_sizes` picks sizes whose shuffles draw exactly the lag.
    """
    import igraph
    import leidenalg

    record = generator(optimiser)
    if record is None or record.lag == 0:
        return
    behind = record.behind.copy()
    sizes = _core.shuffle_sizes(behind, record.lag, SHUFFLE_MAX)
    if not np.array_equal(behind, record.state):
        # a bug of ours: leave the state unknown rather than claim a wrong one
        forget_generator(optimiser)
        raise RuntimeError("autozyme: could not align leidenalg's generator with the fast path")
    for size in sizes:
        isolated = leidenalg.ModularityVertexPartition(igraph.Graph(size))
        move_nodes(optimiser, isolated, consider_comms=leidenalg.ALL_NEIGH_COMMS)
    record.behind = behind
    record.lag = 0


def catch_up_all(move_nodes: Any) -> None:
    """:func:`catch_up` every known Optimiser: before AutoZyme steps aside, so that
    leidenalg's own methods continue where the fast calls left each stream."""
    with _lock:
        owners = [record.owner() for record in _generators.values() if record.lag]
    for optimiser in owners:
        if optimiser is not None:
            catch_up(optimiser, move_nodes)


def forget_all() -> None:
    """Nothing is followed while AutoZyme is off: every object becomes unknown."""
    with _lock:
        _generators.clear()
        _partitions.clear()


# --- partitions ---------------------------------------------------------------------


@contextmanager
def constructing_with(weights: np.ndarray | None) -> Iterator[None]:
    """Partitions constructed in this block get these weights, already read from the
    constructor's ``weights`` argument, instead of reading them again."""
    _local.weights = (weights,)
    try:
        yield
    finally:
        del _local.weights


def record_partition(
    partition: Any,
    graph: Any,
    weights: object,
    problem: str | None,
    node_sizes: np.ndarray | None = None,
) -> None:
    """A partition's constructor (or ``aggregate_partition``) returned: its bookkeeping is
    fresh."""
    m = graph.ecount()
    values = None
    known = getattr(_local, "weights", None)
    if known is not None:
        values = known[0]
    elif problem is None:
        found = weight_values(graph, weights, "edge", m)
        if isinstance(found, str):
            problem = f"weights: {found}"
        else:
            values = found
    capsule = partition._partition
    record = PartitionRecord(capsule, graph.vcount(), m, values, problem, node_sizes=node_sizes)
    _remember(_partitions, partition, capsule, record)


def partition_record(partition: Any) -> PartitionRecord | None:
    return _lookup(_partitions, getattr(partition, "_partition", None))


def mark_changed(*partitions: Any) -> None:
    """These partitions may have been changed move by move (or relabelled)."""
    for partition in partitions:
        record = partition_record(partition)
        if record is not None:
            record.fresh = False


def mark_fresh(partition: Any) -> None:
    """The partition's bookkeeping was just computed from its membership."""
    record = partition_record(partition)
    if record is not None:
        record.fresh = True
