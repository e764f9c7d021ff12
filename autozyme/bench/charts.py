"""The PNG charts: speedup per run, peak memory, scaling curves, thread sweep, resolution
sweep. Each function takes the summary table and writes one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from . import contenders as cont
from .datasets import SIZES

COLORS = {
    "upstream": "#555555",
    "autozyme": "#d62728",
    "prior-art": "#1f77b4",
    "networkit-1t": "#2ca02c",
    "networkit-2t": "#98df8a",
}
LABELS = {
    "upstream": "upstream scanpy",
    "autozyme": "AutoZyme",
    "prior-art": "prior art (dedup. + igraph)",
    "networkit-1t": "networkit ParallelLeiden, 1 thread",
    "networkit-2t": "networkit ParallelLeiden, 2 threads",
}


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _log(ax, axes: str = "y") -> None:
    """Log scale with plain numbers (1, 10, 0.5) instead of powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")
    cells = FuncFormatter(lambda v, _: f"{v / 1e6:g}M" if v >= 1e6 else f"{v / 1e3:g}k")
    for name in axes:
        getattr(ax, f"set_{name}scale")("log")
        if name == "y":
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:  # the x axes on a log scale count cells
            ax.xaxis.set_major_formatter(cells)


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def _configs(table: list[dict[str, Any]]) -> list[str]:
    present = {e["config"] for e in table}
    return [c for c in cont.CONFIGS if c in present]


def _datasets(table: list[dict[str, Any]], config: str) -> list[str]:
    entries = [e for e in table if e["config"] == config and e["n_cells"]]
    return list(dict.fromkeys(e["dataset"] for e in sorted(entries, key=lambda e: e["n_cells"])))


