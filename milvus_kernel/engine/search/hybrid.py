"""Hybrid SEARCH: several searches of one collection (vector or BM25 text), fused by a ranker.

`SEARCH t USING a FOR [...] [WHERE ...] [LIMIT n] [WITH (...)], USING b TEXT '...' ...
RERANK RRF(k) | WEIGHTED(w1, w2, ...) [IN PARTITION ...] [RETURN ...] [GROUP BY f [SIZE n]] LIMIT m`
becomes one `client.hybrid_search` with an `AnnSearchRequest` per leg (its own query, field,
filter, limit and search params) and an `RRFRanker` or `WeightedRanker` (one weight per leg).
The result looks like a search's: `rank`, the primary key, the fused `score` (higher is better),
then the returned fields; its footer names each leg's metric and the ranker ("metric L2 + BM25,
fused by RRF"), and its note any default index a leg had to build.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.data.writes import check_filter_fields, require_partition
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.search import query_sources, rankers
from milvus_kernel.engine.search.fulltext import server_functions
from milvus_kernel.engine.search.vector import (
    MAX_WINDOW,
    check_metric,
    check_range,
    check_window,
    column,
    group_options,
    hit_rows,
    plan_columns,
    split_params,
)
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import HybridSearch, Search
from milvus_kernel.results import Result, Table


def ranker(statement: HybridSearch) -> Any:
    """The pymilvus ranker of RERANK RRF(k) or RERANK WEIGHTED(w, ...), its arguments checked."""
    from pymilvus import RRFRanker, WeightedRanker

    name, args = statement.ranker.upper(), statement.ranker_args
    if name == "RRF":
        if len(args) > 1:
            raise ExecutionError(f"RRF takes one argument, k (e.g. RRF(60)); got {len(args)}")
        if not args:
            return RRFRanker()
        k = args[0]
        if isinstance(k, bool) or not isinstance(k, int) or not 0 < k < MAX_WINDOW:
            raise ExecutionError(f"RRF(k) needs a whole number k between 1 and 16383, not {k!r}")
        return RRFRanker(k)
    if name == "WEIGHTED":
        legs = len(statement.legs)
        if len(args) != legs:
            raise ExecutionError(
                f"WEIGHTED needs one weight per search: this hybrid search has {legs} searches "
                f"and {len(args)} weight{'s' if len(args) != 1 else ''}"
            )
        for weight in args:
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise ExecutionError(f"WEIGHTED takes numbers between 0 and 1, not {weight!r}")
            if not 0 <= weight <= 1:
                raise ExecutionError(f"WEIGHTED takes weights between 0 and 1, not {weight}")
        return WeightedRanker(*[float(w) for w in args])
    raise ExecutionError(f"unknown ranker {statement.ranker}: use RERANK RRF(k) or WEIGHTED(...)")


def request(
    context: HandlerContext, info: CollectionInfo, leg: Search, number: int
) -> tuple[Any, dict[str, Any], int, tuple[str | None, str | None]]:
    """(the AnnSearchRequest of one leg, its extra search options, its number of queries, (its
    metric, a note when a default index was built for it))."""
    from pymilvus import AnnSearchRequest

    if leg.partitions or leg.group_by or leg.offset or leg.projection:
        raise ExecutionError(
            f"search {number} of the hybrid search: IN PARTITION, GROUP BY and OFFSET apply to "
            "the whole hybrid search, after RERANK"
        )
    catalog = context.catalog
    check_filter_fields(info, leg.where)
    field = query_sources.search_field(info, leg)
    metric, inner, extra = split_params(leg.params, leg.metric)
    used = check_metric(catalog, info, field, metric)
    check_range(used[0], inner)
    check_window(leg.limit, 0, f"search {number} of the hybrid search")
    data = query_sources.resolve(catalog, info, field, leg, context.workdir)
    param: dict[str, Any] = {"params": inner}
    if metric:
        param["metric_type"] = metric
    kwargs: dict[str, Any] = {}
    if leg.where:
        kwargs["expr"] = leg.where.expression
    built = AnnSearchRequest(
        data=data, anns_field=field.name, param=param, limit=leg.limit, **kwargs
    )
    return built, extra, len(data), used


def hybrid_search(context: HandlerContext, statement: HybridSearch) -> Result:
    catalog = context.catalog
    table = statement.table
    info = catalog.require(table)
    if len(statement.legs) < 2:
        raise ExecutionError("a hybrid search needs two or more searches, separated by commas")
    for partition in statement.partitions:
        require_partition(catalog, table, partition)
    check_window(statement.limit, statement.offset, "a hybrid search")
    first = statement.rankers[0] if statement.rankers else None
    fuse = ranker(statement) if first is None or first.name in ("RRF", "WEIGHTED") else None
    rest = rankers.check_chain(statement.rankers, statement.group_by)
    rankers.require_rankers(catalog, statement.rankers)
    fuse = rankers.function(info, first) if fuse is None and first else fuse
    grouping = group_options(info, statement.group_by, statement.group_size)
    catalog.ensure_loaded(table)  # before FOR ID reads the stored vectors
    requests, options, counts = [], dict(catalog.read_options()), set()
    metrics: list[str] = []
    notes: list[str] = []
    for number, leg in enumerate(statement.legs, start=1):
        built, extra, count, (used, note) = request(context, info, leg, number)
        metrics.append(used or "?")
        notes += [note] if note else []
        requests.append(built)
        options.update(extra)
        counts.add(count)
    if len(counts) > 1:
        raise ExecutionError(
            "every search of a hybrid search needs the same number of query vectors "
            f"(found {', '.join(str(c) for c in sorted(counts))})"
        )
    returned = list(statement.output_fields)
    if statement.group_by and statement.group_by not in returned and "*" not in returned:
        returned.append(statement.group_by)
    shown, fields = plan_columns(info, returned, "score", counts.pop() > 1)
    options.update(grouping)
    limit = statement.limit
    if rest:  # every fused candidate, for the kernel's DECAY / BOOST steps
        limit = min(MAX_WINDOW, sum(leg.limit for leg in statement.legs))
        fields += [f for f in rankers.chain_fields(rest) if f not in fields]
    elif statement.offset:
        options["offset"] = statement.offset
    if statement.partitions:
        options["partition_names"] = list(statement.partitions)
    with server_functions(catalog):
        results = catalog.call(
            "hybrid_search",
            table,
            reqs=requests,
            ranker=fuse,
            limit=limit,
            output_fields=fields,
            table=table,
            **options,
        )
    if rest:
        window = (statement.offset, statement.limit)
        with translating(table=table):
            results = rankers.apply_chain(catalog, info, results, rest, window)
    with translating(table=table):
        rows = hit_rows(results, shown, info.primary.name, "score", 1, statement.offset, False)
    columns = tuple(column(info, name) for name in shown)
    names = [r.name for r in statement.rankers] or [statement.ranker.upper()]
    metric = f"{' + '.join(metrics)}, fused by {', then '.join(names)}"
    return Table(
        columns=columns,
        rows=rows,
        total=len(rows),
        title=table,
        note="; ".join(notes) or None,
        metric=metric,
    )


HANDLERS = {HybridSearch: hybrid_search}
