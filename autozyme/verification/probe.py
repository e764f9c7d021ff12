"""The differential probe behind ``python -m autozyme verify``.

Each side runs in a fresh interpreter (``python -m autozyme.verification.probe SIDE
FLAVOR OUT``), so a crash on either side is a verdict, not the caller's crash:

- *upstream*: the installed scanpy with AutoZyme off (``sc.tl.leiden``), and the library
  calls beneath it as scanpy makes them (python-igraph's ``community_leiden`` under
  scanpy's ``set_igraph_random_state``; ``leidenalg.find_partition``);
- *ours*: the same ``sc.tl.leiden`` calls through AutoZyme's fast path (a fallback is an
  error, never a silent upstream run), and the compiled cores called directly with the
  behaviour classes :func:`..behaviour` picks (the nearest class for an unlisted release).

Compared, call by call: the ``obs`` column and ``uns`` entry (pickled), the warnings
(category, message, file, line), the RandomState passed in, numpy's global state,
Python's ``random`` and the generator igraph is left with; at the library level the
membership, the float bits of the quality and the modularity, and the RandomState. The
graphs are small and full of near ties (equal weights, identical cliques, a ring of
cliques, random sparse graphs with isolated vertices), where any difference in the order
of operations shows; they run in scanpy's default settings and in the other settings the
fast path takes (:data:`VARIANTS`). A side takes seconds; all sides run at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import random
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Case", "cases", "compare", "verify"]

SIDES = ("upstream", "ours")
RESOLUTIONS = (0.5, 1.0, 2.0)
CPM_RESOLUTIONS = (0.05, 0.2)  # CPM compares with edge weights (at most 1 here)
SEEDS = (0, 1, 12345)
# flavor -> settings besides scanpy's defaults that the fast path also takes: sc.tl.leiden
# keyword -> value (a leidenalg partition type by name)
VARIANTS: dict[str, tuple[dict[str, Any], ...]] = {
    "igraph": ({"objective_function": "CPM"}, {"beta": 0.1}),
    "leidenalg": ({"partition_type": "CPM"}, {"partition_type": "Modularity"}, {"directed": False}),
}
SIDE_TIMEOUT = 600.0


@dataclass(frozen=True)
class Case:
    graph: str
    float64: bool  # adjacency dtype (scanpy's neighbors write float32)
    use_weights: bool
    n_iterations: int
    resolution: float | None
    seed: int
    seed_object: bool  # igraph flavor: a RandomState instead of an int seed
    options: tuple[tuple[str, Any], ...] = ()  # one of VARIANTS, as items

    def describe(self) -> str:
        seed = f"RandomState({self.seed})" if self.seed_object else str(self.seed)
        options = "".join(f", {k}={v!r}" for k, v in self.options)
        return (
            f"{self.graph} ({'float64' if self.float64 else 'float32'}), "
            f"use_weights={self.use_weights}, n_iterations={self.n_iterations}, "
            f"resolution={self.resolution}, random_state={seed}{options}"
        )


def _symmetric(n: int, rows: list[int], cols: list[int], weights: Any) -> Any:
    from scipy import sparse

    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), (len(rows),))
    upper = sparse.coo_matrix((w, (rows, cols)), shape=(n, n))
    return (upper + upper.T).tocsr()


def _cliques(sizes: list[int], bridges: list[tuple[int, int]]) -> tuple[int, list, list]:
    rows, cols, start = [], [], 0
    offsets = []
    for size in sizes:
        offsets.append(start)
        for i in range(size):
            for j in range(i + 1, size):
                rows.append(start + i)
                cols.append(start + j)
        start += size
    for a, b in bridges:
        rows.append(offsets[a])
        cols.append(offsets[b] + 1)
    return start, rows, cols


def _two_cliques() -> Any:
    n, rows, cols = _cliques([6, 6], [(0, 1)])
    return _symmetric(n, rows, cols, 1.0)


def _ring_of_cliques() -> Any:
    k = 6
    n, rows, cols = _cliques([5] * k, [(i, (i + 1) % k) for i in range(k)])
    return _symmetric(n, rows, cols, 1.0)


def _equal_ring() -> Any:
    n = 24
    rows = list(range(n)) + list(range(n))
    cols = [(i + 1) % n for i in range(n)] + [(i + 2) % n for i in range(n)]
    return _symmetric(n, rows, cols, 0.5)


def _random_sparse(n: int, degree: float, seed: int, isolated: int) -> Any:
    rng = np.random.default_rng(seed)
    m = int(n * degree / 2)
    a = rng.integers(0, n - isolated, m)
    b = rng.integers(0, n - isolated, m)
    keep = a < b
    # few distinct weights: ties between moves stay likely
    weights = rng.choice([0.25, 0.5, 0.75, 1.0], size=int(keep.sum()))
    adj = _symmetric(n, a[keep].tolist(), b[keep].tolist(), weights)
    adj.sum_duplicates()
    return adj


def _knn_like(n: int, k: int, seed: int) -> Any:
    """Umap-like connectivities of a small random point cloud (distinct float weights)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(4, 5)) * 4
    points = centers[rng.integers(0, 4, n)] + rng.normal(size=(n, 5))
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    nearest = np.argsort(dist, axis=1)[:, 1 : k + 1]
    rows = np.repeat(np.arange(n), k)
    cols = nearest.ravel()
    weights = np.exp(-dist[rows, cols] / dist[rows, cols].mean())
    from scipy import sparse

    directed = sparse.csr_matrix((weights, (rows, cols)), shape=(n, n))
    return directed.maximum(directed.T).tocsr()


