"""The patches of each target: argument handling, the fast-path decision, output writing."""

from __future__ import annotations


def patched_functions() -> list[str]:
    """Qualified names of the functions currently replaced by AutoZyme."""
    import sys

    names: list[str] = []
    for patch in ("scanpy_target", "igraph_community", "igraph_generator", "leidenalg_target"):
        module = sys.modules.get(f"{__name__}.{patch}")
        if module is not None:
            names.extend(module.patched_names())
    return sorted(names)
