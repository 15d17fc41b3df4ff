"""EVALUATE SEARCH t FOR SAMPLE n | FOR VECTORS FROM 'q.npy' [WHERE ...] LIMIT k
WITH (param = (v1, v2, ...)): how much recall each value of a search parameter buys, and at
what latency.

The queries are n stored vectors (a seeded reservoir sample of the rows the WHERE matches) or
the rows of a NumPy file. Their exact neighbours come from the kernel's own brute force over
every matching stored vector (evaluate_exact, streamed with progress). Then each query is
searched alone, once per value, and timed: recall@k is the share of the exact neighbours the
search returned (summed over the queries), latency p50/p95 in ms, queries/s the queries over the
time they took together. `exclude_self = true` (FOR SAMPLE) leaves each query out of its own
neighbours and hits.
"""

from __future__ import annotations

import random
import time
from typing import Any

from milvus_kernel.engine.connection.capabilities import is_lite
from milvus_kernel.engine.context import HandlerContext, require
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.engine.reads.exports import few_display_rows
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.engine.search import query_sources
from milvus_kernel.engine.tools.evaluate_exact import ExactNeighbours, batches
from milvus_kernel.engine.tools.evaluate_plot import draw_curve
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import Evaluate, Select
from milvus_kernel.results import Column, Image, Result, Table

SEED = 42


def stored_rows(context: HandlerContext, statement: Evaluate, info: CollectionInfo, field: str):
    """(key, vector) of every row the WHERE matches, streamed."""
    select = Select(
        table=statement.table, columns=(info.primary.name, field), where=statement.where
    )
    with few_display_rows(context.catalog.settings):
        table = context.execute(select)
    assert isinstance(table, Table)
    rows = table.all_rows() if table.all_rows is not None else iter(table.rows)
    return table.total, ((key, vector) for key, vector in rows if vector is not None)


def index_of(context: HandlerContext, info: CollectionInfo, field: FieldInfo) -> dict[str, Any]:
    catalog, table = context.catalog, info.name
    names = catalog.call("list_indexes", table, field_name=field.name, table=table)
    if not names:
        raise ExecutionError(
            f"EVALUATE measures an index, and {table}.{field.name} has none: "
            f"CREATE INDEX ON {table} ({field.name}) USING HNSW | IVF_FLAT ..."
        )
    return dict(catalog.call("describe_index", table, names[0], table=table))


def queries_of(context: HandlerContext, statement: Evaluate, info: CollectionInfo, field: str):
    """(query vectors, their own keys or None)."""
    if statement.path is not None:
        np = require("numpy", "EVALUATE")
        path = context.path(statement.path)
        try:
            matrix = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise ExecutionError(
                f"cannot read query vectors from '{statement.path}': {error}"
            ) from None
        if matrix.ndim != 2:
            raise ExecutionError(
                f"'{statement.path}' holds an array of shape {matrix.shape}, "
                "not one query vector a row"
            )
        return [row.tolist() for row in matrix], None
    count = statement.sample or 0
    chosen = random.Random(SEED)
    sample: list[tuple[Any, Any]] = []
    for seen, row in enumerate(stored_rows(context, statement, info, field)[1], 1):
        if len(sample) < count:
            sample.append(row)
        elif (slot := chosen.randrange(seen)) < count:
            sample[slot] = row
    if not sample:
        raise ExecutionError(f"nothing to evaluate: no row of {info.name} has a {field}")
    return [vector for _, vector in sample], [key for key, _ in sample]


def percentile(values: list[float], share: float) -> float:
    np = require("numpy", "EVALUATE")
    return float(np.percentile(np.asarray(values), share))


