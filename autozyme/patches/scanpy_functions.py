"""Replacing a scanpy function wherever scanpy exports it, and putting it back; shared by
the scanpy target's patches (``scanpy_leiden``, ``scanpy_louvain``)."""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["ExportedFunction", "skip_our_frames_in_scanpy_warnings"]

# scanpy >= 1.12 attributes its warnings to the first frame outside these file prefixes;
# adding ours keeps them pointing at the user's line when they pass through our wrapper.
_OUR_PREFIX = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def skip_our_frames_in_scanpy_warnings(skip: bool) -> None:
    compat = sys.modules.get("scanpy._compat")
    prefixes = getattr(compat, "_FILE_PREFIXES", None)
    if not isinstance(prefixes, tuple):
        return
    others = tuple(p for p in prefixes if p != _OUR_PREFIX)
    compat._FILE_PREFIXES = (*others, _OUR_PREFIX) if skip else others


class ExportedFunction:
    """scanpy's function ``name``, defined in ``implementation`` and exported from each of
    ``exporting``, replaced by ``make_replacement(original)`` in all of them."""

    def __init__(
        self,
        name: str,
        implementation: str,
        exporting: tuple[str, ...],
        make_replacement: Callable[[Callable[..., Any]], Callable[..., Any]],
    ) -> None:
        self.name = name
        self.implementation = implementation
        self.exporting = exporting
        self.make_replacement = make_replacement
        self._lock = threading.Lock()
        # module name -> (module, original function)
        self._replaced: dict[str, tuple[ModuleType, Callable[..., Any]]] = {}

    def install(self) -> None:
        """Replace the function wherever scanpy exports it (idempotent)."""
        implementation = importlib.import_module(self.implementation)
        with self._lock:
            current = getattr(implementation, self.name)
            upstream = getattr(current, "__autozyme_original__", current)
            replacement = current if current is not upstream else self.make_replacement(upstream)
            for name in self.exporting:
                module = importlib.import_module(name)
                if getattr(module, self.name, None) is upstream:
                    setattr(module, self.name, replacement)
                    self._replaced[name] = (module, upstream)

    def uninstall(self) -> None:
        """Put the original function objects back (idempotent)."""
        with self._lock:
            for module, original in self._replaced.values():
                setattr(module, self.name, original)
            self._replaced.clear()

    def patched_names(self) -> list[str]:
        with self._lock:
            return sorted(f"{module}.{self.name}" for module in self._replaced)
