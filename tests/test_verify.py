"""``python -m autozyme verify``: the probe against the installed upstream, its recorded
verdict, and what that verdict switches.

The installed combination is listed and CI-proven, so each test first makes the installed
scanpy release unlisted (a ``sitecustomize`` on ``PYTHONPATH`` drops it from
``releases``; its nearest class is the one it belongs to): the fast path then waits for a
recorded pass. Every interpreter involved, the probe's two sides included, runs with it;
upstream's side still runs the real, installed upstream.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from ._runner import ROOT, clean_env, run_python

UNLIST_SCANPY = """
from importlib import metadata

from autozyme.verification import releases

releases._BY_RELEASE.pop(("scanpy", metadata.version("scanpy")))
"""

# in the first call only, one label of our igraph core's membership changed (a cluster
# of its own)
FLIP_LABEL = """
import autozyme.algorithms.igraph_leiden as igraph_target

_igraph_original = igraph_target.community_leiden
_igraph_calls = []


def _igraph_flipped(*args, **kwargs):
    membership, quality = _igraph_original(*args, **kwargs)
    if not _igraph_calls:
        membership[-1] = membership.max() + 1
    _igraph_calls.append(1)
    return membership, quality


igraph_target.community_leiden = _igraph_flipped
"""

# in the first call that reads it, the lowest bit of our leidenalg core's quality flipped
FLIP_QUALITY_BIT = """
import struct

import autozyme.algorithms.leidenalg_partition as leidenalg_target

_leidenalg_original = leidenalg_target.find_partition
_leidenalg_calls = []


def _leidenalg_flipped(*args, **kwargs):
    found = _leidenalg_original(*args, **kwargs)
    if len(_leidenalg_calls) == 1:  # the first call is scanpy's, which only reads the membership
        (bits,) = struct.unpack("<q", struct.pack("<d", found.quality))
        found = found._replace(quality=struct.unpack("<d", struct.pack("<q", bits ^ 1))[0])
    _leidenalg_calls.append(1)
    return found


leidenalg_target.find_partition = _leidenalg_flipped
"""

SOFT_SUFFIX = "(`python -m autozyme verify` can prove this environment)"

# the state a verdict leaves: each flavor's reason (None: fast path) and one leiden call
AFTER = """
import json
import scanpy as sc
import autozyme
from autozyme.verification import unverified_reason

