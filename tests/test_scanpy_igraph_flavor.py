"""Differential tests of ``sc.tl.leiden(flavor="igraph")``: ours against upstream, live.

Every case must take the fast path (AUTOZYME_FAIL_ON_FALLBACK=1) and produce the same
obs column (values, categories, order, dtype), the same uns entry (params, modularity),
the same warnings, and leave the caller's RandomState / numpy's global state where
upstream leaves them. Where the igraph flavor runs upstream here, the module is skipped.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from autozyme import verification

from ._compare import case_ids, compare, fast_path_here, upstream_leiden
from ._datasets import blobs, noisy

pytestmark = pytest.mark.usefixtures("fast_path_only")


@pytest.fixture(scope="module", autouse=True)
def _igraph_flavor_verified():
    with fast_path_here("igraph"):
        yield


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


def _warns_resolution_parameter() -> bool:
    """scanpy 1.10.0-1.10.1 pass resolution_parameter=, which python-igraph >= 0.10.3
    accepts with a DeprecationWarning."""
    classes = verification.behaviour("igraph").classes
    return classes["scanpy"].name == "S1" and classes["igraph"].name != "A"


@pytest.mark.parametrize("action", ["error", "ignore", "always", "default", "once", "module"])
@pytest.mark.parametrize("resolution", [0.5, None])
def test_warning_filters(patched, datasets, action, resolution):
    """python-igraph's DeprecationWarning (scanpy 1.10.0-1.10.1) under each filter action:
    "error" raises it before anything is drawn or written, as upstream does."""
    compare(
        patched,
        datasets["pbmc"],
        {"flavor": "igraph", "n_iterations": 2, "resolution": resolution, "random_state": 4},
        action=action,
    )


@pytest.mark.parametrize("action", ["default", "once", "module"])
def test_repeated_calls_warn_as_upstream(patched, datasets, action):
    """Two calls in one filter context: the "seen" bookkeeping (scanpy's module registry)
    suppresses the second emission alike."""

    def twice(fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            for seed in (0, 1):
                fn(datasets["pbmc"].copy(), flavor="igraph", n_iterations=2, random_state=seed)
        return [(w.category, str(w.message), w.filename, w.lineno) for w in caught]

    assert twice(patched) == twice(upstream_leiden())


def test_resolution_parameter_deprecation_is_exercised(patched, datasets):
    """Where python-igraph warns (scanpy 1.10.0-1.10.1 with python-igraph >= 0.10.3), the
    suites compare that warning: upstream emits it, attributed to scanpy's leiden()."""
    expected, _ = compare(patched, datasets["pbmc"], {"flavor": "igraph", "n_iterations": 2})
    found = [w for w in expected.warnings if w[0] is DeprecationWarning]
    if _warns_resolution_parameter():
        assert [("resolution_parameter" in w[1], w[2].endswith("_leiden.py")) for w in found] == [
            (True, True)
        ]
    else:
        assert found == []
