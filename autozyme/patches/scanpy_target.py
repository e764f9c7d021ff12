"""The ``scanpy`` target: ``sc.tl.leiden`` and ``sc.tl.louvain``, installed and removed
together (python-igraph's generator, which the louvain igraph flavor draws from, is tracked
by the target's second hook, :mod:`.igraph_generator`)."""

from __future__ import annotations

from typing import Any

from . import scanpy_leiden, scanpy_louvain
from .scanpy_functions import skip_our_frames_in_scanpy_warnings

__all__ = ["install", "patched_names", "uninstall"]

_PATCHES = (scanpy_leiden, scanpy_louvain)


def install(scanpy: Any, *, at_import: bool = False) -> None:
    for patch in _PATCHES:
        patch.install(scanpy, at_import=at_import)
    skip_our_frames_in_scanpy_warnings(True)


def uninstall() -> None:
    for patch in reversed(_PATCHES):
        patch.uninstall()
    skip_our_frames_in_scanpy_warnings(False)


def patched_names() -> list[str]:
    return [name for patch in _PATCHES for name in patch.patched_names()]
