"""EVALUATE's picture: recall@k against p50 latency, one point per parameter value, as a PNG
(matplotlib, Agg) and as an interactive plotly figure (a table of the numbers above the curve,
each point's value, recall and latencies on hover)."""

from __future__ import annotations

import io
from typing import Any

from milvus_kernel.engine.context import require

Row = tuple[Any, float, float, float, float]


def draw_curve(rows: list[Row], parameter: str, k: int, title: str) -> tuple[bytes, dict]:
    """(PNG bytes, plotly figure JSON) of the recall–latency curve."""
    require("matplotlib", "EVALUATE")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    latency = [row[2] for row in rows]
    recall = [row[1] for row in rows]
    picture = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(picture)
    axes = picture.add_subplot()
    axes.plot(latency, recall, marker="o")
    for row in rows:
        axes.annotate(
            f"{parameter}={row[0]}",
            (row[2], row[1]),
            textcoords="offset points",
            xytext=(4, -10),
            fontsize="small",
        )
    axes.set_xlabel("latency p50 (ms)")
    axes.set_ylabel(f"recall@{k}")
    axes.set_ylim(min(0.0, min(recall)) - 0.02, 1.05)
    axes.set_title(title, fontsize="small")
    axes.grid(alpha=0.3)
    picture.tight_layout()
    buffer = io.BytesIO()
    picture.savefig(buffer, format="png")
    header = [parameter, f"recall@{k}", "p50 ms", "p95 ms", "queries/s"]
    cells = [[str(row[0]) for row in rows]] + [[row[i] for row in rows] for i in range(1, 5)]
    shown = {
        "data": [
            {
                "type": "table",
                "domain": {"x": [0, 1], "y": [0.62, 1]},
                "header": {"values": header},
                "cells": {"values": cells},
            },
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "x": latency,
                "y": recall,
                "text": [f"{parameter}={row[0]}" for row in rows],
                "textposition": "bottom right",
                "customdata": [[row[3], row[4]] for row in rows],
                "hovertemplate": "%{text}<br>recall %{y}<br>p50 %{x} ms<br>p95 %{customdata[0]}"
                " ms<br>%{customdata[1]} queries/s<extra></extra>",
                "name": f"recall@{k}",
            },
        ],
        "layout": {
            "title": {"text": title},
            "height": 600,
            "xaxis": {"title": {"text": "latency p50 (ms)"}, "domain": [0, 1]},
            "yaxis": {"title": {"text": f"recall@{k}"}, "domain": [0, 0.55]},
            "showlegend": False,
        },
    }
    return buffer.getvalue(), shown
