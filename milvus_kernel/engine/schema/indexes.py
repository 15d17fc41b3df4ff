"""Index statements: CREATE INDEX / DROP INDEX / SHOW INDEXES / DESCRIBE INDEX.

Any index type and build parameter passes through. Build parameters are sent *nested*
(`params={"params": {...}}`): given flat, Milvus Lite drops them silently. Milvus refuses to drop
an index of a loaded collection: the collection is released, the index dropped, and the
collection loaded again when it still can be. A build that needed a release loads the collection
again whether it succeeded or failed; an old-style `create index t where ...` that fails puts the
index it replaced back. A search of a field without an index builds the default one
(`build_default_index`) and says so.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.legacy import (
    Replaced,
    drop_for_replace,
    remember_metric,
    remembered_metric,
    restore,
    settle,
)
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.progress import timed
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.errors import ExecutionError, KernelError
from milvus_kernel.language.statements import CreateIndex, DescribeIndex, DropIndex, ShowIndexes
from milvus_kernel.results import Column, Message, Result, Table

DEFAULT_SCALAR_INDEX = "INVERTED"
DEFAULT_VECTOR_INDEX = "AUTOINDEX"
DEFAULT_SPARSE_INDEX = "SPARSE_INVERTED_INDEX"  # Milvus Lite refuses AUTOINDEX on sparse fields


def default_index_type(field: FieldInfo) -> str:
    """The index type used when CREATE INDEX has no USING."""
    if field.type == "SPARSE_FLOAT_VECTOR":
        return DEFAULT_SPARSE_INDEX
    return DEFAULT_VECTOR_INDEX if field.is_vector else DEFAULT_SCALAR_INDEX


def default_metric(info: CollectionInfo, field: FieldInfo) -> str:
    """The metric used when CREATE INDEX names none."""
    if field.type == "SPARSE_FLOAT_VECTOR":  # BM25 when a BM25 function fills it
        return "BM25" if info.bm25_source(field.name) else "IP"
    if field.type == "BINARY_VECTOR":
        return "HAMMING"
    return "COSINE"


def only_vector(info: CollectionInfo) -> FieldInfo:
    """The field an index statement means when it names none (the legacy dialect's form)."""
    vectors = info.vector_fields
    if len(vectors) != 1:
        names = ", ".join(f.name for f in vectors) or "none"
        raise ExecutionError(
            f"say which field of {info.name} to index: its vector fields are {names}"
        )
    return vectors[0]


def index_names(catalog: Catalog, table: str, field: str | None = None) -> list[str]:
    kwargs: dict[str, Any] = {"field_name": field} if field else {}
    return list(catalog.call("list_indexes", table, table=table, **kwargs))


def describe(catalog: Catalog, table: str, name: str) -> dict[str, Any]:
    return dict(catalog.call("describe_index", table, name, table=table) or {})


def create_index(catalog: Catalog, statement: CreateIndex) -> Result:
    table = statement.table
    info = catalog.require(table)
    field = info.require_field(statement.field) if statement.field else only_vector(info)
    params = {k: v for k, v in statement.params.items() if k.lower() != "metric_type"}
    metric = next((v for k, v in statement.params.items() if k.lower() == "metric_type"), None)
    index_type = (statement.index_type or "").upper() or default_index_type(field)
    if field.is_vector and metric is None:
        metric = default_metric(info, field)
    existing = index_names(catalog, table, field.name)
    replaced: Replaced | None = None
    named_metric = any(k.lower() == "metric_type" for k in statement.params)
    if existing and not statement.field:  # the old `create index t where ...`: replace it
        replaced = drop_for_replace(catalog, table, existing[0])
        if replaced.metric and not named_metric:
            metric = replaced.metric  # the metric the collection was created with
    elif not statement.field and not named_metric and field.is_vector:
        # the old `drop index t` earlier (maybe before a restart): the metric it kept
        metric = remembered_metric(catalog, table, field.name) or metric
    if existing and statement.field:
        old = describe(catalog, table, existing[0])
        raise ExecutionError(
            f"field {field.name} of {table} already has index '{existing[0]}' "
            f"({old.get('index_type', '?')}); DROP INDEX {existing[0]} ON {table} first"
        )
    index_params = catalog.client.prepare_index_params()
    kwargs: dict[str, Any] = {"index_type": index_type}
    if metric is not None:
        kwargs["metric_type"] = str(metric).upper()
    if statement.name:
        kwargs["index_name"] = statement.name
    if params:
        kwargs["params"] = {"params": dict(params)}
    index_params.add_index(field.name, **kwargs)
    try:
        build(catalog, table, field.name, index_params)
    except KernelError as error:
        if replaced is not None:  # the old index goes back, loaded as it was
            error.message += restore(catalog, table, field.name, replaced)
        raise
    if replaced is not None:
        settle(catalog, table, replaced.was_loaded)
    catalog.forget(table)
    names = index_names(catalog, table, field.name)
    actual = names[0] if names else (statement.name or field.name)
    text = f"created index {actual} on {table}({field.name}) using {index_type}"
    if metric is not None:
        text += f", metric {str(metric).upper()}"
    if replaced is not None:
        text += replaced.note
    if statement.name and actual != statement.name:
        text += f" (this server names indexes after their field: '{actual}')"
    return Message(text)


def build(catalog: Catalog, table: str, field: str, index_params: Any) -> None:
    """create_index; a server that will not build on a loaded collection gets it released, and
    loaded again afterwards whether the build succeeded or failed."""
    action = f"creating index on {field} of"
    with timed(f"create index on {table}({field})"):  # long builds show their time
        try:
            catalog.call("create_index", table, index_params, table=table, action=action)
            return
        except ExecutionError as error:
            if "loaded" not in error.message.lower():
                raise
        catalog.call("release_collection", table, table=table, action="releasing")
        catalog.mark_released(table)
        try:
            catalog.call("create_index", table, index_params, table=table, action=action)
        finally:
            catalog.call("load_collection", table, table=table, action="loading")


def build_default_index(
    catalog: Catalog, info: CollectionInfo, field: FieldInfo, metric: str | None = None
) -> tuple[str, str]:
    """Build the default index on `field`, which has none (a search needs one; `metric` when the
    search names one): (its metric, the note that says what was built)."""
    index_type = default_index_type(field)
    metric = (metric or default_metric(info, field)).upper()
    index_params = catalog.client.prepare_index_params()
    index_params.add_index(field.name, index_type=index_type, metric_type=metric)
    build(catalog, info.name, field.name, index_params)
    catalog.forget(info.name)
    note = (
        f"{info.name}.{field.name} had no index: built the default {index_type} with metric "
        f"{metric} (DROP INDEX {field.name} ON {info.name}, then CREATE INDEX, to choose another)"
    )
    return metric, note


def drop_index(catalog: Catalog, statement: DropIndex) -> Result:
    table, name = statement.table, statement.name
    info = catalog.require(table)
    if not name:  # the legacy dialect's `drop index t`: the index of the vector field
        found = index_names(catalog, table, only_vector(info).name)
        name = found[0] if found else only_vector(info).name
    names = index_names(catalog, table)
    if name not in names:
        shown = ", ".join(names) if names else "none"
        raise ExecutionError(f"collection '{table}' has no index '{name}' (indexes: {shown})")
    described = describe(catalog, table, name)
    field = described.get("field_name", "")
    if not statement.name and described.get("metric_type"):  # for the old `create index t`
        remember_metric(catalog, table, field, str(described["metric_type"]))
    was_loaded = catalog.is_loaded(table)
    if was_loaded:
        catalog.call("release_collection", table, table=table)
        catalog.mark_released(table)
    # Name the field too: Milvus Lite resolves a drop by field (an unknown bare name drops all).
    _drop(catalog, table, field, name)
    catalog.forget(table)
    text = f"dropped index {name} of {table}"
    if was_loaded:
        try:
            catalog.call("load_collection", table, table=table)
        except ExecutionError:
            text += f" ({table} is now released: create an index and LOAD it to search)"
    return Message(text)


def _drop(catalog: Catalog, table: str, field: str, name: str) -> None:
    timeout = catalog.settings.deadline("drop_index")
    with translating(table=table, action=f"dropping index {name} of"):
        conn = catalog.client._get_connection()
        conn.drop_index(table, field, name, timeout=timeout)


def show_indexes(catalog: Catalog, statement: ShowIndexes) -> Result:
    table = statement.table
    catalog.require(table)
    rows = []
    for name in index_names(catalog, table):
        d = describe(catalog, table, name)
        rows.append(
            (
                d.get("index_name", name),
                d.get("field_name"),
                d.get("index_type"),
                d.get("metric_type"),
                dict(d.get("params") or {}),
                d.get("state"),
            )
        )
    columns = (
        Column("name", "str"),
        Column("field", "str"),
        Column("index_type", "str"),
        Column("metric_type", "str"),
        Column("params", "json"),
        Column("state", "str"),
    )
    return Table(columns=columns, rows=rows, title=f"indexes on {table}")


def describe_index(catalog: Catalog, statement: DescribeIndex) -> Result:
    table, name = statement.table, statement.name
    catalog.require(table)
    names = index_names(catalog, table)
    if name not in names:
        shown = ", ".join(names) if names else "none"
        raise ExecutionError(f"collection '{table}' has no index '{name}' (indexes: {shown})")
    d = describe(catalog, table, name)
    rows = [(key, value if not hasattr(value, "name") else value.name) for key, value in d.items()]
    return Table(
        columns=(Column("key", "str"), Column("value", "any")),
        rows=rows,
        title=f"index {name} on {table}",
    )


HANDLERS = using_catalog(
    {
        CreateIndex: create_index,
        DropIndex: drop_index,
        ShowIndexes: show_indexes,
        DescribeIndex: describe_index,
    }
)
