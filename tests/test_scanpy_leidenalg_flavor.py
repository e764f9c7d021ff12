"""Differential tests of scanpy's default ``sc.tl.leiden`` (the leidenalg flavor): ours
against upstream, live. Every case must take the fast path and match upstream's obs
column, uns entry (params, and modularity on scanpy >= 1.12), warnings (category,
message and the line they point at) and numpy's global RNG state."""

from __future__ import annotations

import itertools

import pytest

from ._compare import case_ids, compare, fast_path_here
from ._datasets import blobs, noisy

pytestmark = pytest.mark.usefixtures("fast_path_only")


@pytest.fixture(scope="module", autouse=True)
def _leidenalg_flavor_verified():
    with fast_path_here("leidenalg"):
        yield


@pytest.fixture(scope="module")
def datasets(pbmc):
    small = pbmc.copy()
    small.obsp["noisy"] = noisy(small)
    large = blobs(2000, seed=3).copy()
    large.obsp["noisy"] = noisy(large)
    return {"pbmc": small, "blobs": large}


def _partitions():
    import leidenalg

    return {
        "rb": None,
        "rb-explicit": leidenalg.RBConfigurationVertexPartition,
        "modularity": leidenalg.ModularityVertexPartition,
        "cpm": leidenalg.CPMVertexPartition,
    }


DEFAULTS = [{}]
SWEEP = [
    dict(random_state=seed, resolution=res, n_iterations=n_it)
    for seed, res, n_it in itertools.product([0, 1, 42], [0.5, 1, 2.0], [-1, 2])
]
PARTITIONS = [
    dict(partition=name, random_state=seed, directed=directed)
    for name, seed, directed in itertools.product(
        ["rb-explicit", "modularity", "cpm"], [0, 5], [None, False]
    )
]
OPTIONS = [
    dict(directed=False),
    dict(directed=True, n_iterations=1),
    dict(use_weights=False),
    dict(use_weights=False, directed=False, random_state=3),
    dict(resolution=None),
    dict(resolution=0),
    dict(resolution=0.75),
    dict(n_iterations=0),
    dict(n_iterations=5, random_state=11),
    dict(max_comm_size=30),
    dict(max_comm_size=10, directed=False, n_iterations=2),
    dict(key_added="la"),
    dict(copy=True),
    dict(obsp="noisy"),
    dict(obsp="noisy", directed=False, random_state=2),
    dict(obsp="noisy", use_weights=False),
    dict(flavor="leidenalg"),
]
CASES = DEFAULTS + SWEEP + PARTITIONS + OPTIONS


def _kwargs(case):
    kwargs = dict(case)
    name = kwargs.pop("partition", None)
    if name is not None:
        kwargs["partition_type"] = _partitions()[name]
        if name in ("modularity",):
            kwargs["resolution"] = None
        elif name == "cpm":
            kwargs["resolution"] = 0.05
    return kwargs


@pytest.mark.parametrize("name", ["pbmc", "blobs"])
@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_identical_to_upstream(patched, datasets, name, case):
    compare(patched, datasets[name], _kwargs(case))


def test_restrict_to(patched, datasets):
    base = datasets["pbmc"]
    categories = list(base.obs["bulk_labels"].cat.categories[:3])
    compare(patched, base, {"restrict_to": ("bulk_labels", categories), "n_iterations": 2})


def test_initial_membership(patched, datasets):
    import numpy as np

    base = datasets["pbmc"]
    labels = np.random.default_rng(0).integers(0, 30, base.n_obs)
    compare(patched, base, {"initial_membership": labels.tolist()})
