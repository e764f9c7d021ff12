"""AutoZyme: a drop-in, bit-identical accelerator for scanpy's ``sc.tl.leiden``.

Public API: :func:`activate`, :func:`deactivate`, :func:`report`, and the CLI
(``python -m autozyme``). Importing this module imports nothing (not even ``typing`` or
``__future__``): the ``.pth`` bootstrap with ``AUTOZYME`` set, ``pytest -p autozyme`` and
``%load_ext autozyme`` all import it, and everything else is loaded lazily.

It is also the pytest plugin (``pytest -p autozyme``); being imported before pytest
starts, it opts out of assertion rewriting (it has no asserts): PYTEST_DONT_REWRITE
"""

# typing.TYPE_CHECKING without importing typing: type checkers treat the name alike
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .activation import activate, deactivate
    from .reporting import report

__all__ = ["activate", "deactivate", "report"]
__version__ = "0.1.0"

_LAZY = {"activate": "activation", "deactivate": "activation", "report": "reporting"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


# `pytest -p autozyme [--autozyme-targets=scanpy,igraph]`: activate the patches for the
# test run (no scanpy import here: scanpy's own test plugin asserts scanpy is not imported
# before it loads).
def pytest_addoption(parser: "Any") -> None:
    parser.addoption(
        "--autozyme-targets",
        default="scanpy",
        help="comma-separated libraries AutoZyme patches for the run (scanpy, igraph)",
    )


def pytest_configure(config: "Any") -> None:
    from ._bootstrap import requested_targets
    from .activation import activate

    activate(*requested_targets(config.getoption("autozyme_targets")))


# `%load_ext autozyme` in IPython / Jupyter.
def load_ipython_extension(ipython: object) -> None:
    from .activation import activate

    activate("scanpy")


def unload_ipython_extension(ipython: object) -> None:
    from .activation import deactivate

    deactivate()