adata = sc.datasets.pbmc68k_reduced()
autozyme.activate("scanpy")
sc.tl.leiden(adata, flavor="igraph", n_iterations=2, key_added="a")
sc.tl.leiden(adata, flavor="leidenalg", n_iterations=2, key_added="b")
calls = autozyme.report()["calls"]["scanpy.tl.leiden"]
print(json.dumps({
    "reasons": {f: unverified_reason(f) for f in ("igraph", "leidenalg")},
    "fast_calls": calls["fast_calls"],
    "fallbacks": calls["fallbacks"],
}))
"""


@pytest.fixture
def simulated(tmp_path):
    """An environment whose installed scanpy release is unlisted; returns (env, cache)."""

    def make(*extra: str) -> tuple[dict[str, str], Path]:
        site = tmp_path / "site"
        site.mkdir()
        code = "\n".join(textwrap.dedent(part) for part in (UNLIST_SCANPY, *extra))
        (site / "sitecustomize.py").write_text(code)
        cache = tmp_path / "cache"
        return clean_env(PYTHONPATH=str(site), AUTOZYME_CACHE_DIR=str(cache)), cache

    return make


def _verify(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autozyme", "verify", "--json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )


def _after(env: dict[str, str]) -> dict:
    out = run_python(AFTER, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def _recorded(cache: Path, flavor: str) -> dict:
    (path,) = cache.glob(f"verdict-{flavor}-*.json")
    return json.loads(path.read_text())


FIRST_MISMATCH = {"igraph": "scanpy.labels", "leidenalg": "library.quality"}


def test_a_mismatch_is_recorded_and_keeps_the_fast_path_off(simulated):
    """One label flipped on the igraph side, one quality bit on the leidenalg side."""
    env, cache = simulated(FLIP_LABEL, FLIP_QUALITY_BIT)
    # earlier passes, which the failures must replace
    seeded = run_python(
        """
        from autozyme.verification import detected_versions, local
        for flavor in ("igraph", "leidenalg"):
            local.record(flavor, detected_versions(), {"passed": True})
            assert local.recorded_pass(flavor, detected_versions())
        """,
        env=env,
    )
    assert seeded.returncode == 0, seeded.stderr
    out = _verify(env)
    assert out.returncode == 1, out.stdout + out.stderr
    results = json.loads(out.stdout)
    for flavor, field in FIRST_MISMATCH.items():
        assert results[flavor]["verifiable"] and not results[flavor]["passed"]
        assert results[flavor]["fast_path_problem"].endswith(SOFT_SUFFIX)
        recorded = _recorded(cache, flavor)
        assert recorded["passed"] is False
        assert recorded["mismatches"] == 1 and recorded["checks"] >= 40
        assert recorded["first"]["field"] == field

    after = _after(env)
    for reason in after["reasons"].values():
        assert reason.endswith(SOFT_SUFFIX) and "scanpy==" in reason
        assert "is not a listed release" in reason
    assert after["fast_calls"] == 0
    assert after["fallbacks"] == Counter(after["reasons"].values())  # one call per flavor


def test_b_a_pass_on_an_unlisted_identical_release_switches_the_fast_path_on(simulated):
    env, cache = simulated()
    before = _after(env)
    assert all(r.endswith(SOFT_SUFFIX) for r in before["reasons"].values())
    assert before["fast_calls"] == 0

    out = _verify(env)
    assert out.returncode == 0, out.stdout + out.stderr
    results = json.loads(out.stdout)
    for flavor in ("igraph", "leidenalg"):
        assert results[flavor]["passed"] and results[flavor]["mismatches"] == 0
        assert results[flavor]["fast_path_problem"] is None
        recorded = _recorded(cache, flavor)
        assert recorded["passed"] is True and recorded["checks"] >= 40
        assert recorded["classes"]["scanpy"] in ("S3", "S4")

    after = _after(env)
    assert after["reasons"] == {"igraph": None, "leidenalg": None}
    assert (after["fast_calls"], after["fallbacks"]) == (2, {})

    # the record holds for exactly this environment: any other version string, none
    other = run_python(
        """
        from autozyme.verification import detected_versions, local

        versions = detected_versions()
        print(local.recorded_pass("igraph", versions))
        for key in versions:
            print(key, local.recorded_pass("igraph", {**versions, key: "0.0.0"}))
        """,
        env=env,
    )
    assert other.returncode == 0, other.stderr
    first, *rest = other.stdout.split("\n")[:-1]
    assert first == "True"
    assert rest and all(line.endswith(" False") for line in rest)


def test_status_explains_the_unlisted_release_and_what_to_do(simulated):
    env, _ = simulated()
    out = run_python("from autozyme.cli import main; raise SystemExit(main(['status']))", env=env)
    assert out.returncode == 0, out.stderr
    assert "(not a listed release; nearest class S" in out.stdout
    assert "fast path for sc.tl.leiden flavor=igraph: off (" in out.stdout
    assert "to switch it on: run `python -m autozyme verify`" in out.stdout


def test_no_verdict_lifts_a_hard_problem(simulated):
    """A class CI proves to differ is not probed, nothing is recorded, exit 2."""
    env, cache = simulated(
        "from autozyme import verification\n"
        'verification.FAST_PATH["igraph"]["igraph"] = frozenset()\n'
    )
    out = _verify(env, "--flavor", "igraph")
    assert out.returncode == 2, out.stdout + out.stderr
    result = json.loads(out.stdout)["igraph"]
    assert not result["verifiable"] and "is not verified" in result["problem"]
    assert result["fast_path_problem"]
    assert not cache.exists()
