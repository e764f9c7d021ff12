"""Which generator python-igraph draws from, as far as AutoZyme can know it.

python-igraph keeps the generator in C (src/_igraph/random.c) and offers no way to read
it back. It starts as Python's ``random`` module, and only
``igraph.set_random_number_generator`` changes it; the patch wraps that function and
records each generator set through it. Where the patch is installed after igraph was
imported, an earlier call may have gone unseen: the generator is then unknown until the
next call through the wrapper, and the fast path stays off.

The fast path reproduces exactly one kind of generator: a plain ``random.Random`` (the
``random`` module's is one) whose C ``getrandbits`` and ``random`` python-igraph calls,
one MT19937 word per ``getrandbits(32)``. Anything else (numpy, a subclass, igraph's
own generator after ``set_random_number_generator(None)``) is recorded with its reason.
"""

from __future__ import annotations

import random
import threading
import types

__all__ = ["current", "forget", "record", "start"]

_lock = threading.Lock()
# the random.Random python-igraph draws from, or the reason it is not known to be one
_current: random.Random | str = "igraph's random generator is not tracked (not installed)"


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


def start(at_import: bool) -> None:
    """The patch is being installed: right as igraph finishes importing (its generator is
    then the ``random`` module's), or later (then unknown until the next set)."""
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


def forget() -> None:
    with _lock:
        global _current
        _current = "igraph's random generator is not tracked (not installed)"


def current() -> random.Random | str:
    """The ``random.Random`` python-igraph draws from, or why it is not known to be one."""
    with _lock:
        return _current
