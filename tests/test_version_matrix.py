"""The version matrix: every behaviour class the fast path is enabled for is proven by the
differential suites, run on the class's representative release in a venv of its own.

Each row pins one class per package at its representative (``releases.py``) and runs the
suites that prove what the row is there for. The first row is the environment this run
happens in (the README's install); every other row builds its venv here. The pins beyond
the representatives are what the combination needs to install and import, nothing more.

Rows build and run concurrently with the rest of the suite under ``pytest -n 2``.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from autozyme import verification
from autozyme.verification.releases import CLASSES, ReleaseClass

from ._runner import ROOT, clean_env, pinned_venv

MATRIX_DIR = ROOT / ".venv-matrix"
# address space per process of a row (a row's pytest peaks below 2 GiB)
ROW_MEMORY = 8 * 2**30
# wall seconds per row run (one hang upstream must not eat the CI budget)
ROW_SECONDS = 1200

# flavor (or target) -> the suites proving it: the compiled core against the upstream
# package, then sc.tl.leiden against upstream scanpy; each target's patched function
# (Graph.community_leiden; leidenalg.find_partition and Optimiser.optimise_partition)
# against upstream's, and its fallbacks
FLAVOR_SUITES = {
    "igraph": ("tests/test_core_igraph.py", "tests/test_scanpy_igraph_flavor.py"),
    "leidenalg": ("tests/test_core_leidenalg.py", "tests/test_scanpy_leidenalg_flavor.py"),
    "louvain-igraph": (
        "tests/test_scanpy_louvain_igraph.py",
        "tests/test_scanpy_louvain_fallbacks.py",
    ),
    # scanpy's own louvain tests need the louvain package: its row runs them
    "louvain-vtraag": (
        "tests/test_core_louvain.py",
        "tests/test_scanpy_louvain_vtraag.py",
        "tests/test_scanpy_louvain_fallbacks.py",
        "tests/test_scanpy_suite.py",
    ),
    "Graph.community_leiden": ("tests/test_igraph_target.py", "tests/test_igraph_fallbacks.py"),
    "Graph.community_multilevel": (
        "tests/test_igraph_multilevel.py",
        "tests/test_igraph_multilevel_fallbacks.py",
    ),
    "find_partition": (
        "tests/test_leidenalg_target.py",
        "tests/test_leidenalg_fallbacks.py",
        "tests/test_leidenalg_optimiser.py",
        "tests/test_leidenalg_optimiser_fallbacks.py",
        "tests/test_leidenalg_multiplex.py",
        "tests/test_leidenalg_multiplex_fallbacks.py",
    ),
}
# differential suites of flavors enabled for fewer classes than the Leiden ones: only the
# rows holding such a class run them (elsewhere every case would skip, proving nothing);
# their fallback suites run everywhere
MULTILEVEL = ("tests/test_igraph_multilevel.py",)  # Graph.community_multilevel: B-E
LOUVAIN_IGRAPH = ("tests/test_scanpy_louvain_igraph.py",)  # scanpy S1-S4, igraph C-E
# the louvain package's suites: it installs beside python-igraph < 0.12 only (its row)
LOUVAIN_ONLY = ("tests/test_core_louvain.py", "tests/test_scanpy_louvain_vtraag.py")
NARROW = MULTILEVEL + LOUVAIN_IGRAPH + LOUVAIN_ONLY
DIFFERENTIAL = tuple(
    dict.fromkeys(
        suite
        for suites in FLAVOR_SUITES.values()
        for suite in suites
        if suite not in NARROW and suite != "tests/test_scanpy_suite.py"
    )
)
# what depends on scanpy's own code beyond the algorithms (signature, warnings, its tests)
SCANPY_FACING = (
    "tests/test_activation.py",
    "tests/test_fallbacks.py",
    "tests/test_hardening.py",
    "tests/test_scanpy_suite.py",
)
CLASS = {c.name: c for c in CLASSES}


@dataclass(frozen=True)
class Row:
    python: str  # minor version
    classes: tuple[str, ...]  # one class per package, each pinned at its representative
    pins: tuple[str, ...]  # what else the combination needs
    suites: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"py{self.python}-{'-'.join(self.classes)}"

    @property
    def releases(self) -> dict[str, ReleaseClass]:
        return {CLASS[name].package: CLASS[name] for name in self.classes}

    def requirements(self) -> list[str]:
        reps = [f"{c.package}=={c.representative}" for c in self.releases.values()]
        return [*reps, *self.pins]


# the environment this run happens in: README's install on the CI's python3
MAIN = Row(
    "3.11", ("S3", "E", "L3"), (), DIFFERENTIAL + MULTILEVEL + LOUVAIN_IGRAPH + SCANPY_FACING
)
BUILT = (
    # numpy 1.x; anndata, pandas, numba as pip resolves them for numpy<2 on 3.10
    Row("3.10", ("S1", "A", "L1"), ("numpy<2",), DIFFERENTIAL + SCANPY_FACING),
    # S1's resolution_parameter= under python-igraph >= 0.10.3: the DeprecationWarning
    # python-igraph emits there (A takes the keyword silently)
    # Louvain under S1: both flavors (louvain 0.8.2 has wheels for 3.10), and scanpy's own
    # louvain tests (1.10.2's, standing in)
    Row(
        "3.10",
        ("S1", "D", "L1", "V1"),
        ("numpy<2",),
        FLAVOR_SUITES["igraph"][1:] + MULTILEVEL + LOUVAIN_IGRAPH + FLAVOR_SUITES["louvain-vtraag"],
    ),
    # scanpy 1.11.3's own tests: anndata 0.13's test helpers use a marker 1.11.3 does not
    # register, and anndata's helpers import fast-array-utils (or dask)
    Row(
        "3.13",
        ("S2", "C", "L1"),
        ("anndata<0.13", "fast-array-utils"),
        DIFFERENTIAL + MULTILEVEL + LOUVAIN_IGRAPH + SCANPY_FACING,
    ),
    # python-igraph B under the newest scanpy; S4's scanpy-facing suites run in the row below
    Row("3.12", ("S4", "B", "L1"), (), DIFFERENTIAL + MULTILEVEL),
    # S4's louvain runs inside its deprecation decorator: proven here
    Row("3.12", ("S4", "E", "L3"), (), DIFFERENTIAL + LOUVAIN_IGRAPH + SCANPY_FACING),
    # python-igraph D; S3's scanpy-facing suites run in the main environment. louvain 0.8.2
    # (sc.tl.louvain's default flavor) requires python-igraph < 0.12: here its suites and
    # scanpy's own tests, whose louvain tests all need it
    Row(
        "3.11",
        ("S3", "D", "L1", "V1"),
        (),
        tuple(
            dict.fromkeys(
                DIFFERENTIAL + MULTILEVEL + LOUVAIN_IGRAPH + FLAVOR_SUITES["louvain-vtraag"]
            )
        ),
    ),
    # leidenalg 0.11.0 requires python-igraph >= 1.0
    Row(
        "3.11", ("S3", "E", "L2"), (), FLAVOR_SUITES["leidenalg"] + FLAVOR_SUITES["find_partition"]
    ),
    # scanpy's preview release: everything goes upstream, unchanged; its scanpy2 extra is
    # what the ScanpyV2Preview preset requires (setting it raises ImportError without)
    Row("3.13", ("S5", "E", "L3"), ("scanpy[scanpy2]",), ("tests/test_fallbacks.py",)),
)
ROWS = (MAIN, *BUILT)


def test_rows_pin_one_class_per_package():
    """scanpy, python-igraph and leidenalg in every row; louvain where a row needs it."""
    assert len(CLASS) == len(CLASSES), "class names must be unique across packages"
    for row in ROWS:
        packages = [CLASS[name].package for name in row.classes]
        assert len(packages) == len(set(packages)), row.name
        assert set(verification.PACKAGES["leidenalg"]) <= set(packages), row.name
        assert set(packages) <= set(verification.PACKAGES["louvain-vtraag"]) | {"leidenalg"}
    assert len({row.name for row in ROWS}) == len(ROWS)


def _proves(row: Row, flavor: str) -> bool:
    """The row runs the flavor's suites with every package of the flavor in an enabled class
    (elsewhere the flavor goes upstream and its suites prove nothing)."""
    enabled = verification.FAST_PATH[flavor]
    return set(FLAVOR_SUITES[flavor]) <= set(row.suites) and all(
        package in row.releases and row.releases[package].name in enabled[package]
        for package in enabled
    )


@pytest.mark.parametrize("flavor", sorted(verification.FAST_PATH))
def test_every_enabled_class_has_a_row_proving_it(flavor):
    unproven = [
        f"{package} {name}"
        for package, names in verification.FAST_PATH[flavor].items()
        for name in sorted(names)
        if not any(_proves(row, flavor) and row.releases[package].name == name for row in ROWS)
    ]
    assert not unproven, f"flavor={flavor!r} enabled without a matrix row proving it: {unproven}"
    scanpy_unfaced = [
        name
        for name in sorted(verification.FAST_PATH[flavor].get("scanpy", ()))
        if not any(
            row.releases["scanpy"].name == name and set(SCANPY_FACING) <= set(row.suites)
            for row in ROWS
        )
    ]
    assert not scanpy_unfaced, f"scanpy classes without the scanpy-facing suites: {scanpy_unfaced}"


def test_this_environment_is_the_main_row():
    found = verification.detected_versions()
    wanted = {package: c.representative for package, c in MAIN.releases.items()}
    assert {package: found[package] for package in wanted} == wanted
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == MAIN.python


def _outcomes(report: Path) -> dict[str, Counter]:
    """suite file -> outcome counts, from pytest's junit report."""
    counts: dict[str, Counter] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        # a module that fails to import is one case named after the module, no classname
        module = (case.get("classname") or case.get("name", "")).split(".")
        suite = "/".join(module[:2]) + ".py"
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        counts.setdefault(suite, Counter())[kinds[0] if kinds else "passed"] += 1
    return counts


