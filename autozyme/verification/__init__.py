"""What has been proven identical, and so what takes the fast path.

Upstream releases are grouped into behaviour classes (:mod:`.releases`). A flavor takes
the fast path when the installed release of each package it depends on belongs to a class
enabled in :data:`FAST_PATH`, no entry of :data:`EXCEPTIONS` names the combination, and
the platform is one CI proves (:mod:`.platforms`). An environment outside the table (an
unlisted release, an unproven platform) takes it only after ``python -m autozyme verify``
recorded a pass for exactly that environment (:mod:`.local`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from .releases import ReleaseClass, nearest_class, release_class

__all__ = [
    "EXCEPTIONS",
    "FAST_PATH",
    "Behaviour",
    "behaviour",
    "detected_versions",
    "unverified_reason",
]

# flavor (or target) -> the packages its output depends on
PACKAGES: dict[str, tuple[str, ...]] = {
    "igraph": ("scanpy", "igraph"),
    "leidenalg": ("scanpy", "igraph", "leidenalg"),
    # sc.tl.louvain(flavor="igraph"): python-igraph's community_multilevel under scanpy
    "louvain-igraph": ("scanpy", "igraph"),
    # sc.tl.louvain(flavor="vtraag"): the louvain package on scanpy's python-igraph graph
    "louvain-vtraag": ("scanpy", "igraph", "louvain"),
    # the igraph target: python-igraph's Graph.community_leiden called directly
    "Graph.community_leiden": ("igraph",),
    # the leidenalg target: leidenalg.find_partition called directly
    "find_partition": ("igraph", "leidenalg"),
    # the igraph target: python-igraph's Graph.community_multilevel (Louvain)
    "Graph.community_multilevel": ("igraph",),
}
# what `python -m autozyme verify` can prove locally (the scanpy flavors); elsewhere an
# unlisted release or an unproven platform keeps the fast path off
VERIFIABLE = frozenset({"igraph", "leidenalg"})

# flavor -> package -> the classes CI proves for it (tests/test_version_matrix.py runs the
# differential suites on each class's representative)
FAST_PATH: dict[str, dict[str, frozenset[str]]] = {
    "igraph": {
        "scanpy": frozenset({"S1", "S2", "S3", "S4"}),
        # A only with S1: later scanpy passes resolution=, which A rejects (EXCEPTIONS)
        "igraph": frozenset({"A", "B", "C", "D", "E"}),
    },
    "leidenalg": {
        "scanpy": frozenset({"S1", "S2", "S3", "S4"}),
        "igraph": frozenset({"A", "B", "C", "D", "E"}),
        "leidenalg": frozenset({"L1", "L2", "L3"}),
    },
    # scanpy 1.10.0-1.12.x: the same louvain (S4 deprecates it: the patch runs inside
    # upstream's own decorators, which warn); igraph: the classes Graph.community_multilevel
    # holds that matrix rows pair with these scanpy classes
    "louvain-igraph": {
        "scanpy": frozenset({"S1", "S2", "S3", "S4"}),
        "igraph": frozenset({"C", "D", "E"}),
    },
    # louvain 0.8.2 requires python-igraph < 0.12 (classes A-D); only D is proven, beside
    # the scanpy classes whose rows can install it (its wheels stop at Python 3.11)
    "louvain-vtraag": {
        "scanpy": frozenset({"S1", "S3"}),
        "igraph": frozenset({"D"}),
        "louvain": frozenset({"V1"}),
    },
    "Graph.community_leiden": {"igraph": frozenset({"A", "B", "C", "D", "E"})},
    "find_partition": {
        "igraph": frozenset({"A", "B", "C", "D", "E"}),
        "leidenalg": frozenset({"L1", "L2", "L3"}),
    },
    # cores before 0.10.13 (classes B-C, 0.11.5-0.11.6 of D) make no random transposition
    # of the visiting order per pass (releases.MULTILEVEL_WITHOUT_TRANSPOSITION); A's
    # 0.10.0-0.10.1 read the edges through igraph_edge() (smaller end first), another order
    "Graph.community_multilevel": {"igraph": frozenset({"B", "C", "D", "E"})},
}

# (flavor, package -> classes, reason): combinations of enabled classes that still go
# upstream, each because upstream itself behaves differently there
EXCEPTIONS: tuple[tuple[str, dict[str, frozenset[str]], str], ...] = (
    (
        "igraph",
        {"scanpy": frozenset({"S2", "S3", "S4", "S5"}), "igraph": frozenset({"A"})},
        "scanpy >= 1.10.2 passes community_leiden(resolution=), which python-igraph "
        "0.10.0-0.10.2 reject (upstream raises TypeError)",
    ),
)

DISTRIBUTIONS = ("scanpy", "igraph", "leidenalg", "louvain", "numpy", "anndata")


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


@dataclass(frozen=True)
class Behaviour:
    """The classes whose behaviour the fast path reproduces for one flavor."""

    classes: dict[str, ReleaseClass]  # package -> class (the nearest one if unlisted)
    problem: str | None  # None: proven by the table or by a recorded local verification


def behaviour(flavor: str, versions: dict[str, str | None] | None = None) -> Behaviour:
    from . import local, platforms

    versions = detected_versions() if versions is None else versions
    classes: dict[str, ReleaseClass] = {}
    hard: list[str] = []  # no local verification can lift these
    soft: list[str] = []  # a recorded pass of `python -m autozyme verify` lifts these
    problem = platforms.known_difference()
    if problem:
        hard.append(problem)
    for package in PACKAGES[flavor]:
        version = versions.get(package)
        if version is None:
            hard.append(f"versions: {package} not installed")
            continue
        listed = release_class(package, version)
        cls = listed or nearest_class(package, version)
        if cls is None:
            hard.append(f"versions: {package}=={version} precedes every supported release")
            continue
        classes[package] = cls
        if listed is None:
            soft.append(f"versions: {package}=={version} is not a listed release")
        elif cls.name not in FAST_PATH[flavor][package]:
            hard.append(f"versions: {package}=={version} (class {cls.name}) is not verified")
    for excepted_flavor, names, reason in EXCEPTIONS:
        if excepted_flavor == flavor and all(
            package in classes and classes[package].name in allowed
            for package, allowed in names.items()
        ):
            hard.append(f"versions: {reason}")
    problem = platforms.unproven()
    if problem:
        soft.append(problem)
    if soft and flavor not in VERIFIABLE:
        hard, soft = hard + soft, []
    if hard:
        return Behaviour(classes, "; ".join(hard))
    if soft and not local.recorded_pass(flavor, versions):
        return Behaviour(
            classes, "; ".join(soft) + " (`python -m autozyme verify` can prove this environment)"
        )
    return Behaviour(classes, None)


def unverified_reason(flavor: str, versions: dict[str, str | None] | None = None) -> str | None:
    """``None`` when this flavor takes the fast path in this environment, else why not."""
    return behaviour(flavor, versions).problem
