from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pbmc():
    """scanpy's bundled pbmc68k_reduced, with its precomputed neighbour graph (offline)."""
    import scanpy as sc

    return sc.datasets.pbmc68k_reduced()
