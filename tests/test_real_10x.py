"""Differential tests on real single-cell data: the shared 10x matrix (10,000 cells x
1,000 genes, see ``../shared/data/README.md``) through the standard preprocessing, then
``sc.tl.leiden`` ours against upstream, live. On this graph upstream's default call runs
many leidenalg iterations (most of this module's ~30 s), which small synthetic graphs rarely
provoke.

The matrix lives beside the checkout, never in it. Without it the tests skip locally; in
CI (``CI=true``), where it is always laid out, its absence fails them.
"""

from __future__ import annotations

import itertools
import os

import pytest

from ._compare import case_ids, compare
from ._runner import ROOT

pytestmark = pytest.mark.usefixtures("fast_path_only")

DATA = ROOT.parent / "shared" / "data" / "10x-10k-subset.zarr"


@pytest.fixture(scope="module")
def real():
    if not DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DATA} is missing: CI lays out shared/ beside the checkout")
        pytest.skip(f"{DATA} not found (shared data beside the checkout)")
    import anndata as ad
    import scanpy as sc

    adata = ad.read_zarr(DATA)
    sc.pp.normalize_total(adata)
    sc.pp.log1p(adata)
    sc.pp.pca(adata, n_comps=50, random_state=0)
    # exact neighbours (no numba compilation): the graph only has to be real, not fast
    sc.pp.neighbors(adata, n_neighbors=15, transformer="sklearn", random_state=0)
    return adata


IGRAPH_CASES = [
    dict(flavor="igraph", random_state=seed, resolution=res, n_iterations=n_it)
    for seed, res, n_it in itertools.product([0, 7], [0.5, 1, 2.0], [2, -1])
]
DEFAULT_CASES = [{}, dict(resolution=2.0, random_state=3, directed=False, n_iterations=2)]
CASES = IGRAPH_CASES + DEFAULT_CASES


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_identical_to_upstream_on_real_data(patched, real, case):
    upstream, ours = compare(patched, real, case)
    # a real clustering, not a degenerate one that any code would match
    assert upstream.error is None
    assert 3 <= len(ours.obs["leiden"][2]) <= 200