def speedup(table: list[dict[str, Any]], path: Path) -> None:
    """Speedup over upstream, one dot per repetition (paired A B runs), per dataset."""
    plt = _plt()
    configs = _configs(table)
    fig, axes = plt.subplots(1, len(configs), figsize=(5 * len(configs), 4), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, config in zip(axes[0], configs, strict=True):
        names = _datasets(table, config)
        present = {e["contender"] for e in table if e["config"] == config}
        others = [c for c in cont.CONTENDERS if c != "upstream" and c in present]
        for i, contender in enumerate(others):
            offset = (i - (len(others) - 1) / 2) * 0.15
            for x, dataset in enumerate(names):
                e = next(
                    (
                        e
                        for e in table
                        if (e["dataset"], e["config"], e["contender"])
                        == (dataset, config, contender)
                    ),
                    None,
                )
                if not e or not e.get("speedups"):
                    continue
                ys = e["speedups"]
                xs = x + offset + rng.uniform(-0.03, 0.03, len(ys))
                ax.scatter(
                    xs,
                    ys,
                    s=14,
                    color=COLORS[contender],
                    alpha=0.8,
                    label=LABELS[contender] if x == 0 or dataset == names[0] else None,
                )
                ax.plot(
                    [x + offset - 0.06, x + offset + 0.06],
                    [e["speedup"]] * 2,
                    color=COLORS[contender],
                    lw=2,
                )
        ax.axhline(1, color="black", lw=0.8, ls="--")
        _log(ax)
        ax.set_xticks(range(len(names)), names)
        ax.set_xlim(-0.5, len(names) - 0.5)
        ax.set_title(f"{config}: speedup over upstream")
        ax.set_ylabel("upstream time / contender time")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def memory(table: list[dict[str, Any]], path: Path) -> None:
    """Peak RSS of the call: upstream next to AutoZyme, per dataset and configuration."""
    plt = _plt()
    configs = _configs(table)
    fig, axes = plt.subplots(1, len(configs), figsize=(5 * len(configs), 4), squeeze=False)
    for ax, config in zip(axes[0], configs, strict=True):
        names = _datasets(table, config)
        for i, contender in enumerate(("upstream", "autozyme")):
            values = []
            for dataset in names:
                e = next(
                    (
                        e
                        for e in table
                        if (e["dataset"], e["config"], e["contender"])
                        == (dataset, config, contender)
                    ),
                    None,
                )
                values.append(e.get("peak_rss_mib") or 0 if e else 0)
            xs = np.arange(len(names)) + (i - 0.5) * 0.38
            ax.bar(
                xs,
                np.maximum(values, 0.1),
                width=0.38,
                color=COLORS[contender],
                label=LABELS[contender],
            )
        _log(ax)
        ax.set_xticks(range(len(names)), names)
        ax.set_ylabel("peak RSS of the call (MiB)")
        ax.set_title(f"{config}: peak memory")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def scaling(table: list[dict[str, Any]], path: Path) -> None:
    """Time against cells on log-log axes for every contender; runs that hit the time
    limit are drawn as open markers at the limit and named in the title."""
    plt = _plt()
    configs = _configs(table)
    fig, axes = plt.subplots(
        1, len(configs) + 1, figsize=(4.6 * (len(configs) + 1), 4.4), squeeze=False
    )
    synthetic = [e for e in table if e["dataset"] in SIZES]
    for ax, config in zip(axes[0][:-1], configs, strict=True):
        notes = []
        for contender in cont.CONTENDERS:
            es = sorted(
                (e for e in synthetic if (e["config"], e["contender"]) == (config, contender)),
                key=lambda e: SIZES[e["dataset"]],
            )
            ok = [e for e in es if e["status"] == "ok"]
            if ok:
                ax.plot(
                    [e["n_cells"] for e in ok],
                    [e["wall_median_s"] for e in ok],
                    "o-",
                    color=COLORS[contender],
                    label=LABELS[contender],
                    ms=4,
                )
            for e in es:
                if e["status"] == "timeout":
                    ax.scatter(
                        [SIZES[e["dataset"]]],
                        [e["time_limit_s"]],
                        marker="^",
                        facecolors="none",
                        edgecolors=COLORS[contender],
                        s=60,
                    )
            if contender == "upstream" and es:
                last = es[-1]
                if last["status"] == "ok":
                    notes.append(f"upstream at {last['dataset']}: {last['wall_median_s']:.0f} s")
                elif last["status"] == "timeout":
                    notes.append(
                        f"upstream at {last['dataset']}: did not finish "
                        f"within {last['time_limit_s']:.0f} s"
                    )
        xs = np.array(sorted({e["n_cells"] for e in synthetic if e["n_cells"]}))
        az = [
            e
            for e in synthetic
            if (e["config"], e["contender"]) == (config, "autozyme") and e["status"] == "ok"
        ]
        if len(xs) > 1 and az:
            first = min(az, key=lambda e: e["n_cells"])
            ax.plot(
                xs,
                first["wall_median_s"] * xs / first["n_cells"],
                ":",
                color="black",
                lw=0.8,
                label="linear (from AutoZyme's first point)",
            )
        _log(ax, "xy")
        ax.set_xlabel("cells")
        ax.set_ylabel("median wall time (s)")
        ax.set_title(f"{config}\n" + "; ".join(notes), fontsize=9)
        ax.grid(True, which="both", alpha=0.2)
    _legend(axes[0][0])
    ax = axes[0][-1]
    for config, style in zip(configs, ("o-", "s--", "^-."), strict=False):
        for contender in ("upstream", "autozyme"):
            es = sorted(
                (
                    e
                    for e in synthetic
                    if (e["config"], e["contender"]) == (config, contender)
                    and e["status"] == "ok"
                    and e.get("peak_rss_mib")
                ),
                key=lambda e: e["n_cells"],
            )
            if es:
                ax.plot(
                    [e["n_cells"] for e in es],
                    [e["peak_rss_mib"] for e in es],
                    style,
                    color=COLORS[contender],
                    ms=4,
                    label=f"{LABELS[contender]}, {config}",
                )
    az = sorted(
        (
            e
            for e in synthetic
            if (e["config"], e["contender"]) == (configs[0], "autozyme")
            and e["status"] == "ok"
            and e.get("peak_rss_mib")
        ),
        key=lambda e: e["n_cells"],
    )
    if len(az) > 1:
        xs = np.array([e["n_cells"] for e in az])
        ax.plot(
            xs,
            az[0]["peak_rss_mib"] * xs / xs[0],
            ":",
            color="black",
            lw=0.8,
            label="linear (from AutoZyme's first point)",
        )
    _log(ax, "xy")
    ax.set_xlabel("cells")
    ax.set_ylabel("peak RSS of the call (MiB)")
    ax.set_title("peak memory")
    ax.grid(True, which="both", alpha=0.2)
    _legend(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def threads(table: list[dict[str, Any]], path: Path) -> None:
    """networkit's time against its thread count, one line per dataset."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    for dataset in _datasets(table, cont.SWEEP_BASE):
        points = []
        for t in cont.THREADS:
            e = next(
                (
                    e
                    for e in table
                    if (e["dataset"], e["config"], e["contender"])
                    == (dataset, cont.SWEEP_BASE, f"networkit-{t}t")
                    and e["status"] == "ok"
                ),
                None,
            )
            if e:
                points.append((t, e["wall_median_s"]))
        if points:
            ax.plot(*zip(*points, strict=True), "o-", label=dataset)
    ax.set_xticks(list(cont.THREADS))
    _log(ax)
    ax.set_xlabel("threads")
    ax.set_ylabel("median wall time (s)")
    ax.set_title(f"networkit ParallelLeiden thread sweep ({cont.SWEEP_BASE})")
    _legend(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sweep(table: list[dict[str, Any]], path: Path) -> None:
    """Time and modularity against resolution, per contender."""
    plt = _plt()
    entries = [e for e in table if "@r" in e["config"] and e["status"] == "ok"]
    if not entries:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for contender in cont.CONTENDERS:
        es = sorted(
            (e for e in entries if e["contender"] == contender),
            key=lambda e: e["kwargs"]["resolution"],
        )
        if not es:
            continue
        res = [e["kwargs"]["resolution"] for e in es]
        left.plot(
            res,
            [e["wall_median_s"] for e in es],
            "o-",
            color=COLORS[contender],
            label=LABELS[contender],
            ms=4,
        )
        right.plot(res, [e["modularity"] for e in es], "o-", color=COLORS[contender], ms=4)
    _log(left)
    left.set_xlabel("resolution")
    left.set_ylabel("median wall time (s)")
    left.set_title(f"resolution sweep on {entries[0]['dataset']}")
    left.legend(fontsize=7)
    right.set_xlabel("resolution")
    right.set_ylabel("modularity at that resolution")
    right.set_title("quality")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(table: list[dict[str, Any]], out: Path) -> list[Path]:
    written = []
    for name, draw in (
        ("speedup", speedup),
        ("memory", memory),
        ("scaling", scaling),
        ("threads", threads),
        ("sweep", sweep),
    ):
        path = out / f"{name}.png"
        draw(table, path)
        if path.exists():
            written.append(path)
    return written
