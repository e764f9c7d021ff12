"""The plan and its execution: each measurement in a fresh process, contenders alternating
A B A B within each repetition, a time limit per run, a progress bar, and every finished
measurement appended to a log at once (a long run that is stopped keeps what it measured).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import contenders as cont
from . import datasets as ds
from .measure import labels_file

SMALL_CELLS = 50_000  # below: a run is mostly process start-up, --reps-small applies
LARGE_CELLS = 500_000  # from here on a repetition costs minutes: --reps-large applies
MIN_RUN_S = 30  # with a deadline: do not start a run with less time than this left


@dataclass(frozen=True)
class Reps:
    small: int
    medium: int
    large: int
    sweep: int

    def of(self, dataset: str, config: str) -> int:
        if "@r" in config:
            return self.sweep
        cells = ds.n_cells(dataset)
        if cells is None:  # a user's file: size unknown until loaded
            return self.medium
        return (
            self.small
            if cells < SMALL_CELLS
            else self.large
            if cells >= LARGE_CELLS
            else (self.medium)
        )


@dataclass(frozen=True)
class Block:
    """One dataset and configuration: ``reps`` rounds of every contender in turn."""

    dataset: str
    config: str
    contenders: tuple[str, ...]
    reps: int

    @property
    def runs(self) -> int:
        return self.reps * len(self.contenders)


def make_plan(steps: Iterable[Sequence[Any]], contenders: Iterable[str], reps: Reps) -> list[Block]:
    """Blocks in the order of ``steps`` (configuration, its datasets[, contender order]),
    so a run stopped early has whole configurations; ``sweep`` expands to the resolutions."""
    contenders = list(contenders)
    plan = []
    for config, datasets, *order in steps:
        configs = cont.sweep_configs() if config == "sweep" else [config]
        ordered = [c for c in (order[0] if order else contenders) if c in contenders]
        for dataset in datasets:
            for cfg in configs:
                who = tuple(c for c in ordered if cont.applies(c, cfg))
                plan.append(Block(dataset, cfg, who, reps.of(dataset, cfg)))
    return [b for b in plan if b.contenders and b.reps > 0]


def run_one(
    dataset: str, config: str, contender: str, *, labels_dir: Path, time_limit: float
) -> dict[str, Any]:
    """One measurement in a fresh process (see :mod:`.measure`); never raises."""
    command = [
        sys.executable,
        "-m",
        "autozyme.bench.measure",
        "--dataset",
        dataset,
        "--config",
        config,
        "--contender",
        contender,
        "--labels-dir",
        str(labels_dir),
    ]
    # AUTOZYME=0: only the autozyme contender activates (inside measure.py), so upstream
    # really is upstream even if the user's shell exports AUTOZYME=scanpy.
    env = {**os.environ, "AUTOZYME": "0", "OMP_NUM_THREADS": "1", **cont.environment(contender)}
    key = {"dataset": dataset, "config": config, "contender": contender}
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group: a timeout kills it whole
    )
    try:
        out, err = proc.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {**key, "status": "timeout", "time_limit_s": time_limit, "process_s": time_limit}
    process_s = time.perf_counter() - started
    if proc.returncode != 0:
        return {**key, "status": "error", "error": err[-3000:], "process_s": process_s}
    row = json.loads(out.strip().splitlines()[-1])
    return {**row, "status": "ok", "process_s": process_s}


def _ari(row: dict[str, Any], labels_dir: Path) -> None:
    """Agreement with upstream's labels of the same dataset and configuration."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    path = row.pop("labels_path", None)
    if path is None:
        return
    reference = labels_file(labels_dir, row["dataset"], row["config"], "upstream")
    if reference.exists():
        row["ari"] = float(adjusted_rand_score(np.load(reference), np.load(path)))
    if row["contender"] != "upstream":
        Path(path).unlink(missing_ok=True)


def done_keys(rows: Iterable[dict[str, Any]]) -> set[tuple[str, str, str, int]]:
    return {(r["dataset"], r["config"], r["contender"], r["rep"]) for r in rows}


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def execute(
    plan: list[Block],
    *,
    log: Path,
    labels_dir: Path,
    time_limit: float,
    deadline: float | None = None,
    progress: bool = True,
    previous: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Run the plan; rows already in ``previous`` (a resumed log) are not run again. A
    contender that timed out or failed is not retried in later repetitions of its block.
    With a ``deadline`` (epoch seconds) a run's limit shrinks to the time left, and runs
    that would start after it are not started (the outputs then say what is missing)."""
    from tqdm.auto import tqdm

    rows = list(previous or [])
    done = done_keys(rows)
    labels_dir.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=sum(b.runs for b in plan), disable=not progress, unit="run")
    with bar, log.open("a") as sink:
        for block in plan:
            ds.ensure(block.dataset, progress=progress)
            given_up = {
                r["contender"]
                for r in rows
                if (r["dataset"], r["config"]) == (block.dataset, block.config)
                and r["status"] != "ok"
            }
            for rep in range(block.reps):
                for contender in block.contenders:  # alternate A B A B
                    bar.set_description(f"{block.dataset} {block.config} {contender}")
                    if (block.dataset, block.config, contender, rep) in done:
                        bar.update()
                        continue
                    if contender in given_up:
                        bar.update()
                        continue
                    limit = time_limit
                    if deadline is not None:
                        limit = min(limit, deadline - time.time())
                        if limit < MIN_RUN_S:
                            bar.update()
                            continue
                    row = run_one(
                        block.dataset,
                        block.config,
                        contender,
                        labels_dir=labels_dir,
                        time_limit=round(limit),
                    )
                    row["rep"] = rep
                    if row["status"] == "ok":
                        _ari(row, labels_dir)
                        bar.set_postfix_str(f"{row['wall_s']:.2f} s")
                    else:
                        given_up.add(contender)
                        tqdm.write(f"{block.dataset} {block.config} {contender}: {row['status']}")
                    rows.append(row)
                    sink.write(json.dumps(row) + "\n")
                    sink.flush()
                    bar.update()
    return rows
