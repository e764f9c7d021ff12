"""Real installs into fresh virtual environments: the .pth bootstrap, -S, the CLI."""

from __future__ import annotations

import json

import pytest

from ._runner import ROOT, clean_env, make_venv, run_python

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
    assert pth == (ROOT / "autozyme.pth").read_text().strip()
    assert pth.startswith("import ") and "autozyme._bootstrap" in pth
    assert start == "autozyme._bootstrap:start"


def test_variable_set_patches_on_import(venv_python):
    out = run_python(PATCHED_STATE, python=venv_python, env=clean_env(AUTOZYME="scanpy"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "patched"
    assert out.stderr == ""


def test_variable_unset_costs_nothing(venv_python):
    # unset: the .pth line does not even import the bootstrap; "0" / "": it returns at once
    bootstrap = "['autozyme', 'autozyme._bootstrap']"
    for value, loaded in ((None, "[]"), ("0", bootstrap), ("", bootstrap)):
        out = run_python(PATCHED_STATE, python=venv_python, env=clean_env(AUTOZYME=value))
        assert out.returncode == 0, out.stderr
        state, modules = out.stdout.splitlines()
        assert state == "upstream"
        assert modules == loaded


# What site.py does with the .pth file (exec each "import" line) and what a PEP 829
# interpreter does with the .start file (import the module, call the function), between
# two snapshots of sys.modules, AutoZyme's own modules forgotten first.
STARTUP_IMPORTS = """
    import importlib, json, os, pathlib, sys, sysconfig
    site = pathlib.Path(sysconfig.get_paths()["purelib"])
    for name in [m for m in sys.modules if m == "autozyme" or m.startswith("autozyme.")]:
        del sys.modules[name]
    before = set(sys.modules)
    for line in (site / "autozyme.pth").read_text().splitlines():
        if line.startswith(("import ", "import\t")):
            exec(line)
    pth = sorted(set(sys.modules) - before)
    module, _, function = (site / "autozyme.start").read_text().strip().partition(":")
    getattr(importlib.import_module(module), function)()
    start = sorted(set(sys.modules) - before)
    print(json.dumps({"pth": pth, "start": start}))
"""


def test_bootstrap_with_variable_unset_imports_nothing_new(venv_python):
    """Nothing a plain interpreter start has not loaded already: with the variable unset
    the .pth line imports nothing at all; the bootstrap itself (the .start entry point,
    or the .pth with ``AUTOZYME=0``) only the package and itself."""
    bootstrap = ["autozyme", "autozyme._bootstrap"]
    for value, pth in ((None, []), ("0", bootstrap)):
        out = run_python(STARTUP_IMPORTS, python=venv_python, env=clean_env(AUTOZYME=value))
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"pth": pth, "start": bootstrap}
    # the same lines with the variable set do import AutoZyme's activation (and wrapt)
    out = run_python(STARTUP_IMPORTS, python=venv_python, env=clean_env(AUTOZYME="scanpy"))
    assert out.returncode == 0, out.stderr
    assert "autozyme.activation" in json.loads(out.stdout)["pth"]


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
    assert "known targets: igraph, leidenalg, scanpy" in out.stderr
