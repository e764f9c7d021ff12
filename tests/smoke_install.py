"""Smoke test of an installed AutoZyme (wheel, sdist or conda package).

Run as ``AUTOZYME=scanpy python tests/smoke_install.py``: the ``.pth`` bootstrap must have
patched scanpy at its import, and ``sc.tl.leiden`` must give upstream's labels and params.
Where AutoZyme reports the environment verified, the call must have taken the fast path;
elsewhere (e.g. aarch64) it must have gone upstream with a recorded reason. Uses scanpy's
bundled pbmc68k_reduced (no download).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    import scanpy as sc
    import scanpy.tools._leiden as implementation

    import autozyme

    if os.environ.get("AUTOZYME") != "scanpy":
        print("run with AUTOZYME=scanpy", file=sys.stderr)
        return 2
    if getattr(implementation.leiden, "__autozyme_original__", None) is None:
        print("FAIL: scanpy was not patched at import", file=sys.stderr)
        return 1
    adata = sc.datasets.pbmc68k_reduced()
    kwargs = {"flavor": "igraph", "n_iterations": 2, "directed": False, "random_state": 0}
    ours = adata.copy()
    sc.tl.leiden(ours, **kwargs)
    report = autozyme.report()
    calls = report["calls"]["scanpy.tl.leiden"]
    autozyme.deactivate()
    upstream = adata.copy()
    sc.tl.leiden(upstream, **kwargs)
    same = (
        ours.obs["leiden"].equals(upstream.obs["leiden"])
        and list(ours.obs["leiden"].cat.categories) == list(upstream.obs["leiden"].cat.categories)
        and ours.uns["leiden"] == upstream.uns["leiden"]
    )
    if not same:
        print("FAIL: labels or params differ from upstream's", file=sys.stderr)
        return 1
    if not report["verified"]["igraph"]:
        if not calls["fallbacks"]:
            print("FAIL: unverified environment, but no fallback recorded", file=sys.stderr)
            return 1
        print(f"ok: upstream's labels (fallback: {', '.join(calls['fallbacks'])})")
        return 0
    if calls["fast_calls"] != 1:
        print(
            f"FAIL: verified environment, but no fast path: {calls['fallbacks']}", file=sys.stderr
        )
        return 1
    print(f"ok: fast path, upstream's labels ({len(ours.obs['leiden'].cat.categories)} clusters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
