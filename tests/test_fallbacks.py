"""Every fallback reason: the call goes upstream (recorded with its reason) and the outcome
is upstream's own: same result, same warnings, same exception type and message."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from autozyme import reporting, verification

from ._compare import RNG_REASON, compare, has_rng, prove_installed

HAS_RNG = has_rng()


@pytest.fixture(scope="module", autouse=True)
def _installed_classes():
    with pytest.MonkeyPatch.context() as patch:
        for flavor in ("igraph", "leidenalg"):
            prove_installed(flavor, patch)
        yield


def _new_reason(before: dict[str, int]) -> str:
    """The one fallback reason recorded since ``before`` (a copy of the counts)."""
    after = reporting.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    new = {r for r, count in after.items() if count > before.get(r, 0)}
    assert len(new) == 1, new
    return new.pop()


def _fallbacks() -> dict[str, int]:
    return dict(reporting.report()["calls"].get("scanpy.tl.leiden", {}).get("fallbacks", {}))


def _expected_reason(kwargs: dict, fragment: str) -> str:
    """What the decision reports first: scanpy 1.13's interface, then an environment the
    flavor is not verified in, then the case's own reason."""
    if HAS_RNG:
        return RNG_REASON
    flavor = kwargs.get("flavor", "leidenalg")
    if flavor in ("igraph", "leidenalg"):
        return verification.unverified_reason(flavor) or fragment
    return fragment


def _with_obsp(base, name, matrix):
    adata = base.copy()
    adata.obsp[name] = matrix
    return adata


