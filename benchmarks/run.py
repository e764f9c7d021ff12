"""Side-by-side benchmark: upstream scanpy, AutoZyme, the prior art and networkit on the
same graphs, in fresh processes, alternating A B A B. The implementation is
:mod:`autozyme.bench` (also ``python -m autozyme bench``); this entry point only writes
into ``benchmarks/results/`` by default.

    python benchmarks/run.py            # the full suite: the README's table and charts
    python benchmarks/run.py --quick    # 10k + 68k, 2 repetitions
"""

from __future__ import annotations

import sys
from pathlib import Path

from autozyme.bench.cli import main

if __name__ == "__main__":
    sys.exit(
        main(
            default_out=Path(__file__).resolve().parent / "results", prog="python benchmarks/run.py"
        )
    )
