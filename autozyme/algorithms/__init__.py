"""Compiled-algorithm wrappers: graph construction, RNG streams and the Leiden ports."""

# The calling convention of the compiled core this Python side speaks (module.c's abi()): a
# build left over from another version of the package is refused, not called.
CORE_ABI = 16


class Interrupted(BaseException):
    """A compiled run stopped by the exception a signal handler raised (``args[0]``:
    Ctrl-C's KeyboardInterrupt, an alarm handler's own). The routing raises that exception
    to the caller, as upstream's run would, instead of rerunning upstream."""
