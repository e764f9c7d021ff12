"""The patch of ``scanpy.tl.leiden``: install/uninstall, and the per-call routing.

The replacement keeps upstream's name, docstring, signature and ``__wrapped__``. Each
call goes through :func:`autozyme.patches.leiden_decision.decide`, the one decision
point; a fallback runs the original function with the original arguments, so results,
warnings and exceptions are upstream's own.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from .leiden_decision import decide
from .leiden_fast import run_fast_path
from .leiden_warnings import warn_like_upstream
from .routing import FallbackError, bind_arguments, route
from .scanpy_functions import ExportedFunction

__all__ = ["FallbackError", "install", "patched_names", "uninstall"]

logger = logging.getLogger("autozyme")

FUNCTION = "scanpy.tl.leiden"


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


_FUNCTION = ExportedFunction(
    "leiden", "scanpy.tools._leiden", ("scanpy.tools._leiden", "scanpy.tools"), make_replacement
)


def install(scanpy: object, *, at_import: bool = False) -> None:
    """Replace ``leiden`` wherever scanpy exports it (idempotent)."""
    _FUNCTION.install()


def uninstall() -> None:
    """Put the original function objects back (idempotent)."""
    _FUNCTION.uninstall()


def patched_names() -> list[str]:
    return _FUNCTION.patched_names()
