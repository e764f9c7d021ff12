"""Faults, interrupts, threads, fork, leaks, and awkward-but-valid inputs."""

from __future__ import annotations

import os
import signal
import threading
import time

import anndata as ad
import numpy as np
import pytest
from scipy import sparse

import autozyme
from autozyme import reporting
from autozyme.patches import scanpy_leiden

from ._compare import compare


def _graph_adata(matrix: sparse.csr_matrix) -> ad.AnnData:
    adata = ad.AnnData(np.zeros((matrix.shape[0], 1), dtype=np.float32))
    adata.obsp["connectivities"] = matrix
    adata.uns["neighbors"] = {"connectivities_key": "connectivities"}
    return adata


def _fingerprint(adata: ad.AnnData) -> tuple:
    return (list(adata.obs.columns), sorted(adata.uns.keys()))


# awkward but valid inputs: each must take the fast path and match upstream exactly
EDGE_CASES = {
    "one-cell-loop": sparse.csr_matrix(np.array([[1.0]])),
    "all-self-loops": sparse.csr_matrix(np.diag(np.arange(1.0, 9.0))),
    "two-components": sparse.csr_matrix(np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8) * 0.5),
    "isolated-vertices": sparse.csr_matrix(
        (np.ones(4), ([0, 1, 2, 3], [1, 0, 3, 2])), shape=(10, 10)
    ),
}


@pytest.mark.parametrize("flavor_kwargs", [{"flavor": "igraph"}, {}], ids=["igraph", "default"])
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
@pytest.mark.usefixtures("fast_path_only")
def test_edge_case_graphs(patched, name, flavor_kwargs):
    compare(patched, _graph_adata(EDGE_CASES[name]), {**flavor_kwargs, "n_iterations": 2})


@pytest.mark.parametrize(
    "kwargs",
    [{"resolution": 1e6}, {"key_added": "bulk_labels"}, {"key_added": "louvain"}],
    ids=["huge-resolution", "existing-key", "existing-categorical-key"],
)
@pytest.mark.usefixtures("fast_path_only")
def test_valid_extremes(patched, pbmc, kwargs):
    compare(patched, pbmc, {"flavor": "igraph", "n_iterations": 2, **kwargs})


def test_zero_cells_and_backed(patched, pbmc, tmp_path):
    empty = _graph_adata(sparse.csr_matrix((0, 0)))
    compare(patched, empty, {"flavor": "igraph"})
    path = tmp_path / "pbmc.h5ad"
    pbmc.write_h5ad(path)
    compare(
        patched,
        lambda: ad.read_h5ad(path, backed="r"),
        {"flavor": "igraph", "n_iterations": 2},
    )


def test_exception_in_fast_path_falls_back_with_warning(patched, pbmc, monkeypatch):
    from ._compare import upstream_leiden

    def broken(plan):
        raise RuntimeError("injected")

    monkeypatch.setattr(scanpy_leiden, "run_fast_path", broken)
    expected, got = pbmc.copy(), pbmc.copy()
    upstream_leiden()(expected, flavor="igraph", n_iterations=2)
    with pytest.warns(RuntimeWarning, match="internal error in the fast path"):
        patched(got, flavor="igraph", n_iterations=2)
    assert got.obs["leiden"].equals(expected.obs["leiden"])
    reasons = reporting.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    assert any("RuntimeError: injected" in r for r in reasons)


def test_memory_error_is_clean(patched, pbmc, monkeypatch):
    from autozyme.algorithms import igraph_leiden

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(igraph_leiden, "community_leiden", no_memory)
    adata = pbmc.copy()
    before = _fingerprint(adata)
    with pytest.raises(MemoryError):
        patched(adata, flavor="igraph", key_added="never")
    assert _fingerprint(adata) == before


# igraph 1.0 never terminates on this graph with n_iterations=-1 (upstream neither)
NON_TERMINATING = sparse.csr_matrix(
    (
        np.array([8.0, 8.0, 1e-16, 1.0, 8.0, 0.1, 5.1]),
        np.array([2, 5, 6, 4, 2, 6, 3]),
        np.array([0, 1, 3, 4, 4, 4, 4, 6, 7]),
    ),
    shape=(8, 8),
)


@pytest.mark.skipif(
    not autozyme.report()["versions"]["igraph"].startswith("1.0."),
    reason="the non-terminating input is specific to igraph's 1.0 core",
)
@pytest.mark.usefixtures("fast_path_only")
def test_keyboard_interrupt_is_prompt_and_leaves_no_trace(patched):
    adata = _graph_adata(NON_TERMINATING)
    rs = np.random.RandomState(0)
    state_before = rs.get_state(legacy=False)["state"]["key"].copy()
    before = _fingerprint(adata)
    fired = {}

    def interrupt(signum, frame):
        fired["at"] = time.perf_counter()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            patched(
                adata,
                flavor="igraph",
                objective_function="CPM",
                resolution=0.5,
                n_iterations=-1,
                random_state=rs,
                initial_membership=[0, 1, 0, 0, 0, 0, 1, 0],
            )
        stopped = time.perf_counter()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert stopped - fired["at"] < 0.5
    assert _fingerprint(adata) == before
    assert np.array_equal(rs.get_state(legacy=False)["state"]["key"], state_before)


def _labels(patched, base, **kwargs):
    adata = base.copy()
    patched(adata, **kwargs)
    return adata.obs["leiden"].tolist()


@pytest.mark.parametrize("flavor_kwargs", [{"flavor": "igraph"}, {}], ids=["igraph", "default"])
def test_threads_match_sequential(patched, pbmc, flavor_kwargs):
    seeds = list(range(6))
    sequential = [_labels(patched, pbmc, random_state=s, **flavor_kwargs) for s in seeds]
    results: dict[int, list] = {}

    def work(seed):
        results[seed] = _labels(patched, pbmc, random_state=seed, **flavor_kwargs)

    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert [results[s] for s in seeds] == sequential


def test_works_after_fork(patched, pbmc):
    expected = _labels(patched, pbmc, flavor="igraph", random_state=3)
    pid = os.fork()
    if pid == 0:  # child: exit code says whether the result matched
        try:
            ok = _labels(patched, pbmc, flavor="igraph", random_state=3) == expected
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_no_leak_over_many_calls(patched, pbmc):
    adata = pbmc.copy()
    for _ in range(30):  # warm up caches and allocator pools
        patched(adata, flavor="igraph", n_iterations=2)
    start = _rss_mib()
    for seed in range(300):
        patched(adata, flavor="igraph", n_iterations=2, random_state=seed)
    assert _rss_mib() - start < 15
