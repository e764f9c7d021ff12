"""AutoZyme: a drop-in, bit-identical accelerator for scanpy's ``sc.tl.leiden``.

Public API: :func:`activate`, :func:`deactivate`, :func:`report`, and the CLI
(``python -m autozyme``). This module is imported by the ``.pth`` bootstrap on
every interpreter start, so it must stay import-free: everything is loaded lazily.

It is also the pytest plugin (``pytest -p autozyme``); being imported before pytest
starts, it opts out of assertion rewriting (it has no asserts): PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .activation import activate, deactivate
    from .reporting import report

__all__ = ["activate", "deactivate", "report"]
__version__ = "0.1.0"

_LAZY = {"activate": "activation", "deactivate": "activation", "report": "reporting"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


# `pytest -p autozyme`: activate the patches for the test run (no scanpy import here:
# scanpy's own test plugin asserts scanpy is not imported before it loads).
def pytest_configure(config: Any) -> None:
    from .activation import activate

    activate("scanpy")


# `%load_ext autozyme` in IPython / Jupyter.
def load_ipython_extension(ipython: Any) -> None:
    from .activation import activate

    activate("scanpy")


def unload_ipython_extension(ipython: Any) -> None:
    from .activation import deactivate

    deactivate()
