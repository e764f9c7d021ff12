"""What the numbers were measured on: CPU, cores, memory, load, package versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

PACKAGES = ("autozyme", "scanpy", "anndata", "igraph", "leidenalg", "networkit", "numpy", "scipy")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def autozyme_build() -> dict[str, str | None]:
    """Which AutoZyme was measured: the checkout's commit (if any) and the compiled core's
    hash (an editable install runs whatever extension was built last)."""
    import hashlib
    import subprocess
    from pathlib import Path

    import autozyme

    package = Path(autozyme.__file__).parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    cores = sorted(package.glob("_core*.so")) + sorted(package.glob("_core*.pyd"))
    digest = hashlib.sha256(cores[0].read_bytes()).hexdigest()[:12] if cores else None
    return {"commit": commit, "core_sha256": digest}


def describe() -> dict[str, Any]:
    versions = {}
    for dist in PACKAGES:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "autozyme_build": autozyme_build(),
    }


def one_line(m: dict[str, Any]) -> str:
    mem = "" if m["memory_gib"] is None else f", {m['memory_gib']:.0f} GiB RAM"
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    return f"{m['cpu']}, {m['cores']} cores{mem}; {m['platform']}; Python {m['python']}; {versions}"
