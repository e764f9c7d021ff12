"""Verdicts of ``python -m autozyme verify`` recorded for one exact environment."""

from __future__ import annotations


def recorded_pass(flavor: str, versions: dict[str, str | None]) -> bool:
    """Whether a verification pass is recorded for this flavor in this environment."""
    return False
