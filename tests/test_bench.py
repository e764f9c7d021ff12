"""The benchmark suite's bookkeeping (not its speed): configurations, plan, modularity,
summaries, time limits, and one real end-to-end run on pbmc68k_reduced with 1 repetition."""

from __future__ import annotations

import json
import statistics
from importlib import metadata

import numpy as np
import pytest

from autozyme.bench import contenders, datasets, measure, runner, summary


def test_config_kwargs_and_sweep_names():
    assert contenders.config_kwargs("default") == {}
    assert contenders.config_kwargs("igraph-n2") == {"flavor": "igraph", "n_iterations": 2}
    assert contenders.config_kwargs("igraph-n2@r0.5") == {
        "flavor": "igraph",
        "n_iterations": 2,
        "resolution": 0.5,
    }
    sweep = contenders.sweep_configs()
    assert [contenders.config_kwargs(c)["resolution"] for c in sweep] == list(
        contenders.SWEEP_RESOLUTIONS
    )
    assert sweep[0].endswith("@r0.25") and sweep[-1].endswith("@r2")


def test_which_contender_runs_which_config():
    assert contenders.applies("upstream", "default")
    assert contenders.applies("autozyme", "igraph-converge")
    assert not contenders.applies("prior-art", "default")  # igraph flavor technique only
    assert contenders.applies("prior-art", "igraph-converge")
    assert not contenders.applies("networkit-1t", "igraph-converge")  # no convergence mode
    assert contenders.applies("networkit-2t", "igraph-n2")
    assert contenders.applies("networkit-1t", "igraph-n2@r1.5")
    assert not contenders.applies("networkit-2t", "igraph-n2@r1.5")  # threads: base only


def test_plan_order_reps_and_contenders():
    reps = runner.Reps(small=2, medium=3, large=1, sweep=1)
    plan = runner.make_plan(
        [("igraph-n2", ["10k", "68k", "1m"]), ("default", ["68k"]), ("sweep", ["10k"])],
        list(contenders.CONTENDERS),
        reps,
    )
    assert [(b.dataset, b.config, b.reps) for b in plan[:4]] == [
        ("10k", "igraph-n2", 2),
        ("68k", "igraph-n2", 3),
        ("1m", "igraph-n2", 1),
        ("68k", "default", 3),
    ]
    assert plan[3].contenders == ("upstream", "autozyme")
    assert [b.config for b in plan[4:]] == contenders.sweep_configs()
    assert all(b.reps == 1 and "networkit-2t" not in b.contenders for b in plan[4:])
    assert runner.Reps(2, 3, 1, 1).of("my.h5ad", "default") == 3  # unknown size: medium
    assert runner.Reps(2, 3, 1, 1).of("pbmc68k_reduced", "default") == 2


def test_modularity_matches_igraph(pbmc):
    import igraph as ig
    from scipy import sparse

    adjacency = pbmc.obsp["connectivities"]
    labels = np.asarray(pbmc.obs["louvain"].cat.codes, dtype=np.int64)
    upper = sparse.triu(adjacency, format="coo")
    graph = ig.Graph(n=pbmc.n_obs, edges=np.column_stack([upper.row, upper.col]))
    for gamma in (1.0, 0.5):
        expected = graph.modularity(labels.tolist(), weights=upper.data.tolist(), resolution=gamma)
        assert measure.modularity(adjacency, labels, gamma) == pytest.approx(expected, abs=1e-9)


def _row(contender, rep, wall, **extra):
    row = {
        "dataset": "10k",
        "config": "igraph-n2",
        "contender": contender,
        "rep": rep,
        "status": "ok",
        "n_cells": 10_000,
        "wall_s": wall,
        "peak_rss_mib": 100.0 if contender == "upstream" else 25.0,
        "n_clusters": 7,
        "modularity": 0.9,
        "labels_sha": "aaaa",
        "fingerprint": "ffff" if contender in contenders.SCANPY_CONTENDERS else None,
        "ari": 1.0,
    }
    return row | extra


