"""PLOT t [USING v] [WHERE ...] [COLOR BY f] [METHOD TSNE | PCA | UMAP] [DIMENSIONS 3]
[HIGHLIGHT (SEARCH ...)] [LIMIT n] [TO 'map.html' | 'map.png'].

The vectors are streamed as a SELECT would read them (past 16,384 rows by the query iterator,
with progress, interruptible between batches), and sampled down to LIMIT (default 2,000; a
seeded reservoir, so the same rows each time, with a note: "2,000 of 1,000,000 vectors").
The HIGHLIGHT search runs as it would on its own: its hits are drawn outlined (fetched
when the sample or the WHERE left them out) and its query vectors are projected along as stars.
The result is an `Image`: the PNG, a description that names every hit, the points drawn
(id, color field, x, y[, z], hit) as a table, and the interactive plotly figure (plot_figure).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.context import HandlerContext, require, require_all
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.engine.reads.exports import few_display_rows
from milvus_kernel.engine.reads.rows import plain
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.engine.search import query_sources
from milvus_kernel.engine.tools.plot_draw import draw, project
from milvus_kernel.engine.tools.plot_figure import figure
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import Plot, Search, Select
from milvus_kernel.results import Column, Image, Result, Table

DEFAULT_LIMIT = 2000
SHOWN_HIT_IDS = 100


@dataclass
class Points:
    """The rows to draw: key, vector and color value of each."""

    keys: list[Any] = field(default_factory=list)
    vectors: list[Any] = field(default_factory=list)
    colors: list[Any] = field(default_factory=list)
    hover: list[tuple[Any, ...]] = field(default_factory=list)  # the RETURN fields' values
    matched: int = 0  # rows with a vector that the WHERE matched, before sampling


def plot_field(info: CollectionInfo, name: str | None) -> FieldInfo:
    if name is not None:
        chosen = query_sources.anns_field(info, name)
    else:
        dense = [f for f in info.vector_fields if f.is_dense]
        if len(dense) != 1:
            names = ", ".join(f.name for f in dense) or "none"
            raise ExecutionError(
                f"PLOT draws one dense vector field; {info.name} has {names}: say which with USING"
            )
        chosen = dense[0]
    if not chosen.is_dense or chosen.type == "BINARY_VECTOR":
        raise ExecutionError(
            f"PLOT draws float vectors; field {chosen.name} of {info.name} is {chosen.type_text}"
        )
    return chosen


def read_points(
    context: HandlerContext, statement: Plot, info: CollectionInfo, vector: str
) -> Points:
    """Every matching row's vector streamed once, a seeded reservoir sample of LIMIT kept."""
    limit = DEFAULT_LIMIT if statement.limit is None else statement.limit
    if limit < 1:
        raise ExecutionError("PLOT needs LIMIT 1 or more")
    pk = info.primary.name
    wanted = (pk, vector, statement.color_by, *statement.hover)
    columns = tuple(dict.fromkeys(n for n in wanted if n))
    select = Select(table=statement.table, columns=columns, where=statement.where)
    with few_display_rows(context.catalog.settings):
        table = context.execute(select)
    assert isinstance(table, Table)
    rows = table.all_rows() if table.all_rows is not None else iter(table.rows)
    names = [c.name for c in table.columns]
    at_key, at_vector = names.index(pk), names.index(vector)
    at_color = names.index(statement.color_by) if statement.color_by else None
    chosen = random.Random(42)
    sample: list[tuple[Any, ...]] = []
    points = Points()
    reporter = Reporter(f"PLOT {statement.table}: reading vectors", table.total, "rows")
    read = 0
    for read, row in enumerate(rows, 1):
        if read % 1000 == 0:
            reporter.update(read)
        if row[at_vector] is None:
            continue
        points.matched += 1
        if len(sample) < limit:
            sample.append(row)
        else:
            slot = chosen.randrange(points.matched)
            if slot < limit:
                sample[slot] = row
    reporter.update(read)
    reporter.finish()
    for row in sample:
        points.keys.append(row[at_key])
        points.vectors.append(row[at_vector])
        points.colors.append(row[at_color] if at_color is not None else None)
        points.hover.append(tuple(row[names.index(name)] for name in statement.hover))
    return points


def add_missing_hits(
    context: HandlerContext,
    info: CollectionInfo,
    points: Points,
    hits: list[Any],
    vector: str,
    color: str | None,
    hover: tuple[str, ...] = (),
) -> int:
    """Fetch the hits the plot does not hold (sampled out, or outside its WHERE); how many."""
    have = set(points.keys)
    missing = [key for key in dict.fromkeys(hits) if key not in have]
    if not missing:
        return 0
    fields = list(dict.fromkeys([vector] + ([color] if color else []) + list(hover)))
    found = query_sources.get_by_keys(context.catalog, info, missing, output_fields=fields)
    for entity in found:
        if entity.get(vector) is None:
            continue
        points.keys.append(entity.get(info.primary.name))
        points.vectors.append(plain(entity.get(vector)))
        points.colors.append(entity.get(color) if color else None)
        points.hover.append(tuple(entity.get(name) for name in hover))
    return len(found)