GRAPHS = {
    "two identical cliques": _two_cliques,
    "ring of cliques": _ring_of_cliques,
    "equal-weight ring": _equal_ring,
    "random sparse graph with isolated vertices": lambda: _random_sparse(60, 4.0, 7, 3),
    "random sparse graph": lambda: _random_sparse(120, 6.0, 11, 0),
    "kNN-like graph": lambda: _knn_like(150, 8, 3),
}


def _variant_resolution(options: dict[str, Any], k: int) -> float | None:
    if options.get("partition_type") == "Modularity":
        return None  # it takes no resolution (upstream raises for one)
    if "CPM" in (options.get("partition_type"), options.get("objective_function")):
        return CPM_RESOLUTIONS[k % len(CPM_RESOLUTIONS)]
    return RESOLUTIONS[k % len(RESOLUTIONS)]


def cases(flavor: str) -> list[Case]:
    """Every graph with weights on and off and n_iterations 2 and -1 in scanpy's default
    settings, and twice more in the flavor's other settings (:data:`VARIANTS`);
    resolutions, seeds, seed kinds and adjacency dtypes rotate over them."""
    variants = VARIANTS[flavor]
    found = []
    for i, name in enumerate(GRAPHS):
        runs = [({}, True, 2), ({}, True, -1), ({}, False, 2), ({}, False, -1)]
        runs += [(variants[(i + t) % len(variants)], t == 0, 2 if i % 2 else -1) for t in (0, 1)]
        for j, (options, use_weights, n_iterations) in enumerate(runs):
            found.append(
                Case(
                    graph=name,
                    float64=(i + j) % 3 == 0,
                    use_weights=use_weights,
                    n_iterations=n_iterations,
                    resolution=_variant_resolution(options, i + j),
                    seed=SEEDS[(i + 2 * j) % len(SEEDS)],
                    seed_object=flavor == "igraph" and (i + j) % 2 == 1,
                    options=tuple(options.items()),
                )
            )
    return found


# --- one side, in its own interpreter -------------------------------------------------


def _bits(x: Any) -> str | None:
    """A float's exact bits (None stays None)."""
    return None if x is None else struct.pack("<d", float(x)).hex()


def _digest(obj: Any) -> str:
    return hashlib.sha256(pickle.dumps(obj, protocol=4)).hexdigest()


def _random_state(case: Case) -> Any:
    return np.random.RandomState(case.seed) if case.seed_object else case.seed


def _state_of(random_state: Any) -> str | None:
    if isinstance(random_state, np.random.RandomState):
        return _digest(random_state.get_state(legacy=False))
    return None


def _adjacency(case: Case) -> Any:
    adj = GRAPHS[case.graph]()
    return adj.astype(np.float64 if case.float64 else np.float32)


def _globals() -> str:
    """numpy's global RandomState and Python's ``random``, as a call leaves them, and the
    generator igraph is left drawing from (a small random graph after reseeding
    ``random`` tells Python's module apart from anything else)."""
    import igraph

    states = (np.random.get_state(legacy=False), random.getstate())
    random.seed(12345)
    return _digest((states, igraph.Graph.Erdos_Renyi(n=12, p=0.5).get_edgelist()))


def _partition_class(name: str) -> Any:
    import leidenalg

    return getattr(leidenalg, f"{name}VertexPartition")


def _from_user_code(leiden: Any, *args: Any, **kwargs: Any) -> Any:
    return leiden(*args, **kwargs)


# sc.tl.leiden is called from a frame outside the autozyme package, as from a user's code:
# scanpy >= 1.12 attributes its warnings to the first frame outside scanpy and, on the
# fast path, outside AutoZyme, which would otherwise skip this module's frames as well.
_from_user_code.__code__ = _from_user_code.__code__.replace(co_filename="<user code>")


