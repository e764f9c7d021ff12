"""What has been proven identical: the version table behind every fast-path decision.

A combination is listed only after the differential suite (tests/) passed on it against
the real upstream code. Anything else runs upstream. Results of the igraph flavor depend
on scanpy (its RNG adapter and output code) and python-igraph (its C core); the leidenalg
flavor adds leidenalg.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import metadata

__all__ = ["VERIFIED", "detected_versions", "igraph_core", "unverified_reason"]

# Edit only together with a CI run of the differential suite on that combination.
VERIFIED: dict[str, frozenset[tuple[str, ...]]] = {
    # (scanpy, igraph)
    "igraph": frozenset(
        {
            ("1.11.5", "1.0.0"),  # Python 3.11, the main test environment
            ("1.12.4", "1.0.0"),  # Python 3.12, tests/test_version_matrix.py
            ("1.11.5", "0.11.8"),  # C core 0.10.x, tests/test_version_matrix.py
        }
    ),
    # (scanpy, igraph, leidenalg)
    "leidenalg": frozenset(
        {
            ("1.11.5", "1.0.0", "0.12.0"),  # Python 3.11, the main test environment
            ("1.12.4", "1.0.0", "0.12.0"),  # Python 3.12, tests/test_version_matrix.py
            ("1.11.5", "0.11.8", "0.10.2"),  # igraph C core 0.10.x, test_version_matrix.py
            ("1.11.5", "1.0.0", "0.11.0"),  # libleidenalg 0.12, tests/test_version_matrix.py
        }
    ),
}

DISTRIBUTIONS = ("scanpy", "igraph", "leidenalg", "numpy", "anndata")


@cache
def detected_versions() -> dict[str, str | None]:
    """Installed versions, read from package metadata (nothing is imported)."""
    found: dict[str, str | None] = {"python": ".".join(map(str, sys.version_info[:3]))}
    for dist in DISTRIBUTIONS:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def igraph_core(igraph_version: str) -> str:
    """The igraph C core generation bundled with a python-igraph release."""
    return "1.0" if igraph_version.startswith("1.0.") else "0.10"


def unverified_reason(flavor: str, versions: dict[str, str | None] | None = None) -> str | None:
    """``None`` when this flavor is verified for these versions, else why not."""
    versions = detected_versions() if versions is None else versions
    if sys.platform == "win32":
        # numpy's tomaxint is 31 bits there: upstream's own random stream differs.
        return "platform: Windows is not verified"
    keys = ("scanpy", "igraph") if flavor == "igraph" else ("scanpy", "igraph", "leidenalg")
    combo = tuple(versions.get(k) for k in keys)
    if None in combo:
        missing = [k for k, v in zip(keys, combo, strict=True) if v is None]
        return f"versions: {', '.join(missing)} not installed"
    if combo not in VERIFIED.get(flavor, frozenset()):
        return (
            "versions: "
            + " ".join(f"{k}=={v}" for k, v in zip(keys, combo, strict=True))
            + " not verified"
        )
    return None
