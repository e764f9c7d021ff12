"""One measurement in a fresh process: load a dataset, run one contender on one
configuration, print a JSON line (wall time, peak memory of the call, clusters,
modularity, result fingerprint, AutoZyme's breakdown) and save the labels for ARI.

    python -m autozyme.bench.measure --dataset 10k --config igraph-n2 --contender autozyme
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pickle
import re
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from anndata import AnnData
    from scipy.sparse import csr_matrix


def status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak seen
    after the call is the call's own, not the dataset loading's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def fingerprint(adata: AnnData, key: str = "leiden") -> str:
    """Hash of what scanpy writes (obs column with its categories, and uns)."""
    col = adata.obs[key]
    blob = pickle.dumps(
        (str(col.dtype), list(col.cat.categories), col.cat.codes.to_numpy(), adata.uns[key])
    )
    return hashlib.sha256(blob).hexdigest()[:16]


def labels_hash(labels: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(labels, dtype=np.int64).tobytes()).hexdigest()[:16]


def modularity(adjacency: csr_matrix, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Newman modularity with resolution gamma of a partition of the symmetric weighted
    graph (each undirected edge stored twice, as scanpy does), computed the same way for
    every contender, so quality is compared on one scale."""
    adjacency = adjacency.tocsr()
    total = float(adjacency.data.sum())
    rows = np.repeat(np.arange(adjacency.shape[0]), np.diff(adjacency.indptr))
    same = labels[rows] == labels[adjacency.indices]
    inside = float(adjacency.data[same].sum())
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    community_degree = np.bincount(labels, weights=degree)
    return inside / total - resolution * float((community_degree**2).sum()) / total**2


def labels_file(labels_dir: Path, dataset: str, config: str, contender: str) -> Path:
    """Where one run's labels are kept for ARI: a file name safe for any dataset name or
    path (spaces, slashes, brackets...), the same for the run that writes it and the
    runner that compares it."""
    return labels_dir / (re.sub(r"[^\w.@-]", "_", f"{dataset}-{config}-{contender}") + ".npy")


def measure(dataset: str, config: str, contender: str, labels_dir: Path | None) -> dict[str, Any]:
    from . import contenders, datasets

    adata = datasets.load(dataset)
    for module in contenders.modules(contender):
        importlib.import_module(module)
    if contender == "autozyme":
        import autozyme

        autozyme.activate("scanpy")
    adata.obs = adata.obs.copy()
    measured_peak = reset_peak_rss()
    before = status_kib("VmRSS")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = contenders.run(contender, adata, config)
    wall = time.perf_counter() - started
    peak = status_kib("VmHWM")
    labels = np.asarray(labels, dtype=np.int64)
    kwargs = contenders.config_kwargs(config)
    result: dict[str, Any] = {
        "dataset": dataset,
        "config": config,
        "contender": contender,
        "kwargs": kwargs,
        "n_cells": int(adata.n_obs),
        "wall_s": wall,
        "peak_rss_mib": (peak - before) / 1024 if measured_peak and peak and before else None,
        "n_clusters": len(np.unique(labels)),
        "modularity": modularity(
            adata.obsp["connectivities"], labels, contenders.resolution(kwargs)
        ),
        "labels_sha": labels_hash(labels),
        "fingerprint": (fingerprint(adata) if contender in contenders.SCANPY_CONTENDERS else None),
    }
    if contender == "autozyme":
        calls = autozyme.report()["calls"].get("scanpy.tl.leiden", {})
        result["fast_path"] = calls.get("fast_calls") == 1
        result["breakdown_s"] = calls.get("last_timings", {})
        result["fallbacks"] = calls.get("fallbacks", {})
    if labels_dir is not None:
        path = labels_file(labels_dir, dataset, config, contender)
        np.save(path, labels)
        result["labels_path"] = str(path)
    return result


def main(argv: list[str] | None = None) -> int:
    from . import contenders

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--contender", required=True, choices=sorted(contenders.CONTENDERS))
    parser.add_argument("--labels-dir", type=Path, help="save the labels here (for ARI)")
    args = parser.parse_args(argv)
    row = measure(args.dataset, args.config, args.contender, args.labels_dir)
    print(json.dumps(row))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
