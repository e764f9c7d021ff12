"""scanpy's own tests, run twice in the same environment: plain (upstream) and under
``pytest -p autozyme``. Every test must end the same way (including the ones that already
fail upstream, e.g. scanpy 1.11.5's test_leiden_random_state[igraph] with igraph 1.0)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tarfile
import uuid
import xml.etree.ElementTree as ET
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


def _selection(source: Path, modules: tuple[str, ...] = MODULES) -> list[str]:
    found = [
        str(path.relative_to(source))
        for name in modules
        for path in sorted(source.glob(f"tests/**/{name}"))
    ]
    if not found:  # e.g. scanpy 1.10.x's sdist leaves its tests out
        pytest.skip(f"no scanpy test modules in the sdist extracted at {source}")
    return found


def _scanpy_sources() -> Path:
    version = metadata.version("scanpy")
    target = CACHE / f"scanpy-{version}"
    CACHE.mkdir(exist_ok=True)
    # both tests may start on different xdist workers: one downloads, the other waits
    with open(CACHE / "scanpy-sources.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "tests").is_dir():
            _download_and_extract(version)
    return target


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


def _outcomes(source: Path, tmp_path: Path, *extra: str, env=None) -> dict[str, str]:
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
        cwd=source,
        env=env or clean_env(),
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
    ours = _outcomes(
        source, tmp_path, "-p", "autozyme", *selection, env=clean_env(AUTOZYME_FAIL_ON_FALLBACK="1")
    )
    assert len(upstream) >= 5
    assert ours == upstream
