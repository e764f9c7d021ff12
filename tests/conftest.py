from __future__ import annotations

import pytest

import autozyme


@pytest.fixture(scope="session")
def pbmc():
    """scanpy's bundled pbmc68k_reduced, with its precomputed neighbour graph (offline)."""
    import scanpy as sc

    return sc.datasets.pbmc68k_reduced()


@pytest.fixture(scope="module")
def patched():
    """scanpy's leiden as AutoZyme patches it (activated for the module's tests)."""
    import scanpy as sc

    autozyme.activate("scanpy")
    yield sc.tl.leiden
    autozyme.deactivate()


@pytest.fixture
def fast_path_only(monkeypatch):
    """Any fallback raises: the test proves the fast path ran."""
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
