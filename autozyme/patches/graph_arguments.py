"""What python-igraph and leidenalg accept as numbers, vectors and graphs, checked the way
the decisions of the igraph and leidenalg targets need it: the values as an array, or why
they are not verified (the call then goes upstream with that reason)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..algorithms.graph import float_values, stored_attribute

__all__ = ["MAX_C_INT", "graph_problem", "is_int", "is_real", "membership", "weights"]

MAX_C_INT = 2**31 - 1
# integers a float64 holds exactly (both libraries convert numbers to C doubles)
_EXACT_INT = 2**53


def is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def graph_problem(graph: Any, *, directed_ok: bool = False) -> str | None:
    """Why an igraph ``Graph`` is not one the fast paths read (undirected unless
    ``directed_ok``, with edges, counts below 2**31 - 1), or None."""
    import igraph

    if not isinstance(graph, igraph.Graph):
        return f"graph: {type(graph).__name__} is not an igraph.Graph"
    if graph.is_directed() and not directed_ok:
        return "graph: directed (not ported)"
    if graph.vcount() >= MAX_C_INT or graph.ecount() >= MAX_C_INT:
        return "graph: 2**31 - 1 or more vertices or edges is not verified"
    if graph.ecount() == 0:
        return "graph: no edges is not verified"
    return None


def _values(graph: Any, argument: object, kind: str, size: int) -> np.ndarray | str:
    """The numbers read from an attribute name or a sequence, as an array, or why they
    are not verified. ``kind``: "edge" or "vertex"."""
    if isinstance(argument, str):
        seq = graph.es if kind == "edge" else graph.vs
        if argument not in seq.attribute_names():
            return f"{kind} attribute {argument!r} does not exist (upstream raises)"
        stored = stored_attribute(graph, argument, kind)
        argument = seq[argument] if stored is None else stored
    elif isinstance(argument, (bytes, bytearray)) or not hasattr(argument, "__len__"):
        return f"{type(argument).__name__} is not a sequence of numbers"
    if type(argument) is list and len(argument) == size:
        floats = float_values(argument)  # what numpy makes of it, in a tenth of the time
        if floats is not None:
            return floats
    try:
        arr = np.asarray(argument)
    except Exception:
        return "not array-like"
    if arr.shape != (size,):
        return f"shape {arr.shape} does not match {size} {kind}s"
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iu" and (size == 0 or np.abs(arr).max() < _EXACT_INT):
        return arr
    return f"dtype {arr.dtype} is not verified"


def weights(graph: Any, argument: object, kind: str, size: int) -> np.ndarray | str | None:
    """Non-negative finite weights as float64, or float32 where every value is one
    (read from a list, or the caller's float32 array; the cores promote them exactly),
    None for None; or why not."""
    if argument is None:
        return None
    arr = _values(graph, argument, kind, size)
    if isinstance(arr, str):
        return arr
    # a caller's own array is copied (the cores read it without the GIL); an attribute
    # or a list was converted into a fresh array already
    dtype = np.float32 if arr.dtype == np.float32 else np.float64
    arr = arr.astype(dtype, copy=not isinstance(argument, (str, list, tuple)))
    if not (np.isfinite(arr).all() and (arr >= 0).all()):
        return "not finite non-negative numbers"
    return arr


def membership(graph: Any, argument: object, size: int) -> np.ndarray | str | None:
    """Labels in [0, size) as int64 (None for None), or why not."""
    if argument is None:
        return None
    arr = _values(graph, argument, "vertex", size)
    if isinstance(arr, str):
        return arr
    if arr.dtype.kind not in "iu" or (size and (arr.min() < 0 or arr.max() >= size)):
        return "not integers in [0, number of vertices)"
    return arr.astype(np.int64)
