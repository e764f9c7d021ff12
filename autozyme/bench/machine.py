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
    }


def one_line(m: dict[str, Any]) -> str:
    mem = "" if m["memory_gib"] is None else f", {m['memory_gib']:.0f} GiB RAM"
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    return f"{m['cpu']}, {m['cores']} cores{mem}; {m['platform']}; Python {m['python']}; {versions}"
