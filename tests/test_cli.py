"""``python -m autozyme``: status and run."""

from __future__ import annotations

import sys

from ._runner import run_python

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

    from ._runner import clean_env

    out = subprocess.run(
        [sys.executable, "-m", "autozyme", "run", "--report", str(script), "3", "--flag", "x"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    assert out.returncode == 3, out.stderr
    assert "argv ['3', '--flag', 'x']" in out.stdout
    assert "patched: scanpy.tools._leiden.leiden, scanpy.tools.leiden" in out.stderr
    assert "scanpy.tl.leiden: " in out.stderr


def test_status_prints_versions():
    out = run_python("from autozyme.cli import main; raise SystemExit(main(['status']))")
    assert out.returncode == 0, out.stderr
    assert "versions: python" in out.stdout
    assert "fast path for leiden flavor=igraph:" in out.stdout
