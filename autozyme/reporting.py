"""Per-call bookkeeping and the user-facing report: what is patched, with which
versions, and how every call went (fast path, or fallback and why)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import __version__


@dataclass
class FunctionStats:
    fast_calls: int = 0
    fast_seconds: float = 0.0
    fallbacks: Counter[str] = field(default_factory=Counter)
    fallback_seconds: float = 0.0
    last_timings: dict[str, float] = field(default_factory=dict)


_lock = threading.Lock()
_stats: dict[str, FunctionStats] = {}


def record_fast(function: str, seconds: float, timings: dict[str, float]) -> None:
    with _lock:
        stats = _stats.setdefault(function, FunctionStats())
        stats.fast_calls += 1
        stats.fast_seconds += seconds
        stats.last_timings = dict(timings)


def record_fallback(function: str, reason: str, seconds: float) -> None:
    with _lock:
        stats = _stats.setdefault(function, FunctionStats())
        stats.fallbacks[reason] += 1
        stats.fallback_seconds += seconds


def reset() -> None:
    with _lock:
        _stats.clear()


def report() -> dict[str, Any]:
    """What is patched, the detected versions, whether they are verified, and call counts."""
    from .activation import active_targets
    from .patches import patched_functions
    from .verification import detected_versions, unverified_reason

    with _lock:
        calls = {
            name: {
                "fast_calls": s.fast_calls,
                "fast_seconds": s.fast_seconds,
                "fallbacks": dict(s.fallbacks),
                "fallback_seconds": s.fallback_seconds,
                "last_timings": dict(s.last_timings),
            }
            for name, s in _stats.items()
        }
    return {
        "autozyme": __version__,
        "active_targets": active_targets(),
        "patched": patched_functions(),
        "versions": detected_versions(),
        "verified": {
            flavor: unverified_reason(flavor) is None for flavor in ("igraph", "leidenalg")
        },
        "unverified_reasons": {
            flavor: reason
            for flavor in ("igraph", "leidenalg")
            if (reason := unverified_reason(flavor)) is not None
        },
        "calls": calls,
    }


def format_report(rep: dict[str, Any] | None = None) -> str:
    rep = report() if rep is None else rep
    lines = [f"autozyme {rep['autozyme']}"]
    lines.append("active targets: " + (", ".join(rep["active_targets"]) or "none"))
    lines.append("patched: " + (", ".join(rep["patched"]) or "nothing"))
    lines.append(
        "versions: "
        + ", ".join(f"{k} {v or '(not installed)'}" for k, v in rep["versions"].items())
    )
    for flavor, ok in rep["verified"].items():
        why = "" if ok else f" ({rep['unverified_reasons'][flavor]})"
        lines.append(f"fast path for leiden flavor={flavor}: {'verified' if ok else 'off'}{why}")
    if not rep["calls"]:
        lines.append("calls: none")
    for name, c in rep["calls"].items():
        n_fb = sum(c["fallbacks"].values())
        lines.append(
            f"{name}: {c['fast_calls']} fast ({c['fast_seconds']:.3f} s), "
            f"{n_fb} upstream ({c['fallback_seconds']:.3f} s)"
        )
        for reason, n in sorted(c["fallbacks"].items(), key=lambda kv: -kv[1]):
            lines.append(f"    {n} x upstream: {reason}")
    return "\n".join(lines)
