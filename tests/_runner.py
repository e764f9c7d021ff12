"""Run Python snippets in fresh interpreters and fresh virtual environments."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOZYME")}
    env.pop("PYTHONPATH", None)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(
    code: str,
    *,
    python: str | Path = sys.executable,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=clean_env() if env is None else env,
        cwd=cwd or ROOT,
        timeout=timeout,
        check=False,
    )


def make_venv(
    path: Path,
    *,
    editable: bool = False,
    artifact: Path | None = None,
    env: dict[str, str] | None = None,
) -> Path:
    """A new venv holding a real ``pip install`` of this project: of the checkout (regular or
    editable), or of a built ``artifact`` (wheel or sdist); ``env`` for the install.

    Dependencies (scanpy, igraph, ...) are shared with the running environment through a
    ``_deps.pth`` path entry: it sorts before ``autozyme.pth``, as installed dependencies
    would be importable before our bootstrap runs.
    """
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    if artifact is not None:
        target = [str(artifact)]
    else:
        target = ["-e", str(ROOT)] if editable else [str(ROOT)]
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", *target],
        check=True,
        env=clean_env() if env is None else env,
        cwd=path,
    )
    return python
