"""Differential tests of ``sc.tl.leiden(flavor="igraph")``: ours against upstream, live.

Every case must take the fast path (AUTOZYME_FAIL_ON_FALLBACK=1) and produce the same
obs column (values, categories, order, dtype), the same uns entry (params, modularity),
the same warnings, and leave the caller's RandomState / numpy's global state where
upstream leaves them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ._compare import case_ids, compare
from ._datasets import blobs, noisy

pytestmark = pytest.mark.usefixtures("fast_path_only")


@pytest.fixture(scope="module")
def datasets(pbmc):
    small = pbmc.copy()
    small.obsp["noisy"] = noisy(small)
    large = blobs().copy()
    large.obsp["noisy"] = noisy(large)
    return {"pbmc": small, "blobs": large}


MODULARITY = [
    dict(random_state=seed, resolution=res, n_iterations=n_it)
    for seed, res, n_it in itertools.product([0, 1, 7, 1234], [0.3, 1, 2.5], [2, -1])
]
CPM = [
    dict(random_state=seed, resolution=res, n_iterations=n_it, objective_function=objective)
    for seed, res, n_it, objective in itertools.product(
        [0, 3], [0.01, 0.2], [1, -1], ["CPM", "cpm", "Modularity"]
    )
]
OPTIONS = [
    dict(n_iterations=2, beta=0.1),
    dict(n_iterations=-1, beta=1.0, random_state=5),
    dict(n_iterations=5, resolution=None),
    dict(n_iterations=2, use_weights=False),
    dict(n_iterations=-1, use_weights=False, random_state=9),
    dict(n_iterations=2, random_state=np.int64(11)),
    dict(n_iterations=np.int32(3), resolution=np.float32(0.7)),
    dict(n_iterations=2, resolution=0),
    dict(n_iterations=2, resolution=40.0),
    dict(n_iterations=0),
    dict(n_iterations=-7),
    dict(n_iterations=2, key_added="clusters"),
    dict(n_iterations=2, copy=True),
    dict(n_iterations=2, obsp="noisy"),
    dict(n_iterations=-1, obsp="noisy", random_state=3),
    dict(n_iterations=2, obsp="noisy", use_weights=False),
    dict(n_iterations=2, neighbors_key="neighbors"),
]
RANDOM_STATES = [
    dict(n_iterations=2, random_state=np.random.RandomState(17)),
    dict(n_iterations=-1, random_state=np.random.RandomState(0)),
    dict(n_iterations=2, random_state=None),
    dict(n_iterations=-1, random_state=None),
]


CASES = MODULARITY + CPM + OPTIONS + RANDOM_STATES


@pytest.mark.parametrize("name", ["pbmc", "blobs"])
@pytest.mark.parametrize("kwargs", CASES, ids=case_ids(CASES))
def test_identical_to_upstream(patched, datasets, name, kwargs):
    compare(patched, datasets[name], {"flavor": "igraph", **kwargs})


@pytest.mark.parametrize("seed", [0, 1])
def test_restrict_to(patched, datasets, seed):
    base = datasets["pbmc"]
    categories = list(base.obs["bulk_labels"].cat.categories[:3])
    compare(
        patched,
        base,
        {"flavor": "igraph", "random_state": seed, "restrict_to": ("bulk_labels", categories)},
    )


def test_explicit_adjacency(patched, datasets):
    base = datasets["blobs"]
    compare(patched, base, {"flavor": "igraph", "adjacency": base.obsp["noisy"].astype(np.float64)})


def test_initial_membership_and_node_weights(patched, datasets):
    base = datasets["pbmc"]
    rng = np.random.default_rng(0)
    n = base.n_obs
    compare(
        patched,
        base,
        {"flavor": "igraph", "initial_membership": rng.integers(0, 20, n).tolist()},
    )
    compare(
        patched,
        base,
        {"flavor": "igraph", "objective_function": "CPM", "node_weights": rng.random(n)},
    )


def test_fast_path_was_taken(patched, datasets):
    from autozyme import reporting

    before = reporting.report()["calls"].get("scanpy.tl.leiden", {}).get("fast_calls", 0)
    compare(patched, datasets["pbmc"], {"flavor": "igraph"})
    assert reporting.report()["calls"]["scanpy.tl.leiden"]["fast_calls"] == before + 1
