"""scanpy's own tests, run twice in the same environment: plain (upstream) and under
``pytest -p autozyme``. Every test must end the same way (including the ones that already
fail upstream, e.g. scanpy 1.11.5's test_leiden_random_state[igraph] with igraph 1.0)."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import tarfile
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from autozyme import verification

from ._compare import RNG_REASON, has_rng
from ._runner import ROOT, clean_env

pytestmark = pytest.mark.venv

CACHE = ROOT / ".venv-matrix"
# every scanpy test module that calls sc.tl.leiden directly or indirectly and runs offline
# (the pbmc3k notebook test needs data from the internet); test_plotting.py only for its
# heatmap tests, the ones that cluster. Paths differ between scanpy releases.
MODULES = ("test_clustering.py", "test_neighbors_key_added.py", "test_plotting.py")
ONLY = ["-k", "not test_plotting or heatmap"]
# tests whose sc.tl.leiden calls must all take the fast path (the others pass invalid
# arguments on purpose, or run louvain)
FAST_ONLY = [
    "-k",
    "leiden and not louvain and not wrong_flavor and not directed and not partition_type",
]
# scanpy's louvain tests whose calls are all of the default flavor "vtraag" with its
# default partition type (test_louvain_basic also runs flavor "igraph", test_partition_type
# other partition types)
LOUVAIN_FAST_ONLY = ["-k", "louvain and not basic and not partition_type"]


# scanpy 1.10.0 and 1.10.1 ship no tests (neither sdist nor wheel): the nearest release that
# does stands in, with the `testing` helpers its tests import (1.10.0's wheel has none). A
# test needing what 1.10.2 added fails upstream, and must fail the same way under autozyme.
TESTS_FROM = {"1.10.0": "1.10.2", "1.10.1": "1.10.2"}


@dataclass(frozen=True)
class Sources:
    root: Path  # the extracted sdist whose tests run
    helpers: Path | None  # a path entry holding only its `testing` package, when standing in


def _selection(source: Sources, modules: tuple[str, ...] = MODULES) -> list[str]:
    found = [
        str(path.relative_to(source.root))
        for name in modules
        for path in sorted(source.root.glob(f"tests/**/{name}"))
    ]
    assert found, f"no scanpy test modules in the sdist extracted at {source.root}"
    return found


def _scanpy_sources() -> Sources:
    installed = metadata.version("scanpy")
    version = TESTS_FROM.get(installed, installed)
    target = CACHE / f"scanpy-{version}"
    CACHE.mkdir(exist_ok=True)
    # both tests may start on different xdist workers: one downloads, the other waits
    with open(CACHE / "scanpy-sources.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "tests").is_dir():
            _download_and_extract(version)
        if version == installed:
            return Sources(target, None)
        helpers = CACHE / f"scanpy-{version}-helpers"
        if not (helpers / "testing").is_dir():
            shutil.copytree(target / "src" / "testing", helpers / "testing")
        return Sources(target, helpers)


def _download_and_extract(version: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"scanpy=={version}",
            "-d",
            str(CACHE),
        ],
        check=True,
        env=clean_env(),
    )
    with tarfile.open(CACHE / f"scanpy-{version}.tar.gz") as sdist:
        sdist.extractall(CACHE, filter="data")


def _outcomes(source: Sources, tmp_path: Path, *extra: str, **env: str) -> dict[str, str]:
    if source.helpers is not None:
        env["PYTHONPATH"] = str(source.helpers)
    report = tmp_path / f"report-{uuid.uuid4().hex}.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-o",
            f"cache_dir={tmp_path / 'cache'}",
            f"--junitxml={report}",
            *extra,
        ],
        cwd=source.root,
        env=clean_env(**env),
        capture_output=True,
        check=False,
        timeout=1800,
    )
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[name] = kinds[0] if kinds else "passed"
    return outcomes


@pytest.fixture(scope="module")
def source():
    return _scanpy_sources()


def test_same_outcomes_as_upstream(source, tmp_path):
    selection = [*_selection(source), *ONLY]
    upstream = _outcomes(source, tmp_path, *selection)
    ours = _outcomes(source, tmp_path, "-p", "autozyme", *selection)
    assert len(upstream) >= 20
    assert ours == upstream


def test_fast_path_where_expected(source, tmp_path):
    # the subprocesses read the real table (AUTOZYME_TEST_PROVE does not reach them)
    problems = {
        RNG_REASON if has_rng() else verification.unverified_reason(flavor)
        for flavor in ("igraph", "leidenalg")
    } - {None}
    if problems:
        pytest.skip(f"scanpy's leiden runs upstream here: {'; '.join(sorted(problems))}")
    selection = [*_selection(source, ("test_clustering.py",)), *FAST_ONLY]
    upstream = _outcomes(source, tmp_path, *selection)
    ours = _outcomes(source, tmp_path, "-p", "autozyme", *selection, AUTOZYME_FAIL_ON_FALLBACK="1")
    assert len(upstream) >= 5
    assert ours == upstream


def test_louvain_fast_path_where_expected(source, tmp_path):
    """scanpy's own louvain tests (all `needs.louvain`) take the fast path where louvain is
    installed and verified, and end as upstream's."""
    problem = verification.unverified_reason("louvain-vtraag")
    if problem:
        pytest.skip(f"scanpy's louvain runs upstream here: {problem}")
    selection = [*_selection(source, ("test_clustering.py",)), *LOUVAIN_FAST_ONLY]
    upstream = _outcomes(source, tmp_path, *selection)
    ours = _outcomes(source, tmp_path, "-p", "autozyme", *selection, AUTOZYME_FAIL_ON_FALLBACK="1")
    assert sum(kind == "passed" for kind in upstream.values()) >= 4
    assert ours == upstream
