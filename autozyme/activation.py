"""Switching AutoZyme on and off: targets, post-import hooks, activate/deactivate.

A target names a library we patch (``scanpy``, ``igraph``, ``leidenalg``). Activation never
imports the target: when it is not imported yet, a wrapt post-import hook patches it the
moment it is. Hooks swallow every exception (logged as a warning) so a bug here can never
break ``import scanpy``; the library then simply runs upstream.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import warnings
from typing import Protocol

logger = logging.getLogger("autozyme")

# target name -> its patches: (module whose import triggers the patch, module holding it)
TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "scanpy": (
        ("scanpy", "autozyme.patches.scanpy_target"),
        # sc.tl.louvain(flavor="igraph") draws from python-igraph's generator
        ("igraph", "autozyme.patches.igraph_generator"),
    ),
    "igraph": (("igraph", "autozyme.patches.igraph_community"),),
    "leidenalg": (("leidenalg", "autozyme.patches.leidenalg_target"),),
}


class Patch(Protocol):
    # at_import: the module has just finished importing (no user code has used it yet)
    def install(self, module: object, *, at_import: bool = False) -> None: ...
    def uninstall(self) -> None: ...


_lock = threading.RLock()
_wanted: set[str] = set()  # targets the user asked for
# (target, patch module) pairs with a registered post-import hook (wrapt cannot unregister)
_hooked: set[tuple[str, str]] = set()


def _patch_module(name: str) -> Patch:
    return importlib.import_module(name)  # type: ignore[return-value]


def _on_import(target: str, patch: str, module: object, at_import: bool) -> None:
    """Post-import hook body: patch ``module`` if the target is still wanted."""
    try:
        with _lock:
            if target in _wanted:
                _patch_module(patch).install(module, at_import=at_import)
    except Exception as exc:  # a failing patch must leave upstream working
        warnings.warn(
            f"autozyme: could not patch {target} ({type(exc).__name__}: {exc}); "
            "running upstream code",
            RuntimeWarning,
            stacklevel=2,
        )


def _unknown(targets: list[str]) -> list[str]:
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        warnings.warn(
            f"autozyme: unknown target(s) {', '.join(map(repr, unknown))}; "
            f"known targets: {', '.join(sorted(TARGETS))}",
            RuntimeWarning,
            stacklevel=3,
        )
    return unknown


def activate(*targets: str) -> None:
    """Patch the named libraries (default: all known), now or as soon as they are imported.

    Idempotent, and safe before or after the library is imported.
    """
    names = [t.lower() for t in targets] or sorted(TARGETS)
    unknown = _unknown(names)
    from wrapt import register_post_import_hook

    from .settings import configure_logging

    configure_logging()
    with _lock:
        for target in names:
            if target in unknown:
                continue
            _wanted.add(target)
            for trigger, patch in TARGETS[target]:
                if (target, patch) not in _hooked:
                    _hooked.add((target, patch))
                    # Fires at once if the module is already imported, else right as its
                    # import completes.
                    at_import = trigger not in sys.modules
                    register_post_import_hook(
                        lambda module, target=target, patch=patch, at_import=at_import: _on_import(
                            target, patch, module, at_import
                        ),
                        trigger,
                    )
                else:
                    module = sys.modules.get(trigger)
                    if module is not None:
                        _on_import(target, patch, module, False)


def deactivate(*targets: str) -> None:
    """Restore the original functions of the named libraries (default: all). Idempotent."""
    names = [t.lower() for t in targets] or sorted(TARGETS)
    with _lock:
        for target in names:
            if target not in TARGETS:
                continue
            _wanted.discard(target)
            for _, patch in reversed(TARGETS[target]):
                if (target, patch) in _hooked:
                    _patch_module(patch).uninstall()


def active_targets() -> list[str]:
    with _lock:
        return sorted(_wanted)


def activate_from_environment(targets: list[str]) -> None:
    """Called by the bootstrap with the parsed ``AUTOZYME`` value."""
    activate(*targets)