def _inputs(pbmc):
    conn = pbmc.obsp["connectivities"]
    n = pbmc.n_obs
    nan = conn.copy()
    nan.data[::50] = np.nan
    infinite = conn.copy()
    infinite.data[::50] = np.inf
    negative = conn.copy()
    negative.data[::50] *= -1
    no_neighbors = pbmc.copy()
    del no_neighbors.obsp["connectivities"]
    del no_neighbors.uns["neighbors"]
    cats = list(pbmc.obs["bulk_labels"].cat.categories[:2])
    import leidenalg

    surprise = leidenalg.SurpriseVertexPartition
    modularity = leidenalg.ModularityVertexPartition
    ig = {"flavor": "igraph", "n_iterations": 2}  # -1 may never end on NaN or negative input
    return [
        # (id, adata, kwargs, expected reason fragment)
        (
            "la-partition",
            pbmc,
            {"n_iterations": 2, "partition_type": surprise, "resolution": None},
            "partition_type",
        ),
        ("la-randomstate", pbmc, {"random_state": np.random.RandomState(0)}, "leidenalg seed"),
        ("la-directed-int", pbmc, {"n_iterations": 2, "directed": 1}, "directed: not a bool"),
        ("la-unknown-arg", pbmc, {"n_iterations": 2, "foo": 1}, "clustering_args: foo"),
        ("la-modularity-res", pbmc, {"partition_type": modularity}, "ModularityVertexPartition"),
        ("bad-flavor", pbmc, {"flavor": "nope"}, "flavor='nope'"),
        ("directed", pbmc, {**ig, "directed": True}, "directed/partition_type"),
        ("partition-type", pbmc, {**ig, "partition_type": object}, "directed/partition_type"),
        ("rs-float", pbmc, {**ig, "random_state": 1.5}, "random_state: float"),
        ("rs-generator", pbmc, {**ig, "random_state": np.random.default_rng(0)}, "random_state"),
        ("rs-huge", pbmc, {**ig, "random_state": 2**40}, "seed out of range"),
        ("rs-str", pbmc, {**ig, "random_state": "0"}, "random_state: str"),
        ("rs-bool", pbmc, {**ig, "random_state": True}, "random_state: bool"),
        ("res-negative", pbmc, {**ig, "resolution": -1.0}, "resolution"),
        ("res-nan", pbmc, {**ig, "resolution": float("nan")}, "resolution"),
        ("res-str", pbmc, {**ig, "resolution": "1"}, "resolution"),
        ("weights-int", pbmc, {**ig, "use_weights": 1}, "use_weights"),
        ("copy-int", pbmc, {**ig, "copy": 0}, "copy"),
        ("niter-huge", pbmc, {**ig, "n_iterations": 2**70}, "n_iterations"),
        ("niter-float", pbmc, {**ig, "n_iterations": 2.0}, "n_iterations"),
        ("unknown-arg", pbmc, {**ig, "foo": 1}, "clustering_args: foo"),
        ("res-parameter", pbmc, {**ig, "resolution_parameter": 0.5}, "clustering_args"),
        ("objective", pbmc, {**ig, "objective_function": "foo"}, "objective_function"),
        ("beta-negative", pbmc, {**ig, "beta": -1.0}, "beta"),
        ("weights-unused", pbmc, {**ig, "use_weights": False, "weights": "weight"}, "weights"),
        (
            "obsp-and-key",
            pbmc,
            {**ig, "obsp": "connectivities", "neighbors_key": "neighbors"},
            "graph selection raised ValueError",
        ),
        ("no-neighbors", no_neighbors, ig, "graph selection raised"),
        (
            "restrict-unknown",
            pbmc,
            {**ig, "restrict_to": ("bulk_labels", ["nope"])},
            "graph selection raised ValueError",
        ),
        (
            "restrict-nonstr",
            pbmc,
            {**ig, "restrict_to": ("louvain", [0])},
            "graph selection raised",
        ),
        ("restrict-badkey", pbmc, {**ig, "restrict_to": ("nope", cats)}, "graph selection raised"),
        ("dense", pbmc, {**ig, "adjacency": conn.toarray()}, "ndarray is not a CSR matrix"),
        ("csc", pbmc, {**ig, "adjacency": conn.tocsc()}, "is not a CSR matrix"),
        ("coo", pbmc, {**ig, "adjacency": conn.tocoo()}, "is not a CSR matrix"),
        ("lil", pbmc, {**ig, "adjacency": conn.tolil()}, "is not a CSR matrix"),
        ("wrong-shape", pbmc, {**ig, "adjacency": conn[:, :-1].tocsr()}, "does not match"),
        ("wrong-size", pbmc, {**ig, "adjacency": conn[:-1, :-1].tocsr()}, "does not match"),
        ("int-dtype", pbmc, {**ig, "adjacency": (conn > 0.5).astype(np.int64).tocsr()}, "dtype"),
        ("nan-weights", _with_obsp(pbmc, "nan", nan), {**ig, "obsp": "nan"}, "finite"),
        ("inf-weights", _with_obsp(pbmc, "inf", infinite), {**ig, "obsp": "inf"}, "finite"),
        ("negative-weights", _with_obsp(pbmc, "neg", negative), {**ig, "obsp": "neg"}, "negative"),
        ("membership-short", pbmc, {**ig, "initial_membership": [0] * (n - 1)}, "shape"),
        ("membership-float", pbmc, {**ig, "initial_membership": [0.5] * n}, "integers"),
        (
            "node-weights-neg",
            pbmc,
            {**ig, "objective_function": "CPM", "node_weights": -np.ones(n)},
            "node_weights",
        ),
        ("view", lambda: pbmc.copy()[:400], ig, "views"),
        ("no-edges", pbmc, {**ig, "adjacency": sparse.csr_matrix((n, n))}, "no nonzero entries"),
    ]


CASE_IDS = [
    "la-partition",
    "la-randomstate",
    "la-directed-int",
    "la-unknown-arg",
    "la-modularity-res",
    "bad-flavor",
    "directed",
    "partition-type",
    "rs-float",
    "rs-generator",
    "rs-huge",
    "rs-str",
    "rs-bool",
    "res-negative",
    "res-nan",
    "res-str",
    "weights-int",
    "copy-int",
    "niter-huge",
    "niter-float",
    "unknown-arg",
    "res-parameter",
    "objective",
    "beta-negative",
    "weights-unused",
    "obsp-and-key",
    "no-neighbors",
    "restrict-unknown",
    "restrict-nonstr",
    "restrict-badkey",
    "dense",
    "csc",
    "coo",
    "lil",
    "wrong-shape",
    "wrong-size",
    "int-dtype",
    "nan-weights",
    "inf-weights",
    "negative-weights",
    "membership-short",
    "membership-float",
    "node-weights-neg",
    "view",
    "no-edges",
]


@pytest.fixture(scope="module")
def cases(pbmc):
    found = {case[0]: case[1:] for case in _inputs(pbmc)}
    assert sorted(found) == sorted(CASE_IDS)
    return found