def test_summary_medians_ratios_and_identity():
    rows = [
        _row("upstream", 0, 4.0),
        _row("autozyme", 0, 1.0, fast_path=True, breakdown_s={"leiden": 0.5}),
        _row("upstream", 1, 6.0),
        _row("autozyme", 1, 2.0, fast_path=True, breakdown_s={"leiden": 0.7}),
        _row("upstream", 2, 5.0),
        _row("autozyme", 2, 3.0, fast_path=True, breakdown_s={"leiden": 0.9}),
        _row("prior-art", 0, 2.5, labels_sha="bbbb", ari=0.97),
        {"dataset": "10k", "config": "igraph-n2", "contender": "networkit-1t", "rep": 0,
         "status": "timeout", "time_limit_s": 60, "process_s": 60},
    ]  # fmt: skip
    table = summary.summarize(rows)
    az = summary.find(table, "10k", "igraph-n2", "autozyme")
    assert az["runs"] == 3
    assert (az["wall_median_s"], az["wall_min_s"], az["wall_max_s"]) == (2.0, 1.0, 3.0)
    assert az["speedup"] == pytest.approx(5.0 / 2.0)  # ratio of medians
    assert az["speedups"] == pytest.approx([4.0, 3.0, 5.0 / 3.0])  # paired by repetition
    assert az["memory_ratio"] == pytest.approx(0.25)
    assert az["identical"] is True and az["fast_path"] is True
    assert az["breakdown_s"] == {"leiden": pytest.approx(0.7)}
    pa = summary.find(table, "10k", "igraph-n2", "prior-art")
    assert pa["identical"] is False and pa["ari"] == pytest.approx(0.97)
    nk = summary.find(table, "10k", "igraph-n2", "networkit-1t")
    assert nk["status"] == "timeout" and nk["runs"] == 0
    text = summary.markdown_main(table)
    assert "| 10k | 10,000 | `igraph-n2` | 5 | 2 | 2.5x | yes | yes |" in text
    assert "DNF (>60 s)" in text
    plan = [{"dataset": "10k", "config": "default", "contenders": ["upstream"]}]
    assert summary.not_run(plan, rows) == ["10k `default` upstream"]
    # no phases reported (leidenalg flavor): no breakdown table
    assert summary.markdown_breakdown(table) == ""


def test_breakdown_table_shares_of_the_median_call():
    parts = {
        "graph": 0.1,
        "leiden: setup": 0.1,
        "leiden: fast-move": 0.4,
        "leiden: refinement": 0.2,
        "leiden: aggregation": 0.1,
        "labels": 0.05,
    }
    rows = [
        _row("upstream", 0, 4.0),
        _row("autozyme", 0, 1.0, fast_path=True, breakdown_s=parts),
    ]  # fmt: skip
    text = summary.markdown_breakdown(summary.summarize(rows))
    assert text.splitlines()[-1] == (
        "| 10k | `igraph-n2` | 1000 | 100 (10%) | 100 (10%) | 400 (40%) | 200 (20%) "
        "| 100 (10%) | 50 (5%) | 50 (5%) |"
    )


def test_time_limit_kills_and_is_not_retried(tmp_path):
    plan = [runner.Block("pbmc68k_reduced", "default", ("upstream",), reps=2)]
    log = tmp_path / "runs.jsonl"
    rows = runner.execute(
        plan, log=log, labels_dir=tmp_path / "labels", time_limit=0.2, progress=False
    )
    assert [(r["status"], r["rep"]) for r in rows] == [("timeout", 0)]
    assert runner.read_log(log) == rows


def test_no_run_starts_after_the_deadline(tmp_path):
    import time

    plan = [runner.Block("pbmc68k_reduced", "default", ("upstream", "autozyme"), reps=1)]
    rows = runner.execute(
        plan,
        log=tmp_path / "runs.jsonl",
        labels_dir=tmp_path / "labels",
        time_limit=600,
        deadline=time.time() + 5,  # less than MIN_RUN_S left
        progress=False,
    )
    assert rows == []
    plan_dicts = [
        {"dataset": b.dataset, "config": b.config, "contenders": b.contenders} for b in plan
    ]
    assert len(summary.not_run(plan_dicts, rows)) == 2


