"""SEARCH (and SELECT ... ORDER BY v <-> [...] LIMIT k): vector, sparse and BM25 text search.

One row per hit: `query` (1-based, only with several query vectors), `rank` (1-based, counting
OFFSET), the primary key under its own name, `distance` (`score` for BM25 full-text search, where
higher is better), then the returned fields. The SQL form's `projection` gives the exact columns.
Query vectors are searched in batches, because Milvus Lite's FLAT search holds (nq, n, dim) in
memory at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.fields import CollectionInfo, FieldInfo
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.results import Column, Result, Table
from milvus_kernel.engine.rows import column_for, plain, star_fields
from milvus_kernel.engine.values import BadValue, convert
from milvus_kernel.engine.writes import check_filter_fields, require_partition
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import Search

MAX_NQ = 1024
MEMORY_BUDGET = 256 * 1024 * 1024
SPECIAL = ("query", "rank", "distance", "score")


def anns_field(info: CollectionInfo, name: str | None) -> FieldInfo:
    """The vector field to search: the named one, or the collection's only vector field."""
    if name is not None:
        field = info.field(name)
        if field is None:
            raise ExecutionError(
                f"collection '{info.name}' has no field '{name}'; fields: {', '.join(info.names)}"
            )
        if not field.is_vector:
            raise ExecutionError(f"field {name} of {info.name} is {field.type_text}, not a vector")
        return field
    vectors = info.vector_fields
    if not vectors:
        raise ExecutionError(f"collection '{info.name}' has no vector field to search")
    if len(vectors) > 1:
        names = ", ".join(f.name for f in vectors)
        raise ExecutionError(
            f"collection '{info.name}' has several vector fields ({names}): say which with USING"
        )
    return vectors[0]


def query_data(info: CollectionInfo, field: FieldInfo, vectors: tuple[Any, ...]) -> list[Any]:
    """The query vectors (or texts, for a BM25 field), checked against the field."""
    if not vectors:
        raise ExecutionError("SEARCH needs at least one query vector")
    bm25 = info.bm25_source(field.name) is not None
    target = replace(field, nullable=False, has_default=False, is_primary=False)
    data = []
    for number, vector in enumerate(vectors, start=1):
        if bm25:
            if not isinstance(vector, str):
                raise ExecutionError(
                    f"field {field.name} holds BM25 of {info.bm25_source(field.name)}: "
                    "search it with TEXT '...', not a vector"
                )
            data.append(vector)
            continue
        if isinstance(vector, str):
            raise ExecutionError(
                f"field {field.name} is {field.type_text}: search it with a vector, not a text"
            )
        try:
            data.append(convert(target, vector))
        except BadValue as error:
            where = f"query vector {number}: " if len(vectors) > 1 else ""
            raise ExecutionError(where + str(error)) from None
    return data


def split_params(statement: Search) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(metric, search params for Milvus's "params", extra search keyword arguments)."""
    metric = statement.metric.upper() if statement.metric else None
    inner: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in statement.params.items():
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
    names = catalog.call("list_indexes", table, field_name=field, table=table)
    if not names:
        return None
    described = catalog.call("describe_index", table, names[0], table=table) or {}
    metric = described.get("metric_type")
    return str(metric).upper() if metric else None


def plan_columns(
    info: CollectionInfo, statement: Search, score: str, several: bool
) -> tuple[list[str], list[str]]:
    """(the columns to show, the fields to ask Milvus for)."""
    pk = info.primary.name
    if statement.projection is not None:
        wanted = list(statement.projection)
    else:
        wanted = (["query"] if several else []) + ["rank", pk, score, *statement.output_fields]
    shown: list[str] = []
    for name in wanted:
        names = (
            star_fields(info) if name == "*" else [score if name in ("distance", "score") else name]
        )
        for item in names:
            if item in SPECIAL or info.field(item) is not None or info.dynamic:
                if item not in shown:
                    shown.append(item)
            else:
                raise ExecutionError(
                    f"collection '{info.name}' has no field '{item}'; "
                    f"fields: {', '.join(info.names)}"
                )
    fields = [n for n in shown if n not in SPECIAL and n != pk]
    return shown, fields


def batch_size(catalog: Catalog, table: str, field: FieldInfo) -> int:
    if not field.is_dense or not field.dim:
        return MAX_NQ
    try:
        rows = int(catalog.call("get_collection_stats", table, table=table).get("row_count", 0))
    except ExecutionError:
        rows = 0
    per_query = max(1, rows) * field.dim * 8
    return max(1, min(MAX_NQ, MEMORY_BUDGET // per_query))


def search(catalog: Catalog, statement: Search) -> Result:
    table = statement.table
    info = catalog.require(table)
    check_filter_fields(info, statement.where)
    for partition in statement.partitions:
        require_partition(catalog, table, partition)
    field = anns_field(info, statement.anns_field)
    data = query_data(info, field, statement.vectors)
    metric, inner, extra = split_params(statement)
    actual = index_metric(catalog, table, field.name)
    if metric and actual and metric != actual:
        raise ExecutionError(
            f"the search uses metric {metric} but the index on {table}.{field.name} is built for "
            f"{actual}: search with {actual}, or recreate the index with metric_type = '{metric}'"
        )
    if statement.limit <= 0 or statement.offset < 0:
        raise ExecutionError("a search needs LIMIT 1 or more and OFFSET 0 or more")
    bm25 = info.bm25_source(field.name) is not None
    score = "score" if bm25 else "distance"
    several = len(data) > 1
    shown, fields = plan_columns(info, statement, score, several)
    search_params: dict[str, Any] = {"params": inner}
    if metric:
        search_params["metric_type"] = metric
    options = {**catalog.read_options(), **extra}
    catalog.ensure_loaded(table)
    pk = info.primary.name
    rows: list[tuple[Any, ...]] = []
    step = batch_size(catalog, table, field)
    for start in range(0, len(data), step):
        results = catalog.call(
            "search",
            table,
            data=data[start : start + step],
            anns_field=field.name,
            limit=statement.limit,
            offset=statement.offset,
            filter=statement.where.expression if statement.where else "",
            output_fields=fields,
            search_params=search_params,
            partition_names=list(statement.partitions) or None,
            table=table,
            **options,
        )
        with translating(table=table):  # pymilvus decodes hits lazily
            for number, hits in enumerate(results, start=start + 1):
                for rank, hit in enumerate(hits, start=statement.offset + 1):
                    entity = hit.get("entity") or {}
                    values = {
                        "query": number,
                        "rank": rank,
                        score: plain(hit.get("distance")),
                        pk: plain(hit.get(pk, hit.get("id"))),
                    }
                    rows.append(
                        tuple(
                            values[name] if name in values else plain(entity.get(name))
                            for name in shown
                        )
                    )
    columns = tuple(_column(info, name) for name in shown)
    return Table(columns=columns, rows=rows, total=len(rows), title=table)


def _column(info: CollectionInfo, name: str) -> Column:
    if name in ("query", "rank"):
        return Column(name, "int")
    if name in ("distance", "score"):
        return Column(name, "float")
    return column_for(info, name)


HANDLERS = {Search: search}
