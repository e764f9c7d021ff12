"""What the report counts for one patched function: fast calls and fallback reasons."""

from __future__ import annotations

from autozyme import reporting


def fallbacks(function: str) -> dict[str, int]:
    return dict(reporting.report()["calls"].get(function, {}).get("fallbacks", {}))


def fast_calls(function: str) -> int:
    return reporting.report()["calls"].get(function, {}).get("fast_calls", 0)


def new_reason(function: str, before: dict[str, int]) -> str:
    """The one reason counted since ``before``."""
    after = fallbacks(function)
    new = {r for r, count in after.items() if count > before.get(r, 0)}
    assert len(new) == 1, new
    return new.pop()