def _scanpy_call(flavor: str, case: Case, leiden: Any) -> dict[str, Any]:
    from anndata import AnnData

    adjacency = _adjacency(case)
    adata = AnnData(np.zeros((adjacency.shape[0], 1), dtype=np.float32))
    adata.obsp["connectivities"] = adjacency
    random_state = _random_state(case)
    options = dict(case.options)
    if "partition_type" in options:
        options["partition_type"] = _partition_class(options["partition_type"])
    np.random.seed(4242)
    random.seed(4242)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _from_user_code(
                leiden,
                adata,
                resolution=case.resolution,
                random_state=random_state,
                key_added="probe",
                use_weights=case.use_weights,
                n_iterations=case.n_iterations,
                obsp="connectivities",
                flavor=flavor,
                **options,
            )
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "labels": adata.obs["probe"].astype(str).tolist(),
        "obs": _digest(adata.obs["probe"].values),
        "uns": _digest(adata.uns["probe"]),
        "random_state": _state_of(random_state),
        "globals": _globals(),
        "warnings": [[w.category.__name__, str(w.message), w.filename, w.lineno] for w in caught],
    }


def _upstream_library(flavor: str, case: Case) -> dict[str, Any]:
    """The library call scanpy's leiden makes, with scanpy's own graph and RNG helpers."""
    from scanpy.tools import _leiden

    adjacency = _adjacency(case)
    options = dict(case.options)
    if flavor == "igraph":
        g = _leiden._utils.get_igraph_from_adjacency(adjacency, directed=False)
        random_state = np.random.RandomState(case.seed)
        with _leiden.set_igraph_random_state(random_state):
            part = g.community_leiden(
                objective_function=options.get("objective_function", "modularity"),
                weights="weight" if case.use_weights else None,
                resolution=case.resolution,
                beta=options.get("beta", 0.01),
                n_iterations=case.n_iterations,
            )
        return {
            "membership": list(part.membership),
            "quality": _bits(part.quality),
            "modularity": _bits(part.modularity),
            "random_state": _state_of(random_state),
        }
    import leidenalg

    g = _leiden._utils.get_igraph_from_adjacency(adjacency, directed=options.get("directed", True))
    kwargs: dict[str, Any] = {}
    if case.use_weights:
        kwargs["weights"] = np.array(g.es["weight"]).astype(np.float64)
    if case.resolution is not None:
        kwargs["resolution_parameter"] = case.resolution
    part = leidenalg.find_partition(
        g,
        _partition_class(options.get("partition_type", "RBConfiguration")),
        n_iterations=case.n_iterations,
        seed=case.seed,
        **kwargs,
    )
    return {
        "membership": list(part.membership),
        "quality": _bits(part.quality()),
        "modularity": _bits(part.modularity),
    }


def _our_library(flavor: str, case: Case, classes: dict[str, str]) -> dict[str, Any]:
    """The same calls through our cores, with the classes the fast path would use."""
    from ..algorithms.graph import graph_from_adjacency

    graph = graph_from_adjacency(_adjacency(case))
    options = dict(case.options)
    if flavor == "igraph":
        from ..algorithms.igraph_leiden import community_leiden, modularity

        random_state = np.random.RandomState(case.seed)
        membership, quality = community_leiden(
            graph,
            use_weights=case.use_weights,
            resolution=case.resolution,
            normalize_resolution=options.get("objective_function", "modularity") == "modularity",
            beta=options.get("beta", 0.01),
            n_iterations=case.n_iterations,
            initial_membership=None,
            node_weights=None,
            random_state=random_state,
            core=classes["igraph"],
        )
        q = modularity(
            graph,
            membership,
            resolution=case.resolution,
            use_weights=case.use_weights,
            core=classes["igraph"],
        )
        return {
            "membership": membership.tolist(),
            "quality": _bits(quality),
            "modularity": _bits(q),
            "random_state": _state_of(random_state),
        }
    from ..algorithms.leidenalg_partition import find_partition

    membership, q, quality, *_ = find_partition(
        graph,
        partition_type=options.get("partition_type", "RBConfiguration"),
        directed=options.get("directed", True),
        use_weights=case.use_weights,
        resolution=case.resolution,
        n_iterations=case.n_iterations,
        seed=case.seed,
        leidenalg_class=classes["leidenalg"],
        igraph_class=classes["igraph"],
    )
    return {"membership": membership.tolist(), "quality": _bits(quality), "modularity": _bits(q)}


