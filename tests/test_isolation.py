"""A failure inside AutoZyme must leave scanpy working upstream, with one warning."""

from __future__ import annotations

import textwrap

import pytest

from ._runner import clean_env, run_python

LEIDEN_ON_PBMC = textwrap.dedent(
    """
    import warnings
    import numpy as np
    import scanpy as sc
    import scanpy.tools._leiden as impl
    upstream = getattr(impl.leiden, "__autozyme_original__", impl.leiden)
    adata = sc.datasets.pbmc68k_reduced()
    expected = adata.copy()
    upstream(expected, flavor="igraph", n_iterations=2)
    sc.tl.leiden(adata, flavor="igraph", n_iterations=2)
    assert adata.obs["leiden"].equals(expected.obs["leiden"])
    assert adata.uns["leiden"]["params"] == expected.uns["leiden"]["params"]
    print("patched" if sc.tl.leiden is not upstream else "upstream")
    """
)


def test_activate_before_import_then_deactivate():
    out = run_python(
        """
        import autozyme
        autozyme.activate("scanpy"); autozyme.activate("scanpy")
        import scanpy as sc
        import scanpy.tools._leiden as impl
        original = impl.leiden.__wrapped__
        assert sc.tl.leiden is impl.leiden
        autozyme.deactivate(); autozyme.deactivate()
        assert sc.tl.leiden is original and impl.leiden is original
        autozyme.activate("scanpy")
        assert sc.tl.leiden.__wrapped__ is original
        print("ok")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_deactivate_before_import_keeps_upstream():
    out = run_python(
        """
        import autozyme
        autozyme.activate("scanpy")
        autozyme.deactivate()
        import scanpy as sc
        import scanpy.tools._leiden as impl
        assert not hasattr(sc.tl.leiden, "__autozyme_original__")
        print("ok")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_broken_patch_module_leaves_scanpy_upstream():
    out = run_python(
        "import sys; sys.modules['autozyme.patches.scanpy_leiden'] = None\n" + LEIDEN_ON_PBMC,
        env=clean_env(AUTOZYME="scanpy"),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "upstream"
    assert out.stderr.count("autozyme: could not patch scanpy") == 1


@pytest.mark.parametrize(
    ("core", "reason"),
    [
        ("None", "compiled core unavailable (ModuleNotFoundError"),
        # a build left over from another version of the package
        (
            "types.SimpleNamespace(abi=lambda: 3)",
            "compiled core unavailable (ImportError: built for calling convention 3",
        ),
    ],
)
def test_missing_or_stale_compiled_core_falls_back_with_one_warning(core, reason):
    out = run_python(
        f"import sys, types; sys.modules['autozyme._core'] = {core}\n"
        + LEIDEN_ON_PBMC
        + "\nsc.tl.leiden(adata, flavor='igraph')"
        + "\nimport autozyme; print(autozyme.report()['calls'])",
        env=clean_env(AUTOZYME="scanpy"),
    )
    assert out.returncode == 0, out.stderr
    patched, calls = out.stdout.strip().splitlines()
    assert patched == "patched"
    assert reason in calls
    assert out.stderr.count("autozyme: compiled core unavailable") == 1