@pytest.mark.parametrize("case", CASE_IDS)
def test_fallback_matches_upstream(patched, cases, case):
    adata, kwargs, reason = cases[case]
    before = _fallbacks()
    compare(patched, adata, kwargs)
    assert _expected_reason(kwargs, reason) in _new_reason(before)


needs_version_check = pytest.mark.skipif(
    HAS_RNG, reason="scanpy 1.13 calls fall back before the version check"
)


@needs_version_check
def test_unverified_class_falls_back(patched, pbmc, monkeypatch):
    flavors = dict(verification.FAST_PATH)
    flavors["igraph"] = {**flavors["igraph"], "scanpy": frozenset()}
    monkeypatch.setattr(verification, "FAST_PATH", flavors)
    compare(patched, pbmc, {"flavor": "igraph", "n_iterations": 2})
    reasons = reporting.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    assert any(r.startswith("versions: scanpy==") and "is not verified" in r for r in reasons)


@needs_version_check
def test_missing_dependency_falls_back(patched, pbmc, monkeypatch):
    versions = dict(verification.detected_versions(), igraph=None)
    monkeypatch.setattr(verification, "detected_versions", lambda: versions)
    compare(patched, pbmc, {"flavor": "igraph", "n_iterations": 2})
    reasons = reporting.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    assert "versions: igraph not installed" in reasons


def test_resolution_keyword_exception():
    """scanpy >= 1.10.2 passes resolution=, which python-igraph 0.10.0-0.10.2 reject: that
    combination runs upstream (which raises), scanpy 1.10.0-1.10.1 and the leidenalg
    flavor are not concerned."""
    versions = dict(verification.detected_versions(), igraph="0.10.2", leidenalg="0.10.1")
    for scanpy in ("1.10.2", "1.11.3", "1.11.5", "1.12.4", "1.13.0a2"):
        problem = verification.unverified_reason("igraph", {**versions, "scanpy": scanpy})
        assert "passes community_leiden(resolution=)" in (problem or "")
    for flavor, scanpy in (("igraph", "1.10.1"), ("leidenalg", "1.11.5")):
        problem = verification.unverified_reason(flavor, {**versions, "scanpy": scanpy})
        assert "resolution=" not in (problem or "")


@needs_version_check
def test_resolution_keyword_exception_falls_back(patched, pbmc, monkeypatch):
    versions = dict(verification.detected_versions(), scanpy="1.11.5", igraph="0.10.2")
    monkeypatch.setattr(verification, "detected_versions", lambda: versions)
    before = _fallbacks()
    compare(patched, pbmc, {"flavor": "igraph", "n_iterations": 2})
    assert "passes community_leiden(resolution=)" in _new_reason(before)


# scanpy 1.13.0a2: its presets and rng= (a seed, a Generator, or random_state= wrapped in
# its legacy adapter) go upstream with the same reason, with upstream's exact output
scanpy_13 = pytest.mark.skipif(not HAS_RNG, reason="scanpy < 1.13 has no rng=")
RNG_CASES = {
    "default": {},
    "igraph": {"flavor": "igraph", "n_iterations": 2},
    "rng-int": {"rng": 3},
    "rng-int-igraph": {"flavor": "igraph", "rng": 3},
    "rng-generator": {"rng": np.random.default_rng(5)},
    "rng-generator-igraph": {
        "flavor": "igraph",
        "n_iterations": -1,
        "rng": np.random.default_rng(5),
    },
    "random-state": {"random_state": 7},
    "random-state-igraph": {"flavor": "igraph", "random_state": np.random.RandomState(7)},
    "both": {"flavor": "igraph", "rng": 1, "random_state": 1},
}


@scanpy_13
@pytest.mark.parametrize("preset", ["ScanpyV1", "ScanpyV2Preview"])
@pytest.mark.parametrize("case", sorted(RNG_CASES))
def test_scanpy_13_falls_back(patched, pbmc, monkeypatch, preset, case):
    import scanpy as sc

    monkeypatch.setattr(sc.settings, "preset", getattr(sc.Preset, preset))
    before = _fallbacks()
    compare(patched, pbmc, RNG_CASES[case])
    assert _new_reason(before) == RNG_REASON
