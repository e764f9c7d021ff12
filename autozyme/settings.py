"""Environment switches besides ``AUTOZYME`` itself, and the ``autozyme`` logger's output."""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger("autozyme")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def fail_on_fallback() -> bool:
    """``AUTOZYME_FAIL_ON_FALLBACK=1``: a fallback raises instead of running upstream."""
    return _flag("AUTOZYME_FAIL_ON_FALLBACK")


def verbose() -> bool:
    """``AUTOZYME_VERBOSE=1``: one line per call on stderr (fast path, or fallback + reason)."""
    return _flag("AUTOZYME_VERBOSE")


class _VerboseHandler(logging.StreamHandler):
    """Marker type so the handler is added once."""


def configure_logging() -> None:
    """Nothing is printed by default; ``AUTOZYME_VERBOSE=1`` adds a stderr handler."""
    if verbose() and not any(isinstance(h, _VerboseHandler) for h in logger.handlers):
        handler = _VerboseHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("autozyme: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
