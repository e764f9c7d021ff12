"""Which generator python-igraph draws from, as far as AutoZyme can know it.

python-igraph keeps the generator in C (src/_igraph/random.c) and offers no way to read
it back. It starts as Python's ``random`` module, and only
``igraph.set_random_number_generator`` changes it; while a target needs to know it (the
igraph target; the scanpy target, whose ``sc.tl.louvain(flavor="igraph")`` draws from it)
that function is wrapped and each generator set through it recorded. Where the wrapper is
installed after igraph was imported, an earlier call may have gone unseen: the generator is
then unknown until the next call through the wrapper, and the fast paths stay off.

The fast path reproduces exactly one kind of generator: a plain ``random.Random`` (the
``random`` module's is one) whose C ``getrandbits`` and ``random`` python-igraph calls,
one MT19937 word per ``getrandbits(32)``. Anything else (numpy, a subclass, igraph's
own generator after ``set_random_number_generator(None)``) is recorded with its reason.
"""

from __future__ import annotations

import functools
import random
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

__all__ = ["claim", "current", "install", "patched_names", "release", "uninstall"]

# modules exporting python-igraph's set_random_number_generator
_RNG_MODULES = ("igraph._igraph", "igraph")
_NOT_TRACKED = "igraph's random generator is not tracked (not installed)"

_lock = threading.RLock()
# the random.Random python-igraph draws from, or the reason it is not known to be one
_current: random.Random | str = _NOT_TRACKED
# who needs the tracking ("igraph", "scanpy"); the wrappers stay while anyone does
_owners: set[str] = set()
# module name -> the original set_random_number_generator it held
_original_setters: dict[str, Callable[..., Any]] = {}


def reproducible(generator: object) -> random.Random | None:
    """The ``random.Random`` whose MT19937 python-igraph draws from when ``generator`` is
    set, or None where that is anything else."""
    getrandbits = getattr(generator, "getrandbits", None)
    real = getattr(generator, "random", None)
    inst = getattr(getrandbits, "__self__", None)
    if (
        isinstance(getrandbits, types.BuiltinMethodType)
        and isinstance(real, types.BuiltinMethodType)
        and type(inst) is random.Random
        and real.__self__ is inst
        and getrandbits.__name__ == "getrandbits"
        and real.__name__ == "random"
    ):
        return inst
    return None


def _start(at_import: bool) -> None:
    """The wrappers are being installed: right as igraph finishes importing (its generator
    is then the ``random`` module's), or later (then unknown until the next set)."""
    with _lock:
        global _current
        if at_import:
            _current = reproducible(random) or "random module replaced before igraph's import"
        else:
            _current = (
                "python-igraph was imported before AutoZyme was activated, so its random "
                "generator is unknown (call igraph.set_random_number_generator(random) once "
                "after activating, or activate before importing igraph)"
            )


def record(generator: object) -> None:
    """``igraph.set_random_number_generator(generator)`` succeeded."""
    with _lock:
        global _current
        if generator is None:
            _current = "igraph's own random generator (set_random_number_generator(None))"
        else:
            _current = reproducible(generator) or (
                f"random generator {type(generator).__name__} is not a random.Random"
            )


def _make_setter(upstream: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(upstream)
    def set_random_number_generator(generator: Any) -> Any:
        result = upstream(generator)  # raises as upstream does; then nothing changed
        record(generator)
        return result

    set_random_number_generator.__autozyme_original__ = upstream  # type: ignore[attr-defined]
    return set_random_number_generator


def claim(owner: str, *, at_import: bool = False) -> None:
    """``owner`` needs the generator known: wrap ``set_random_number_generator`` in the
    imported igraph unless already done (``at_import``: igraph has just been imported)."""
    global _current
    with _lock:
        if not _owners:
            _start(at_import)
            for name in _RNG_MODULES:
                module = sys.modules[name]
                original = module.set_random_number_generator
                _original_setters[name] = original
                module.set_random_number_generator = _make_setter(original)
        _owners.add(owner)


def release(owner: str) -> None:
    """``owner`` no longer needs it; the last one puts the originals back (idempotent)."""
    global _current
    with _lock:
        _owners.discard(owner)
        if _owners or not _original_setters:
            return
        for name, original in _original_setters.items():
            sys.modules[name].set_random_number_generator = original
        _original_setters.clear()
        _current = _NOT_TRACKED


def install(igraph: object, *, at_import: bool = False) -> None:
    """The scanpy target's hook on igraph's import (``autozyme.activation``)."""
    claim("scanpy", at_import=at_import)


def uninstall() -> None:
    release("scanpy")


def patched_names() -> list[str]:
    with _lock:
        return [f"{name}.set_random_number_generator" for name in _original_setters]


def current() -> random.Random | str:
    """The ``random.Random`` python-igraph draws from, or why it is not known to be one."""
    with _lock:
        return _current