def evaluate(context: HandlerContext, statement: Evaluate) -> Result:
    catalog = context.catalog
    info = catalog.require(statement.table)
    field = query_sources.anns_field(info, statement.anns_field)
    if field.generated:
        raise ExecutionError(
            f"EVALUATE measures vector searches; {info.name}.{field.name} holds "
            f"{info.function_kind(field.name)} of "
            f"{info.bm25_source(field.name)}: its vectors cannot be read, so there is no exact "
            "answer to compare with"
        )
    index = index_of(context, info, field)
    metric = str(index.get("metric_type") or "").upper()
    exclude = bool(statement.options.get("exclude_self", False))
    if exclude and statement.sample is None:
        raise ExecutionError("exclude_self needs FOR SAMPLE n (the queries must be stored rows)")
    fixed = {k: v for k, v in statement.options.items() if k != "exclude_self"}
    catalog.ensure_loaded(info.name)
    queries, own = queries_of(context, statement, info, field.name)
    k = statement.limit
    exact = ExactNeighbours(queries, metric, k, not field.is_dense, own if exclude else None)
    total, rows = stored_rows(context, statement, info, field.name)
    reporter = Reporter(f"EVALUATE {info.name}: exact neighbours", total, "rows")
    for batch in batches(rows):
        exact.add([key for key, _ in batch], [vector for _, vector in batch])
        reporter.advance(len(batch))
    reporter.finish()
    truth = exact.top()
    measured = []
    searches = Reporter(
        f"EVALUATE {info.name}: searches", len(queries) * len(statement.values), "queries"
    )
    for value in statement.values:
        params = {**fixed, statement.parameter: value}
        found, latencies = 0, []
        for number, query in enumerate(queries):
            started = time.perf_counter()
            answer = catalog.call(
                "search",
                info.name,
                data=[query],
                anns_field=field.name,
                limit=k + 1 if exclude else k,
                filter=statement.where.expression if statement.where else "",
                search_params={"metric_type": metric, "params": params},
                output_fields=[],
                table=info.name,
            )
            latencies.append(time.perf_counter() - started)
            hits = [hit["id"] for hit in answer[0]]
            if exclude:
                hits = [key for key in hits if key != own[number]][:k]
            found += len(set(hits) & set(truth[number]))
            searches.advance(1)
        expected = sum(len(t) for t in truth)
        measured.append(
            (
                value,
                found / expected if expected else 1.0,
                percentile(latencies, 50) * 1000,
                percentile(latencies, 95) * 1000,
                len(queries) / sum(latencies),
            )
        )
    searches.finish()
    return result(statement, info, field, index, measured, len(queries), is_lite(catalog))


def result(
    statement: Evaluate,
    info: CollectionInfo,
    field: FieldInfo,
    index: dict[str, Any],
    measured: list[tuple[Any, float, float, float, float]],
    queries: int,
    lite: bool,
) -> Image:
    k, name = statement.limit, statement.parameter
    columns = (
        Column(name, "any"),
        Column(f"recall@{k}", "float"),
        Column("p50 ms", "float"),
        Column("p95 ms", "float"),
        Column("queries/s", "float"),
    )
    rows = [
        (v, round(r, 4), round(p50, 3), round(p95, 3), round(qps, 1))
        for v, r, p50, p95, qps in measured
    ]
    kind = index.get("index_type", "?")
    title = (
        f"EVALUATE {info.name}.{field.name} ({kind}, {index.get('metric_type')}): "
        f"{queries} queries, LIMIT {k}"
    )
    notes = []
    if kind == "FLAT":
        notes.append("FLAT searches exactly: its recall is 1.0 at any value")
    elif lite and kind.startswith(("IVF", "HNSW")) and all(r[1] == 1.0 for r in measured):
        notes.append(
            "recall is 1.0 at every value: Milvus Lite answers exactly, without the index, "
            "while it builds the index after LOAD (FLUSH before CREATE INDEX, or measure again "
            "later)"
        )
    header = f"{name:>10} {'recall@' + str(k):>10} {'p50 ms':>9} {'p95 ms':>9} {'queries/s':>10}"
    lines = [title, header] + [
        f"{v!s:>10} {r:>10.4f} {p50:>9.3f} {p95:>9.3f} {qps:>10.1f}" for v, r, p50, p95, qps in rows
    ]
    table = Table(columns=columns, rows=rows, title=title, note="; ".join(notes) or None)
    png, shown = draw_curve(rows, name, k, title)
    return Image(png=png, description="\n".join(lines + notes), data=table, figure=shown)


HANDLERS = {Evaluate: evaluate}
