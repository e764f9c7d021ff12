"""Run Python snippets in fresh interpreters and fresh virtual environments."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Sequence
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


def interpreter(minor: str) -> Path:
    """Python ``minor`` (e.g. "3.12"): pyenv's newest patch release, else one on PATH."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(versions.glob(f"{minor}.*/bin/python{minor}"))
    if found:
        return found[-1]
    on_path = shutil.which(f"python{minor}")
    if on_path is None:
        raise RuntimeError(f"Python {minor} not found under {versions} nor on PATH")
    return Path(on_path)


def copy_checkout(dest: Path) -> Path:
    """Bring ``dest`` up to date with this checkout's files: the tracked ones and the
    untracked ones git does not ignore (uncommitted work included).

    Another interpreter builds and installs the copy in place, so its compiled core and what
    its tests fetch beside the sources (scanpy's test modules, per scanpy release) stay out
    of this checkout, which the main run and other rows use at the same time. Files copied
    last time and gone from the checkout since are removed; build products and fetched files
    are kept for the next run.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    names = {os.fsdecode(name) for name in listed.split(b"\0") if name}
    # a tracked file deleted in the work tree is still listed
    names = {name for name in names if (ROOT / name).is_file()}
    manifest = dest / ".copied-files"
    if manifest.exists():
        for gone in set(manifest.read_text().splitlines()) - names:
            (dest / gone).unlink(missing_ok=True)
    for name in sorted(names):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    manifest.write_text("\n".join(sorted(names)))
    return dest


def test_requirements() -> list[str]:
    """The ``test`` extra of setup.cfg, as pip takes it."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config["options.extras_require"]["test"].split()


def _run(command: Sequence[str | Path], **kwargs) -> None:
    """Run a build step; on failure, fail with the end of its output."""
    out = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, **kwargs
    )
    if out.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {out.returncode}:\n"
            f"{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
        )


def pinned_venv(path: Path, minor: str, pins: Sequence[str]) -> tuple[Path, Path]:
    """A venv of Python ``minor`` (``path``/venv) with a copy of this checkout
    (``path``/checkout) installed editable, with its test extra and ``pins``.

    The dependencies are installed once, stamped with what was asked for (the interpreter,
    the test extra, the pins), and installed again only when that changes; the checkout is
    copied and rebuilt on every call, so the compiled core is the current one. Returns the
    venv's interpreter and the copy.
    """
    base = interpreter(minor)
    venv = path / "venv"
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q"]
    checkout = copy_checkout(path / "checkout")
    stamp = path / "installed.txt"
    wanted = "\n".join([str(base), *test_requirements(), *pins])
    if stamp.exists() and stamp.read_text() == wanted:
        _run([*pip, "--no-deps", "-e", checkout], env=clean_env())
    else:
        stamp.unlink(missing_ok=True)
        _run([base, "-m", "venv", "--clear", venv])
        _run([*pip, "-U", "pip"], env=clean_env())
        _run([*pip, "-e", f"{checkout}[test]", *pins], env=clean_env())
        stamp.write_text(wanted)
    return python, checkout
