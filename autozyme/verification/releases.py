"""Upstream releases grouped into behaviour classes: every release of a class runs the
same code where it shapes Leiden's output (tests/test_release_fingerprints.py ties each
listed release to its class's representative by a fingerprint of that code), and the
representative is the release CI's differential suites run against
(tests/test_version_matrix.py).

Edit a class only together with both checks.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CLASSES",
    "MULTILEVEL_WITHOUT_TRANSPOSITION",
    "ReleaseClass",
    "multilevel_transposes",
    "release_class",
]


@dataclass(frozen=True)
class ReleaseClass:
    package: str  # distribution name: "scanpy", "igraph", "leidenalg" or "louvain"
    name: str  # "S1", "A", "L1", ...: the names the notes and the README use
    releases: tuple[str, ...]  # every release on the registry that belongs here
    representative: str  # the release CI's differential suites prove
    differs: str  # what sets it apart from the class before it


CLASSES: tuple[ReleaseClass, ...] = (
    # scanpy: the RNG adapter behind igraph's draws, the keywords passed, what is written
    ReleaseClass(
        "scanpy",
        "S1",
        ("1.10.0", "1.10.1"),
        "1.10.1",
        "RNG adapter only forwards attributes to the RandomState (python-igraph draws words "
        "with randint); the igraph flavor passes resolution_parameter=",
    ),
    ReleaseClass(
        "scanpy",
        "S2",
        ("1.10.2", "1.10.3", "1.10.4", "1.11.0", "1.11.1", "1.11.2", "1.11.3"),
        "1.11.3",
        "the igraph flavor passes resolution=",
    ),
    ReleaseClass(
        "scanpy",
        "S3",
        ("1.11.4", "1.11.5"),
        "1.11.5",
        "RNG adapter gains getrandbits (two MT words per igraph word) and randint",
    ),
    ReleaseClass(
        "scanpy",
        "S4",
        ("1.12.0", "1.12.1", "1.12.2", "1.12.3", "1.12.4"),
        "1.12.4",
        "default flavor without the warning; uns[key]['modularity'] stored",
    ),
    ReleaseClass(
        "scanpy",
        "S5",
        ("1.13.0a2",),
        "1.13.0a2",
        "rng= replaces random_state; the ScanpyV2Preview preset builds one edge per pair",
    ),
    # python-igraph: its bundled C core and the Python layer of community_leiden/modularity
    ReleaseClass(
        "igraph",
        "A",
        ("0.10.0", "0.10.1", "0.10.2"),
        "0.10.2",
        "community_leiden takes resolution_parameter=, no resolution=",
    ),
    ReleaseClass(
        "igraph",
        "B",
        ("0.10.3", "0.10.4"),
        "0.10.4",
        "resolution= accepted (resolution_parameter= with a DeprecationWarning)",
    ),
    ReleaseClass(
        "igraph",
        "C",
        ("0.10.5", "0.10.6", "0.10.8", "0.11.2", "0.11.3", "0.11.4"),
        "0.11.4",
        "the clustering's modularity is taken at community_leiden's resolution (B's "
        "Python layer passes only the weights on to Graph.modularity: resolution 1), and "
        "community_leiden returns the quality",
    ),
    ReleaseClass(
        "igraph",
        "D",
        ("0.11.5", "0.11.6", "0.11.8", "0.11.9"),
        "0.11.8",
        "strength summed in edge order; new igraph_modularity summation, NaN at total weight 0",
    ),
    ReleaseClass("igraph", "E", ("1.0.0",), "1.0.0", "igraph C core 1.0"),
    # leidenalg: the bundled libleidenalg and the Python layer of find_partition
    ReleaseClass(
        "leidenalg",
        "L1",
        ("0.10.0", "0.10.1", "0.10.2"),
        "0.10.2",
        "libleidenalg 0.11.0 on igraph's C core 0.10.4 (the versions scripts/build_*.sh "
        "fetch; the sdist holds neither)",
    ),
    ReleaseClass(
        "leidenalg",
        "L2",
        ("0.11.0",),
        "0.11.0",
        "libleidenalg 0.12.0 on igraph's C core 1.0.0: neighbours and incident edges read "
        "from lazy adjacency/incidence lists (GraphHelper)",
    ),
    ReleaseClass(
        "leidenalg",
        "L3",
        ("0.12.0",),
        "0.12.0",
        "libleidenalg 0.13: refinement towards one random neighbouring community",
    ),
    # louvain (sc.tl.louvain's default flavor "vtraag"): its Optimiser on the igraph C
    # core it bundles; 0.8.0 / 0.8.1 bundle cores 0.10.2 / 0.10.6 and are not read
    ReleaseClass(
        "louvain",
        "V1",
        ("0.8.2",),
        "0.8.2",
        "louvain-igraph 0.8.2 on igraph's C core 0.10.10",
    ),
)

_BY_RELEASE = {(c.package, r): c for c in CLASSES for r in c.releases}

# python-igraph releases whose C core (before 0.10.13) runs Louvain's passes without the
# random transposition of the visiting order that igraph #2650 added to community/louvain.c
# (the rest of that file is the same from 0.10.0 to 1.0); tests/test_release_fingerprints.py
# reads it off every listed sdist
MULTILEVEL_WITHOUT_TRANSPOSITION = frozenset(
    {r for c in CLASSES if c.package == "igraph" and c.name in "ABC" for r in c.releases}
    | {"0.11.5", "0.11.6"}
)


def multilevel_transposes(igraph_version: str | None) -> bool:
    """Whether this python-igraph's Louvain transposes two visiting positions per pass."""
    return igraph_version not in MULTILEVEL_WITHOUT_TRANSPOSITION


def release_class(package: str, version: str | None) -> ReleaseClass | None:
    """The class a listed release belongs to; None for a version not listed."""
    return _BY_RELEASE.get((package, version)) if version else None


def nearest_class(package: str, version: str) -> ReleaseClass | None:
    """For an unlisted version: the newest class whose first release precedes it (the
    behaviour ``python -m autozyme verify`` tests it against), or None."""
    key = _version_key(version)
    if key is None:
        return None
    found = None
    for c in CLASSES:
        first = _version_key(c.releases[0])
        if c.package == package and first is not None and first <= key:
            found = c
    return found


def _version_key(version: str) -> tuple[int, ...] | None:
    parts = []
    for piece in version.split(".")[:3]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            return None
        parts.append(int(digits))
    return tuple(parts)
