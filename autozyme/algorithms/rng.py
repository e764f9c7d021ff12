"""The MT19937 stream behind the generator python-igraph draws from, handed to the
compiled core and back: a numpy ``RandomState`` (scanpy's adapter) or a ``random.Random``
(python-igraph's default generator, Python's ``random`` module)."""

from __future__ import annotations

import ctypes
import random

import numpy as np

from .. import _core

__all__ = ["LONG_BITS", "WORD_SOURCES", "MT19937Stream"]

# numpy's RandomState.tomaxint() draws a C long: 64 bits (two words) on Linux/macOS.
LONG_BITS = 8 * ctypes.sizeof(ctypes.c_long)

# How python-igraph's src/_igraph/random.c gets each 32-bit word igraph asks for from the
# generator object (the core's igraph_rng.h draws them): "getrandbits" (scanpy >= 1.11.4's
# adapter: getrandbits(32), i.e. RandomState.tomaxint() & 0xffffffff, see LONG_BITS),
# "randint" (scanpy < 1.11.4 forwards only the RandomState's own methods, so
# randint(0, 2**32 - 1): one MT19937 word per call, redrawn while it is 0xffffffff) or
# "whole" (random.Random.getrandbits(32): one word, used whole). The value is the core's
# code for it.
WORD_SOURCES = {
    "getrandbits": _core.RNG_GETRANDBITS,
    "randint": _core.RNG_RANDINT,
    "whole": _core.RNG_WHOLE_WORDS,
}


class MT19937Stream:
    """A copy of a generator's MT19937 state that the core advances in place.

    ``state`` (uint32[625]: the 624-word key, then the position) is what the core reads
    and updates, up to the last draw even when it is interrupted; ``write_back()`` makes
    the generator continue from there, as if upstream had drawn the same numbers through
    it. The Gaussian caches (RandomState's ``gauss``, Random's ``gauss_next``) are
    untouched by those draws. Both generators keep the position the same way: the index
    of the next key word, 624 when the key must be regenerated.
    """

    def __init__(self, generator: np.random.RandomState | random.Random) -> None:
        self.generator = generator
        self.state = np.empty(625, dtype=np.uint32)
        if isinstance(generator, np.random.RandomState):
            state = generator.get_state(legacy=False)
            if state["bit_generator"] != "MT19937":
                raise TypeError("RandomState must be backed by MT19937")
            self.state[:624] = state["state"]["key"]
            self.state[624] = state["state"]["pos"]
            self._gauss = (int(state["has_gauss"]), float(state["gauss"]))
        elif type(generator) is random.Random:
            version, internal, gauss_next = generator.getstate()
            self.state[:] = internal
            self._gauss = (version, gauss_next)
        else:
            raise TypeError("generator must be a numpy RandomState or a random.Random")

    def write_back(self) -> None:
        """Set the generator to the stream's current position."""
        if isinstance(self.generator, np.random.RandomState):
            has_gauss, cached_gaussian = self._gauss
            key, pos = self.state[:624], int(self.state[624])
            self.generator.set_state(("MT19937", key, pos, has_gauss, cached_gaussian))
        else:
            version, gauss_next = self._gauss
            self.generator.setstate((version, tuple(self.state.tolist()), gauss_next))
