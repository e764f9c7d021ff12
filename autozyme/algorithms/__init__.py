"""Compiled-algorithm wrappers: graph construction, RNG streams and the Leiden ports."""
