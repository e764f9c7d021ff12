"""Real installs into fresh virtual environments: the .pth bootstrap, -S, the CLI."""

from __future__ import annotations

import pytest

from ._runner import clean_env, make_venv, run_python

pytestmark = pytest.mark.venv

PATCHED_STATE = """
    import sys
    import scanpy as sc
    import scanpy.tools._leiden as impl
    original = getattr(impl.leiden, "__autozyme_original__", None)
    print("patched" if original is not None and sc.tl.leiden is impl.leiden else "upstream")
    print(sorted(m for m in sys.modules if m == "autozyme" or m.startswith("autozyme.")))
"""


@pytest.fixture(scope="module", params=["regular", "editable"])
def venv_python(request, tmp_path_factory):
    path = tmp_path_factory.mktemp(f"venv-{request.param}")
    return make_venv(path, editable=request.param == "editable")


def test_pth_file_installed(venv_python):
    out = run_python(
        """
        import sysconfig, pathlib
        site = pathlib.Path(sysconfig.get_paths()["purelib"])
        print((site / "autozyme.pth").read_text().strip())
        print((site / "autozyme.start").read_text().strip())
        """,
        python=venv_python,
    )
    assert out.returncode == 0, out.stderr
    pth, start = out.stdout.splitlines()
    assert pth.startswith("import autozyme._bootstrap")
    assert start == "autozyme._bootstrap:start"


def test_variable_set_patches_on_import(venv_python):
    out = run_python(PATCHED_STATE, python=venv_python, env=clean_env(AUTOZYME="scanpy"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "patched"
    assert out.stderr == ""


def test_variable_unset_costs_nothing(venv_python):
    for value in (None, "0", ""):
        out = run_python(PATCHED_STATE, python=venv_python, env=clean_env(AUTOZYME=value))
        assert out.returncode == 0, out.stderr
        state, modules = out.stdout.splitlines()
        assert state == "upstream"
        assert modules == "['autozyme', 'autozyme._bootstrap']"


def test_no_site_means_no_bootstrap(venv_python):
    out = run_python(
        "import sys; print([m for m in sys.modules if m.startswith('autozyme')])",
        python=venv_python,
        args=("-S",),
        env=clean_env(AUTOZYME="scanpy"),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_unknown_target_warns_once(venv_python):
    out = run_python(PATCHED_STATE, python=venv_python, env=clean_env(AUTOZYME="scanpy,bogus"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "patched"
    assert out.stderr.count("unknown target") == 1
    assert "'bogus'" in out.stderr
    assert "known targets: scanpy" in out.stderr
