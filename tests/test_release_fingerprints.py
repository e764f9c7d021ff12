"""Every release listed in autozyme/verification/releases.py runs, where it shapes
Leiden's output, the code of its class's representative (the release the differential
suites prove), and neighbouring classes differ in that code.

The sdists come from the package registry (tests/_upstream_sources.py); the pieces each
package contributes are listed below, normalised by tests/_fingerprints.py. A piece of a
release that differs from its representative's must be in REVIEWED: a human read that
difference and found it cannot change what the fast path reproduces; the entry pins the
exact text read (by digest), so any further change fails again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache

import pytest

from autozyme.verification.releases import CLASSES, ReleaseClass

from ._fingerprints import c_closure, c_tokens, python_definitions
from ._upstream_sources import read_sdist, sdists

Fingerprint = dict[str, str]

# scanpy: leiden and what it calls to build the graph, seed igraph and write the result
SCANPY_DEFINITIONS = (
    "leiden",
    "_validate_flavor",
    "_choose_graph",
    "NeighborsView",
    "get_igraph_from_adjacency",
    "dematrix",
    "ensure_igraph",
    "set_igraph_random_state",
    "_set_igraph_rng",
    "RNGIgraph",
    "_RNGIgraph",
    "_LegacyRng",
    "_accepts_legacy_random_state",
    "_legacy_random_state",
    "_if_legacy_apply_global",
    "Default",
    "restrict_adjacency",
    "rename_groups",
    "warn_once",
    "warn",
)

# python-igraph: its C core from igraph_community_leiden / igraph_modularity /
# igraph_strength down (the files holding what they call, the RNG's integer and real
# draws, the incidence lists), the vector template's shuffle and search as leaves, the
# binding's wrappers and its whole RNG bridge, and the Python layer
_CORE = "vendor/source/igraph/src/"
IGRAPH_CORE_FILES = tuple(
    _CORE + p
    for p in (
        "community/leiden.c",
        "community/community_misc.c",
        "community/modularity.c",
        "properties/degrees.c",
        "graph/adjlist.c",
        "graph/type_indexededgelist.c",
        "graph/iterators.c",
        "constructors/basic_constructors.c",
        "random/random.c",
    )
)
IGRAPH_VECTOR_TEMPLATE = _CORE + "core/vector.pmt"
IGRAPH_CORE_ROOTS = (
    "igraph_community_leiden",
    "igraph_modularity",
    "igraph_strength",
    "igraph_rng_get_integer",
    "igraph_rng_get_unif01",
    "igraph_rng_get_unif",
)
IGRAPH_BINDING_FILES = ("src/_igraph/graphobject.c", "src/_igraph/convert.c")
IGRAPH_BINDING_ROOTS = ("igraphmodule_Graph_community_leiden", "igraphmodule_Graph_modularity")
IGRAPH_RNG_BRIDGE = "src/_igraph/random.c"
IGRAPH_DEFINITIONS = ("_community_leiden", "_modularity", "Clustering", "VertexClustering")

# leidenalg: the Python layer, the C++ bindings, and the versions of libleidenalg and of
# the igraph C core its build scripts fetch (neither is in the sdist)
LEIDENALG_DEFINITIONS = (
    "find_partition",
    "Optimiser",
    "MutableVertexPartition",
    "LinearResolutionParameterVertexPartition",
    "ModularityVertexPartition",
    "RBConfigurationVertexPartition",
    "CPMVertexPartition",
)
LEIDENALG_BUILD_PINS = re.compile(r"^\s*(?:set\s+)?(LIBLEIDENALG_VERSION|IGRAPH_VERSION)=.*$", re.M)


def _python(files: dict[str, str], prefix: str, names: tuple[str, ...]) -> Fingerprint:
    sources = {p: t for p, t in files.items() if p.startswith(prefix) and p.endswith(".py")}
    return {f"py:{k}": v for k, v in python_definitions(sources, names).items()}


def _scanpy(files: dict[str, str]) -> Fingerprint:
    prefix = "src/scanpy/" if any(p.startswith("src/scanpy/") for p in files) else "scanpy/"
    return _python(files, prefix, SCANPY_DEFINITIONS)


def _vector_instances(template: str) -> str:
    # the template's FUNCTION(igraph_vector, name) for the real and the integer vector
    return "".join(
        re.sub(r"FUNCTION\(\s*igraph_vector\s*,\s*(\w+)\s*\)", prefix + r"\1", template)
        for prefix in ("igraph_vector_", "igraph_vector_int_")
    )


def _igraph(files: dict[str, str]) -> Fingerprint:
    core = c_closure(
        {p: files[p] for p in IGRAPH_CORE_FILES},
        IGRAPH_CORE_ROOTS,
        leaves={IGRAPH_VECTOR_TEMPLATE: _vector_instances(files[IGRAPH_VECTOR_TEMPLATE])},
    )
    binding = c_closure({p: files[p] for p in IGRAPH_BINDING_FILES}, IGRAPH_BINDING_ROOTS)
    return {
        **{f"core:{k}": v for k, v in core.items()},
        **{f"binding:{k}": v for k, v in binding.items()},
        "binding:random.c": " ".join(c_tokens(files[IGRAPH_RNG_BRIDGE])),
        **_python(files, "src/igraph/", IGRAPH_DEFINITIONS),
    }


def _leidenalg(files: dict[str, str]) -> Fingerprint:
    found = {
        f"cpp:{p.rsplit('/', 1)[-1]}": " ".join(c_tokens(t))
        for p, t in files.items()
        if p.endswith((".cpp", ".h")) and p.startswith(("src/leidenalg/", "include/"))
    }
    pins = sorted(
        " ".join(m.group().split())
        for p, t in files.items()
        if p.startswith("scripts/build_")
        for m in LEIDENALG_BUILD_PINS.finditer(t)
    )
    found["build:pins"] = "\n".join(pins)
    return {**found, **_python(files, "src/leidenalg/", LEIDENALG_DEFINITIONS)}


def _keep_igraph(path: str) -> bool:
    return (
        path in IGRAPH_CORE_FILES
        or path in IGRAPH_BINDING_FILES
        or path in (IGRAPH_VECTOR_TEMPLATE, IGRAPH_RNG_BRIDGE)
        or (path.startswith("src/igraph/") and path.endswith(".py"))
    )


NORMALISERS: dict[str, tuple[Callable[[str], bool], Callable[[dict[str, str]], Fingerprint]]] = {
    "scanpy": (
        lambda p: p.endswith(".py") and p.startswith(("scanpy/", "src/scanpy/")),
        _scanpy,
    ),
    "igraph": (_keep_igraph, _igraph),
    "leidenalg": (
        lambda p: p.startswith(("src/leidenalg/", "include/", "scripts/build_")),
        _leidenalg,
    ),
}

# (package, release, piece) -> (digest of that release's piece, why it behaves as the
# representative's does where the fast path reproduces it)
REVIEWED: dict[tuple[str, str, str], tuple[str, str]] = {}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def _paths() -> dict[tuple[str, str], object]:
    return sdists((c.package, r) for c in CLASSES for r in c.releases)


@cache
def fingerprint(package: str, release: str) -> Fingerprint:
    keep, normalise = NORMALISERS[package]
    return normalise(read_sdist(_paths()[package, release], keep))  # type: ignore[arg-type]


def differing(a: Fingerprint, b: Fingerprint) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


MEMBERS = [(c, r) for c in CLASSES for r in c.releases if r != c.representative]


@pytest.mark.parametrize(("cls", "release"), MEMBERS, ids=[f"{c.package}-{r}" for c, r in MEMBERS])
def test_release_runs_its_representatives_code(cls: ReleaseClass, release: str) -> None:
    mine = fingerprint(cls.package, release)
    theirs = fingerprint(cls.package, cls.representative)
    unexplained = []
    for piece in differing(mine, theirs):
        reviewed = REVIEWED.get((cls.package, release, piece))
        if reviewed is None or reviewed[0] != digest(mine.get(piece, "")):
            unexplained.append(piece)
    assert not unexplained, (
        f"{cls.package} {release} differs from {cls.representative} (class {cls.name}) in "
        f"{unexplained}"
    )


def test_every_review_is_of_a_listed_difference() -> None:
    members = {(c.package, r): c for c, r in MEMBERS}
    stale = [
        key
        for key in REVIEWED
        if key[:2] not in members
        or key[2]
        not in differing(
            fingerprint(*key[:2]), fingerprint(key[0], members[key[:2]].representative)
        )
    ]
    assert not stale


NEIGHBOURS = [(a, b) for a, b in zip(CLASSES, CLASSES[1:], strict=False) if a.package == b.package]


@pytest.mark.parametrize(
    ("before", "after"), NEIGHBOURS, ids=[f"{a.package}-{a.name}-{b.name}" for a, b in NEIGHBOURS]
)
def test_neighbouring_classes_differ(before: ReleaseClass, after: ReleaseClass) -> None:
    assert differing(
        fingerprint(before.package, before.representative),
        fingerprint(after.package, after.representative),
    )
