"""The patch of ``scanpy.tl.louvain``: install/uninstall, and the per-call routing through
:func:`autozyme.patches.louvain_decision.decide`, the one decision point. The routing sits
inside copies of upstream's decorators (``old_positionals``; scanpy 1.12's ``deprecated``,
which warns on every call), so their conversions and warnings are upstream's own; a
fallback runs the undecorated original with the arguments it was given."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .louvain_decision import decide
from .louvain_fast import run_fast_path
from .routing import bind_arguments, route
from .scanpy_functions import ExportedFunction, inside_decorators

__all__ = ["install", "patched_names", "uninstall"]

FUNCTION = "scanpy.tl.louvain"


def _routed(upstream: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(upstream)

    @functools.wraps(upstream)
    def louvain(*args: Any, **kwargs: Any) -> Any:
        arguments = bind_arguments(signature, args, kwargs)
        return route(
            FUNCTION,
            upstream,
            args,
            kwargs,
            decide=lambda: decide(arguments),
            run=run_fast_path,
        )

    return louvain


def make_replacement(upstream: Callable[..., Any]) -> Callable[..., Any]:
    louvain = inside_decorators(upstream, _routed) or _routed(upstream)
    louvain.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return louvain


_FUNCTION = ExportedFunction(
    "louvain", "scanpy.tools._louvain", ("scanpy.tools._louvain", "scanpy.tools"), make_replacement
)


def install(scanpy: object, *, at_import: bool = False) -> None:
    """Replace ``louvain`` wherever scanpy exports it (idempotent)."""
    _FUNCTION.install()


def uninstall() -> None:
    _FUNCTION.uninstall()


def patched_names() -> list[str]:
    return _FUNCTION.patched_names()