def test_user_file_loading(tmp_path, pbmc):
    path = tmp_path / "mine.h5ad"
    pbmc.write_h5ad(path)
    assert datasets.load(str(path)).obsp["connectivities"].nnz == pbmc.obsp["connectivities"].nnz
    bare = pbmc.copy()
    del bare.obsp["connectivities"]
    bare.write_h5ad(tmp_path / "bare.h5ad")
    with pytest.raises(ValueError, match=r"sc\.pp\.neighbors"):
        datasets.load(str(tmp_path / "bare.h5ad"))
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load("3k")


def test_generator_is_deterministic():
    a, b = datasets.embedding(3000), datasets.embedding(3000)
    assert a.shape == (3000, datasets.N_DIMS) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert f"-v{datasets.GENERATOR_VERSION}" in datasets.cache_path("10k").name


def test_cli_routes_bench(capsys):
    from autozyme.cli import main

    assert main(["bench", "--quick", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "68k igraph-converge" in out and out.strip().endswith("40 runs")


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_end_to_end_one_repetition(tmp_path, pbmc):
    """Real fresh-process runs on pbmc68k_reduced: every planned run recorded once, with
    the fields the tables need, and the clusters upstream's own call finds in-process."""
    import scanpy as sc

    from autozyme.bench.cli import main

    out = tmp_path / "results"
    argv = ["--datasets", "pbmc68k_reduced", "--configs", "igraph-n2", "default", "--reps", "1",
            "--contenders", "upstream", "autozyme", "prior-art", "networkit-1t",
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    rows = results["rows"]
    assert [(r["config"], r["contender"]) for r in rows] == [
        ("igraph-n2", "upstream"),
        ("igraph-n2", "autozyme"),
        ("igraph-n2", "prior-art"),
        ("igraph-n2", "networkit-1t"),
        ("default", "upstream"),
        ("default", "autozyme"),
    ]
    assert all(r["status"] == "ok" and r["wall_s"] > 0 and r["rep"] == 0 for r in rows)
    assert all(r["peak_rss_mib"] is not None for r in rows)
    for config, kwargs in (("igraph-n2", {"flavor": "igraph", "n_iterations": 2}), ("default", {})):
        adata = pbmc.copy()
        sc.tl.leiden(adata, **kwargs)
        up = next(r for r in rows if (r["config"], r["contender"]) == (config, "upstream"))
        assert up["n_clusters"] == adata.obs["leiden"].nunique()
        assert up["fingerprint"] == measure.fingerprint(adata)
        assert up["ari"] == pytest.approx(1.0)
    table = results["table"]
    az = summary.find(table, "pbmc68k_reduced", "igraph-n2", "autozyme")
    assert az["identical"] is True  # AutoZyme's promise: byte-identical obs and uns
    assert az["fast_path"] is True and az["breakdown_s"]
    up = summary.find(table, "pbmc68k_reduced", "igraph-n2", "upstream")
    assert az["speedup"] == pytest.approx(up["wall_median_s"] / az["wall_median_s"])
    assert results["machine"]["versions"]["scanpy"] == metadata.version("scanpy")
    assert results["datasets"]["pbmc68k_reduced"]["cells"] == 700
    assert "pbmc68k_reduced" in (out / "results.md").read_text()
    for chart in ("speedup", "memory", "scaling", "threads"):
        assert (out / f"{chart}.png").stat().st_size > 0
    assert not (out / "labels").exists()  # scratch removed after a complete run
    assert statistics.median([r["modularity"] for r in rows]) > 0.3


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_ari_found_for_a_user_file_with_spaces(tmp_path, pbmc):
    """The run that saves labels and the runner that compares them name the file alike,
    whatever characters the dataset's path holds."""
    from autozyme.bench import runner

    folder = tmp_path / "my data"
    folder.mkdir()
    path = folder / "my run (v2), [final].h5ad"
    pbmc.write_h5ad(path)
    labels_dir = tmp_path / "labels"
    labels_dir.mkdir()
    rows = [
        measure.measure(str(path), "igraph-n2", contender, labels_dir)
        for contender in ("upstream", "prior-art")
    ]
    runner._ari(rows[1], labels_dir)
    assert 0.5 < rows[1]["ari"] <= 1.0
