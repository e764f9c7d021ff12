"""From measurements to results: medians, min/max, ratios to upstream, agreement with
upstream, the scaling exponents, and the markdown tables."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

import numpy as np

from . import contenders as cont

CONFIG_ORDER = [*cont.CONFIGS, *cont.sweep_configs()]


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _identical(run: dict[str, Any], reference: dict[str, Any]) -> bool:
    # scanpy's own call: everything it writes (obs and uns); others: the labels
    if run.get("fingerprint") and reference.get("fingerprint"):
        return run["fingerprint"] == reference["fingerprint"]
    return run["labels_sha"] == reference["labels_sha"]


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per dataset, configuration and contender."""
    groups: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[row["dataset"], row["config"]][row["contender"]].append(row)
    table = []
    for (dataset, config), by_contender in groups.items():
        upstream_ok = [r for r in by_contender.get("upstream", []) if r["status"] == "ok"]
        upstream_by_rep = {r["rep"]: r["wall_s"] for r in upstream_ok}
        upstream_median = _median([r["wall_s"] for r in upstream_ok])
        upstream_mib = _median([r["peak_rss_mib"] for r in upstream_ok])
        # upstream did not finish: its time limit bounds every ratio from below
        upstream_limit = next(
            (
                r["time_limit_s"]
                for r in by_contender.get("upstream", [])
                if r["status"] == "timeout"
            ),
            None,
        )
        for contender, runs in by_contender.items():
            ok = [r for r in runs if r["status"] == "ok"]
            failed = [r for r in runs if r["status"] != "ok"]
            entry: dict[str, Any] = {
                "dataset": dataset,
                "config": config,
                "contender": contender,
                "kwargs": cont.config_kwargs(config),
                "n_cells": next((r["n_cells"] for r in ok), None),
                "runs": len(ok),
                "status": "ok" if ok else failed[0]["status"],
                "time_limit_s": failed[0].get("time_limit_s") if failed else None,
                "error": failed[0].get("error") if failed else None,
            }
            if ok:
                walls = [r["wall_s"] for r in ok]
                median = statistics.median(walls)
                mib = _median([r["peak_rss_mib"] for r in ok])
                entry.update(
                    wall_median_s=median,
                    wall_min_s=min(walls),
                    wall_max_s=max(walls),
                    peak_rss_mib=mib,
                    n_clusters=int(statistics.median(r["n_clusters"] for r in ok)),
                    modularity=statistics.median(r["modularity"] for r in ok),
                    ari=_median([r.get("ari") for r in ok]),
                    identical=(
                        all(_identical(r, upstream_ok[0]) for r in ok) if upstream_ok else None
                    ),
                    speedup=upstream_median / median if upstream_median else None,
                    # the limit covers the whole process: take start-up and loading off
                    speedup_at_least=(
                        (upstream_limit - _median([r["process_s"] - r["wall_s"] for r in ok]))
                        / median
                        if upstream_limit and not upstream_ok and "process_s" in ok[0]
                        else None
                    ),
                    # paired by repetition: the two ran back to back (A B A B)
                    speedups=[
                        upstream_by_rep[r["rep"]] / r["wall_s"]
                        for r in ok
                        if r["rep"] in upstream_by_rep
                    ],
                    memory_ratio=mib / upstream_mib if mib and upstream_mib else None,
                )
                if contender == "autozyme":
                    entry["fast_path"] = all(r.get("fast_path") for r in ok)
                    entry["fallbacks"] = sorted({k for r in ok for k in r.get("fallbacks", {})})
                    keys = {k for r in ok for k in r.get("breakdown_s", {})}
                    entry["breakdown_s"] = {
                        k: statistics.median(r.get("breakdown_s", {}).get(k, 0.0) for r in ok)
                        for k in sorted(keys)
                    }
            table.append(entry)
    order = {c: i for i, c in enumerate(CONFIG_ORDER)}
    contender_order = {c: i for i, c in enumerate(cont.CONTENDERS)}
    table.sort(
        key=lambda e: (
            order.get(e["config"], len(order)),
            e["n_cells"] or math.inf,
            e["dataset"],
            contender_order.get(e["contender"], 99),
        )
    )
    return table


