"""Which CPUs and operating systems the table's proofs hold on.

CI proves Linux x86_64 only. Elsewhere upstream's own builds can round differently from
our core (built with -ffp-contract=off): those platforms are known to differ and always
run upstream; any other platform runs upstream until ``python -m autozyme verify`` proves
it on the machine itself.
"""

from __future__ import annotations

import platform
import sys

PROVEN = (("linux", "x86_64"),)


def _machine() -> tuple[str, str]:
    machine = platform.machine().lower()
    return sys.platform, {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def known_difference() -> str | None:
    """Why upstream is known to compute differently here, or None."""
    system, machine = _machine()
    if system == "win32":
        return "platform: Windows is not verified (numpy's tomaxint is 31 bits there)"
    if machine == "aarch64":
        # Disassembly of the official wheels: igraph's C core fuses multiply-adds inside
        # Leiden on Linux and macOS aarch64, libleidenalg on macOS arm64 (clang).
        return (
            f"platform: {system} aarch64 is not verified (upstream's aarch64 builds fuse "
            "multiply-adds, our core does not)"
        )
    return None


def unproven() -> str | None:
    """Why the table's proofs do not cover this platform, or None."""
    system, machine = _machine()
    if (system, machine) in PROVEN:
        return None
    return f"platform: {system} {machine} is not proven by CI"
