"""The picture of PLOT: vectors projected to 2-D or 3-D (scikit-learn, umap-learn) and drawn
(matplotlib, Agg).

`project` fits PCA on the points and projects the query vectors along, or runs t-SNE (or UMAP)
on the points and the query vectors together (t-SNE cannot place a new point afterwards), with a
perplexity taken from the point count (about two thirds of it for small sets, so clusters keep
their shape instead of shrinking to dots in the corners) and a fixed random state, so a plot is
the same every time. `draw` makes a
scatter colored by a field — its values used as colors when they are matplotlib color names
(red, green, blue), else a palette with a legend, or a color bar for many numbers — outlines the
highlighted hits, marks the query vectors with a star, and returns PNG bytes. No window opens:
the figure is drawn on matplotlib's Agg canvas, without pyplot.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from milvus_kernel.engine.context import require

SEED = 42
#: t-SNE works on at most this many dimensions; wider vectors are first reduced by PCA.
TSNE_INPUT_DIMS = 50
MARKERS = ("o", "s", "D", "^", "v", "P", "X")
MAX_CATEGORIES = 20
NULL_LABEL = "NULL"


def perplexity(count: int) -> float:
    """t-SNE's perplexity for `count` points: 30 for large sets, two thirds of the count for
    small ones (it must stay below the number of points; lower values shrink each cluster of
    a small set to a dot)."""
    return float(max(1.0, min(30.0, (count - 1) / 1.5)))


def project(points: Any, queries: Any, method: str, dimensions: int = 2) -> tuple[Any, Any]:
    """Coordinates (2 or 3 columns) of `points` (n × dim) and of `queries` (q × dim)."""
    np = require("numpy", "PLOT")
    if method == "UMAP":
        require("umap", "PLOT ... METHOD UMAP")
    require("sklearn", "PLOT")
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    points = np.asarray(points, dtype=np.float64)
    queries = np.asarray(queries, dtype=np.float64).reshape(-1, points.shape[1])
    d = dimensions
    if method == "PCA":
        if len(points) < 2:
            return np.zeros((len(points), d)), np.zeros((len(queries), d))
        pca = PCA(n_components=min(d, *points.shape), random_state=SEED).fit(points)
        placed = _pad(np, pca.transform(points), d)
        return placed, _pad(np, pca.transform(queries), d) if len(queries) else np.zeros((0, d))
    both = np.vstack([points, queries]) if len(queries) else points
    if len(both) < d + 2:
        return np.zeros((len(points), d)), np.zeros((len(queries), d))
    if both.shape[1] > TSNE_INPUT_DIMS and len(both) > TSNE_INPUT_DIMS:
        both = PCA(n_components=TSNE_INPUT_DIMS, random_state=SEED).fit_transform(both)
    if method == "UMAP":
        import umap

        reducer: Any = umap.UMAP(
            n_components=d, n_neighbors=min(15, len(both) - 1), random_state=SEED
        )
    else:
        reducer = TSNE(
            n_components=d,
            perplexity=perplexity(len(both)),
            random_state=SEED,
            init="pca",
            learning_rate="auto",
        )
    placed = reducer.fit_transform(both)
    return placed[: len(points)], placed[len(points) :]


def _pad(np: Any, coordinates: Any, dimensions: int) -> Any:
    """Pad a projection of fewer columns (vectors of fewer dimensions) with zeros."""
    missing = dimensions - coordinates.shape[1]
    if missing <= 0:
        return coordinates
    return np.hstack([coordinates, np.zeros((len(coordinates), missing))])


def columns(coordinates: Any, rows: Any = slice(None)) -> tuple[Any, ...]:
    """The coordinate columns (x, y[, z]) of the chosen rows, as scatter takes them."""
    return tuple(coordinates[rows, axis] for axis in range(coordinates.shape[1]))


def color_plan(values: Sequence[Any]) -> tuple[str, list[Any]]:
    """How to color: ("names", categories) when every value is a matplotlib color name,
    ("numbers", []) for many distinct numbers, else ("palette", categories)."""
    colors = require("matplotlib.colors", "PLOT")
    present = [v for v in values if v is not None]
    distinct = sorted({_label(v) for v in values}, key=_order)
    if present and all(isinstance(v, str) and colors.is_color_like(v) for v in present):
        return "names", distinct
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
    if present and numeric and len(set(present)) > MAX_CATEGORIES:
        return "numbers", []
    return "palette", distinct


def _label(value: Any) -> str:
    return NULL_LABEL if value is None else str(value)


def _order(label: str) -> tuple[bool, str]:
    return (label == NULL_LABEL, label)


def draw(
    xy: Any,
    colors_by: Sequence[Any] | None,
    color_name: str | None,
    hits: Any,
    query_xy: Any,
    title: str,
) -> bytes:
    """The scatter as PNG bytes. `hits` is a boolean mask over the points."""
    np = require("numpy", "PLOT")
    require("matplotlib", "PLOT")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(projection="3d" if xy.shape[1] == 3 else None)
    if colors_by is None:
        axes.scatter(*columns(xy), alpha=0.7, color="tab:blue", label="vectors")
    else:
        _scatter_colored(np, figure, axes, xy, list(colors_by), color_name)
    if hits is not None and hits.any():
        axes.scatter(
            *columns(xy, hits),
            s=150,
            facecolors="none",
            edgecolors="black",
            linewidths=2,
            label=f"search hits ({int(hits.sum())})",
        )
    if len(query_xy):
        axes.scatter(
            *columns(query_xy),
            marker="*",
            s=260,
            color="black",
            edgecolors="white",
            linewidths=0.8,
            label="query vector" if len(query_xy) == 1 else "query vectors",
        )
    axes.set_title(title)
    axes.axis("off")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _scatter_colored(
    np: Any, figure: Any, axes: Any, xy: Any, values: list[Any], color_name: str | None
) -> None:
    kind, categories = color_plan(values)
    if kind == "numbers":
        numbers = np.array([np.nan if v is None else float(v) for v in values])
        shown = axes.scatter(*columns(xy), c=numbers, cmap="viridis", alpha=0.8)
        figure.colorbar(shown, ax=axes, label=color_name)
        return
    from matplotlib import colormaps

    palette = colormaps["tab10" if len(categories) <= 10 else "tab20"]
    labels = np.array([_label(v) for v in values], dtype=object)
    kept = categories[: MAX_CATEGORIES - 1] if len(categories) > MAX_CATEGORIES else categories
    for number, category in enumerate(kept):
        mask = labels == category
        if kind == "names" and category != NULL_LABEL:
            color = category
        elif category == NULL_LABEL:
            color = "lightgray"
        else:
            color = palette(number % palette.N)
        axes.scatter(
            *columns(xy, mask),
            marker=MARKERS[number % len(MARKERS)],
            alpha=0.7,
            color=color,
            label=category,
        )
    rest = ~np.isin(labels, kept)
    if rest.any():
        others = len(categories) - len(kept)
        axes.scatter(*columns(xy, rest), alpha=0.5, color="gray", label=f"{others} more")
