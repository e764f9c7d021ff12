"""Interpreter-start bootstrap, run from ``autozyme.pth`` (or ``autozyme.start``, PEP 829).

``autozyme.pth`` imports it only when ``AUTOZYME`` is set, so an interpreter without the
variable loads nothing of AutoZyme. Like the package's ``__init__``, this module imports
only what every interpreter has loaded before site-packages are processed (``os``,
``sys``), and it never raises: with ``AUTOZYME`` empty or ``0`` it returns at once;
otherwise it hands the targets to :mod:`autozyme.activation`, and any failure becomes
one line on stderr while the interpreter carries on with upstream behaviour.
"""

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
        try:  # noqa: SIM105 (contextlib.suppress would import contextlib at every start)
            sys.stderr.write(f"autozyme: not activated ({type(exc).__name__}: {exc})\n")
        except Exception:  # stderr may be closed
            pass
