"""Compiled-algorithm wrappers: graph construction, RNG streams and the Leiden ports."""

# The calling convention of the compiled core this Python side speaks (module.c's abi()): a
# build left over from another version of the package is refused, not called.
CORE_ABI = 6
