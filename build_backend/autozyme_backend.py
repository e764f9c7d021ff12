"""The PEP 517 build backend: setuptools' own, plus the startup files in every wheel.

``autozyme.pth`` (and its PEP 829 twin ``autozyme.start``) must sit at the root of
site-packages for regular and editable installs alike. setuptools has no public option
for a file outside any package, so both wheel hooks add them to the wheel setuptools
built, with their RECORD lines. Everything else is ``setuptools.build_meta`` unchanged;
only its public PEP 517/660 hooks are used.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (re-exported PEP 517/660 hooks)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

ROOT = Path(__file__).resolve().parent.parent
STARTUP_FILES = ("autozyme.pth", "autozyme.start")


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def add_startup_files(wheel: Path) -> None:
    """Rewrite ``wheel`` with the startup files at its root and in its RECORD."""
    added = {name: (ROOT / name).read_bytes() for name in STARTUP_FILES}
    fd, tmp = tempfile.mkstemp(suffix=".whl", dir=wheel.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename in added:
                    continue
                data = src.read(info)
                if info.filename.endswith(".dist-info/RECORD"):
                    lines = [
                        line
                        for line in data.decode().splitlines()
                        if line.split(",", 1)[0] not in added
                    ]
                    lines[-1:-1] = [_record_line(n, d) for n, d in added.items()]
                    data = ("\n".join(lines) + "\n").encode()
                dst.writestr(info, data)
            for name, data in added.items():
                dst.writestr(name, data)
        os.replace(tmp, wheel)
    except BaseException:
        os.unlink(tmp)
        raise


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    add_startup_files(Path(wheel_directory) / name)
    return name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    name = _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
    add_startup_files(Path(wheel_directory) / name)
    return name
