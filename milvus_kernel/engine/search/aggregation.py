"""SEARCH ... AGGREGATE BY: pymilvus's `search_aggregation` and its answer, `agg_buckets`.

Milvus (3.0+) groups the candidates its ANN and grouping stages retain into buckets, keeps a
budget of candidates per full key (the largest TOP n HITS of the tree, or 1), computes each
bucket's metrics, orders the buckets and returns the first SIZE of them, level by level; the
search's limit is ignored. Which candidates are retained is the server's own choice, so the kernel
cannot compute the same buckets from plain hits: Milvus Lite (which accepts the field and returns
plain hits, `agg_buckets` empty) and servers before 3.0 (which drop the unknown field) are refused
in one line before anything is sent; EXPLAIN prints the code on any server.

The answer is a table of rows a person reads top-down and a DataFrame filters: each bucket, then
its top hits, then its sub-buckets (depth first, as pymilvus's example prints them). Every row
has `query` (with several query vectors), `level` (1 is the outermost) and the key fields of every
level down to its bucket's (a child repeats its parents' keys, so a row reads on its own); a bucket
row has `count` and the metrics (empty on levels without them); a hit row has the primary key,
`distance` (or `score`) and the RETURN fields instead, in columns of their own, never truncated
inside one cell of JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection import capabilities
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.reads.rows import column_for, plain
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.engine.search.fulltext import server_functions
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import AggregationLevel, OrderKey, Search
from milvus_kernel.results import Column, Table

if TYPE_CHECKING:  # pymilvus is imported when a search is built, as everywhere in the engine
    from pymilvus import SearchAggregation

WHAT = "SEARCH ... AGGREGATE BY"
WHY = "an older server drops search_aggregation and returns plain hits"
SCORE_NAMES = ("score", "distance", "_score")
NUMERIC = ("INT8", "INT16", "INT32", "INT64", "FLOAT", "DOUBLE")
NO_KEY = ("JSON", "ARRAY", "GEOMETRY")
#: the columns of the result that are not fields (`_count` and `_key` order buckets)
RESERVED = ("query", "level", "count", "distance", "score", "_count", "_key", "_score")


def require_aggregation(catalog: Catalog) -> None:
    """Refuse on Milvus Lite and on servers before 3.0 (nothing sent; nothing under EXPLAIN)."""
    capabilities.require_version(catalog, WHAT, (3, 0), WHY)


def aggregated_search(
    catalog: Catalog,
    info: CollectionInfo,
    statement: Search,
    data: list[Any],
    step: int,
    call: dict[str, Any],
    score: str,
    metric: str | None,
    note: str | None,
) -> Table:
    """The search with `search_aggregation` (`call`: the search's other keyword arguments), `step`
    query vectors at a time, as one row per bucket. No limit: Milvus ignores it (SIZE counts)."""
    levels = statement.aggregation
    names, columns, fields = bucket_columns(
        info, levels, len(data) > 1, call["output_fields"], score
    )
    call = {
        **call,
        "output_fields": aggregated_fields(info, levels, call["output_fields"]),
        "search_aggregation": aggregation_spec(info, levels),
    }
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(data), step):
        with server_functions(catalog):
            answer = catalog.call(
                "search",
                info.name,
                data=data[start : start + step],
                filter=statement.where.expression if statement.where else "",
                table=info.name,
                **call,
            )
        with translating(table=info.name):
            rows += bucket_rows(answer, names, fields, info.primary.name, score, start + 1)
    return Table(
        columns=columns, rows=rows, total=len(rows), title=info.name, note=note, metric=metric
    )


def aggregation_spec(
    info: CollectionInfo, levels: tuple[AggregationLevel, ...]
) -> SearchAggregation:
    """The nested `SearchAggregation` of the levels, each name checked against the schema."""
    from pymilvus import SearchAggregation, TopHits

    built: SearchAggregation | None = None
    for level in reversed(levels):
        for name in level.fields:
            _key_field(info, name)
        for alias, _ in level.metrics:  # a column of its own: not a field's nor the table's
            if info.field(alias) is not None or alias in RESERVED:
                raise ExecutionError(
                    f"metric alias {alias} is also the name of a column of the result: "
                    f"name the metric otherwise (as in avg_{alias})"
                )
        metrics = {
            alias: {metric.function.lower(): _metric_field(info, metric.function, metric.field)}
            for alias, metric in level.metrics
        }
        top = None
        if level.top_hits is not None:
            sort = [{_hit_key(info, k.field): _direction(k)} for k in level.hits_order]
            top = TopHits(size=level.top_hits, sort=sort or None)
        built = SearchAggregation(
            fields=list(level.fields),
            size=level.size,
            metrics=metrics or None,
            order=[{k.field: _direction(k)} for k in level.order] or None,
            top_hits=top,
            sub_aggregation=built,
        )
    assert built is not None  # the grammar gives at least one level
    return built


def aggregated_fields(
    info: CollectionInfo, levels: tuple[AggregationLevel, ...], returned: list[str]
) -> list[str]:
    """The RETURN fields, then every key, metric and hit-sort field not among them (as pymilvus's
    example asks for them): the fields each top hit carries."""
    wanted = list(returned)
    pk = info.primary.name
    for level in levels:
        names = [*level.fields, *(m.field for _, m in level.metrics if m.field)]
        names += [k.field for k in level.hits_order]
        for name in names:
            if info.field(name) is not None and name != pk and name not in wanted:
                wanted.append(name)
    return wanted


def bucket_columns(
    info: CollectionInfo,
    levels: tuple[AggregationLevel, ...],
    several: bool,
    returned: list[str],
    score: str,
) -> tuple[list[str], tuple[Column, ...], list[str]]:
    """(the columns' names, the columns, the hits' fields): query, level, keys, count, metrics,
    then (with TOP n HITS) the primary key, the distance or score and the RETURN fields (but the
    keys) of the hit rows."""
    keys = list(dict.fromkeys(name for level in levels for name in level.fields))
    metrics = list(dict.fromkeys(alias for level in levels for alias, _ in level.metrics))
    fields: list[str] = []
    hits: list[str] = []
    if any(level.top_hits for level in levels):
        fields = [f for f in returned if f not in keys]
        hits = [info.primary.name, score, *fields]
    names = list(
        dict.fromkeys([*(["query"] if several else []), "level", *keys, "count", *metrics, *hits])
    )
    columns = []
    for name in names:
        if name in ("query", "level", "count"):
            columns.append(Column(name, "int"))
        elif name == score:
            columns.append(Column(name, "float"))
        elif name in metrics:
            columns.append(Column(name, "any"))
        else:
            columns.append(column_for(info, name))
    return names, tuple(columns), fields


def bucket_rows(
    answer: Any, names: list[str], fields: list[str], pk: str, score: str, first_query: int
) -> list[tuple[Any, ...]]:
    """The rows of a search answer's `agg_buckets` (one list of buckets per query vector): each
    bucket, then its top hits, then its sub-buckets."""
    rows: list[tuple[Any, ...]] = []
    for number, buckets in enumerate(getattr(answer, "agg_buckets", None) or [], first_query):
        _walk(buckets, 1, {"query": number}, (names, fields, pk, score), rows)
    return rows


def _walk(
    buckets: Any,
    level: int,
    above: dict[str, Any],
    layout: tuple[list[str], list[str], str, str],
    rows: list[tuple[Any, ...]],
) -> None:
    names, fields, pk, score = layout
    for bucket in buckets:
        keys = dict(above)  # the parents' keys, then this bucket's: what its rows all show
        keys.update({k["field_name"]: plain(k["value"]) for k in bucket.key})
        values = {**keys, "level": level, "count": bucket.count}
        values.update({alias: plain(v) for alias, v in bucket.metrics.items()})
        rows.append(tuple(values.get(name) for name in names))
        for hit in bucket.hits:  # count and metrics empty: a hit row, not a bucket
            given = hit.fields
            shown = {**keys, "level": level, pk: plain(hit.pk)}
            shown.update({name: plain(given[name]) for name in fields if name in given})
            shown[score] = float(f"{hit.score:.7g}")  # a float32's digits, not its binary tail
            rows.append(tuple(shown.get(name) for name in names))
        _walk(bucket.sub_groups, level + 1, keys, layout, rows)


def _direction(key: OrderKey) -> str:
    return "desc" if key.descending else "asc"


def _field(info: CollectionInfo, name: str, what: str) -> FieldInfo:
    return info.require_field(name, f"to {what}")


def _key_field(info: CollectionInfo, name: str) -> None:
    field = _field(info, name, "AGGREGATE BY")
    if field.is_vector or field.type in NO_KEY:
        raise ExecutionError(
            f"cannot AGGREGATE BY {name}: it is {field.type_text}; aggregate by an integer, "
            "VARCHAR or BOOL field"
        )


def _is_score(info: CollectionInfo, name: str) -> bool:
    """`score` and `distance` name the hit's score unless the collection has such a field."""
    return name == "_score" or (name in SCORE_NAMES and info.field(name) is None)


def _metric_field(info: CollectionInfo, function: str, name: str | None) -> str:
    if name is None:
        return "*"
    if _is_score(info, name):
        return "_score"
    field = _field(info, name, f"{function}()")
    if function in ("SUM", "AVG") and field.type not in NUMERIC:
        raise ExecutionError(f"{function}({name}) needs numbers: {name} is {field.type_text}")
    if field.is_vector or field.type in NO_KEY:
        raise ExecutionError(f"{function}({name}) cannot read {field.type_text}")
    return name


def _hit_key(info: CollectionInfo, name: str) -> str:
    if _is_score(info, name):
        return "_score"
    field = _field(info, name, "order the top hits by")
    if field.is_vector or field.type in NO_KEY:
        raise ExecutionError(f"cannot order the top hits by {name}: it is {field.type_text}")
    return name
