"""The decision knows the CPU: outside the platforms CI proves, the fast path is off and
the call goes upstream with its reason (aarch64: known to differ, whatever is recorded)."""

from __future__ import annotations

import platform
import sys

import pytest

from autozyme import reporting, verification
from autozyme.verification import local, platforms

from ._compare import compare


@pytest.mark.parametrize(
    ("system", "machine", "fragment", "liftable"),
    [
        ("linux", "aarch64", "fuse multiply-adds", False),
        ("darwin", "arm64", "fuse multiply-adds", False),
        ("win32", "AMD64", "Windows", False),
        ("darwin", "x86_64", "darwin x86_64 is not proven by CI", True),
        ("linux", "ppc64le", "linux ppc64le is not proven by CI", True),
    ],
)
def test_unproven_platform_falls_back(
    patched, pbmc, monkeypatch, system, machine, fragment, liftable
):
    monkeypatch.setattr(sys, "platform", system)
    monkeypatch.setattr(platform, "machine", lambda: machine)
    for flavor in ("igraph", "leidenalg"):
        reason = verification.unverified_reason(flavor)
        assert reason is not None and fragment in reason
        assert ("autozyme verify" in reason) is liftable
    compare(patched, pbmc, {"flavor": "igraph", "n_iterations": 2})
    reasons = reporting.report()["calls"]["scanpy.tl.leiden"]["fallbacks"]
    assert any(fragment in r for r in reasons), reasons


def test_known_differences_are_not_lifted_by_a_recorded_pass(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(local, "recorded_pass", lambda flavor, versions: True)
    assert "fuse multiply-adds" in verification.unverified_reason("igraph")


def test_this_machine_is_proven():
    assert (sys.platform, platform.machine()) == ("linux", "x86_64"), "CI runs on Linux x86_64"
    assert platforms.known_difference() is None
    assert platforms.unproven() is None
