"""The MT19937 stream of a numpy ``RandomState``, handed to the compiled core and back."""

from __future__ import annotations

import ctypes

import numpy as np

__all__ = ["LONG_BITS", "WORD_SOURCES", "MT19937Stream"]

# numpy's RandomState.tomaxint() draws a C long: 64 bits (two words) on Linux/macOS.
LONG_BITS = 8 * ctypes.sizeof(ctypes.c_long)

# How python-igraph's src/_igraph/random.c gets each 32-bit word igraph asks for from the
# generator object scanpy installs (the core's igraph_rng.h draws them): "getrandbits"
# (scanpy >= 1.11.4: getrandbits(32), i.e. RandomState.tomaxint() & 0xffffffff, see
# LONG_BITS) or "randint" (scanpy < 1.11.4 forwards only the RandomState's own methods, so
# randint(0, 2**32 - 1): one MT19937 word per call, redrawn while it is 0xffffffff).
WORD_SOURCES = frozenset({"getrandbits", "randint"})


class MT19937Stream:
    """A copy of a RandomState's MT19937 state that the core advances in place.

    ``state`` (uint32[625]: the 624-word key, then the position) is what the core reads
    and updates, up to the last draw even when it is interrupted; ``write_back()`` makes
    the RandomState continue from there, as if upstream had drawn the same numbers
    through it. The Gaussian cache is untouched by those draws.
    """

    def __init__(self, random_state: np.random.RandomState) -> None:
        if not isinstance(random_state, np.random.RandomState):
            raise TypeError("random_state must be a numpy RandomState")
        state = random_state.get_state(legacy=False)
        if state["bit_generator"] != "MT19937":
            raise TypeError("RandomState must be backed by MT19937")
        self.random_state = random_state
        self.state = np.empty(625, dtype=np.uint32)
        self.state[:624] = state["state"]["key"]
        self.state[624] = state["state"]["pos"]
        self._gauss = (int(state["has_gauss"]), float(state["gauss"]))

    def write_back(self) -> None:
        """Set the RandomState to the stream's current position."""
        has_gauss, cached_gaussian = self._gauss
        key, pos = self.state[:624], int(self.state[624])
        self.random_state.set_state(("MT19937", key, pos, has_gauss, cached_gaussian))
