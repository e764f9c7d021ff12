"""Run upstream's ``sc.tl.leiden`` and ours on identical copies and compare everything."""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import random
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from autozyme import verification

# 1: the installed release of each package counts as enabled in verification.FAST_PATH,
# so the differential suites prove a class before the table enables it
PROVE = os.environ.get("AUTOZYME_TEST_PROVE") == "1"


@dataclass
class Outcome:
    error: tuple[type, str] | None = None
    obs: dict[str, Any] = field(default_factory=dict)
    uns: bytes = b""
    returned: Any = None
    rng_state: Any = None
    igraph_rng: Any = None
    warnings: list[tuple[type, str, str, int]] = field(default_factory=list)


def upstream_leiden():
    import scanpy.tools._leiden as impl

    return getattr(impl.leiden, "__autozyme_original__", impl.leiden)


def _rng_state(random_state: Any) -> Any:
    if isinstance(random_state, np.random.RandomState):
        return random_state.get_state(legacy=False)
    if isinstance(random_state, np.random.Generator):
        return random_state.bit_generator.state
    return np.random.get_state(legacy=False)


def _igraph_rng() -> tuple:
    """Which generator igraph draws from: a graph drawn with Python's ``random`` module
    reseeded, so it tells the module apart from the sentinel that ``run`` installs."""
    import igraph

    saved = random.getstate()
    random.seed(12345)
    try:
        return tuple(igraph.Graph.Erdos_Renyi(n=12, p=0.5).get_edgelist())
    finally:
        random.setstate(saved)
        igraph.set_random_number_generator(random)


def _fresh_arg(kwargs: dict[str, Any]) -> dict[str, Any]:
    """An equal but distinct RandomState / Generator (scanpy >= 1.13's ``rng``) for each
    run, so both start from the same state."""
    # (a Generator passed as random_state stays one object: upstream's error names it)
    return {
        name: pickle.loads(pickle.dumps(kwargs[name]))
        for name, kind in (("random_state", np.random.RandomState), ("rng", np.random.Generator))
        if isinstance(kwargs.get(name), kind)
    }


def run(fn, adata, kwargs: dict[str, Any], *, action: str = "always") -> Outcome:
    """One call of ``fn`` with every warning recorded under the filter ``action``
    ("error": a warning is raised as upstream would raise it)."""
    out = Outcome()
    kwargs = dict(kwargs)
    random_state = kwargs.get("rng", kwargs.get("random_state", 0))
    import igraph

    # upstream's igraph flavor leaves igraph on Python's `random` module; start elsewhere
    igraph.set_random_number_generator(random.Random(54321))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        try:
            out.returned = fn(adata, **kwargs)
        except Exception as exc:
            out.error = (type(exc), str(exc))
    out.warnings = [(w.category, str(w.message), w.filename, w.lineno) for w in caught]
    target = out.returned if out.returned is not None else adata
    key = kwargs.get("key_added", "leiden")
    keys = [key, f"{key}_R"]
    for k in keys:
        if k in target.obs:
            col = target.obs[k]
            out.obs[k] = (
                col.dtype,
                col.cat.codes.dtype,
                list(col.cat.categories),
                col.astype(str).tolist(),
            )
    out.uns = pickle.dumps({k: _comparable(target.uns[k]) for k in keys if k in target.uns})
    out.rng_state = _rng_state(random_state)
    out.igraph_rng = _igraph_rng()
    return out


def _comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """uns[key] with a RandomState param replaced by its type (its state is compared apart)."""
    params = entry.get("params", {})
    if isinstance(params.get("random_state"), np.random.RandomState):
        entry = {**entry, "params": {**params, "random_state": "RandomState"}}
    return entry


def compare(
    patched, base, kwargs: dict[str, Any], *, action: str = "always"
) -> tuple[Outcome, Outcome]:
    """(upstream, ours) on copies of ``base`` (or on what a callable ``base`` returns, e.g.
    a fresh view), from the same RNG state, warnings filtered by ``action``; asserts
    equality."""
    fresh = base if callable(base) else base.copy
    saved_global = np.random.get_state()
    expected = run(upstream_leiden(), fresh(), {**kwargs, **_fresh_arg(kwargs)}, action=action)
    np.random.set_state(saved_global)
    got = run(patched, fresh(), {**kwargs, **_fresh_arg(kwargs)}, action=action)
    assert got.error == expected.error
    assert got.obs == expected.obs
    assert got.uns == expected.uns
    assert _states_equal(got.rng_state, expected.rng_state)
    assert got.igraph_rng == expected.igraph_rng
    assert got.warnings == expected.warnings  # category, message, file and line
    return expected, got