def _guarded(run: Any, *args: Any) -> dict[str, Any]:
    try:
        return run(*args)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def run_side(side: str, flavor: str) -> dict[str, Any]:
    """One side's outcomes for every case (in this process), and the classes it used."""
    import scanpy.tools._leiden as impl

    if side == "upstream":
        leiden = getattr(impl.leiden, "__autozyme_original__", impl.leiden)
        library = _upstream_library
        context: Any = contextlib.nullcontext()
        classes = None
    else:
        from .. import activate
        from . import behaviour, local

        os.environ["AUTOZYME_FAIL_ON_FALLBACK"] = "1"  # a fallback is an error here
        activate("scanpy")
        leiden = impl.leiden  # called directly: warnings must point at the caller's line
        if getattr(leiden, "__autozyme_original__", None) is None:
            raise RuntimeError("scanpy's leiden is not patched: no fast path to probe")
        # the classes the fast path uses here: the nearest ones for an unlisted release
        classes = {p: c.name for p, c in behaviour(flavor).classes.items()}

        def library(flavor: str, case: Case) -> dict[str, Any]:
            return _our_library(flavor, case, classes)

        context = local.assuming_pass()
    with context:
        outcomes = [
            {
                "scanpy": _guarded(_scanpy_call, flavor, case, leiden),
                "library": _guarded(library, flavor, case),
            }
            for case in cases(flavor)
        ]
    return {"classes": classes, "outcomes": outcomes}


# --- the caller's side -----------------------------------------------------------------


def _first_difference(upstream: Any, ours: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(upstream, dict) and isinstance(ours, dict):
        for key in sorted(set(upstream) | set(ours)):
            found = _first_difference(upstream.get(key), ours.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    return None if upstream == ours else (path, upstream, ours)


def _shorten(value: Any, limit: int = 300) -> Any:
    text = json.dumps(value)
    return value if len(text) <= limit else text[:limit] + "..."


def compare(flavor: str, upstream: list[dict], ours: list[dict]) -> dict[str, Any]:
    """Checks (one per case and level), mismatches and the first one, described."""
    mismatches, first = 0, None
    all_cases = cases(flavor)
    for case, up, our in zip(all_cases, upstream, ours, strict=True):
        for level in ("scanpy", "library"):
            found = _first_difference(up[level], our[level], level)
            if found:
                mismatches += 1
                if first is None:
                    where, a, b = found
                    first = {
                        "case": case.describe(),
                        "field": where,
                        "upstream": _shorten(a),
                        "ours": _shorten(b),
                    }
    checks = 2 * len(all_cases)
    return {"passed": mismatches == 0, "checks": checks, "mismatches": mismatches, "first": first}


def _side_env() -> dict[str, str]:
    # upstream runs with AutoZyme off; ours activates itself (and only the fast path)
    return {k: v for k, v in os.environ.items() if k not in ("AUTOZYME", "AUTOZYME_VERBOSE")}


def _start(side: str, flavor: str, out: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", __name__, side, flavor, out],
        env=_side_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def verify(flavors: list[str]) -> dict[str, dict[str, Any]]:
    """Run the probe for ``flavors`` (both sides of all of them at once) and return each
    flavor's verdict; recording it is the caller's business."""
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="autozyme-verify-") as tmp:
        started = time.perf_counter()
        running = {
            (flavor, side): (_start(side, flavor, os.path.join(tmp, f"{flavor}-{side}.json")))
            for flavor in flavors
            for side in SIDES
        }
        outcomes: dict[tuple[str, str], Any] = {}
        for (flavor, side), proc in running.items():
            try:
                _, err = proc.communicate(timeout=SIDE_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                outcomes[flavor, side] = f"{side} side timed out after {SIDE_TIMEOUT:.0f} s"
                continue
            if proc.returncode != 0:
                tail = " | ".join(err.strip().splitlines()[-3:])
                outcomes[flavor, side] = f"{side} side exited with {proc.returncode}: {tail}"
                continue
            with open(os.path.join(tmp, f"{flavor}-{side}.json")) as f:
                outcomes[flavor, side] = json.load(f)
        for flavor in flavors:
            up, our = outcomes[flavor, "upstream"], outcomes[flavor, "ours"]
            failed = [o for o in (up, our) if isinstance(o, str)]
            if failed:
                verdict = {
                    "passed": False,
                    "checks": 0,
                    "mismatches": 0,
                    "first": None,
                    "error": "; ".join(failed),
                }
            else:
                verdict = compare(flavor, up["outcomes"], our["outcomes"])
                verdict["classes"] = our["classes"]  # the nearest ones for unlisted releases
            verdict["seconds"] = round(time.perf_counter() - started, 2)
            results[flavor] = verdict
    return results


def main(argv: list[str]) -> int:
    side, flavor, out = argv
    if side not in SIDES or flavor not in ("igraph", "leidenalg"):
        raise SystemExit(f"usage: python -m {__name__} upstream|ours igraph|leidenalg OUT")
    outcomes = run_side(side, flavor)
    with open(out, "w") as f:
        json.dump(outcomes, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
