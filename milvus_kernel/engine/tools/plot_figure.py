"""PLOT's interactive figure: a plotly figure as plain JSON (`application/vnd.plotly.v1+json`).

JupyterLab (with plotly installed) and VS Code draw it with pan, zoom and hover and no further
install. The figure holds only what is drawn and hovered: the ids, the COLOR BY field's value
and the coordinates, never the vectors. One trace per color value (its legend entry toggles
it), the search hits ringed, the query vectors marked; `DIMENSIONS 3` gives 3-D traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from milvus_kernel.engine.tools.plot_draw import NULL_LABEL, color_plan

PLOTLY_JS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def figure(
    coordinates: Any,
    keys: Sequence[Any],
    colors_by: Sequence[Any] | None,
    hits: Any,
    query_coordinates: Any,
    title: str,
    hover: tuple[list[str], list[tuple[Any, ...]]] = ([], []),
) -> dict[str, Any]:
    """The figure's JSON: `hits` is a boolean mask over the points; `hover` the names shown on
    hover (the COLOR BY field, then the RETURN fields) and each point's values of them."""
    three = coordinates.shape[1] == 3
    traces: list[dict[str, Any]] = []
    if colors_by is None:
        every = range(len(keys))
        traces.append(_trace(coordinates, keys, every, "vectors", None, hover, three))
    else:
        kind, categories = color_plan(list(colors_by))
        labels = [NULL_LABEL if v is None else str(v) for v in colors_by]
        for number, category in enumerate(categories):
            rows = [i for i, label in enumerate(labels) if label == category]
            color = category if kind == "names" and category != NULL_LABEL else None
            color = color or PLOTLY_JS_COLORS[number % len(PLOTLY_JS_COLORS)]
            traces.append(_trace(coordinates, keys, rows, category, color, hover, three))
    hit_rows = [i for i, hit in enumerate(hits) if hit]
    if hit_rows:
        ring = _trace(
            coordinates, keys, hit_rows, f"search hits ({len(hit_rows)})", None, None, three
        )
        ring["marker"] = {
            "symbol": "circle-open",
            "size": 16,
            "color": "black",
            "line": {"width": 2},
        }
        traces.append(ring)
    if len(query_coordinates):
        names = [f"query {n + 1}" for n in range(len(query_coordinates))]
        star = _trace(query_coordinates, names, range(len(names)), "query", None, None, three)
        star["marker"] = {"symbol": "diamond" if three else "star", "size": 16, "color": "black"}
        star["hovertemplate"] = "%{text}<extra></extra>"
        traces.append(star)
    layout: dict[str, Any] = {"title": {"text": title}, "hovermode": "closest", "height": 560}
    hidden = {"showticklabels": False, "title": {"text": ""}, "zeroline": False}
    if three:
        layout["scene"] = {"xaxis": hidden, "yaxis": hidden, "zaxis": hidden}
    else:
        layout["xaxis"] = hidden
        layout["yaxis"] = {**hidden, "scaleanchor": "x"}
    return {"data": traces, "layout": layout}


def _trace(
    coordinates: Any,
    keys: Sequence[Any],
    rows: Any,
    name: str,
    color: str | None,
    hover: tuple[list[str], list[tuple[Any, ...]]] | None,
    three: bool,
) -> dict[str, Any]:
    rows = list(rows)
    trace: dict[str, Any] = {
        "type": "scatter3d" if three else "scatter",
        "mode": "markers",
        "name": name,
        "x": [float(coordinates[i, 0]) for i in rows],
        "y": [float(coordinates[i, 1]) for i in rows],
        "text": [str(keys[i]) for i in rows],
        "hovertemplate": "id %{text}<extra></extra>",
        "marker": {"size": 5 if three else 9, "opacity": 0.75},
    }
    if three:
        trace["z"] = [float(coordinates[i, 2]) for i in rows]
    if color is not None:
        trace["marker"]["color"] = color
    if hover is not None and hover[0]:
        trace["customdata"] = [[_json(v) for v in hover[1][i]] for i in rows]
        shown = "".join(f"<br>{name} %{{customdata[{n}]}}" for n, name in enumerate(hover[0]))
        trace["hovertemplate"] = f"id %{{text}}{shown}<extra></extra>"
    return trace


def _json(value: Any) -> Any:
    """A hover value as JSON takes it (numbers and strings as they are, others as text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
