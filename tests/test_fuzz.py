"""A few hundred cases of the differential fuzzer (scripts/fuzz.py) on every CI run."""

from __future__ import annotations

import importlib.util

from ._runner import ROOT


def test_fuzz_cases_match_upstream():
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    counts = fuzz.run(300, seed=20261125)
    assert counts["mismatches"] == 0
    assert counts["compared"] >= 200, counts