def _states_equal(a: dict, b: dict) -> bool:
    if a["bit_generator"] != "MT19937":
        return a == b
    return (
        a["state"]["pos"] == b["state"]["pos"]
        and np.array_equal(a["state"]["key"], b["state"]["key"])
        and a.get("has_gauss") == b.get("has_gauss")
        and a.get("gauss") == b.get("gauss")
    )


def float_bits(x: float) -> bytes:
    """A float's exact bits (all NaNs alike): equality here is bit-for-bit equality."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def words_advanced(before: dict, after: dict, limit: int = 400_000_000) -> int | None:
    """How many 32-bit words of ``before``'s MT19937 stream lead to ``after`` (None: the
    state is not on that stream within ``limit`` words)."""
    probe = np.random.MT19937()
    probe.state = {"bit_generator": "MT19937", "state": after["state"]}
    wanted = probe.random_raw(4)
    stream = np.random.MT19937()
    stream.state = {"bit_generator": "MT19937", "state": before["state"]}
    chunk, seen, tail = 1 << 20, 0, np.empty(0, dtype=np.uint64)
    while seen < limit:
        words = np.concatenate((tail, stream.random_raw(chunk)))
        for i in np.flatnonzero(words[:-3] == wanted[0]):
            if np.array_equal(words[i : i + 4], wanted):
                return seen - tail.size + int(i)
        seen += chunk
        tail = words[-3:]
    return None


def case_ids(cases: list[dict[str, Any]]) -> list[str]:
    """Readable pytest ids for keyword-argument cases ("default" for no arguments)."""
    return [",".join(f"{k}={v!r}"[:40] for k, v in case.items()) or "default" for case in cases]


# the reason the decision gives first on scanpy >= 1.13 (class S5)
RNG_REASON = "rng: scanpy's rng= interface and presets (1.13) are not verified"


def has_rng() -> bool:
    """scanpy >= 1.13: rng= replaces random_state, and every call runs upstream."""
    import inspect

    return "rng" in inspect.signature(upstream_leiden()).parameters


def prove_installed(flavor: str, patch: pytest.MonkeyPatch) -> None:
    """With :data:`PROVE`, count the installed class of each package ``flavor`` depends on
    as enabled (for ``patch``'s lifetime)."""
    if not PROVE:
        return
    installed = verification.behaviour(flavor).classes
    table = verification.FAST_PATH[flavor]
    patch.setitem(
        verification.FAST_PATH,
        flavor,
        {
            package: allowed | {installed[package].name} if package in installed else allowed
            for package, allowed in table.items()
        },
    )


@contextlib.contextmanager
def fast_path_here(flavor: str) -> Iterator[None]:
    """Skip unless ``flavor`` takes the fast path in this environment (or, with
    :data:`PROVE`, would once its installed classes are enabled)."""
    with pytest.MonkeyPatch.context() as patch:
        prove_installed(flavor, patch)
        scanpy_flavor = flavor in ("igraph", "leidenalg")
        problem = (
            RNG_REASON if scanpy_flavor and has_rng() else verification.unverified_reason(flavor)
        )
        if problem:
            pytest.skip(f"{flavor} flavor runs upstream here: {problem}")
        yield


def large_random_graph() -> Any:
    """100k vertices, 2M random weighted edges, symmetrised: a run that takes seconds."""
    import scipy.sparse as sp

    from autozyme.algorithms.graph import graph_from_adjacency

    n, rng = 100_000, np.random.default_rng(0)
    rows, cols = rng.integers(0, n, 10 * n), rng.integers(0, n, 10 * n)
    adj = sp.csr_matrix((rng.random(10 * n), (rows, cols)), shape=(n, n))
    return graph_from_adjacency((adj + adj.T).tocsr())


def assert_interrupted(run: Any) -> None:
    """``run()`` (a compiled run with the GIL released) ends with Interrupted holding the
    KeyboardInterrupt of a SIGINT sent 50 ms in, well before it would have finished."""
    import _thread
    import signal
    import threading
    import time

    from autozyme.algorithms import Interrupted

    # interrupt_main() does nothing where SIGINT is ignored (a process started in the
    # background, as a CI runner's may be): Python's own handler for the test's duration
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.05, _thread.interrupt_main)
    start = time.perf_counter()
    try:
        timer.start()
        with pytest.raises(Interrupted) as stop:
            run()
            time.sleep(60)  # not reached when the run itself was interrupted
        timer.join()
        assert type(stop.value.args[0]) is KeyboardInterrupt
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - start < 30
