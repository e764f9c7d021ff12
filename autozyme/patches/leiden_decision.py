"""The one decision point of ``sc.tl.leiden``: fast path (a :class:`LeidenPlan`) or
upstream (a :class:`Fallback` with its reason).

Only what has been verified identical takes the fast path. Every input upstream would
reject (or treat in a way we have not verified) falls back, so upstream itself raises
its own exception or computes its own result. Deciding has no side effects; its one
exception of its own is a MemoryError for a graph upstream cannot possibly hold here.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..verification import detected_versions
from .leiden_warnings import WarningSite, resolution_parameter_warning_site
from .routing import Fallback, proven_here
from .scanpy_graph import adata_problem, selected_graph

# clustering_args that scanpy forwards and that we reproduce
_IGRAPH_ARGS = frozenset({"objective_function", "beta", "initial_membership", "node_weights"})
_LEIDENALG_ARGS = frozenset({"max_comm_size", "initial_membership"})
_LEIDENALG_PARTITIONS = ("RBConfiguration", "Modularity", "CPM")
_MAX_C_INT = 2**31 - 1


def _flavor(flavor: object) -> str | None:
    """The implementation upstream would run, or None where it would raise."""
    if flavor == "igraph" and isinstance(flavor, str):
        return "igraph"
    if flavor == "leidenalg" and isinstance(flavor, str):
        return "leidenalg"
    if flavor is None and _scanpy_at_least(detected_versions()["scanpy"] or "0", (1, 12)):
        return "leidenalg"
    return None


@dataclass(frozen=True)
class ScanpyBehaviour:
    """What one scanpy class does around the algorithm, as the fast path reproduces it."""

    # how python-igraph draws its 32-bit words from scanpy's RNG adapter: "getrandbits"
    # (the adapter has it, scanpy >= 1.11.4), else "randint" (python-igraph's fallback)
    igraph_words: str
    # the keyword the igraph flavor passes the resolution by
    resolution_keyword: str
    # uns[key]["modularity"] written (scanpy >= 1.12)
    stores_modularity: bool


# scanpy class (autozyme.verification.releases) -> its behaviour; a class not here runs
# upstream whatever the verification table says (S5's rng= and presets are not built)
SCANPY_BEHAVIOUR: dict[str, ScanpyBehaviour] = {
    "S1": ScanpyBehaviour("randint", "resolution_parameter", stores_modularity=False),
    "S2": ScanpyBehaviour("randint", "resolution", stores_modularity=False),
    "S3": ScanpyBehaviour("getrandbits", "resolution", stores_modularity=False),
    "S4": ScanpyBehaviour("getrandbits", "resolution", stores_modularity=True),
}


@dataclass(frozen=True)
class LeidenPlan:
    """Everything the fast path needs, already validated."""

    adata: Any
    adjacency: Any  # CSR after graph choice and restriction
    restrict: tuple[str, Any, np.ndarray] | None  # (key, categories, indices)
    flavor: str  # "igraph" or "leidenalg", resolved
    partition: str | None  # leidenalg: "RBConfiguration", "Modularity" or "CPM"
    directed: Any  # as passed
    max_comm_size: int
    leidenalg_class: str | None  # "L1", "L2", "L3" (autozyme.verification.releases)
    resolution: float | int | None
    random_state: Any
    key_added: str
    use_weights: bool
    n_iterations: Any  # as passed: upstream stores the object itself in uns
    copy: bool
    objective_function: str
    beta: float
    initial_membership: np.ndarray | None
    node_weights: np.ndarray | None
    igraph_class: str  # "A" ... "E" (autozyme.verification.releases)
    scanpy_class: str  # "S1" ... "S4" (autozyme.verification.releases)
    # igraph flavor: where python-igraph's DeprecationWarning for scanpy's keyword points
    igraph_warning: WarningSite | None

    @property
    def scanpy(self) -> ScanpyBehaviour:
        return SCANPY_BEHAVIOUR[self.scanpy_class]


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def _random_state_problem(random_state: object) -> str | None:
    if random_state is None or type(random_state) is np.random.RandomState:
        return None
    if _is_int(random_state):
        return None if 0 <= int(random_state) < 2**32 else "random_state: seed out of range"
    return f"random_state: {type(random_state).__name__} is not verified"


def _vector_problem(name: str, values: object, n: int, *, integral: bool) -> str | None:
    try:
        arr = np.asarray(values)
    except Exception:
        return f"{name}: not array-like"
    if arr.shape != (n,):
        return f"{name}: shape {arr.shape} does not match {n} vertices"
    if integral:
        if arr.dtype.kind not in "iu" or (n and (arr.min() < 0 or arr.max() >= n)):
            return f"{name}: not integers in [0, n)"
    elif arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or (n and arr.min() < 0):
        return f"{name}: not finite non-negative numbers"
    return None


def _igraph_args_problem(a: dict[str, Any], args: dict[str, Any]) -> str | None:
    if a["directed"] not in (None, False) or a["partition_type"] is not None:
        return "directed/partition_type with flavor='igraph' (upstream raises)"
    problem = _random_state_problem(a["random_state"])
    if problem:
        return problem
    extra = set(args) - _IGRAPH_ARGS - ({"weights"} if a["use_weights"] else set())
    if extra:
        return f"clustering_args: {', '.join(sorted(extra))} not verified"
    objective = args.get("objective_function", "modularity")
    if not isinstance(objective, str) or objective.lower() not in ("cpm", "modularity"):
        return "objective_function: not 'CPM' or 'modularity'"
    beta = args.get("beta", 0.01)
    if not _is_real(beta) or not math.isfinite(beta) or beta <= 0:
        return "beta: not a positive finite number"
    return None


def _partition_name(partition_type: object) -> str | None:
    """Our name for a leidenalg partition class we reproduce, or None."""
    import leidenalg

    if partition_type is None:
        return "RBConfiguration"
    for name in _LEIDENALG_PARTITIONS:
        if partition_type is getattr(leidenalg, f"{name}VertexPartition"):
            return name
    return None


def _leidenalg_args_problem(a: dict[str, Any], args: dict[str, Any]) -> str | None:
    partition = _partition_name(a["partition_type"])
    if partition is None:
        return f"partition_type: {a['partition_type']!r} is not verified"
    if a["directed"] is not None and not isinstance(a["directed"], bool):
        return "directed: not a bool or None"
    seed = a["random_state"]
    if not _is_int(seed) or not 0 <= int(seed) < 2**31:
        # None draws a random seed upstream; a RandomState is rejected by leidenalg
        return f"random_state: {type(seed).__name__} {seed!r} is not a verified leidenalg seed"
    if partition == "Modularity" and a["resolution"] is not None:
        return "resolution with ModularityVertexPartition (upstream raises)"
    extra = set(args) - _LEIDENALG_ARGS
    if extra:
        return f"clustering_args: {', '.join(sorted(extra))} not verified"
    max_comm_size = args.get("max_comm_size", 0)
    if not _is_int(max_comm_size) or not 0 <= int(max_comm_size) <= _MAX_C_INT:
        return "max_comm_size: not a non-negative C int"
    return None


def decide(arguments: dict | None) -> LeidenPlan | Fallback:
    """``arguments``: from :func:`bind_arguments`."""
    if arguments is None:
        return Fallback("arguments do not bind to upstream's signature")
    if "rng" in arguments:
        # scanpy >= 1.13: random_state becomes rng= (a numpy Generator drives igraph and
        # draws leidenalg's seed) and the preset picks the flavor and the graph's edges
        return Fallback("rng: scanpy's rng= interface and presets (1.13) are not verified")
    a = dict(arguments)
    clustering_args = dict(a.pop("clustering_args", None) or {})

    flavor = _flavor(a["flavor"])
    if flavor is None:
        return Fallback(f"flavor={a['flavor']!r} is not accelerated")
    proven = proven_here(flavor)
    if isinstance(proven, Fallback):
        return proven
    scanpy_class = proven.classes["scanpy"].name
    if scanpy_class not in SCANPY_BEHAVIOUR:
        return Fallback(f"scanpy class {scanpy_class}: not reproduced by the fast path")
    igraph_class = proven.classes["igraph"].name

    adata = a["adata"]
    problem = adata_problem(adata)
    if problem:
        return Fallback(problem)
    flavor_problem = _igraph_args_problem if flavor == "igraph" else _leidenalg_args_problem
    for problem in (
        None if isinstance(a["use_weights"], bool) else "use_weights: not a bool",
        None if isinstance(a["copy"], bool) else "copy: not a bool",
        None if isinstance(a["key_added"], str) else "key_added: not a str",
        None
        if _is_int(a["n_iterations"]) and abs(int(a["n_iterations"])) <= _MAX_C_INT
        else "n_iterations: not a C int",
        None
        if a["resolution"] is None
        or (_is_real(a["resolution"]) and math.isfinite(a["resolution"]) and a["resolution"] >= 0)
        else "resolution: not a finite non-negative number",
        flavor_problem(a, clustering_args),
    ):
        if problem:
            return Fallback(problem)

    graph = selected_graph(a, "sc.tl.leiden")
    if isinstance(graph, Fallback):
        return graph
    adjacency, restrict, n = graph

    igraph_warning = None
    if flavor == "igraph":
        try:
            igraph_warning = resolution_parameter_warning_site(
                SCANPY_BEHAVIOUR[scanpy_class].resolution_keyword, igraph_class, a["resolution"]
            )
        except LookupError as exc:
            return Fallback(f"python-igraph's DeprecationWarning: {exc}")

    vectors = {}
    for name, integral in (("initial_membership", True), ("node_weights", False)):
        values = clustering_args.get(name)
        if values is not None:
            problem = _vector_problem(name, values, n, integral=integral)
            if problem:
                return Fallback(problem)
            vectors[name] = np.asarray(values, dtype=np.int64 if integral else np.float64)

    return LeidenPlan(
        adata=adata,
        adjacency=adjacency,
        restrict=restrict,
        flavor=flavor,
        partition=_partition_name(a["partition_type"]) if flavor == "leidenalg" else None,
        directed=a["directed"],
        max_comm_size=int(clustering_args.get("max_comm_size", 0)),
        leidenalg_class=proven.classes["leidenalg"].name if flavor == "leidenalg" else None,
        resolution=a["resolution"],
        random_state=a["random_state"],
        key_added=a["key_added"],
        use_weights=a["use_weights"],
        n_iterations=a["n_iterations"],
        copy=a["copy"],
        objective_function=clustering_args.get("objective_function", "modularity"),
        beta=float(clustering_args.get("beta", 0.01)),
        initial_membership=vectors.get("initial_membership"),
        node_weights=vectors.get("node_weights"),
        igraph_class=igraph_class,
        scanpy_class=scanpy_class,
        igraph_warning=igraph_warning,
    )


def _scanpy_at_least(version: str, minimum: tuple[int, int]) -> bool:
    parts = version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) >= minimum
    except (IndexError, ValueError):
        return False