def not_run(plan: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[str]:
    """Planned dataset / configuration / contender triples without a single run."""
    seen = {(r["dataset"], r["config"], r["contender"]) for r in rows}
    return [
        f"{b['dataset']} `{b['config']}` {c}"
        for b in plan
        for c in b["contenders"]
        if (b["dataset"], b["config"], c) not in seen
    ]


def find(table: list[dict[str, Any]], dataset: str, config: str, contender: str) -> dict | None:
    for entry in table:
        if (entry["dataset"], entry["config"], entry["contender"]) == (dataset, config, contender):
            return entry
    return None


def scaling_exponent(table: list[dict[str, Any]], config: str, contender: str, field: str):
    """Slope of log(field) against log(cells) over the synthetic datasets (1 = linear)."""
    from .datasets import SIZES

    points = [
        (e["n_cells"], e[field])
        for e in table
        if e["config"] == config
        and e["contender"] == contender
        and e["dataset"] in SIZES
        and e.get(field)
    ]
    if len(points) < 3:
        return None
    x, y = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


# ---------------------------------------------------------------------------- markdown


def _s(entry: dict | None) -> str:
    if entry is None:
        return "–"
    if entry["status"] == "timeout":
        return f"DNF (>{entry['time_limit_s']:.0f} s)"
    if entry["status"] != "ok":
        return entry["status"]
    return f"{entry['wall_median_s']:.3g}"


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2g}x" if value < 10 else f"{value:.0f}x"


def _ratio(entry: dict | None) -> str:
    if entry and entry.get("speedup_at_least"):
        return ">" + _x(entry["speedup_at_least"])
    return _x(entry and entry.get("speedup"))


def _yes(value: bool | None) -> str:
    return "–" if value is None else "yes" if value else "no"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def markdown_main(table: list[dict[str, Any]]) -> str:
    """Per dataset and configuration: every contender's median time, ratio to upstream."""
    lines = [
        "| dataset | cells | call | upstream s | AutoZyme s | speedup | fast path | identical "
        "| peak MiB upstream / AutoZyme | prior art s (speedup, ARI) "
        "| networkit 1 / 2 threads s (speedup 2t) | modularity upstream / prior art / networkit "
        "| clusters |",
        "|---|---:|---|---:|---:|---:|:---:|:---:|---:|---:|---:|---:|---:|",
    ]
    keys = [(e["dataset"], e["config"]) for e in table if e["contender"] == "upstream"]
    for dataset, config in keys:
        if "@r" in config:
            continue
        up = find(table, dataset, config, "upstream")
        az = find(table, dataset, config, "autozyme")
        pa = find(table, dataset, config, "prior-art")
        nk1 = find(table, dataset, config, "networkit-1t")
        nk2 = find(table, dataset, config, "networkit-2t")

        def mod(e: dict | None) -> str:
            return "–" if e is None or e["status"] != "ok" else f"{e['modularity']:.4f}"

        prior = "–" if pa is None else f"{_s(pa)} ({_x(pa.get('speedup'))}, {_ari(pa)})"
        nk = "–" if nk1 is None and nk2 is None else f"{_s(nk1)} / {_s(nk2)} "
        if nk2 is not None:
            nk += f"({_x(nk2.get('speedup'))})"
        lines.append(
            f"| {dataset} | {_cells(up, az)} | `{config}` | {_s(up)} | {_s(az)} "
            f"| {_ratio(az)} | {_yes(az and az.get('fast_path'))} "
            f"| {_yes(az and az.get('identical'))} "
            f"| {_mib(up and up.get('peak_rss_mib'))} / {_mib(az and az.get('peak_rss_mib'))} "
            f"| {prior} | {nk} | {mod(up)} / {mod(pa)} / {mod(nk2 or nk1)} "
            f"| {(up or {}).get('n_clusters') or (az or {}).get('n_clusters', '–')} |"
        )
    return "\n".join(lines)


def _cells(*entries: dict | None) -> str:
    for e in entries:
        if e and e.get("n_cells"):
            return f"{e['n_cells']:,}"
    return "–"


def _ari(entry: dict | None) -> str:
    return "–" if entry is None or entry.get("ari") is None else f"ARI {entry['ari']:.3f}"


def markdown_sweep(table: list[dict[str, Any]]) -> str:
    rows = [e for e in table if "@r" in e["config"] and e["contender"] == "upstream"]
    if not rows:
        return ""
    lines = [
        f"Resolution sweep (`{cont.SWEEP_BASE}` with `resolution=...`) on {rows[0]['dataset']}:",
        "",
        "| resolution | clusters | upstream s | AutoZyme s | speedup | identical "
        "| prior art s (ARI) | networkit 1 thread s (ARI) "
        "| modularity upstream / prior art / networkit |",
        "|---:|---:|---:|---:|---:|:---:|---:|---:|---:|",
    ]
    for up in rows:
        az, pa, nk = (
            find(table, up["dataset"], up["config"], c)
            for c in ("autozyme", "prior-art", "networkit-1t")
        )
        mods = " / ".join(
            "–" if e is None or e["status"] != "ok" else f"{e['modularity']:.4f}"
            for e in (up, pa, nk)
        )
        lines.append(
            f"| {up['kwargs'].get('resolution')} | {up.get('n_clusters', '–')} | {_s(up)} "
            f"| {_s(az)} | {_x(az and az.get('speedup'))} | {_yes(az and az.get('identical'))} "
            f"| {_s(pa)} ({_ari(pa)}) | {_s(nk)} ({_ari(nk)}) | {mods} |"
        )
    return "\n".join(lines)


