"""Differential tests of ``sc.tl.louvain(flavor="vtraag")`` (scanpy's default flavor) as
the scanpy target patches it, against scanpy's own function and the louvain package run
live in this process.

scanpy builds the igraph graph of the adjacency (directed unless ``directed`` is false)
and calls ``louvain.find_partition`` with ``RBConfigurationVertexPartition``, the
resolution, the weights (with ``use_weights``) and ``seed=random_state``. Each case runs
upstream, then ours, on copies of the same AnnData and compares the labels (values,
categories, dtypes), ``uns``, the returned object, python-igraph's generator state, C's
``rand()`` state (louvain's ``Optimiser()`` draws from it), the warnings and scanpy's log
records. Every call must take the fast path (``AUTOZYME_FAIL_ON_FALLBACK=1``).

The louvain package (0.8.2) requires python-igraph < 0.12: this suite runs in the version
matrix row that installs it, and skips where louvain is not installed or not verified.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anndata as ad
import igraph
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autozyme

from ._call_counts import fast_calls
from ._compare import fast_path_here
from ._louvain_compare import draw_graph_choice, graph_adata, outcome, upstream_louvain
from ._runner import clean_env
from .test_scanpy_louvain_igraph import adjacencies

FLAVOR = "louvain-vtraag"
FUNCTION = "scanpy.tl.louvain"

pytest.importorskip("louvain", reason="the louvain package is not installed")


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("scanpy")
    import scanpy  # noqa: F401  (the hook patches it)

    igraph.set_random_number_generator(random)  # declared, whenever igraph was imported
    with fast_path_here(FLAVOR):
        yield
    autozyme.deactivate("scanpy")


@pytest.fixture(autouse=True)
def _fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")


def run_both(base: ad.AnnData, kwargs: dict[str, Any], seed: int = 0) -> Any:
    from scanpy.tools import louvain

    before = fast_calls(FUNCTION)
    expected = outcome(upstream_louvain(), base.copy(), kwargs, "module", seed)
    got = outcome(louvain, base.copy(), kwargs, "module", seed)
    assert fast_calls(FUNCTION) == before + 1, "the patched call did not take the fast path"
    assert got == expected
    return expected


@st.composite
def cases(draw: st.DrawFn) -> tuple[ad.AnnData, dict[str, Any]]:
    adjacency = draw(adjacencies())
    n = adjacency.shape[0]
    groups = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    adata = graph_adata(adjacency, groups)
    kwargs: dict[str, Any] = {}
    if draw(st.booleans()):
        kwargs["flavor"] = "vtraag"
    for name, values in (
        ("use_weights", [True, False]),
        ("directed", [True, False, None, 1]),
        ("resolution", [None, 0.25, 0.7, 1, 2.0, 5.5]),
        ("random_state", [0, 1, 7, -3, 2**31 - 1, -(2**31), np.int64(11)]),
        ("key_added", ["louvain", "mine"]),
        ("copy", [False, True]),
    ):
        if draw(st.booleans()):
            kwargs[name] = draw(st.sampled_from(values))
    draw_graph_choice(draw, adjacency, groups, kwargs)
    return adata, kwargs


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_generated_graphs(case: tuple[ad.AnnData, dict[str, Any]]) -> None:
    adata, kwargs = case
    run_both(adata, kwargs)


def test_partition_type_given_as_louvains_default() -> None:
    import louvain
    from scipy import sparse

    adjacency = sparse.csr_matrix(np.ones((6, 6)) - np.eye(6))
    run_both(
        graph_adata(adjacency, ["a"] * 6),
        {"partition_type": louvain.RBConfigurationVertexPartition, "random_state": 4},
    )


@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("random_state", [0, 3])
def test_pbmc(pbmc: ad.AnnData, use_weights: bool, directed: bool, random_state: int) -> None:
    """The tutorials' default call, and scvelo's, on a real neighbour graph."""
    kwargs = {"use_weights": use_weights, "directed": directed, "random_state": random_state}
    result = run_both(pbmc, kwargs)
    assert result[0] is None  # no error
    assert 3 <= len(result[2]["louvain"][2]) <= 100  # a real clustering


@pytest.mark.parametrize("resolution", [0.3, 0.7, 1.6])
def test_pbmc_resolutions(pbmc: ad.AnnData, resolution: float) -> None:
    """scvelo's rank_velocity_genes calls sc.tl.louvain(resolution=0.7)."""
    run_both(pbmc, {"resolution": resolution})


def test_pbmc_restricted(pbmc: ad.AnnData) -> None:
    kwargs = {
        "resolution": 0.7,
        "restrict_to": ("bulk_labels", ["CD14+ Monocyte", "Dendritic"]),
        "use_weights": True,
    }
    run_both(pbmc, kwargs)


_FIRST_CALL = """
import warnings, json, ctypes
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import scanpy as sc
    {activate}
    adata = sc.datasets.pbmc68k_reduced()
    ctypes.CDLL(None).srand(9)
    sc.tl.louvain(adata)
print(json.dumps([[w.category.__name__, str(w.message), w.filename.rsplit("/", 1)[-1]]
                  for w in caught]))
print(json.dumps([adata.obs["louvain"].tolist(), ctypes.CDLL(None).rand()]))
"""


def test_fresh_process_as_upstream() -> None:
    """scanpy imports louvain (which warns: DeprecationWarning) when it is imported itself;
    a fresh process's first call shows the same warnings, labels and rand() state with and
    without us."""
    runs = []
    for activate in ("", "import autozyme; autozyme.activate('scanpy')"):
        code = _FIRST_CALL.format(activate=activate)
        env = clean_env(AUTOZYME_FAIL_ON_FALLBACK="1" if activate else None)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(done.stdout)
    assert "superseded by the `leidenalg` package" in runs[0]
    assert runs[1] == runs[0]
