"""The tree stays ruff-clean (lint and format), as the project's style asks."""

from __future__ import annotations

import subprocess
import sys

from ._runner import ROOT


def test_ruff_check_and_format():
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr
