"""Activation, routing and reporting inside one interpreter."""

from __future__ import annotations

import inspect
import sys

import pytest

import autozyme
from autozyme import reporting as report_module
from autozyme.patches import scanpy_leiden


@pytest.fixture
def pristine():
    """Start and end every test with scanpy unpatched and counters cleared."""
    import scanpy.tools._leiden

    autozyme.deactivate()
    report_module.reset()
    yield scanpy.tools._leiden.leiden
    autozyme.deactivate()
    report_module.reset()


def test_activate_deactivate_restore_identity(pristine):
    import scanpy as sc
    import scanpy.tools._leiden as impl

    original = pristine
    for _ in range(2):
        autozyme.activate("scanpy")
        autozyme.activate("scanpy")
        assert sc.tl.leiden is impl.leiden is not original
        assert sc.tl.leiden.__wrapped__ is original
        autozyme.deactivate()
        autozyme.deactivate()
        assert sc.tl.leiden is original
        assert impl.leiden is original


def test_replacement_looks_like_upstream(pristine):
    import scanpy as sc

    original = pristine
    autozyme.activate("scanpy")
    patched = sc.tl.leiden
    assert inspect.signature(patched) == inspect.signature(original)
    assert patched.__doc__ == original.__doc__
    assert patched.__name__ == original.__name__
    assert patched.__qualname__ == original.__qualname__
    assert patched.__module__ == original.__module__


def test_unknown_target_warns_and_lists_known(pristine):
    with pytest.warns(
        RuntimeWarning, match=r"unknown target.*'bogus'.*known targets: igraph, leidenalg, scanpy"
    ):
        autozyme.activate("bogus")
    assert autozyme.report()["active_targets"] == []


def _assert_same_result(a, b, key="leiden"):
    assert a.obs[key].equals(b.obs[key])
    assert list(a.obs[key].cat.categories) == list(b.obs[key].cat.categories)
    assert a.uns[key]["params"] == b.uns[key]["params"]


def test_fallback_is_upstream_and_recorded(pristine, pbmc):
    import scanpy as sc

    expected = pbmc.copy()
    pristine(expected, flavor="igraph", use_weights=1)
    autozyme.activate("scanpy")
    got = pbmc.copy()
    sc.tl.leiden(got, flavor="igraph", use_weights=1)
    _assert_same_result(got, expected)
    calls = autozyme.report()["calls"]["scanpy.tl.leiden"]
    assert calls["fast_calls"] == 0
    assert calls["fallbacks"] == {"use_weights: not a bool": 1}


def test_upstream_exceptions_pass_through(pristine, pbmc):
    import scanpy as sc

    autozyme.activate("scanpy")
    with pytest.raises(ValueError, match="flavor must be either") as got:
        sc.tl.leiden(pbmc.copy(), flavor="nope")
    with pytest.raises(ValueError, match="flavor must be either") as expected:
        pristine(pbmc.copy(), flavor="nope")
    assert str(got.value) == str(expected.value)
    with pytest.raises(TypeError):
        sc.tl.leiden()


def test_fail_on_fallback_raises(pristine, pbmc, monkeypatch):
    import scanpy as sc

    autozyme.activate("scanpy")
    monkeypatch.setenv("AUTOZYME_FAIL_ON_FALLBACK", "1")
    with pytest.raises(scanpy_leiden.FallbackError, match="flavor='nope' is not accelerated"):
        sc.tl.leiden(pbmc.copy(), flavor="nope")


def test_report_shape(pristine):
    autozyme.activate("scanpy")
    rep = autozyme.report()
    assert rep["active_targets"] == ["scanpy"]
    scanpy_names = [
        "scanpy.tools._leiden.leiden",
        "scanpy.tools._louvain.louvain",
        "scanpy.tools.leiden",
        "scanpy.tools.louvain",
    ]
    # the target also follows python-igraph's generator once igraph is imported
    setters = ["igraph._igraph.set_random_number_generator", "igraph.set_random_number_generator"]
    assert rep["patched"] == (setters if "igraph" in sys.modules else []) + scanpy_names
    for dist in ("python", "scanpy", "igraph", "leidenalg", "numpy"):
        assert rep["versions"][dist]
    assert set(rep["verified"]) == {
        "igraph",
        "leidenalg",
        "louvain-igraph",
        "louvain-vtraag",
        "Graph.community_leiden",
        "find_partition",
        "Graph.community_multilevel",
    }
    assert set(rep["releases"]) == {"scanpy", "igraph", "leidenalg", "louvain"}
    text = report_module.format_report(rep)
    assert "sc.tl.louvain flavor=vtraag" in text
    assert "scanpy.tools._leiden.leiden, scanpy.tools._louvain.louvain, scanpy.tools.leiden" in text


def test_decision_errors_fall_back(pristine, pbmc, monkeypatch):
    """A bug in the decision code becomes a recorded fallback, never a broken call."""
    import scanpy as sc

    from autozyme.patches import leiden_decision

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(scanpy_leiden, "decide", broken)
    expected = pbmc.copy()
    pristine(expected, flavor="igraph", n_iterations=2)
    autozyme.activate("scanpy")
    got = pbmc.copy()
    sc.tl.leiden(got, flavor="igraph", n_iterations=2)
    _assert_same_result(got, expected)
    reasons = autozyme.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    assert reasons == {"internal error while deciding (ZeroDivisionError: boom)": 1}
    assert leiden_decision.decide is not broken