def _children_cpu() -> float:
    """CPU seconds of this process's finished subprocesses (a row's cost, whatever the load)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.fixture(params=BUILT, ids=lambda row: row.name)
def row_venv(request):
    """The row's venv (built in the fixture, so --durations shows build and run apart)."""
    row = request.param
    before = _children_cpu()
    python, checkout = pinned_venv(MATRIX_DIR / row.name, row.python, row.requirements())
    # user_properties: reported by --junitxml (record_property warns under xunit2)
    request.node.user_properties.append(("build_cpu_seconds", round(_children_cpu() - before)))
    return row, python, checkout


@pytest.mark.venv
def test_row(request, row_venv):
    row, python, checkout = row_venv
    before = _children_cpu()
    report = checkout.parent / "report.xml"
    report.unlink(missing_ok=True)
    with subprocess.Popen(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # a suite that fails to import must not hide how the others end
            "--continue-on-collection-errors",
            f"--junitxml={report}",
            *row.suites,
        ],
        cwd=checkout,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as run:
        # a test that sends a huge input upstream (a class not enabled yet) fails with
        # MemoryError instead of the machine's OOM killer ending this run and others
        resource.prlimit(run.pid, resource.RLIMIT_AS, (ROW_MEMORY, ROW_MEMORY))
        # a call that never returns upstream must end this row, not the whole CI run
        try:
            stdout, stderr = run.communicate(timeout=ROW_SECONDS)
        except subprocess.TimeoutExpired:
            run.kill()
            stdout, stderr = run.communicate()
            pytest.fail(f"{row.name}: not done in {ROW_SECONDS} s\n{stdout[-3000:]}")
    request.node.user_properties.append(("run_cpu_seconds", round(_children_cpu() - before)))
    counts = _outcomes(report) if report.exists() else {}
    summary = "\n".join(
        f"  {suite}: {dict(counts.get(suite, Counter())) or 'not run'}" for suite in row.suites
    )
    tail = "\n".join(stdout.splitlines()[-40:])
    assert run.returncode == 0, f"{row.name}:\n{summary}\n{tail}\n{stderr[-3000:]}"
    empty = [suite for suite in row.suites if not counts.get(suite, Counter())["passed"]]
    assert not empty, f"{row.name}: no test passed in {empty}\n{summary}"
