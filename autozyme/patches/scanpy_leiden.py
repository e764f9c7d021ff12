"""The patch of ``scanpy.tl.leiden``: install/uninstall, and the per-call routing.

The replacement keeps upstream's name, docstring, signature and ``__wrapped__``. Each
call goes through :func:`autozyme.patches.leiden_decision.decide`, the one decision
point; a fallback runs the original function with the original arguments, so results,
warnings and exceptions are upstream's own.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import os
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .leiden_decision import decide
from .leiden_fast import run_fast_path
from .leiden_warnings import warn_like_upstream
from .routing import FallbackError, bind_arguments, route

__all__ = ["FallbackError", "install", "patched_names", "uninstall"]

logger = logging.getLogger("autozyme")

FUNCTION = "scanpy.tl.leiden"
_IMPLEMENTATION_MODULE = "scanpy.tools._leiden"
_EXPORTING_MODULES = ("scanpy.tools._leiden", "scanpy.tools")

_lock = threading.Lock()
# module name -> (module, original function)
_replaced: dict[str, tuple[ModuleType, Callable[..., Any]]] = {}


# scanpy >= 1.12 attributes its warnings to the first frame outside these file prefixes;
# adding ours keeps them pointing at the user's line when they pass through our wrapper.
_OUR_PREFIX = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _skip_our_frames_in_scanpy_warnings(skip: bool) -> None:
    compat = sys.modules.get("scanpy._compat")
    prefixes = getattr(compat, "_FILE_PREFIXES", None)
    if not isinstance(prefixes, tuple):
        return
    others = tuple(p for p in prefixes if p != _OUR_PREFIX)
    compat._FILE_PREFIXES = (*others, _OUR_PREFIX) if skip else others


def _warn(arguments: dict | None) -> Callable[[Any, bool], None]:
    def warn(plan: Any, fast: bool) -> None:
        try:
            warn_like_upstream(arguments, fast=fast, stacklevel=5)
        except Warning:
            raise  # a warnings filter set to "error": upstream would raise it too
        except Exception:  # never let our warning logic break the call
            logger.debug("autozyme: could not reproduce upstream's warning", exc_info=True)

    return warn


def _route(upstream: Callable[..., Any], signature: inspect.Signature, args: tuple, kwargs: dict):
    try:
        arguments = bind_arguments(signature, args, kwargs)
    except Exception:  # decide(None) then reports it as a fallback
        arguments = None
    return route(
        FUNCTION,
        upstream,
        args,
        kwargs,
        decide=lambda: decide(arguments),
        run=run_fast_path,
        before_run=_warn(arguments),
    )


def make_replacement(upstream: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(upstream)

    @functools.wraps(upstream)
    def leiden(*args: Any, **kwargs: Any) -> Any:
        return _route(upstream, signature, args, kwargs)

    leiden.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return leiden


def install(scanpy: object, *, at_import: bool = False) -> None:
    """Replace ``leiden`` wherever scanpy exports it (idempotent)."""
    implementation = importlib.import_module(_IMPLEMENTATION_MODULE)
    with _lock:
        current = implementation.leiden
        upstream = getattr(current, "__autozyme_original__", current)
        replacement = current if current is not upstream else make_replacement(upstream)
        for name in _EXPORTING_MODULES:
            module = importlib.import_module(name)
            if getattr(module, "leiden", None) is upstream:
                module.leiden = replacement
                _replaced[name] = (module, upstream)
        _skip_our_frames_in_scanpy_warnings(True)


def uninstall() -> None:
    """Put the original function objects back (idempotent)."""
    with _lock:
        for module, original in _replaced.values():
            module.leiden = original
        _replaced.clear()
        _skip_our_frames_in_scanpy_warnings(False)


def patched_names() -> list[str]:
    with _lock:
        return sorted(f"{name}.leiden" for name in _replaced)
