"""SEARCH (and SELECT ... ORDER BY v <-> [...] LIMIT k): vector, sparse and BM25 text search.

One row per hit: `query` (1-based, only with several query vectors), `rank` (1-based, counting
OFFSET), the primary key under its own name, `distance` (`score` for BM25 full-text search, where
higher is better), then the returned fields (and the GROUP BY field). The SQL form's `projection`
gives the exact columns. What is searched with comes from `query_sources`. Checked before Milvus
is called: the window (offset + limit ≤ 16384), a range search's radius and range_filter against
the metric's direction, the GROUP BY field. Query vectors are searched in batches, because Milvus
Lite's FLAT search holds (nq, n, dim) in memory at once. The result names its metric (the
footer's "metric COSINE"); a field without an index first gets the default one
(`indexes.build_default_index`), and the result's note says which was built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import WINDOW
from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.data.writes import check_filter_fields, require_partition
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.reads import ordering
from milvus_kernel.engine.reads.rows import OFFSET, column_for, plain, star_fields, with_offsets
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.engine.schema.indexes import build_default_index
from milvus_kernel.engine.search import chains, iterator, query_sources, rankers
from milvus_kernel.engine.search.aggregation import aggregated_search, require_aggregation
from milvus_kernel.engine.search.fulltext import bm25_score, server_functions
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filters import output_name_problem
from milvus_kernel.language.statements import Search
from milvus_kernel.results import Column, Result, Table

MAX_NQ = 1024
MAX_WINDOW = WINDOW  # hits per query: offset + limit
MEMORY_BUDGET = 256 * 1024 * 1024
SPECIAL = ("query", "rank", "distance", "score")
#: Metrics where a smaller distance is closer; for the others (IP, COSINE, BM25) larger is closer.
DISTANCE_METRICS = ("L2", "HAMMING", "JACCARD", "SUBSTRUCTURE", "SUPERSTRUCTURE", "MHJACCARD")

# Kept importable from here (older callers and tests).
anns_field = query_sources.anns_field
query_data = query_sources.query_data


def split_params(
    params: dict[str, Any], metric: str | None = None
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(metric, search params for Milvus's "params", extra search keyword arguments)."""
    metric = metric.upper() if metric else None
    inner: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in params.items():
        lowered = key.lower()
        if lowered == "metric_type":
            given = str(value).upper()
            if metric is not None and given != metric:
                raise ExecutionError(
                    f"the search asks for metric {metric} and metric_type = '{given}': pick one"
                )
            metric = given
        elif lowered in ("consistency_level", "round_decimal"):
            extra[lowered] = value
        else:
            inner[key] = value
    return metric, inner, extra


def index_metric(catalog: Catalog, table: str, field: str) -> str | None:
    """The metric of the index on `table.field` (remembered with the schema: DDL forgets it)."""
    return catalog.remembered(
        table, f"metric:{field}", lambda: _index_metric(catalog, table, field)
    )


def _index_metric(catalog: Catalog, table: str, field: str) -> str | None:
    names = catalog.call("list_indexes", table, field_name=field, table=table)
    if not names:
        return None
    described = catalog.call("describe_index", table, names[0], table=table) or {}
    metric = described.get("metric_type")
    return str(metric).upper() if metric else None


def check_metric(
    catalog: Catalog, info: CollectionInfo, field: FieldInfo, metric: str | None
) -> tuple[str | None, str | None]:
    """(the metric the search runs with, a note when an index was built for it); a clear error
    when the metric is not the index's. A field without an index gets the default one first
    (with `metric` when the search names one), and the note says which."""
    table = info.name
    actual = index_metric(catalog, table, field.name)
    if actual is None and not catalog.call(
        "list_indexes", table, field_name=field.name, table=table
    ):
        return build_default_index(catalog, info, field, metric)
    if metric and actual and metric != actual:
        raise ExecutionError(
            f"the search uses metric {metric} but the index on {table}.{field.name} is built for "
            f"{actual}: search with {actual}, or recreate the index with metric_type = '{metric}'"
        )
    return metric or actual, None


def check_window(limit: int, offset: int, what: str = "a search") -> None:
    if limit <= 0 or offset < 0:
        raise ExecutionError(f"{what} needs LIMIT 1 or more and OFFSET 0 or more")
    if offset + limit > MAX_WINDOW:
        raise ExecutionError(
            f"{what} returns at most {MAX_WINDOW} hits per query: OFFSET {offset} + "
            f"LIMIT {limit} = {offset + limit} is more than Milvus allows"
        )


