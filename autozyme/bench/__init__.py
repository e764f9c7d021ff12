"""The benchmark suite (``python -m autozyme bench``): upstream scanpy, AutoZyme, the prior
art and an independent fast Leiden side by side on the same graphs, in fresh processes.

One job per module, each importing its heavy dependencies inside functions (this package
is never imported by ``autozyme/__init__.py``):

- :mod:`.datasets`: deterministic synthetic neighbour graphs, cached on disk; loader for
  every dataset name (synthetic sizes, ``pbmc68k_reduced``, a user's ``.h5ad``).
- :mod:`.contenders`: the configurations and what each contender runs for them.
- :mod:`.measure`: one measurement in a fresh process (wall time, peak RSS of the call,
  clusters, modularity, result fingerprint).
- :mod:`.runner`: the plan, A B A B alternation, time limits, progress, incremental log.
- :mod:`.summary`: medians, ratios, agreement with upstream; markdown tables.
- :mod:`.charts`: the PNG charts.
- :mod:`.cli`: the command line shared by ``python -m autozyme bench`` and
  ``benchmarks/run.py``.
"""
