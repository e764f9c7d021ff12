"""One measurement in a fresh process: load a dataset, run one contender's leiden call,
print a JSON line (wall time, peak memory of the call, result fingerprint, breakdown)."""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
import warnings

CONFIGS = {
    "igraph-n2": dict(flavor="igraph", n_iterations=2),
    "igraph-converge": dict(flavor="igraph", n_iterations=-1),
    "default": dict(),
}


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak_rss() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def fingerprint(adata, key: str = "leiden") -> str:
    col = adata.obs[key]
    uns = adata.uns[key]
    blob = pickle.dumps((str(col.dtype), list(col.cat.categories), col.cat.codes.to_numpy(), uns))
    return hashlib.sha256(blob).hexdigest()[:16]


def measure(dataset: str, config: str, contender: str, extra: dict) -> dict:
    from benchmarks.datasets import load

    adata = load(dataset, verbose=False)
    import scanpy as sc

    if contender == "autozyme":
        import autozyme

        autozyme.activate("scanpy")
    kwargs = {**CONFIGS[config], **extra}
    adata.obs = adata.obs.copy()
    _reset_peak_rss()
    before = _rss_kib("VmRSS")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc.tl.leiden(adata, **kwargs)
    wall = time.perf_counter() - started
    peak = _rss_kib("VmHWM") - before
    result = {
        "dataset": dataset,
        "config": config,
        "contender": contender,
        "kwargs": {k: repr(v) for k, v in kwargs.items()},
        "wall_s": wall,
        "peak_rss_mib": peak / 1024,
        "n_clusters": int(adata.obs["leiden"].nunique()),
        "fingerprint": fingerprint(adata),
    }
    if contender == "autozyme":
        calls = autozyme.report()["calls"]["scanpy.tl.leiden"]
        result["fast_path"] = calls["fast_calls"] == 1
        result["breakdown_s"] = calls["last_timings"]
        result["fallbacks"] = calls["fallbacks"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--config", required=True, choices=sorted(CONFIGS))
    parser.add_argument("--contender", required=True, choices=["upstream", "autozyme"])
    parser.add_argument("--kwargs", default="{}", help="JSON of extra leiden arguments")
    args = parser.parse_args()
    print(json.dumps(measure(args.dataset, args.config, args.contender, json.loads(args.kwargs))))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
