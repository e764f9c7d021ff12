"""The leidenalg flavor's warning, emitted as upstream emits it and pointing at the user's
line, whether the call then takes the fast path or runs upstream."""

from __future__ import annotations

import importlib.util

# scanpy < 1.12 emits this inside leiden() with warn_once(..., stacklevel=3)
_LEGACY_FUTURE_WARNING = (
    "In the future, the default backend for leiden will be igraph instead of leidenalg.\n\n"
    ' To achieve the future defaults please pass: flavor="igraph" and n_iterations=2.  '
    "directed must also be False to work with igraph's implementation."
)


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