def highlight(
    context: HandlerContext, statement: Plot, info: CollectionInfo, field: FieldInfo
) -> tuple[list[Any], list[Any]]:
    """(hit keys in rank order, query vectors to mark) of the HIGHLIGHT search."""
    search = statement.highlight
    if search is None:
        return [], []
    if search.table != statement.table:
        raise ExecutionError(
            f"HIGHLIGHT searches {search.table}, but the plot draws {statement.table}: "
            "highlight a search of the same collection"
        )
    result = context.execute(search)
    assert isinstance(result, Table)
    names = [c.name for c in result.columns]
    pk = info.primary.name
    if pk not in names:
        raise ExecutionError(f"the HIGHLIGHT search must return the primary key {pk}")
    hits = [row[names.index(pk)] for row in result.rows]
    queries: list[Any] = []
    if isinstance(search, Search) and search.query_text is None:
        searched = query_sources.search_field(info, search)
        if searched.name == field.name:
            queries = list(
                query_sources.resolve(context.catalog, info, field, search, context.workdir)
            )
    return hits, queries


def describe(
    statement: Plot,
    field: FieldInfo,
    points: Points,
    hits: list[Any],
    queries: int,
    extra: int,
    limit: int,
) -> str:
    text = (
        f"PLOT of {len(points.keys)} vectors of {statement.table}.{field.name} by "
        f"{statement.method.upper()}" + (" in 3-D" if statement.dimensions == 3 else "")
    )
    if statement.color_by:
        text += f", colored by {statement.color_by}"
    if statement.highlight is not None:
        shown = ", ".join(str(k) for k in hits[:SHOWN_HIT_IDS])
        if len(hits) > SHOWN_HIT_IDS:
            shown += f", … {len(hits)} in all"
        noun = "hit" if len(hits) == 1 else "hits"
        text += f"; {len(hits)} highlighted {noun}" + (f": ids {shown}" if hits else "")
        if queries:
            text += f"; the query vector{'s' if queries > 1 else ''} marked ★"
    if points.matched > limit:
        text += f"; a sample of {limit:,} of {points.matched:,} vectors (LIMIT {limit})" + (
            f", plus {extra} hits outside it" if extra else ""
        )
    elif extra:
        text += f"; {extra} hits outside the WHERE added"
    return text


def plot(context: HandlerContext, statement: Plot) -> Result:
    (np,) = require_all(("numpy", "sklearn", "matplotlib"), "PLOT")[:1]
    method = statement.method.upper()
    if method not in ("TSNE", "PCA", "UMAP"):
        raise ExecutionError(f"PLOT METHOD is TSNE, PCA or UMAP, not {statement.method}")
    if method == "UMAP":
        require("umap", "PLOT ... METHOD UMAP")
    catalog = context.catalog
    info = catalog.require(statement.table)
    field = plot_field(info, statement.anns_field)
    named = [(statement.color_by, "COLOR BY")] + [(n, "RETURN") for n in statement.hover]
    for name, clause in named:
        if name and info.field(name) is None and not info.dynamic:
            raise info.no_field(name, f"(in {clause})")
    hits, queries = highlight(context, statement, info, field)
    points = read_points(context, statement, info, field.name)
    extra = add_missing_hits(
        context, info, points, hits, field.name, statement.color_by, statement.hover
    )
    if not points.keys:
        raise ExecutionError(f"nothing to plot: no row of {statement.table} has a {field.name}")
    vectors = np.asarray(points.vectors, dtype=np.float64)
    query_matrix = np.asarray(queries, dtype=np.float64).reshape(-1, vectors.shape[1])
    xy, query_xy = project(vectors, query_matrix, method, statement.dimensions)
    hit_set = set(hits)
    mask = np.array([key in hit_set for key in points.keys], dtype=bool)
    named = {"TSNE": "t-SNE", "PCA": "PCA", "UMAP": "UMAP"}[method]
    title = f"{statement.table}.{field.name} by {named}"
    png = draw(
        xy,
        points.colors if statement.color_by else None,
        statement.color_by,
        mask,
        query_xy,
        title,
    )
    limit = DEFAULT_LIMIT if statement.limit is None else statement.limit
    description = describe(statement, field, points, hits, len(queries), extra, limit)
    pk = info.primary.name
    color = statement.color_by
    columns = [Column(pk, info.primary.kind)]
    if color:
        columns.append(Column(color, info.field(color).kind if info.field(color) else "any"))
    axes = ("x", "y", "z")[: xy.shape[1]]
    columns += [Column(axis, "float") for axis in axes] + [Column("hit", "bool")]
    rows = [
        (key, *((value,) if color else ()), *(float(c) for c in place), bool(hit))
        for key, value, place, hit in zip(points.keys, points.colors, xy, mask, strict=True)
    ]
    data = Table(columns=tuple(columns), rows=rows, title=f"PLOT {statement.table}")
    hover_names = [color] if color else []
    hover_names += [name for name in statement.hover if name != color]
    hover_rows = [
        ((c,) if color else ())
        + tuple(v for n, v in zip(statement.hover, h, strict=True) if n != color)
        for c, h in zip(points.colors, points.hover, strict=True)
    ]
    shown = figure(
        xy,
        points.keys,
        points.colors if color else None,
        mask,
        query_xy,
        title,
        (hover_names, hover_rows),
    )
    if statement.path is not None:
        description += "; saved to " + save(context, statement.path, png, shown)
    return Image(png=png, description=description, data=data, figure=shown)


def save(context: HandlerContext, given: str, png: bytes, shown: dict[str, Any]) -> str:
    """Write the PNG or a self-contained HTML page of the figure (plotly.js inside, so it opens
    offline); the name written, quoted."""
    path = context.path(given)
    if path.suffix.lower() == ".png":
        path.write_bytes(png)
    else:
        plotly_io = require("plotly.io", "PLOT ... TO '.html'")
        path.write_text(
            plotly_io.to_html(shown, include_plotlyjs=True, full_html=True), encoding="utf-8"
        )
    return f"'{given}'"


HANDLERS = {Plot: plot}