def markdown_full(table: list[dict[str, Any]]) -> str:
    """Every contender: median (min – max) and everything else measured."""
    lines = [
        "| dataset | call | contender | runs | median s (min – max) | ratio to upstream "
        "| peak MiB | clusters | modularity | identical | ARI | fast path |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|:---:|---:|:---:|",
    ]
    for e in table:
        if e["status"] == "ok":
            time_s = f"{e['wall_median_s']:.3g} ({e['wall_min_s']:.3g} – {e['wall_max_s']:.3g})"
            rest = (
                f"{_mib(e['peak_rss_mib'])} | {e['n_clusters']} | {e['modularity']:.4f} "
                f"| {_yes(e['identical'])} | {_ari(e).removeprefix('ARI ')} "
                f"| {_yes(e.get('fast_path')) if e['contender'] == 'autozyme' else ''}"
            )
        else:
            time_s, rest = _s(e), "| | | | |"
        lines.append(
            f"| {e['dataset']} | `{e['config']}` | {e['contender']} | {e['runs']} | {time_s} "
            f"| {_ratio(e)} | {rest} |"
        )
    return "\n".join(lines)


# AutoZyme's breakdown keys (leiden_fast's laps) in the order a call runs them
_BREAKDOWN = (
    ("graph", "graph"),
    ("leiden: setup", "core: setup"),
    ("leiden: fast-move", "fast-move"),
    ("leiden: refinement", "refinement"),
    ("leiden: aggregation", "aggregation"),
    ("labels", "labels"),
)


def _ms(seconds: float) -> str:
    ms = 1e3 * seconds
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.3g}"


def markdown_breakdown(table: list[dict[str, Any]]) -> str:
    """Where AutoZyme's time goes (medians, milliseconds and share of the call), for the calls
    whose core reports its phases. "rest": deciding, the core's Python side and binding,
    scanpy's logging and writing ``obs``/``uns``."""
    entries = [
        e
        for e in table
        if e["contender"] == "autozyme"
        and e["status"] == "ok"
        and "@r" not in e["config"]
        and "leiden: fast-move" in e.get("breakdown_s", {})
    ]
    if not entries:
        return ""
    lines = [
        "| dataset | call | AutoZyme ms | "
        + " | ".join(label for _, label in _BREAKDOWN)
        + " | rest |",
        "|---|---|---:|" + "---:|" * (len(_BREAKDOWN) + 1),
    ]
    for e in entries:
        total, parts = e["wall_median_s"], e["breakdown_s"]
        shown = [parts.get(key, 0.0) for key, _ in _BREAKDOWN]
        cells = [f"{_ms(v)} ({100 * v / total:.0f}%)" for v in (*shown, total - sum(shown))]
        lines.append(
            f"| {e['dataset']} | `{e['config']}` | {_ms(total)} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def markdown_datasets(described: dict[str, dict[str, Any]], table: list[dict[str, Any]]) -> str:
    """Why the synthetic graphs resemble real ones, next to the real one."""
    lines = [
        "| dataset | cells | edges | neighbours per cell p5 / median / p95 / max "
        "| weighted degree median (CV) | clusters (igraph-n2, default) "
        "| modularity (igraph-n2) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, d in sorted(described.items(), key=lambda kv: kv[1]["cells"]):
        n = d["neighbours_per_cell"]
        n2 = find(table, name, "igraph-n2", "upstream") or {}
        default = find(table, name, "default", "upstream") or {}
        modularity = n2.get("modularity")
        lines.append(
            f"| {name} | {d['cells']:,} | {d['edges']:,} "
            f"| {n['p5']:.0f} / {n['median']:.0f} / {n['p95']:.0f} / {n['max']:.0f} "
            f"| {d['weighted_degree_median']:.2f} ({d['weighted_degree_cv']:.2f}) "
            f"| {n2.get('n_clusters', '–')}, {default.get('n_clusters', '–')} "
            f"| {'–' if modularity is None else f'{modularity:.3f}'} |"
        )
    return "\n".join(lines)


def markdown_scaling(table: list[dict[str, Any]]) -> str:
    lines = []
    for config in cont.CONFIGS:
        t = scaling_exponent(table, config, "autozyme", "wall_median_s")
        m = scaling_exponent(table, config, "autozyme", "peak_rss_mib")
        if t is not None:
            lines.append(
                f"- `{config}`: AutoZyme time ∝ cells^{t:.2f}, peak memory ∝ cells^"
                + ("–" if m is None else f"{m:.2f}")
            )
    return "\n".join(lines)
