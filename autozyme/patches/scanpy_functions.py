"""Replacing a scanpy function wherever scanpy exports it, and putting it back; shared by
the scanpy target's patches (``scanpy_leiden``, ``scanpy_louvain``)."""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["ExportedFunction", "inside_decorators", "skip_our_frames_in_scanpy_warnings"]

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


def _contents(cell: types.CellType) -> object:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not yet filled
        return None


def _calling(
    wrapper: Any, callee: Any, new_callee: Callable[..., Any]
) -> Callable[..., Any] | None:
    """A copy of the decorator's ``wrapper`` (same code, globals and cells) that calls
    ``new_callee`` where it called ``callee``; None unless it is a plain function holding
    ``callee`` in exactly one closure cell."""
    if type(wrapper) is not types.FunctionType:
        return None
    cells = wrapper.__closure__ or ()
    holding = [i for i, cell in enumerate(cells) if _contents(cell) is callee]
    if len(holding) != 1:
        return None
    closure = list(cells)
    closure[holding[0]] = types.CellType(new_callee)
    copy = types.FunctionType(
        wrapper.__code__,
        wrapper.__globals__,
        wrapper.__name__,
        wrapper.__defaults__,
        tuple(closure),
    )
    copy.__kwdefaults__ = wrapper.__kwdefaults__
    copy.__qualname__ = wrapper.__qualname__
    copy.__doc__ = wrapper.__doc__
    copy.__dict__.update(wrapper.__dict__)
    copy.__wrapped__ = new_callee  # type: ignore[attr-defined]
    return copy


def inside_decorators(
    function: Callable[..., Any],
    make_replacement: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> Callable[..., Any] | None:
    """``function``'s chain of decorators (followed by ``__wrapped__``) copied around
    ``make_replacement(innermost)``: upstream's own wrappers then convert positionals and
    warn (scanpy 1.12 deprecates louvain) exactly as they do, frame for frame, and the
    replacement sees the arguments the undecorated function does. None where a wrapper
    cannot be copied so (the caller wraps ``function`` itself)."""
    chain = [function]
    while callable(getattr(chain[-1], "__wrapped__", None)):
        chain.append(chain[-1].__wrapped__)
        if len(chain) > 16:  # a cycle, or not decorators
            return None
    if len(chain) < 2:
        return None
    current = make_replacement(chain[-1])
    for wrapper, callee in zip(reversed(chain[:-1]), reversed(chain[1:]), strict=True):
        copy = _calling(wrapper, callee, current)
        if copy is None:
            return None
        current = copy
    return current


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
