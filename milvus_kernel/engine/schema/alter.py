"""Changes to a collection's schema and to index properties, in place.

ALTER TABLE t ADD COLUMN (`add_collection_field`: Milvus adds nullable columns only, a DEFAULT
fills the rows already there; a column GENERATED ALWAYS AS BM25 / MINHASH: function_fields.py;
an ARRAY<STRUCT<...>>: `add_collection_struct_field`, Milvus 2.6),
ALTER TABLE t ALTER COLUMN f SET (...) (`alter_collection_field`:
max_length, mmap.enabled, ...), ALTER TABLE t DROP PROPERTIES (...) (`drop_collection_properties`),
ALTER INDEX i ON t SET (...) / DROP PROPERTIES (...) (`alter_index_properties`,
`drop_index_properties`). The cached schema is forgotten after each. A server without the RPC
(Milvus Lite for columns and index properties, Milvus before 2.6 for columns) says so in one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_version, server_call
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.schema.definition import column_field, struct_field
from milvus_kernel.engine.schema.function_fields import add_function_field
from milvus_kernel.engine.schema.indexes import index_names
from milvus_kernel.engine.schema.typed_reads import FIRST_WITH_STRUCTS
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    AddColumn,
    AlterColumn,
    AlterIndexSet,
    DropIndexProperties,
    DropTableProperties,
)
from milvus_kernel.results import Message, Result


def shown(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{key} = {_text(value)}" for key, value in values.items())


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def add_column(catalog: Catalog, statement: AddColumn) -> Result:
    table, column = statement.table, statement.column
    if column.bm25_source or column.minhash:  # with its function and index: add_function_field
        return add_function_field(catalog, statement)
    if column.type.element is not None and column.type.element.name == "STRUCT":
        return add_struct_column(catalog, statement)
    info = catalog.require(table)
    info.require_new_column(column.name)
    if column.primary_key or column.auto_id or column.partition_key or column.embedding:
        raise ExecutionError(
            f"column {column.name}: an added column cannot be a primary key, AUTO_ID, a "
            "partition key or an EMBEDDING (pymilvus adds columns GENERATED ALWAYS AS BM25 or "
            "MINHASH only)"
        )
    if column.not_null:
        raise ExecutionError(
            f"column {column.name}: Milvus adds nullable columns only (the rows already there "
            "have no value): drop NOT NULL, and give a DEFAULT to fill them"
        )
    data_type, kwargs = column_field(column)
    kwargs["nullable"] = True
    description = kwargs.pop("description", "")
    if description:
        kwargs["desc"] = description
    server_call(
        catalog,
        "ALTER TABLE ... ADD COLUMN",
        "add_collection_field",
        table,
        column.name,
        data_type,
        table=table,
        action="adding a column to",
        **kwargs,
    )
    catalog.forget(table)
    return Message(f"added column {column.name} {column.type.name.upper()} to {table}")


def add_struct_column(catalog: Catalog, statement: AddColumn) -> Result:
    """ADD COLUMN items ARRAY<STRUCT<...>>(n): `add_collection_struct_field` (nullable only)."""
    table, column = statement.table, statement.column
    catalog.require(table).require_new_column(column.name)
    if column.not_null:
        raise ExecutionError(
            f"column {column.name}: Milvus adds nullable struct arrays only (the rows already "
            "there have none): drop NOT NULL"
        )
    what = "ALTER TABLE ... ADD COLUMN ... ARRAY<STRUCT<...>>"
    require_version(catalog, what, FIRST_WITH_STRUCTS, "struct arrays")
    made = struct_field(column)
    options = {"desc": made["description"]} if "description" in made else {}
    server_call(
        catalog,
        what,
        "add_collection_struct_field",
        table,
        column.name,
        made["struct_schema"],
        made["max_capacity"],
        table=table,
        action="adding a column to",
        nullable=True,
        **options,
    )
    catalog.forget(table)
    return Message(f"added column {column.name} {column.type.name.upper()}<STRUCT<...>> to {table}")


def alter_column(catalog: Catalog, statement: AlterColumn) -> Result:
    table, name = statement.table, statement.field
    info = catalog.require(table)
    info.require_field(name)
    if not statement.params:
        raise ExecutionError("ALTER COLUMN ... SET needs at least one parameter")
    params = dict(statement.params)
    server_call(
        catalog,
        "ALTER TABLE ... ALTER COLUMN",
        "alter_collection_field",
        table,
        name,
        params,
        table=table,
        field=name,
        action="altering a column of",
    )
    catalog.forget(table)
    return Message(f"set {shown(params)} on column {name} of {table}")


def drop_table_properties(catalog: Catalog, statement: DropTableProperties) -> Result:
    table = statement.name
    catalog.require(table)
    keys = list(statement.keys)
    server_call(
        catalog,
        "ALTER TABLE ... DROP PROPERTIES",
        "drop_collection_properties",
        table,
        keys,
        table=table,
        action="dropping properties of",
    )
    catalog.forget(table)
    return Message(f"dropped {_properties(keys)} of {table}")


def _properties(keys: list[str]) -> str:
    return f"propert{'y' if len(keys) == 1 else 'ies'} {', '.join(keys)}"


def _require_index(catalog: Catalog, table: str, name: str) -> None:
    catalog.require(table)
    names = index_names(catalog, table)
    if name not in names:
        known = ", ".join(names) if names else "none"
        raise ExecutionError(f"collection '{table}' has no index '{name}'; indexes: {known}")


def alter_index_set(catalog: Catalog, statement: AlterIndexSet) -> Result:
    table, name = statement.table, statement.name
    _require_index(catalog, table, name)
    if not statement.properties:
        raise ExecutionError("ALTER INDEX ... SET needs at least one property")
    properties = dict(statement.properties)
    server_call(
        catalog,
        "ALTER INDEX ... SET",
        "alter_index_properties",
        table,
        name,
        properties,
        table=table,
        action="altering an index of",
    )
    catalog.forget(table)
    return Message(f"set {shown(properties)} on index {name} of {table}")


def drop_index_properties(catalog: Catalog, statement: DropIndexProperties) -> Result:
    table, name = statement.table, statement.name
    _require_index(catalog, table, name)
    keys = list(statement.keys)
    server_call(
        catalog,
        "ALTER INDEX ... DROP PROPERTIES",
        "drop_index_properties",
        table,
        name,
        keys,
        table=table,
        action="dropping index properties of",
    )
    catalog.forget(table)
    return Message(f"dropped {_properties(keys)} of index {name} of {table}")


HANDLERS = using_catalog(
    {
        AddColumn: add_column,
        AlterColumn: alter_column,
        DropTableProperties: drop_table_properties,
        AlterIndexSet: alter_index_set,
        DropIndexProperties: drop_index_properties,
    }
)
