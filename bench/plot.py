"""Latency against data size, from one or more results JSON files (needs the ``bench`` extra).

x: observation rows in the data set the figure was measured on (log scale); y: median p50
latency in ms (log scale). One line per subject; a measurement that failed (timeout, or an
error such as the memory cap) is drawn as a cross where it failed, labelled.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

SERIES = {
    # (bench prefix, subject prefix) -> label
    ("scorecard", "the same, app without its response cache"): "scorecard: app, cache off",
    ("scorecard", "app"): "scorecard: app (GET /targets?region=X, 100 targets)",
    ("scorecard", "Postgres json_agg"): "scorecard: Postgres json_agg endpoint",
    ("scorecard", "the app's own SQL"): "scorecard: the app's SQL in pgbench",
    ("target", "app GET /api/v1/targets/{id}"): "single target: app",
    ("target", "app GET /healthz"): "/healthz",
    ("target", "the same target, app without"): "single target: app, cache off",
    ("summary as_of, one region", "app"): "one region's summary, as_of: app",
    ("summary", "app GET /api/v1/summary?as_of"): "national summary, as_of replay: app",
    ("summary", "app"): "national summary: app (the status tally summed)",
}


def _label(m: dict[str, Any]) -> str | None:
    for (bench, subject), label in SERIES.items():
        if m["bench"].startswith(bench) and m["subject"].startswith(subject):
            return label
    return None


Point = tuple[int, float, str]  # observations, ms, failure ("" when it answered)


def points(results: list[dict[str, Any]]) -> dict[str, list[Point]]:
    """label -> [(observations, p50 ms, failure)]; a failure is drawn where it happened."""
    out: dict[str, list[Point]] = defaultdict(list)
    for result in results:
        for m in result["measurements"]:
            label = _label(m)
            if label is None:
                continue
            if str(m["dataset"].get("label", "")).startswith("history"):
                label += f", {m['dataset']['label'].split()[-1]} the history"
            obs = int(m["dataset"]["observations"])
            p50 = m["median"].get("p50_ms")
            if p50 is None and m["median"].get("seconds") is not None:
                p50 = m["median"]["seconds"] * 1000
            if p50 is not None:
                out[label].append((obs, p50, ""))
                continue
            failed = [r for r in m["reps"] if r.get("elapsed_s") is not None]
            if failed:
                outcome = str(failed[0].get("outcome", "failed"))
                outcome = "timeout" if outcome == "timeout" else f"HTTP {outcome[:3]}"
                out[label].append((obs, failed[0]["elapsed_s"] * 1000, outcome))
    for label in out:
        out[label].sort()
    return out


def plot(paths: list[Path], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = [json.loads(p.read_text()) for p in paths]
    data = points(results)
    fig, ax = plt.subplots(figsize=(13, 6), dpi=110)
    for label, pts in data.items():
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        style = "--" if "history" in label else "-"
        (line,) = ax.plot(xs, ys, marker="o", linestyle=style, label=label)
        for x, y, failure in pts:
            if failure:
                ax.plot([x], [y], marker="x", markersize=12, color=line.get_color())
                ax.annotate(
                    failure, (x, y), textcoords="offset points", xytext=(-60, 6), fontsize=8
                )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("observation rows in the data set")
    ax.set_ylabel("p50 latency, median of repetitions (ms)")
    ax.set_title("Latency against data size (2 cores, Postgres 15, concurrency 4)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    plt.close(fig)
