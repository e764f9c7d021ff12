"""Verdicts of ``python -m autozyme verify``, recorded for one exact environment.

A verdict holds for the environment it was reached in and no other: the versions of
scanpy, python-igraph, leidenalg, numpy and anndata, the Python version, the platform and
AutoZyme's own version. It is a JSON file in the user's cache directory
(``$AUTOZYME_CACHE_DIR``, else ``$XDG_CACHE_HOME/autozyme``, else ``~/.cache/autozyme``),
one per flavor and environment; a new verdict replaces the old one, so a failure
recorded after a pass switches the fast path off again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "assuming_pass",
    "cache_dir",
    "environment",
    "hard_problem",
    "read",
    "record",
    "recorded_pass",
]

FORMAT = 1
# set only inside the probe's own process (``assuming_pass``): never read from outside
_assumed = False


def cache_dir() -> Path:
    """Where verdicts are kept."""
    override = os.environ.get("AUTOZYME_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "autozyme")


def environment(versions: dict[str, str | None]) -> dict[str, str | None]:
    """Everything a verdict depends on: ``versions`` (:func:`..detected_versions`) plus
    the platform and AutoZyme's version."""
    from .. import __version__
    from .platforms import _machine

    system, machine = _machine()
    return {
        **{k: versions[k] for k in sorted(versions)},
        "platform": system,
        "machine": machine,
        "autozyme": __version__,
    }


def _path(flavor: str, env: dict[str, str | None]) -> Path:
    digest = hashlib.sha256(json.dumps(env, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir() / f"verdict-{flavor}-{digest}.json"


def record(flavor: str, versions: dict[str, str | None], verdict: dict[str, Any]) -> Path:
    """Store ``verdict`` (``{"passed": bool, ...}``) for ``flavor`` in this environment."""
    env = environment(versions)
    path = _path(flavor, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps({"format": FORMAT, "flavor": flavor, "environment": env, **verdict}, indent=2)
    )
    tmp.replace(path)  # atomic: a concurrent reader sees the old verdict or the new one
    return path


def read(flavor: str, versions: dict[str, str | None]) -> dict[str, Any] | None:
    """The verdict recorded for ``flavor`` in exactly this environment, or None."""
    env = environment(versions)
    try:
        found = json.loads(_path(flavor, env).read_text())
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(found, dict)
        and found.get("format") == FORMAT
        and found.get("flavor") == flavor
        and found.get("environment") == env  # the file name is a hash: compare in full
    )
    return found if ok else None


def recorded_pass(flavor: str, versions: dict[str, str | None]) -> bool:
    """Whether a verification pass is recorded for this flavor in this environment."""
    if _assumed:
        return True
    found = read(flavor, versions)
    return found is not None and found.get("passed") is True


@contextmanager
def assuming_pass() -> Iterator[None]:
    """Let the fast path run where only a recorded pass is missing: for the probe's own
    side, which is what produces the verdict (problems no verdict lifts still apply)."""
    global _assumed
    saved, _assumed = _assumed, True
    try:
        yield
    finally:
        _assumed = saved


def hard_problem(flavor: str, versions: dict[str, str | None] | None = None) -> str | None:
    """Why no verdict can switch the fast path on for ``flavor`` here, or None."""
    from . import behaviour

    with assuming_pass():
        return behaviour(flavor, versions).problem
