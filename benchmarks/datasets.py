"""Build the benchmark's synthetic neighbour graphs into the cache (the generator lives in
:mod:`autozyme.bench.datasets`, so ``python -m autozyme bench`` works from an install).

    python benchmarks/datasets.py [10k 68k 200k 500k 1m]
"""

from __future__ import annotations

import sys

from autozyme.bench.datasets import SIZES, cache_path, ensure, load

__all__ = ["SIZES", "cache_path", "ensure", "load"]

if __name__ == "__main__":
    for name in sys.argv[1:] or list(SIZES):
        ensure(name)
        print(cache_path(name))
