"""``python -m autozyme``: status and run."""

from __future__ import annotations

import sys

from ._runner import clean_env, run_python

SCRIPT = """
import sys
import scanpy as sc

adata = sc.datasets.pbmc68k_reduced()
sc.tl.leiden(adata, flavor="igraph", n_iterations=2)
print("argv", sys.argv[1:])
sys.exit(int(sys.argv[1]))
"""


def test_run_passes_argv_and_exit_code(tmp_path):
    script = tmp_path / "pipeline.py"
    script.write_text(SCRIPT)
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "autozyme", "run", "--report", str(script), "3", "--flag", "x"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    assert out.returncode == 3, out.stderr
    assert "argv ['3', '--flag', 'x']" in out.stdout
    assert "scanpy.tools._leiden.leiden, scanpy.tools._louvain.louvain, scanpy.tools.leiden" in (
        out.stderr
    )
    assert "scanpy.tl.leiden: " in out.stderr


def test_status_prints_versions():
    out = run_python("from autozyme.cli import main; raise SystemExit(main(['status']))")
    assert out.returncode == 0, out.stderr
    assert "versions: python" in out.stdout
    assert "releases: scanpy " in out.stdout and " (class S" in out.stdout
    assert "fast path for sc.tl.leiden flavor=igraph: on (scanpy S" in out.stdout


PLUGIN_TEST = """
import sys

assert "scanpy" not in sys.modules, "scanpy imported before the test module"


def test_patched():
    import scanpy as sc
    import scanpy.tools._leiden as impl

    assert sc.tl.leiden is impl.leiden
    assert impl.leiden.__wrapped__ is impl.leiden.__autozyme_original__
"""


def test_pytest_plugin_activates_without_importing_scanpy(tmp_path):
    (tmp_path / "test_plugin_probe.py").write_text(PLUGIN_TEST)
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "autozyme",
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_plugin_probe.py"),
        ],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout


# one fast-path call and one fallback (upstream raises for the unknown flavor)
TWO_CALLS = """
import scanpy as sc
adata = sc.datasets.pbmc68k_reduced()
sc.tl.leiden(adata, flavor="igraph", n_iterations=2)
try:
    sc.tl.leiden(adata, flavor="nope")
except ValueError:
    pass
"""


def test_ipython_extension_and_verbose_lines():
    code = (
        "import sys, autozyme\n"
        "autozyme.load_ipython_extension(None)\n"
        "assert 'scanpy' not in sys.modules\n"
        + TWO_CALLS
        + "autozyme.unload_ipython_extension(None)\n"
        "assert not hasattr(sc.tl.leiden, '__autozyme_original__')\n"
    )
    out = run_python(code, env=clean_env(AUTOZYME_VERBOSE="1"))
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("autozyme: ")]
    assert len(lines) == 2, out.stderr
    assert lines[0].startswith("autozyme: scanpy.tl.leiden: fast path (")
    assert lines[1] == "autozyme: scanpy.tl.leiden: upstream (flavor='nope' is not accelerated)"


def test_silent_by_default():
    out = run_python("import autozyme\nautozyme.activate('scanpy')\n" + TWO_CALLS)
    assert out.returncode == 0, out.stderr
    assert "autozyme" not in out.stderr
