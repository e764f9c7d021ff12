"""Every release listed in autozyme/verification/releases.py runs, where it shapes
Leiden's output, the code of its class's representative (the release the differential
suites prove), and neighbouring classes differ in that code.

The sdists come from the package registry (tests/_upstream_sources.py); the pieces each
package contributes are listed below, normalised by tests/_fingerprints.py. A piece of a
release that differs from its representative's must be in REVIEWED, which pins the exact
text a human read (by digest, so any further change fails again), and WHY must say, for
its class, why that difference cannot change what the fast path reproduces.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

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

# (class, piece) -> why that class's releases behave as the representative does there,
# where the fast path reproduces it
WHY: dict[tuple[str, str], str] = {
    ("S2", "py:RNGIgraph"): ("the adapter class under its older name RNGIgraph, same body"),
    ("S2", "py:_RNGIgraph"): ("renamed RNGIgraph in this release"),
    ("S2", "py:set_igraph_random_state"): ("builds the same adapter under its older name"),
    ("S2", "py:leiden"): (
        "ImportError without `as e` (error path); the same set_igraph_random_state reached "
        "through _utils"
    ),
    ("S2", "py:dematrix"): ("helper not yet split out; get_igraph_from_adjacency inlines it"),
    ("S2", "py:get_igraph_from_adjacency"): (
        "weights via .A1 of an np.matrix (= dematrix(...).ravel()); zip without strict= on "
        "equal-length arrays; try/except KeyError: pass = suppress(KeyError); the directed "
        "default is never used (leiden passes directed=)"
    ),
    ("S2", "py:NeighborsView"): (
        "no 'connectivities_key' item, which _choose_graph never asks for"
    ),
    ("S3", "py:rename_groups"): ("f-string builds the same prefix as the concatenation"),
    ("S4", "py:_validate_flavor"): (
        "a missing leidenalg raises ImportError with another message (error path, runs upstream)"
    ),
    ("S4", "py:get_igraph_from_adjacency"): ("directed has no default; leiden always passes it"),
    ("S4", "py:warn"): ("no __tracebackhide__ local (read by pytest only)"),
    ("A", "binding:igraphmodule_real_t_to_PyObject"): (
        "igraph_finite/igraph_is_nan = isfinite/isnan"
    ),
    ("A", "core:igraph_eit_create"): (
        "range-iterator bounds checks and messages only (leiden iterates all edges)"
    ),
    ("A", "core:igraph_vit_create"): (
        "range-iterator bounds checks and messages only (strength iterates all vertices)"
    ),
    ("A", "core:igraph_get_eid"): (
        "argument checks and message; reached only through edge-pair iterators leiden does "
        "not build"
    ),
    ("A", "core:igraph_i_community_leiden_quality"): (
        "igraph_edge() and IGRAPH_FROM/IGRAPH_TO read the same endpoints"
    ),
    ("A", "core:igraph_i_rng_get_uint64_bounded"): (
        "the _umul128 (MSVC) and __uint128_t branches change order; GCC/Clang on x86_64 "
        "compile the __uint128_t one in both"
    ),
    ("A", "core:igraph_i_umul128"): (
        "portable helper of the MSVC/fallback branch, not compiled where __uint128_t exists"
    ),
    ("A", "py:Clustering"): ("sizes() skips None members; a Leiden membership has none"),
    ("A", "py:VertexClustering"): ("super().__init__ = Clustering.__init__ (single inheritance)"),
    ("A", "py:_modularity"): (
        "takes resolution= and directed= (defaults 1 and True, the C defaults); A's "
        "community_leiden passes only the weights on"
    ),
    ("C", "binding:random.c"): ("RNG_MAX defined differently on wasm32 only"),
    ("C", "core:igraph_i_eit_create_allfromto"): (
        "declarations moved into the loops; a bool flag set with true instead of += 1"
    ),
    ("C", "core:igraph_i_incident"): ("false = 0 for an igraph_bool_t"),
    ("C", "core:igraph_vit_create"): ("true = 1 for an igraph_bool_t"),
    ("C", "core:igraph_reindex_membership"): (
        "a duplicated negative-index check (error path) removed"
    ),
    ("D", "core:igraph_i_community_leiden_aggregate"): (
        "igraph_bitset_t replaces igraph_vector_bool_t for the same flags; loop-local declarations"
    ),
    ("D", "core:igraph_i_community_leiden_clean_refined_membership"): (
        "loop-local declarations, const"
    ),
    ("D", "core:igraph_i_community_leiden_mergenodes"): (
        "igraph_bitset_t replaces igraph_vector_bool_t for the same flags; loop-local declarations"
    ),
    ("D", "core:igraph_i_community_leiden_fastmovenodes"): (
        "igraph_bitset_t for the same flags; an IGRAPH_ALLOW_INTERRUPTION every 10000 moves"
        " (0.11.5 only), which changes Ctrl-C latency, not the result"
    ),
    ("D", "core:igraph_modularity"): (
        "with no edges, writes NaN only if the output pointer is non-NULL (python-igraph "
        "always passes one)"
    ),
    ("D", "core:igraph_i_neighbors"): (
        "loop/multi-edge deduplication of igraph_neighbors, reached only through "
        "vit_create's adjacent-vertex sets, which strength and modularity do not build"
    ),
    ("L1", "build:pins"): (
        "only the Windows build script (.bat) pins another igraph C core (0.10.4; 0.10.2 "
        "pins 0.10.8); the Linux one (.sh) pins 0.10.4 in both"
    ),
    ("L1", "cpp:python_partition_interface.cpp"): ("an empty #ifdef DEBUG block"),
    ("A", "core:igraph_vector_int_max"): (
        "isnan() for igraph_is_nan(), in the real-vector branch only"
    ),
    ("A", "core:igraph_vector_int_min"): (
        "isnan() for igraph_is_nan(), in the real-vector branch only"
    ),
    ("C", "core:igraph_vector_int_max"): (
        "a stricter assertion that the vector is not empty (an abort path)"
    ),
    ("C", "core:igraph_vector_int_min"): (
        "a stricter assertion that the vector is not empty (an abort path)"
    ),
    ("D", "core:igraph_vector_int_contains"): ("parameter renamed, const on a read-only pointer"),
    ("D", "core:igraph_vector_int_init_range"): ("parameters renamed"),
    ("D", "core:igraph_vector_int_range"): ("parameters renamed"),
}

# (package, release, piece) -> digest of the text a human read and explained in WHY
REVIEWED: dict[tuple[str, str, str], str] = {
    ("scanpy", "1.10.2", "py:NeighborsView"): "1aaf88f16475886c",
    ("scanpy", "1.10.2", "py:RNGIgraph"): "740c1f673ef967d4",
    ("scanpy", "1.10.2", "py:_RNGIgraph"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.2", "py:dematrix"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.2", "py:get_igraph_from_adjacency"): "30158bbfb3260046",
    ("scanpy", "1.10.2", "py:leiden"): "defcdb30f9af09cd",
    ("scanpy", "1.10.2", "py:set_igraph_random_state"): "55d3b6d98da5d0e2",
    ("scanpy", "1.10.3", "py:RNGIgraph"): "740c1f673ef967d4",
    ("scanpy", "1.10.3", "py:_RNGIgraph"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.3", "py:dematrix"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.3", "py:get_igraph_from_adjacency"): "30158bbfb3260046",
    ("scanpy", "1.10.3", "py:leiden"): "defcdb30f9af09cd",
    ("scanpy", "1.10.3", "py:set_igraph_random_state"): "55d3b6d98da5d0e2",
    ("scanpy", "1.10.4", "py:RNGIgraph"): "740c1f673ef967d4",
    ("scanpy", "1.10.4", "py:_RNGIgraph"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.4", "py:dematrix"): "e3b0c44298fc1c14",
    ("scanpy", "1.10.4", "py:get_igraph_from_adjacency"): "3764c04e637ae284",
    ("scanpy", "1.10.4", "py:leiden"): "defcdb30f9af09cd",
    ("scanpy", "1.10.4", "py:set_igraph_random_state"): "55d3b6d98da5d0e2",
    ("scanpy", "1.11.0", "py:RNGIgraph"): "740c1f673ef967d4",
    ("scanpy", "1.11.0", "py:_RNGIgraph"): "e3b0c44298fc1c14",
    ("scanpy", "1.11.0", "py:dematrix"): "e3b0c44298fc1c14",
    ("scanpy", "1.11.0", "py:get_igraph_from_adjacency"): "cbaf5fa36b693846",
    ("scanpy", "1.11.0", "py:leiden"): "defcdb30f9af09cd",
    ("scanpy", "1.11.0", "py:set_igraph_random_state"): "55d3b6d98da5d0e2",
    ("scanpy", "1.11.1", "py:RNGIgraph"): "740c1f673ef967d4",
    ("scanpy", "1.11.1", "py:_RNGIgraph"): "e3b0c44298fc1c14",
    ("scanpy", "1.11.1", "py:dematrix"): "e3b0c44298fc1c14",
    ("scanpy", "1.11.1", "py:get_igraph_from_adjacency"): "cbaf5fa36b693846",
    ("scanpy", "1.11.1", "py:leiden"): "defcdb30f9af09cd",
    ("scanpy", "1.11.1", "py:set_igraph_random_state"): "55d3b6d98da5d0e2",
    ("scanpy", "1.11.4", "py:rename_groups"): "27bb2ab915bba810",
    ("scanpy", "1.12.0", "py:_validate_flavor"): "b7645de1749c06b8",
    ("scanpy", "1.12.0", "py:get_igraph_from_adjacency"): "b8d33806bbf638d6",
    ("scanpy", "1.12.0", "py:warn"): "304d77557b8870fe",
    ("scanpy", "1.12.1", "py:get_igraph_from_adjacency"): "b8d33806bbf638d6",
    ("igraph", "0.10.0", "binding:igraphmodule_real_t_to_PyObject"): "b340487de60aa01a",
    ("igraph", "0.10.0", "core:igraph_eit_create"): "3c19fdfd8b7de919",
    ("igraph", "0.10.0", "core:igraph_get_eid"): "5a49ef31d2d8a9f9",
    ("igraph", "0.10.0", "core:igraph_i_community_leiden_quality"): "d6cc0f9fc8bd84a1",
    ("igraph", "0.10.0", "core:igraph_i_rng_get_uint64_bounded"): "fea1a47532bb0b6c",
    ("igraph", "0.10.0", "core:igraph_i_umul128"): "e3b0c44298fc1c14",
    ("igraph", "0.10.0", "core:igraph_vector_int_max"): "7d05dd6a648b6f84",
    ("igraph", "0.10.0", "core:igraph_vector_int_min"): "e42a4f1844a133f6",
    ("igraph", "0.10.0", "core:igraph_vit_create"): "2a9e8c64e565ba70",
    ("igraph", "0.10.0", "py:Clustering"): "e18828644c38102d",
    ("igraph", "0.10.0", "py:VertexClustering"): "3b94bef84a152dee",
    ("igraph", "0.10.0", "py:_modularity"): "77e583966fb1c5cf",
    ("igraph", "0.10.1", "binding:igraphmodule_real_t_to_PyObject"): "b340487de60aa01a",
    ("igraph", "0.10.1", "core:igraph_eit_create"): "3c19fdfd8b7de919",
    ("igraph", "0.10.1", "core:igraph_get_eid"): "5a49ef31d2d8a9f9",
    ("igraph", "0.10.1", "core:igraph_i_community_leiden_quality"): "d6cc0f9fc8bd84a1",
    ("igraph", "0.10.1", "core:igraph_vector_int_max"): "7d05dd6a648b6f84",
    ("igraph", "0.10.1", "core:igraph_vector_int_min"): "e42a4f1844a133f6",
    ("igraph", "0.10.1", "core:igraph_vit_create"): "2a9e8c64e565ba70",
    ("igraph", "0.10.1", "py:Clustering"): "e18828644c38102d",
    ("igraph", "0.10.1", "py:VertexClustering"): "3b94bef84a152dee",
    ("igraph", "0.10.1", "py:_modularity"): "77e583966fb1c5cf",
    ("igraph", "0.10.5", "binding:random.c"): "493d5c993d4d53dd",
    ("igraph", "0.10.5", "core:igraph_i_eit_create_allfromto"): "1a649064c893a440",
    ("igraph", "0.10.5", "core:igraph_i_incident"): "227baacb97ab4a54",
    ("igraph", "0.10.5", "core:igraph_reindex_membership"): "b39a6d8e4f8c5fa4",
    ("igraph", "0.10.5", "core:igraph_vector_int_max"): "81c3104f4910674a",
    ("igraph", "0.10.5", "core:igraph_vector_int_min"): "61a1f876bce3b00f",
    ("igraph", "0.10.5", "core:igraph_vit_create"): "8a355a5265fccde5",
    ("igraph", "0.10.6", "core:igraph_i_eit_create_allfromto"): "1a649064c893a440",
    ("igraph", "0.10.6", "core:igraph_i_incident"): "227baacb97ab4a54",
    ("igraph", "0.10.6", "core:igraph_reindex_membership"): "b39a6d8e4f8c5fa4",
    ("igraph", "0.10.6", "core:igraph_vector_int_max"): "81c3104f4910674a",
    ("igraph", "0.10.6", "core:igraph_vector_int_min"): "61a1f876bce3b00f",
    ("igraph", "0.10.6", "core:igraph_vit_create"): "8a355a5265fccde5",
    ("igraph", "0.10.8", "core:igraph_reindex_membership"): "b39a6d8e4f8c5fa4",
    ("igraph", "0.10.8", "core:igraph_vector_int_max"): "81c3104f4910674a",
    ("igraph", "0.10.8", "core:igraph_vector_int_min"): "61a1f876bce3b00f",
    ("igraph", "0.11.2", "core:igraph_reindex_membership"): "b39a6d8e4f8c5fa4",
    ("igraph", "0.11.2", "core:igraph_vector_int_max"): "81c3104f4910674a",
    ("igraph", "0.11.2", "core:igraph_vector_int_min"): "61a1f876bce3b00f",
    ("igraph", "0.11.5", "core:igraph_i_community_leiden_aggregate"): "6548f25856e48a5e",
    (
        "igraph",
        "0.11.5",
        "core:igraph_i_community_leiden_clean_refined_membership",
    ): "a94f2c923377f185",
    ("igraph", "0.11.5", "core:igraph_i_community_leiden_fastmovenodes"): "6776f5a0dbefc60e",
    ("igraph", "0.11.5", "core:igraph_i_community_leiden_mergenodes"): "a4a4980ddd497f72",
    ("igraph", "0.11.5", "core:igraph_modularity"): "685c0581e652aa90",
    ("igraph", "0.11.5", "core:igraph_vector_int_contains"): "bfb66867d2f4f50d",
    ("igraph", "0.11.5", "core:igraph_vector_int_init_range"): "2e8e09b73e3fcc3d",
    ("igraph", "0.11.5", "core:igraph_vector_int_range"): "4e983e6ddbe7a27e",
    ("igraph", "0.11.6", "core:igraph_modularity"): "685c0581e652aa90",
    ("igraph", "0.11.6", "core:igraph_vector_int_contains"): "bfb66867d2f4f50d",
    ("igraph", "0.11.6", "core:igraph_vector_int_init_range"): "2e8e09b73e3fcc3d",
    ("igraph", "0.11.6", "core:igraph_vector_int_range"): "4e983e6ddbe7a27e",
    ("igraph", "0.11.9", "core:igraph_i_neighbors"): "add5b48f65f56768",
    ("leidenalg", "0.10.0", "build:pins"): "69e6fbbf8707b489",
    ("leidenalg", "0.10.0", "cpp:python_partition_interface.cpp"): "9ea07259c753e598",
    ("leidenalg", "0.10.1", "build:pins"): "69e6fbbf8707b489",
}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def _paths() -> dict[tuple[str, str], Path]:
    return sdists((c.package, r) for c in CLASSES for r in c.releases)


@cache
def fingerprint(package: str, release: str) -> Fingerprint:
    keep, normalise = NORMALISERS[package]
    return normalise(read_sdist(_paths()[package, release], keep))


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
        if reviewed != digest(mine.get(piece, "")) or (cls.name, piece) not in WHY:
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
    classes = {(members[key[:2]].name, key[2]) for key in REVIEWED if key[:2] in members}
    assert set(WHY) == classes


NEIGHBOURS = [(a, b) for a, b in itertools.pairwise(CLASSES) if a.package == b.package]


@pytest.mark.parametrize(
    ("before", "after"), NEIGHBOURS, ids=[f"{a.package}-{a.name}-{b.name}" for a, b in NEIGHBOURS]
)
def test_neighbouring_classes_differ(before: ReleaseClass, after: ReleaseClass) -> None:
    assert differing(
        fingerprint(before.package, before.representative),
        fingerprint(after.package, after.representative),
    )


# Louvain (Graph.community_multilevel): community/louvain.c, with the transposition of
# igraph #2650 taken out and these rewrites, each read to mean the same: an element set
# through the function or the macro; a vector zeroed by fill(0) or null(); the C core 1.0's
# igraph_incident(.., IGRAPH_LOOPS) is 0.10's (loops twice); its type name.
LOUVAIN_C = _CORE + "community/louvain.c"
_TRANSPOSITION = re.compile(
    r"RNG_BEGIN\(\);|RNG_END\(\);|if \(vcount > 1\) \{[^{}]*RNG_INTEGER[^{}]*\}", re.DOTALL
)
LOUVAIN_SAME = (
    (re.compile(r"igraph_vector_int_set\(([\w.]+), (\w+), ([^;]+)\);"), r"VECTOR(*\1)[\2] = \3;"),
    (re.compile(r"igraph_vector_fill\((\w+), 0\)"), r"igraph_vector_null(\1)"),
    (re.compile(r"(igraph_incident\(graph, edges, vertex, IGRAPH_ALL), IGRAPH_LOOPS\)"), r"\1)"),
    (re.compile(r"\bigraph_int_t\b"), "igraph_integer_t"),
)
# the releases whose Louvain the port reproduces (the others read the edges through
# igraph_edge(), smaller end first, which orders the links differently)
LOUVAIN_CLASSES = ("B", "C", "D", "E")


@cache
def _louvain_c(release: str) -> str:
    return read_sdist(_paths()[("igraph", release)], lambda p: p == LOUVAIN_C)[LOUVAIN_C]


def _louvain_tokens(release: str) -> list[str]:
    """Tokens without preprocessor lines (includes moved between headers)."""
    text = _TRANSPOSITION.sub("", _louvain_c(release))
    for pattern, replacement in LOUVAIN_SAME:
        text = pattern.sub(replacement, text)
    return [t for t in c_tokens(text) if t[0] != "#"]


IGRAPH_RELEASES = [r for c in CLASSES if c.package == "igraph" for r in c.releases]
LOUVAIN_RELEASES = [
    r for c in CLASSES if c.package == "igraph" and c.name in LOUVAIN_CLASSES for r in c.releases
]


def test_louvain_classes_are_the_enabled_ones() -> None:
    from autozyme import verification

    enabled = verification.FAST_PATH["Graph.community_multilevel"]["igraph"]
    assert enabled == set(LOUVAIN_CLASSES)
    assert verification.FAST_PATH["louvain-igraph"]["igraph"] <= enabled


@pytest.mark.parametrize("release", IGRAPH_RELEASES)
def test_louvain_transposition_by_release(release: str) -> None:
    """releases.MULTILEVEL_WITHOUT_TRANSPOSITION lists exactly the releases whose
    louvain.c draws no transposition per pass."""
    from autozyme.verification.releases import MULTILEVEL_WITHOUT_TRANSPOSITION

    transposes = "RNG_INTEGER" in _louvain_c(release)
    assert transposes == (release not in MULTILEVEL_WITHOUT_TRANSPOSITION)


@pytest.mark.parametrize("release", LOUVAIN_RELEASES)
def test_louvain_otherwise_as_in_the_newest_core(release: str) -> None:
    """Besides the transposition, each enabled release's louvain.c is the 1.0 core's, token
    for token, up to the rewrites of LOUVAIN_SAME: the port's one flag covers them all."""
    mine, theirs = _louvain_tokens(release), _louvain_tokens("1.0.0")
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    diff = [
        (" ".join(mine[i1:i2]), " ".join(theirs[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]
    assert not diff, diff[:20]
