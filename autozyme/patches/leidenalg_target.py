"""The ``leidenalg`` target: ``find_partition`` and the Optimiser's ``optimise_partition``,
installed and removed together."""

from __future__ import annotations

from typing import Any

from . import leidenalg_find_partition, leidenalg_optimiser

__all__ = ["install", "patched_names", "uninstall"]

_PATCHES = (leidenalg_find_partition, leidenalg_optimiser)


def install(leidenalg: Any, *, at_import: bool = False) -> None:
    for patch in _PATCHES:
        patch.install(leidenalg, at_import=at_import)


def uninstall() -> None:
    for patch in reversed(_PATCHES):
        patch.uninstall()


def patched_names() -> list[str]:
    return [name for patch in _PATCHES for name in patch.patched_names()]
