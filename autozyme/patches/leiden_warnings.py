"""Warnings that upstream emits around the algorithm, emitted as upstream emits them:
the leidenalg flavor's FutureWarning (whether the call then takes the fast path or runs
upstream), and python-igraph's DeprecationWarning for scanpy 1.10.0-1.10.1's keyword."""

from __future__ import annotations

import dis
import importlib
import importlib.util
import inspect
import warnings
from dataclasses import dataclass
from functools import cache
from types import CodeType
from typing import Any

# scanpy < 1.12 emits this inside leiden() with warn_once(..., stacklevel=3)
_LEGACY_FUTURE_WARNING = (
    "In the future, the default backend for leiden will be igraph instead of leidenalg.\n\n"
    ' To achieve the future defaults please pass: flavor="igraph" and n_iterations=2.  '
    "directed must also be False to work with igraph's implementation."
)

# python-igraph >= 0.10.3 (classes B-E) still takes community_leiden(resolution_parameter=),
# which scanpy 1.10.0-1.10.1 pass, but igraph.utils.deprecated() warns first, with
# stacklevel=3: the warning is attributed to the frame that called Graph.community_leiden,
# scanpy's leiden(). 0.10.0-0.10.2 (class A) take the keyword silently.
_RESOLUTION_PARAMETER_DEPRECATED = (
    "resolution_parameter keyword argument is deprecated, use resolution=... instead"
)
_IGRAPH_CLASSES_DEPRECATING_RESOLUTION_PARAMETER = frozenset({"B", "C", "D", "E"})


def warn_like_upstream(arguments: dict | None, *, fast: bool, stacklevel: int) -> None:
    """Emit what upstream's flavor check would emit for the call's bound ``arguments``
    (None: they do not bind); ``stacklevel`` 1 is our caller.

    scanpy >= 1.12 warns from ``_validate_flavor`` through its own ``warn()``, which skips
    our frames (see ``scanpy_leiden.install``): on a fallback upstream does it itself.
    Older scanpy warns with a fixed stacklevel that would point into our wrapper on a
    fallback, so we warn first with the right location; its ``warn_once`` then installs
    the "ignore" filter that silences upstream's own, identical, second emission.
    """
    from scanpy.tools import _leiden

    if arguments is None:
        return  # upstream raises before any warning
    a = arguments
    validate = getattr(_leiden, "_validate_flavor", None)
    if validate is not None:
        if fast:
            validate(a["flavor"], partition_type=a["partition_type"], directed=a["directed"])
        return
    if (
        isinstance(a["flavor"], str)
        and a["flavor"] == "leidenalg"
        and importlib.util.find_spec("igraph") is not None
        and importlib.util.find_spec("leidenalg") is not None
    ):
        from scanpy import _utils

        _utils.warn_once(_LEGACY_FUTURE_WARNING, FutureWarning, stacklevel=stacklevel + 2)


@dataclass(frozen=True)
class WarningSite:
    """A frame's identity as ``warnings.warn`` reads it: its file, line and globals (the
    module name the filters match, and the module's ``__warningregistry__``)."""

    filename: str
    lineno: int
    module_globals: dict[str, Any]


def resolution_parameter_warning_site(
    scanpy_keyword: str, igraph_class: str, resolution: object
) -> WarningSite | None:
    """Where python-igraph's DeprecationWarning for ``resolution_parameter=`` points, if
    this call makes python-igraph emit it, else None.

    Raises LookupError where scanpy's call of ``community_leiden`` cannot be located.
    """
    if (
        scanpy_keyword != "resolution_parameter"
        or resolution is None  # scanpy then passes no resolution at all
        or igraph_class not in _IGRAPH_CLASSES_DEPRECATING_RESOLUTION_PARAMETER
    ):
        return None
    return _community_leiden_call_site()


def warn_resolution_parameter_deprecated(site: WarningSite) -> None:
    """python-igraph's warning, with what ``warnings.warn(stacklevel=3)`` would give it:
    so the user's filters, "once"/"default" bookkeeping and "error" act exactly alike."""
    module_globals = site.module_globals
    warnings.warn_explicit(
        _RESOLUTION_PARAMETER_DEPRECATED,
        DeprecationWarning,
        site.filename,
        site.lineno,
        module=module_globals.get("__name__", "<string>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
        module_globals=module_globals,
    )


@cache
def _community_leiden_call_site() -> WarningSite:
    """The line of scanpy's leiden() that calls ``g.community_leiden(...)``, read from the
    function's bytecode (no source file needed)."""
    implementation = importlib.import_module("scanpy.tools._leiden")
    function = getattr(implementation.leiden, "__autozyme_original__", implementation.leiden)
    function = inspect.unwrap(function)
    code = function.__code__
    lines = {
        _line_at(code, instruction.offset)
        for instruction in dis.get_instructions(code)
        if instruction.opname in ("LOAD_ATTR", "LOAD_METHOD")
        and instruction.argval == "community_leiden"
    }
    (line,) = lines if len(lines) == 1 else (None,)
    if line is None:
        raise LookupError(f"scanpy's leiden() calls community_leiden on lines {lines}")
    return WarningSite(code.co_filename, line, function.__globals__)


def _line_at(code: CodeType, offset: int) -> int | None:
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line
    return None
