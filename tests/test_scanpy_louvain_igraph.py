"""Differential tests of ``sc.tl.louvain(flavor="igraph")`` as the scanpy target patches
it, against scanpy's own function run live in this process.

scanpy's igraph flavor builds the undirected graph of the adjacency and calls
python-igraph's ``community_multilevel``, which draws from python-igraph's generator (not
from ``random_state``). Each case runs upstream, then ours, on copies of the same AnnData
from the same generator state (a ``random.Random`` set through
``igraph.set_random_number_generator``, or the ``random`` module) and compares the labels
(values, categories, dtypes), ``uns``, the returned object, the generator's state, the
warnings and scanpy's log records (level and message). Every call must take the fast path
(``AUTOZYME_FAIL_ON_FALLBACK=1``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import anndata as ad
import igraph
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

import autozyme

from ._call_counts import fast_calls
from ._compare import fast_path_here
from ._louvain_compare import draw_graph_choice, graph_adata, outcome, upstream_louvain

FLAVOR = "louvain-igraph"
FUNCTION = "scanpy.tl.louvain"


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


def run_both(base: ad.AnnData, kwargs: dict[str, Any], generator: str, seed: int) -> Any:
    from scanpy.tools import louvain

    before = fast_calls(FUNCTION)
    expected = outcome(upstream_louvain(), base.copy(), kwargs, generator, seed)
    got = outcome(louvain, base.copy(), kwargs, generator, seed)
    assert fast_calls(FUNCTION) == before + 1, "the patched call did not take the fast path"
    assert got == expected
    return expected


@st.composite
def adjacencies(draw: st.DrawFn) -> sparse.csr_matrix:
    n = draw(st.integers(2, 40))
    node = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(node, node), min_size=1, max_size=4 * n))
    weights = draw(
        st.lists(
            st.sampled_from([1.0, 0.5, 2.0]) | st.floats(0.0009765625, 10.0, width=32),
            min_size=len(pairs),
            max_size=len(pairs),
        )
    )
    rows, cols = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    matrix = sparse.coo_matrix((np.array(weights, dtype=dtype), (rows, cols)), shape=(n, n))
    if draw(st.booleans()):
        matrix = matrix + matrix.T  # symmetric, as pp.neighbors leaves it
    return sparse.csr_matrix(matrix)


@st.composite
def cases(draw: st.DrawFn) -> tuple[ad.AnnData, dict[str, Any], str, int]:
    adjacency = draw(adjacencies())
    n = adjacency.shape[0]
    groups = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    adata = graph_adata(adjacency, groups)
    kwargs: dict[str, Any] = {"flavor": "igraph"}
    for name, values in (
        ("use_weights", [True, False]),
        ("directed", [True, False, None]),
        ("resolution", [None, 0.5, 1, 2.0]),
        ("random_state", [0, 7, None]),
        ("key_added", ["louvain", "mine"]),
        ("copy", [False, True]),
    ):
        if draw(st.booleans()):
            kwargs[name] = draw(st.sampled_from(values))
    draw_graph_choice(draw, adjacency, groups, kwargs)
    generator = draw(st.sampled_from(["module", "instance"]))
    seed = draw(st.sampled_from([0, 1, 42, 2**31 - 1]))
    return adata, kwargs, generator, seed


@settings(
    max_examples=320,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_generated_graphs(case: tuple[ad.AnnData, dict[str, Any], str, int]) -> None:
    adata, kwargs, generator, seed = case
    run_both(adata, kwargs, generator, seed)


@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("generator", ["module", "instance"])
@pytest.mark.parametrize("seed", [0, 3])
def test_pbmc(pbmc: ad.AnnData, use_weights: bool, generator: str, seed: int) -> None:
    """scvelo's and the tutorials' calls on a real neighbour graph."""
    outcome = run_both(pbmc, {"flavor": "igraph", "use_weights": use_weights}, generator, seed)
    assert outcome[0] is None  # no error
    assert 3 <= len(outcome[2]["louvain"][2]) <= 100  # a real clustering


def test_pbmc_restricted_with_resolution(pbmc: ad.AnnData) -> None:
    kwargs = {
        "flavor": "igraph",
        "resolution": 0.7,
        "restrict_to": ("bulk_labels", ["CD14+ Monocyte", "Dendritic"]),
        "key_added": "louvain",
    }
    run_both(pbmc, kwargs, "module", 1)


def test_successive_calls_continue_the_stream(pbmc: ad.AnnData) -> None:
    import scanpy as sc

    results = []
    for louvain in (upstream_louvain(), sc.tl.louvain):
        random.seed(5)
        adata = pbmc.copy()
        labels = []
        for _ in range(3):
            louvain(adata, flavor="igraph")
            labels.append(adata.obs["louvain"].tolist())
        results.append((labels, random.random()))
    assert results[0] == results[1]


def test_first_call_before_igraph_is_imported_is_fast() -> None:
    """scanpy 1.12 imports python-igraph only inside the call: the decision imports it
    first, so the generator is known and the very first call is fast and upstream's."""
    import subprocess
    import sys

    script = """
import random, sys
import autozyme
autozyme.activate("scanpy")
import numpy as np, scanpy as sc, anndata as ad
from scipy import sparse
rng = np.random.default_rng(0)
upper = sparse.random(200, 200, density=0.05, random_state=rng, format="csr")
adata = ad.AnnData(np.zeros((200, 1), dtype=np.float32))
adata.obsp["connectivities"] = (upper + upper.T).tocsr()
adata.uns["neighbors"] = {"connectivities_key": "connectivities", "params": {}}
random.seed(1)
sc.tl.louvain(adata, flavor="igraph")
ours = adata.obs["louvain"].tolist(), random.getstate()
calls = autozyme.report()["calls"]["scanpy.tl.louvain"]
random.seed(1)
sc.tl.louvain.__autozyme_original__(adata, flavor="igraph")
upstream = adata.obs["louvain"].tolist(), random.getstate()
print(calls["fast_calls"], calls["fallbacks"], ours == upstream)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("\n")[-2]
    assert out == "1 {} True", out