def check_range(metric: str | None, inner: dict[str, Any]) -> None:
    """radius / range_filter must bound the hits in the metric's own direction."""
    keys = {k.lower(): k for k in inner}
    radius, bound = inner.get(keys.get("radius", "")), inner.get(keys.get("range_filter", ""))
    for name, value in (("radius", radius), ("range_filter", bound)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ExecutionError(f"{name} must be a number, not {value!r}")
    if bound is not None and radius is None:
        raise ExecutionError("range_filter needs radius: WITH (radius = ..., range_filter = ...)")
    if radius is None or bound is None or metric is None:
        return
    if metric in DISTANCE_METRICS and not bound < radius:
        raise ExecutionError(
            f"for metric {metric} smaller is closer: a range search keeps distances in "
            f"[range_filter, radius), so range_filter must be below radius "
            f"(got radius = {radius}, range_filter = {bound})"
        )
    if metric not in DISTANCE_METRICS and not radius < bound:
        raise ExecutionError(
            f"for metric {metric} larger is closer: a range search keeps scores in "
            f"(radius, range_filter], so radius must be below range_filter "
            f"(got radius = {radius}, range_filter = {bound})"
        )


def group_options(info: CollectionInfo, group_by: str | None, size: int | None) -> dict[str, Any]:
    """Keyword arguments for GROUP BY field [SIZE n]."""
    if group_by is None:
        return {}
    field = info.field(group_by)
    if field is None and (problem := output_name_problem(group_by)):
        raise ExecutionError(problem)
    if field is None and not info.dynamic:
        raise info.no_field(group_by, "to GROUP BY")
    if field is not None and (
        field.is_vector or field.type in ("JSON", "ARRAY", "FLOAT", "DOUBLE")
    ):
        raise ExecutionError(
            f"cannot GROUP BY {group_by}: it is {field.type_text}; group by an integer, "
            "VARCHAR or BOOL field"
        )
    options: dict[str, Any] = {"group_by_field": group_by}
    if size is not None:
        if size <= 0:
            raise ExecutionError("GROUP BY ... SIZE needs 1 or more")
        options["group_size"] = size
    return options


def plan_columns(
    info: CollectionInfo,
    wanted_fields: Iterable[str],
    score: str,
    several: bool,
    projection: tuple[str, ...] | None = None,
    elements: bool = False,
) -> tuple[list[str], list[str]]:
    """(the columns to show, the fields to ask Milvus for); with `elements` (a search of a
    vector inside an ARRAY<STRUCT>: one hit per element) the matched element's `OFFSET` too."""
    pk = info.primary.name
    if projection is not None:
        wanted = list(projection)
    else:
        wanted = (["query"] if several else []) + ["rank", pk, score, *wanted_fields]
    if elements:
        wanted = with_offsets(wanted, pk)
    shown: list[str] = []
    for name in wanted:
        names = (
            star_fields(info) if name == "*" else [score if name in ("distance", "score") else name]
        )
        for item in names:
            if elements and item == OFFSET:
                shown.append(item)
                continue
            if item not in SPECIAL and (problem := output_name_problem(item)):
                raise ExecutionError(problem)
            if item in SPECIAL or info.field(item) is not None or info.dynamic:
                if item not in shown:
                    shown.append(item)
            else:
                raise info.no_field(item)
    fields = [n for n in shown if n not in SPECIAL and n != pk and not (elements and n == OFFSET)]
    return shown, fields


def hit_rows(
    results: Any, shown: list[str], pk: str, score: str, first_query: int, offset: int, bm25: bool
) -> list[tuple[Any, ...]]:
    """Milvus's hits as rows of the `shown` columns."""
    rows = []
    for number, hits in enumerate(results, start=first_query):
        for rank, hit in enumerate(hits, start=offset + 1):
            entity = hit.get("entity") or {}
            distance = plain(hit.get("distance"))
            values = {
                "query": number,
                "rank": rank,
                score: bm25_score(distance) if bm25 else distance,
                pk: plain(hit.get(pk, hit.get("id"))),
            }
            if OFFSET in hit:  # an element-level hit: the index of its element
                values[OFFSET] = plain(hit[OFFSET])
            rows.append(
                tuple(values[name] if name in values else plain(entity.get(name)) for name in shown)
            )
    return rows


def column(info: CollectionInfo, name: str) -> Column:
    if name in ("query", "rank"):
        return Column(name, "int")
    if name in ("distance", "score"):
        return Column(name, "float")
    return column_for(info, name)


def batch_size(catalog: Catalog, table: str, field: FieldInfo, queries: int) -> int:
    """How many query vectors to send per call (one query needs no row count from Milvus)."""
    if queries <= 1 or not field.is_dense or not field.dim:
        return MAX_NQ
    try:
        rows = int(catalog.call("get_collection_stats", table, table=table).get("row_count", 0))
    except ExecutionError:
        rows = 0
    per_query = max(1, rows) * field.dim * 8
    return max(1, min(MAX_NQ, MEMORY_BUDGET // per_query))


def search(context: HandlerContext, statement: Search) -> Result:
    catalog = context.catalog
    table = statement.table
    info = catalog.require(table)
    if statement.aggregation:  # refused before anything is sent (a default index built)
        require_aggregation(catalog)
    check_filter_fields(info, statement.where)
    for partition in statement.partitions:
        require_partition(catalog, table, partition)
    field = query_sources.search_field(info, statement)
    metric, inner, extra = split_params(statement.params, statement.metric)
    used, note = check_metric(catalog, info, field, metric)
    check_range(used, inner)
    deep = statement.offset + statement.limit > MAX_WINDOW  # past the window: an iterator
    if deep:
        iterator.check_deep(statement, MAX_WINDOW)
    else:
        check_window(statement.limit, statement.offset)
    grouping = group_options(info, statement.group_by, statement.group_size)
    catalog.ensure_loaded(table)  # before FOR ID reads the stored vectors
    data = query_sources.resolve(catalog, info, field, statement, context.workdir)
    bm25 = info.bm25_source(field.name) is not None
    rescored = any(r.name != "BOOST" for r in statement.rankers) or bool(statement.chain)
    score = "score" if bm25 or rescored else "distance"
    returned = list(statement.output_fields)
    if statement.group_by and statement.group_by not in returned and "*" not in returned:
        returned.append(statement.group_by)
    for key in statement.order:  # ORDER BY fields: the top hits, sorted by the kernel
        ordering.order_field(info, key, "ORDER BY")
        if key.field not in returned and "*" not in returned:
            returned.append(key.field)
    elements = "[" in field.name and not statement.embedding_lists
    shown, fields = plan_columns(
        info, returned, score, len(data) > 1, statement.projection, elements
    )
    search_params: dict[str, Any] = {"params": inner}
    if "hints" in inner:  # hints = 'iterative_filter': beside "params", where pymilvus reads it
        search_params["hints"] = inner.pop("hints")
    if metric:
        search_params["metric_type"] = metric
    options = {**catalog.read_options(), **extra, **grouping}
    if statement.rankers:
        rankers.require_rankers(catalog, statement.rankers, used)
        options["ranker"] = rankers.search_ranker(info, statement.rankers)
    if statement.chain:  # RERANK CHAIN (...): a FunctionChain, and the fields its steps read
        options["function_chains"], read = chains.function_chain(catalog, info, statement)
        fields += [name for name in read if name not in fields]
    if statement.offset:
        options["offset"] = statement.offset
    if statement.partitions:
        options["partition_names"] = list(statement.partitions)
    if statement.aggregation:  # one row per bucket, not one per hit
        call = {"anns_field": field.name, "output_fields": fields, "search_params": search_params}
        step = batch_size(catalog, table, field, len(data))
        return aggregated_search(
            catalog, info, statement, data, step, call | options, score, used, note
        )
    rows: list[tuple[Any, ...]] = []
    if deep:
        options.pop("offset", None)
        hits = iterator.deep_hits(
            catalog, statement, field.name, data, search_params, fields, options
        )
        with translating(table=table):
            rows = hit_rows([hits], shown, info.primary.name, score, 1, statement.offset, bm25)
    step = batch_size(catalog, table, field, len(data))
    for start in range(0, 0 if deep else len(data), step):
        with server_functions(catalog):
            results = catalog.call(
                "search",
                table,
                data=data[start : start + step],
                anns_field=field.name,
                limit=statement.limit,
                filter=statement.where.expression if statement.where else "",
                output_fields=fields,
                search_params=search_params,
                table=table,
                **options,
            )
        with translating(table=table):  # pymilvus decodes hits lazily
            first_rank = statement.offset + chains.rank_offset(statement.chain)
            rows += hit_rows(results, shown, info.primary.name, score, start + 1, first_rank, bm25)
    if statement.order:
        rows = ordering.order_hits(rows, shown, statement.order, info)
        ordering.explain_python(catalog, ordering.hits_sort_code(statement.order, info, score))
    columns = tuple(column(info, name) for name in shown)
    return Table(columns=columns, rows=rows, total=len(rows), title=table, note=note, metric=used)


HANDLERS = {Search: search}
