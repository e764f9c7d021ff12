"""Scanpy-facing patches: argument handling, the fast-path decision, output writing."""

from __future__ import annotations


def patched_functions() -> list[str]:
    """Qualified names of the functions currently replaced by AutoZyme."""
    import sys

    module = sys.modules.get(f"{__name__}.scanpy_leiden")
    return module.patched_names() if module is not None else []
