"""Upstream source distributions: downloaded once with pip, cached, read in place.

The cache is ``$AUTOZYME_SDIST_CACHE`` (default ``~/.cache/autozyme-sdists``); an sdist
already there is reused, so a warm run touches no network. pip needs each sdist's build
backend to read its metadata; the backends live in a small venv inside the cache, made
on the first download, so a fresh machine needs nothing but the package registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Lock

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["cache_dir", "read_sdist", "sdists"]

# what the sdists of scanpy (hatchling, hatch-vcs), python-igraph and leidenalg
# (setuptools, setuptools-scm, wheel) need to report their metadata; leidenalg >= 0.11
# writes its licence as a PEP 639 string, which setuptools reads from 77 on (python-igraph's
# own pin below 72.2 concerns building, which a download does not do)
BUILD_BACKENDS = ("setuptools>=77", "wheel", "hatchling", "hatch-vcs", "setuptools-scm")
PARALLEL = 6  # each pip call spends ~15 s preparing metadata, mostly waiting
_backend_lock = Lock()


def cache_dir() -> Path:
    return Path(os.environ.get("AUTOZYME_SDIST_CACHE") or "~/.cache/autozyme-sdists").expanduser()


def _cached(cache: Path, package: str, version: str) -> Path | None:
    # sdist names normalise the version ("scanpy-1.12.tar.gz" is 1.12.0)
    for path in cache.iterdir():
        stem = path.name.removesuffix(".tar.gz").removesuffix(".zip")
        if stem == path.name or "-" not in stem:
            continue
        name, _, found = stem.rpartition("-")
        try:
            if canonicalize_name(name) == canonicalize_name(package) and Version(found) == Version(
                version
            ):
                return path
        except InvalidVersion:
            continue
    return None


def _backend_python(cache: Path) -> Path:
    env = cache / ".build-backends"
    python = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    with _backend_lock:
        if not (env / "ready").exists():
            venv.create(env, with_pip=True, clear=True)
            _pip(python, "install", "-q", "-U", *BUILD_BACKENDS)
            (env / "ready").touch()
    return python


def _pip(python: Path, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _download(cache: Path, package: str, version: str) -> Path:
    found = _cached(cache, package, version)
    if found is not None:
        return found
    _pip(
        _backend_python(cache),
        "download",
        "-q",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--ignore-requires-python",
        "--no-build-isolation",
        f"{package}=={version}",
        "-d",
        str(cache),
    )
    found = _cached(cache, package, version)
    if found is None:
        raise RuntimeError(f"pip downloaded no sdist of {package} {version} into {cache}")
    return found


def sdists(releases: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Path]:
    """(package, version) -> its sdist in the cache, downloading the missing ones a few
    at a time."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    wanted = sorted(set(releases))
    with ThreadPoolExecutor(PARALLEL) as pool:
        paths = pool.map(lambda r: _download(cache, *r), wanted)
        return dict(zip(wanted, paths, strict=True))


def read_sdist(path: Path, keep: Callable[[str], bool]) -> dict[str, str]:
    """The text of the archive's files whose path (below the top directory) ``keep``
    accepts; read straight from the archive, nothing is extracted."""
    found: dict[str, str] = {}
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                inner = name.partition("/")[2]
                if inner and not name.endswith("/") and keep(inner):
                    found[inner] = archive.read(name).decode("utf-8", "replace")
        return found
    with tarfile.open(path) as archive:
        for member in archive:
            inner = member.name.partition("/")[2]
            if member.isfile() and keep(inner):
                data = archive.extractfile(member).read()  # type: ignore[union-attr]
                found[inner] = data.decode("utf-8", "replace")
    return found


if __name__ == "__main__":  # fill the cache: python tests/_upstream_sources.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from autozyme.verification.releases import CLASSES

    for (package, version), path in sdists(
        (c.package, r) for c in CLASSES for r in c.releases
    ).items():
        print(package, version, path)
