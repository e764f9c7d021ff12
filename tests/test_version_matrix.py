"""The differential suites on the other verified version combinations, each in its own venv.

The main test environment covers one combination; every other row of
``autozyme.verification.VERIFIED`` is exercised here, so no combination is enabled
without CI running the differential tests on it.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from ._runner import ROOT, clean_env

pytestmark = pytest.mark.venv

MATRIX_DIR = ROOT / ".venv-matrix"
IGRAPH_SUITES = ["tests/test_core_igraph.py", "tests/test_scanpy_igraph_flavor.py"]
LEIDENALG_SUITES = ["tests/test_core_leidenalg.py", "tests/test_scanpy_leidenalg_flavor.py"]
# what depends on scanpy's own code beyond the algorithms (signature, warnings, its tests)
SCANPY_FACING_SUITES = [
    "tests/test_activation.py",
    "tests/test_fallbacks.py",
    "tests/test_hardening.py",
    "tests/test_scanpy_suite.py",
]

# venv name -> (python minor, pins, suites)
COMBINATIONS = {
    "py312-scanpy1.12.4-igraph1.0.0": (
        "3.12",
        ["scanpy==1.12.4", "igraph==1.0.0", "leidenalg==0.12.0"],
        IGRAPH_SUITES + LEIDENALG_SUITES + SCANPY_FACING_SUITES,
    ),
    "py311-scanpy1.11.5-igraph0.11.8": (
        "3.11",
        ["scanpy==1.11.5", "igraph==0.11.8", "leidenalg==0.10.2", "pynndescent<0.7"],
        IGRAPH_SUITES + LEIDENALG_SUITES + SCANPY_FACING_SUITES,
    ),
    "py311-scanpy1.11.5-leidenalg0.11.0": (
        "3.11",
        ["scanpy==1.11.5", "igraph==1.0.0", "leidenalg==0.11.0", "pynndescent<0.7"],
        LEIDENALG_SUITES,
    ),
}


def _interpreter(minor: str) -> Path:
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(versions.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.fail(f"Python {minor} not found under {versions} (CI machines have it via pyenv)")
    return found[-1]


def _venv(name: str, minor: str, pins: list[str]) -> Path:
    """The combination's venv: dependencies installed once (stamped), and this checkout
    installed (editable) on every run so its compiled core is current."""
    path = MATRIX_DIR / name
    python = path / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q"]
    stamp = path / "installed.txt"
    wanted = "\n".join(pins)
    if not (stamp.exists() and stamp.read_text() == wanted):
        subprocess.run([str(_interpreter(minor)), "-m", "venv", "--clear", str(path)], check=True)
        subprocess.run([*pip, "-U", "pip"], check=True, env=clean_env())
        subprocess.run([*pip, f"{ROOT}[test]", *pins], check=True, env=clean_env())
        stamp.write_text(wanted)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True, env=clean_env())
    return python


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_differential_suites(name):
    minor, pins, suites = COMBINATIONS[name]
    python = _venv(name, minor, pins)
    out = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *suites],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    tail = "\n".join(out.stdout.splitlines()[-30:])
    assert out.returncode == 0, f"{name}:\n{tail}\n{out.stderr[-3000:]}"
    passed = re.search(r"(\d+) passed", tail)
    assert passed and int(passed.group(1)) >= 100, tail
