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


_LABELS = {
    "igraph": "sc.tl.leiden flavor=igraph",
    "leidenalg": "sc.tl.leiden flavor=leidenalg",
    "louvain-igraph": "sc.tl.louvain flavor=igraph",
    "louvain-vtraag": "sc.tl.louvain flavor=vtraag",
    "Graph.community_leiden": "igraph's Graph.community_leiden",
    "find_partition": "leidenalg.find_partition",
    "Graph.community_multilevel": "igraph's Graph.community_multilevel",
}


def _release(package: str, version: str | None) -> dict[str, Any]:
    from .verification.releases import nearest_class, release_class

    listed = release_class(package, version)
    cls = listed or (nearest_class(package, version) if version else None)
    return {"version": version, "class": cls.name if cls else None, "listed": listed is not None}


def _release_advice(flavor: str, package: str, release: dict[str, Any]) -> str | None:
    """What to install for ``package`` (as :func:`_release` describes it) so that
    ``flavor`` can take the fast path, or None if its class is verified."""
    from .verification import FAST_PATH
    from .verification.releases import CLASSES

    mine = [c for c in CLASSES if c.package == package]
    verified = [i for i, c in enumerate(mine) if c.name in FAST_PATH[flavor][package]]
    ranges = ", ".join(
        c.releases[0] if len(c.releases) == 1 else f"{c.releases[0]}-{c.releases[-1]}"
        for c in (mine[i] for i in verified)
    )
    if not verified:
        return f"none: no {package} release is verified for flavor={flavor}"
    if release["version"] is None:
        return f"install {package} ({ranges})"
    position = next((i for i, c in enumerate(mine) if c.name == release["class"]), -1)
    if position in verified:
        return None
    verb = "upgrade" if position < min(verified) else "switch"
    return f"{verb} {package} to a verified release ({ranges})"


def _advice(flavor: str, versions: dict[str, str | None]) -> str:
    """What would switch the fast path on for ``flavor``, where it is off."""
    from .verification import PACKAGES, local, platforms

    if local.hard_problem(flavor, versions) is None:
        found = local.read(flavor, versions)
        if found is not None and not found.get("passed"):
            return (
                "`python -m autozyme verify` found this environment to differ from upstream "
                f"({found.get('recorded_at', 'earlier')}); upstream runs. Please report it, "
                "with `python -m autozyme verify --json`"
            )
        return "run `python -m autozyme verify` to prove this environment"
    if platforms.known_difference():
        return "none on this platform: upstream runs"
    steps = []
    for package in PACKAGES[flavor]:
        step = _release_advice(flavor, package, _release(package, versions.get(package)))
        if step:
            steps.append(step)
    return "; ".join(steps) or "none: upstream runs for this combination"


def _all_packages() -> list[str]:
    from .verification import PACKAGES

    return [package for packages in PACKAGES.values() for package in packages]


def report() -> dict[str, Any]:
    """What is patched, the detected versions and their classes, whether each flavor takes
    the fast path (if not: why, and what to do), and call counts."""
    from .activation import active_targets
    from .patches import patched_functions
    from .verification import PACKAGES, behaviour, detected_versions, local

    versions = detected_versions()
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
    behaviours = {flavor: behaviour(flavor, versions) for flavor in PACKAGES}
    reasons = {flavor: b.problem for flavor, b in behaviours.items()}
    return {
        "autozyme": __version__,
        "active_targets": active_targets(),
        "patched": patched_functions(),
        "versions": versions,
        "releases": {p: _release(p, versions[p]) for p in dict.fromkeys(_all_packages())},
        "verified": {flavor: reason is None for flavor, reason in reasons.items()},
        # flavor -> package -> the class the fast path reproduces (the nearest if unlisted)
        "classes": {f: {p: c.name for p, c in b.classes.items()} for f, b in behaviours.items()},
        "unverified_reasons": {f: r for f, r in reasons.items() if r is not None},
        "advice": {f: _advice(f, versions) for f, r in reasons.items() if r is not None},
        "local_verdicts": {f: local.read(f, versions) for f in PACKAGES},
        "calls": calls,
    }


def _describe_release(package: str, release: dict[str, Any]) -> str:
    if release["version"] is None:
        return f"{package} (not installed)"
    if release["listed"]:
        return f"{package} {release['version']} (class {release['class']})"
    if release["class"] is None:
        return f"{package} {release['version']} (not a listed release; older than every class)"
    return (
        f"{package} {release['version']} (not a listed release; nearest class {release['class']})"
    )


def format_report(rep: dict[str, Any] | None = None) -> str:
    rep = report() if rep is None else rep
    lines = [f"autozyme {rep['autozyme']}"]
    lines.append("active targets: " + (", ".join(rep["active_targets"]) or "none"))
    lines.append("patched: " + (", ".join(rep["patched"]) or "nothing"))
    lines.append(
        "versions: "
        + ", ".join(f"{k} {v or '(not installed)'}" for k, v in rep["versions"].items())
    )
    lines.append(
        "releases: " + ", ".join(_describe_release(p, r) for p, r in rep["releases"].items())
    )
    for flavor, ok in rep["verified"].items():
        verdict = rep["local_verdicts"].get(flavor)
        if ok:
            how = ", ".join(f"{p} {c}" for p, c in rep["classes"][flavor].items())
            if verdict and verdict.get("passed"):
                how += f"; `python -m autozyme verify` passed here {verdict['recorded_at']}"
            lines.append(f"fast path for {_LABELS[flavor]}: on ({how})")
        else:
            lines.append(
                f"fast path for {_LABELS[flavor]}: off ({rep['unverified_reasons'][flavor]})"
            )
            lines.append(f"    to switch it on: {rep['advice'][flavor]}")
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


def format_verdict(flavor: str, result: dict[str, Any]) -> str:
    """One flavor's outcome of ``python -m autozyme verify``, for people."""
    state = (
        "the fast path is on here"
        if result["fast_path_problem"] is None
        else f"the fast path stays off ({result['fast_path_problem']})"
    )
    if not result["verifiable"]:
        return f"flavor={flavor}: cannot be verified here: {result['problem']}\n    {state}"
    if result.get("error"):
        head = f"FAIL: {result['error']}"
    elif result["passed"]:
        head = f"PASS: {result['checks']} checks identical to upstream"
    else:
        first = result["first"]
        head = (
            f"FAIL: {result['mismatches']} of {result['checks']} checks differ; first: "
            f"{first['case']}: {first['field']}: upstream {first['upstream']}, "
            f"ours {first['ours']}"
        )
    return (
        f"flavor={flavor}: {head} ({result['seconds']} s)\n"
        f"    recorded in {result['path']}\n    {state}"
    )
