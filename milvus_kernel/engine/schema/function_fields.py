"""Columns a function fills, added and dropped in place (Milvus 3.0's AlterCollectionSchema).

`ALTER TABLE t ADD COLUMN sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body)
[INDEX USING SPARSE_INVERTED_INDEX WITH (...)]` (or `BINARY_VECTOR(n) ... AS MINHASH(body)
WITH (...) [INDEX USING MINHASH_LSH ...]`) is `add_function_field(table, FieldSchema, Function,
IndexParams)`: the output column, its function and its index in one schema change (the rows
already there are backfilled by the server). pymilvus 3.0.2 adds BM25 → SPARSE_FLOAT_VECTOR and
MINHASH → BINARY_VECTOR this way. `ALTER TABLE t DROP COLUMN f` is `drop_function_field(table,
function)` when a function fills `f` (the function goes with its column), else
`drop_collection_field(table, field_name=f)`.

Milvus Lite 3.2.2 has no AlterCollectionSchema, and servers before 3.0 neither: both refuse in
one line naming the server before anything is sent; EXPLAIN prints the code on any server.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_version, server_call
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.schema.definition import column_field
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.schema.generated import function
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import AddColumn, DropColumn
from milvus_kernel.results import Message, Result

#: the first Milvus with AlterCollectionSchema (add_function_field, drop_*_field)
FIRST_WITH_SCHEMA_CHANGES = (3, 0)
WHY = "add_function_field and drop_*_field change the schema with AlterCollectionSchema"
#: kind → (the output column's type, the default index, its metric)
OUTPUTS = {
    "BM25": ("SPARSE_FLOAT_VECTOR", "SPARSE_INVERTED_INDEX", "BM25"),
    "MINHASH": ("BINARY_VECTOR", "MINHASH_LSH", "MHJACCARD"),
}


def _source(info: CollectionInfo, kind: str, source: str) -> None:
    field = info.require_field(source)
    if field.type != "VARCHAR":
        raise ExecutionError(f"{kind}({source}): {source} is {field.type_text}, not VARCHAR")


def add_function_field(catalog: Catalog, statement: AddColumn) -> Result:
    """ADD COLUMN ... GENERATED ALWAYS AS BM25|MINHASH(source): column, function and index."""
    from pymilvus import FieldSchema

    table, column = statement.table, statement.column
    info = catalog.require(table)
    info.require_new_column(column.name)
    kind = "BM25" if column.bm25_source else "MINHASH"
    source, params = (column.bm25_source, {}) if column.bm25_source else column.minhash  # type: ignore[misc]
    output, default_index, default_metric = OUTPUTS[kind]  # the parser checked the type
    _source(info, kind, source)
    what = f"ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS {kind}"
    require_version(catalog, what, FIRST_WITH_SCHEMA_CHANGES, WHY)
    data_type, kwargs = column_field(column)
    kwargs.pop("nullable", None)  # a function's output is never null
    field_schema = FieldSchema(name=column.name, dtype=data_type, **kwargs)
    made = function(f"{column.name}_{kind.lower()}", kind, source, column.name, params)
    index_params = catalog.client.prepare_index_params()
    index_options = dict(statement.index_params)
    metric = index_options.pop("metric_type", default_metric)
    index: dict[str, Any] = {"index_type": statement.index_type or default_index}
    index["metric_type"] = str(metric).upper()
    if index_options:
        index["params"] = {"params": index_options}
    index_params.add_index(column.name, **index)
    server_call(
        catalog,
        what,
        "add_function_field",
        table,
        field_schema,
        made,
        index_params,
        table=table,
        action="adding a column to",
    )
    catalog.forget(table)
    return Message(
        f"added column {column.name} {output} GENERATED ALWAYS AS {kind}({source}) to {table} "
        f"(function {made.name}, index {index['index_type']})"
    )


def drop_column(catalog: Catalog, statement: DropColumn) -> Result:
    table, name = statement.table, statement.column
    info = catalog.require(table)
    field = info.require_field(name)
    if field.is_primary:
        raise ExecutionError(f"column {name} is the primary key of {table}: it cannot be dropped")
    what = "ALTER TABLE ... DROP COLUMN"
    require_version(catalog, what, FIRST_WITH_SCHEMA_CHANGES, WHY)
    function = info.filled_by(name)
    if function is not None:
        filled_by = str(function.get("name"))
        server_call(catalog, what, "drop_function_field", table, filled_by, table=table)
        done = f"dropped column {name} of {table} and its function {filled_by}"
    else:
        server_call(catalog, what, "drop_collection_field", table, field_name=name, table=table)
        done = f"dropped column {name} of {table}"
    catalog.forget(table)
    return Message(done)


HANDLERS = using_catalog({DropColumn: drop_column})
