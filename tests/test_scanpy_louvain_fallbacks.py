"""Every fallback reason of ``sc.tl.louvain`` in the scanpy target: the call goes upstream,
is counted with its reason, and its whole outcome (labels, uns, error, warnings, log
records, python-igraph's generator state) is upstream's, run live in this process."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from typing import Any

import anndata as ad
import igraph
import numpy as np
import pytest
from scipy import sparse

import autozyme
from autozyme import verification
from autozyme.patches import routing, scanpy_louvain
from autozyme.patches.routing import FallbackError

from ._call_counts import fallbacks, fast_calls, new_reason
from ._louvain_compare import graph_adata, outcome, upstream_louvain

FLAVOR = "louvain-igraph"
VTRAAG = "louvain-vtraag"
FUNCTION = "scanpy.tl.louvain"
# reasons the decision gives before it looks at the versions
EARLY = (
    "arguments do not bind",
    "flavor=",
    "partition_type",
    "partition_kwargs",
    "compiled core",
    "random_state",
    "resolution",
    "the louvain package was not imported",
)
NOT_IMPORTED = "the louvain package was not imported by scanpy"


def _expected(fragment: str, flavor: str) -> str:
    """The reason the decision gives first for a case whose own reason is ``fragment``."""
    mapping = fragment.startswith("partition_kwargs: not a mapping")
    if flavor == VTRAAG and "louvain" not in sys.modules and not mapping:
        return NOT_IMPORTED  # where louvain is not installed (python-igraph >= 0.12)
    if fragment.startswith(EARLY):
        return fragment
    return verification.unverified_reason(flavor) or fragment


@pytest.fixture(scope="module", autouse=True)
def _activated() -> Iterator[None]:
    autozyme.activate("scanpy")
    import scanpy  # noqa: F401  (the hook patches it)

    igraph.set_random_number_generator(random)
    yield
    autozyme.deactivate("scanpy")


def _base() -> ad.AnnData:
    """Two triangles joined by one edge."""
    rows = [0, 1, 2, 3, 4, 5, 2]
    cols = [1, 2, 0, 4, 5, 3, 3]
    upper = sparse.coo_matrix((np.ones(7, dtype=np.float32), (rows, cols)), shape=(6, 6))
    adjacency = sparse.csr_matrix(upper + upper.T)
    return graph_adata(adjacency, ["a", "a", "a", "b", "b", "b"])


def check(
    fragment: str,
    kwargs: dict[str, Any],
    base: Any = None,
    generator: Any = None,
    flavor: str = FLAVOR,
) -> None:
    """Upstream, then the patched function: the patched call falls back with ``fragment``
    in its reason (or the one the decision gives before it, see :func:`_expected`) and its
    outcome is upstream's."""
    from scanpy.tools import louvain

    make = base if base is not None else _base
    results = []
    before, fast = fallbacks(FUNCTION), fast_calls(FUNCTION)
    for function in (upstream_louvain(), louvain):
        results.append(outcome(function, make(), kwargs, generator or "module", 3))
    igraph.set_random_number_generator(random)
    assert fast_calls(FUNCTION) == fast, "the patched call took the fast path"
    assert _expected(fragment, flavor) in new_reason(FUNCTION, before)
    assert results[1] == results[0]


CASES: list[tuple[str, str, dict]] = [
    ("unbound", "arguments do not bind", {"colour": "red"}),
    ("rapids", "flavor='rapids'", {"flavor": "rapids"}),
    ("flavor-not-str", "flavor=1", {"flavor": 1}),
    ("partition-type", "partition_type", {"flavor": "igraph", "partition_type": object}),
    ("partition-kwargs", "partition_kwargs", {"flavor": "igraph", "partition_kwargs": [1]}),
    ("use-weights", "use_weights", {"flavor": "igraph", "use_weights": 1}),
    ("copy", "copy", {"flavor": "igraph", "copy": "yes"}),
    ("key-added", "key_added", {"flavor": "igraph", "key_added": 3}),
    ("directed", "directed", {"flavor": "igraph", "directed": "yes"}),
    ("no-graph", "graph selection raised", {"flavor": "igraph", "obsp": "nope"}),
    ("not-csr", "is not a CSR matrix", {"flavor": "igraph", "adjacency": np.eye(6)}),
    (
        "negative-weights",
        "not finite and non-negative",
        {"flavor": "igraph", "adjacency": sparse.csr_matrix(-np.eye(6, k=1))},
    ),
    (
        "no-edges",
        "no nonzero entries",
        {"flavor": "igraph", "adjacency": sparse.csr_matrix((6, 6), dtype=np.float32)},
    ),
]


