"""The per-call routing every patch shares: decide, then the fast path or upstream.

A decision is a plan or a :class:`Fallback` with its reason. A fallback runs the original
function with the original arguments (results, warnings and exceptions are upstream's
own) and is counted with its reason; ``AUTOZYME_FAIL_ON_FALLBACK=1`` raises
:class:`FallbackError` instead. A bug in deciding or in the fast path never reaches the
caller: upstream runs.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import reporting, settings
from ..algorithms import CORE_ABI, Interrupted
from ..verification import Behaviour, behaviour

logger = logging.getLogger("autozyme")


@dataclass(frozen=True)
class Fallback:
    reason: str


@cache
def core_problem() -> str | None:
    """Why the compiled core cannot be used (checked once; warns once), or None."""
    try:
        abi = importlib.import_module("autozyme._core").abi()
        if abi != CORE_ABI:
            raise ImportError(
                f"built for calling convention {abi}, this package speaks {CORE_ABI}: "
                "rebuild it (pip install -e .)"
            )
    except Exception as exc:
        reason = f"compiled core unavailable ({type(exc).__name__}: {exc})"
        warnings.warn(f"autozyme: {reason}; running upstream", RuntimeWarning, stacklevel=2)
        return reason
    return None


def proven_here(table_key: str) -> Behaviour | Fallback:
    """What the verified-version table proves for ``table_key`` with the installed
    versions on this platform, or why the fast path cannot run here at all."""
    reason = core_problem()
    if reason:
        return Fallback(reason)
    proven = behaviour(table_key)
    if proven.problem:
        return Fallback(proven.problem)
    return proven


def bind_arguments(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict | None:
    """The call's arguments by name, defaults applied, or None where upstream's signature
    rejects them (upstream then raises its own TypeError)."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return dict(bound.arguments)


class FallbackError(RuntimeError):
    """Raised instead of running upstream when ``AUTOZYME_FAIL_ON_FALLBACK=1``."""


def call_upstream(
    function: str,
    upstream: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    reason: str,
    started: float,
) -> Any:
    if settings.fail_on_fallback():
        reporting.record_fallback(function, reason, 0.0)
        raise FallbackError(f"{function} would run upstream: {reason}")
    logger.info("%s: upstream (%s)", function, reason)
    try:
        return upstream(*args, **kwargs)
    finally:
        reporting.record_fallback(function, reason, time.perf_counter() - started)


def route(
    function: str,
    upstream: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    decide: Callable[[], Any],
    run: Callable[[Any], tuple[Any, dict[str, float]] | Fallback],
    before_run: Callable[[Any, bool], None] | None = None,
    stacklevel: int = 4,
) -> Any:
    """One call of a patched function. ``decide()`` gives a plan or a :class:`Fallback`;
    ``run(plan)`` gives (result, phase timings), or a :class:`Fallback` where only the
    computation shows the case is one the port does not reproduce (nothing was written:
    upstream then runs); ``before_run(plan, fast)``, if given, runs either way first (e.g.
    to warn where upstream warns)."""
    started = time.perf_counter()
    try:
        plan = decide()
    except MemoryError:
        raise  # an input too large for this machine, said before anything large is allocated
    except Exception as exc:  # a bug in our decision code must not break the pipeline
        plan = Fallback(f"internal error while deciding ({type(exc).__name__}: {exc})")
    fast = not isinstance(plan, Fallback)
    if before_run is not None:
        before_run(plan, fast)
    if not fast:
        return call_upstream(function, upstream, args, kwargs, plan.reason, started)
    try:
        outcome = run(plan)
    except Interrupted as stop:
        raise stop.args[0] from None
    except (KeyboardInterrupt, MemoryError, Warning):
        # a Warning raised: a filter set to "error" on a warning the fast path emits where
        # upstream emits it (upstream raises it there too)
        raise
    except Exception as exc:  # nothing was written yet: upstream recomputes from scratch
        reason = f"internal error in the fast path ({type(exc).__name__}: {exc})"
        warnings.warn(
            f"autozyme: {reason}; running upstream", RuntimeWarning, stacklevel=stacklevel
        )
        return call_upstream(function, upstream, args, kwargs, reason, started)
    if isinstance(outcome, Fallback):
        return call_upstream(function, upstream, args, kwargs, outcome.reason, started)
    result, timings = outcome
    seconds = time.perf_counter() - started
    reporting.record_fast(function, seconds, timings)
    logger.info("%s: fast path (%.3f s)", function, seconds)
    return result
