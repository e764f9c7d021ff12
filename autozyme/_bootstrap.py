"""Interpreter-start bootstrap, run from ``autozyme.pth`` (or ``autozyme.start``, PEP 829).

Standard library only, and it never raises: with ``AUTOZYME`` unset or ``0`` it returns
at once; otherwise it hands the targets to :mod:`autozyme.activation`, and any failure
becomes one line on stderr while the interpreter carries on with upstream behaviour.
"""

from __future__ import annotations

import contextlib
import os
import sys

ENV_TARGETS = "AUTOZYME"


def requested_targets(value: str | None) -> list[str]:
    """The comma-separated targets of an ``AUTOZYME`` value; empty for unset, ``""`` or ``0``."""
    if value is None or value.strip() in ("", "0"):
        return []
    return [t.strip().lower() for t in value.split(",") if t.strip()]


def start() -> None:
    try:
        targets = requested_targets(os.environ.get(ENV_TARGETS))
        if not targets:
            return
        from autozyme.activation import activate_from_environment

        activate_from_environment(targets)
    except Exception as exc:  # startup must never break the interpreter
        with contextlib.suppress(Exception):  # stderr may be closed
            sys.stderr.write(f"autozyme: not activated ({type(exc).__name__}: {exc})\n")