@pytest.mark.parametrize(("fragment", "kwargs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_argument_falls_back(fragment: str, kwargs: dict) -> None:
    check(fragment, kwargs)


_NAN_WEIGHT = sparse.csr_matrix(np.where(np.eye(6, k=1) > 0, np.nan, 0.0))
VTRAAG_CASES: list[tuple[str, str, dict]] = [
    ("partition-type", "partition_type: only louvain's default", {"partition_type": object}),
    ("partition-kwargs", "partition_kwargs: not ported", {"partition_kwargs": {"weights": None}}),
    ("partition-kwargs-type", "partition_kwargs: not a mapping", {"partition_kwargs": [1]}),
    ("seed-none", "random_state: not an integer", {"random_state": None}),
    ("seed-large", "random_state: not an integer", {"random_state": 2**31}),
    ("seed-float", "random_state: not an integer", {"random_state": 1.5}),
    (
        "seed-random-state",
        "random_state: not an integer",
        {"random_state": np.random.RandomState(0)},
    ),
    ("resolution-inf", "resolution: not a finite number", {"resolution": float("inf")}),
    ("resolution-str", "resolution: not a finite number", {"resolution": "1"}),
    ("directed", "directed", {"directed": "yes"}),
    ("copy", "copy", {"copy": "yes"}),
    (
        "negative-weights",
        "not finite and non-negative",
        {"use_weights": True, "adjacency": sparse.csr_matrix(-np.eye(6, k=1))},
    ),
    ("nan-weights", "not finite and non-negative", {"use_weights": True, "adjacency": _NAN_WEIGHT}),
]


@pytest.mark.parametrize(
    ("fragment", "kwargs"), [c[1:] for c in VTRAAG_CASES], ids=[c[0] for c in VTRAAG_CASES]
)
def test_vtraag_argument_falls_back(fragment: str, kwargs: dict) -> None:
    check(fragment, kwargs, flavor=VTRAAG)


def test_vtraag_view_falls_back() -> None:
    check("views and backed", {}, base=lambda: _base()[:4], flavor=VTRAAG)


def test_vtraag_unlisted_louvain_release_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    versions = {**verification.detected_versions(), "louvain": "0.9.0"}
    monkeypatch.setattr(verification, "detected_versions", lambda: versions)
    check("louvain==0.9.0 is not a listed release", {}, flavor=VTRAAG)


def test_view_falls_back() -> None:
    check("views and backed", {"flavor": "igraph"}, base=lambda: _base()[:4])


def test_other_generator_falls_back() -> None:
    class Subclass(random.Random):
        pass

    check("not a random.Random", {"flavor": "igraph"}, generator=lambda: Subclass(5))


def test_unverified_release_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """scanpy's preview release (class S5) is not proven for louvain."""
    versions = {**verification.detected_versions(), "scanpy": "1.13.0a2"}
    monkeypatch.setattr(verification, "detected_versions", lambda: versions)
    check("scanpy==1.13.0a2 (class S5) is not verified", {"flavor": "igraph"})


def test_compiled_core_problem_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "core_problem", lambda: "compiled core unavailable (test)")
    check("compiled core unavailable (test)", {"flavor": "igraph"})


@pytest.mark.parametrize(("flavor", "kwargs"), [(FLAVOR, {"flavor": "igraph"}), (VTRAAG, {})])
def test_internal_error_runs_upstream(
    monkeypatch: pytest.MonkeyPatch, flavor: str, kwargs: dict
) -> None:
    from scanpy.tools import louvain

    if verification.unverified_reason(flavor) or (
        flavor == VTRAAG and "louvain" not in sys.modules
    ):
        pytest.skip("the fast path is off here; nothing to break")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("test")

    monkeypatch.setattr(scanpy_louvain, "run_fast_path", broken)
    expected = outcome(upstream_louvain(), _base(), kwargs, "module", 3)
    before = fallbacks(FUNCTION)
    got = outcome(louvain, _base(), kwargs, "module", 3)
    # everything upstream's, plus our warning about the bug (after those of upstream's
    # decorators, such as scanpy 1.12's deprecation: the patch runs inside them)
    ours = (RuntimeWarning, "autozyme: internal error in the fast path (ZeroDivisionError: test)")
    warned = [(c, m.split(";")[0]) for c, m in got[6]]
    assert warned.count(ours) == 1
    warned.remove(ours)
    assert warned == expected[6]
    assert got[:6] == expected[:6] and got[7] == expected[7]
    assert "ZeroDivisionError: test" in new_reason(FUNCTION, before)


def test_fail_on_fallback_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanpy.tools import louvain

    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    with pytest.raises(FallbackError, match="flavor='rapids'"):
        louvain(_base(), flavor="rapids")
